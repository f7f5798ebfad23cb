// Entry points of the statespace GPU backend (float64). One compilation of this file makes one PTX module
// for one shape: a model kind (SS_KIND = lin or cv), a state dimension SS_N and an observation dimension
// SS_M, given with -D; every small matrix is then a fixed-size register array. The shapes built are listed
// in shapes.txt; a model of another shape runs in the next larger listed one, padded so that results
// cannot change (io.statespace.gpu.Shapes). Kernel names carry the shape. Kernel parameters are plain
// pointers and scalars; their order and types are mirrored by io.statespace.gpu.Kernels and checked
// against the PTX by the unit tests.
#include "batched.cuh"
#include "reduce.cuh"
#include "scan.cuh"

using namespace ss;

#define SS_KIND_lin KIND_LINEAR
#define SS_KIND_cv KIND_CV

// Kernels that depend on the model kind and on both dimensions.
#define SS_MODEL_KERNELS(kind, N, M)                                                                        \
  extern "C" __global__ void batch_##kind##_n##N##_m##M(const double* md, int p, int lanes, const int* len,      \
      const long long* groupStep, const double* y, const double* u, const double* dt, double* fm, double* fc, \
      double* pm, double* pc, double* sm, double* sc, double* cross, double* loglik, int* status) {            \
    batchLane<N, M, SS_KIND_##kind>(md, p, lanes, len, groupStep, y, u, dt, fm, fc, pm, pc, sm, sc, cross,     \
        loglik, status);                                                                                    \
  }                                                                                                         \
  extern "C" __global__ void felem_##kind##_n##N##_m##M(const double* md, int p, long long count,               \
      const double* y, const double* u, const double* dt, double* elems, long long cap, int threads,          \
      int chunk, int* status) {                                                                             \
    filterElement<N, M, SS_KIND_##kind>(md, p, count, y, u, dt, elems, cap, threads, chunk, status);         \
  }                                                                                                         \
  extern "C" __global__ void loglik_##kind##_n##N##_m##M(const double* md, int p, long long count,              \
      const double* y, const double* u, const double* dt, const double* fm, const double* fc, double* pm,     \
      double* pc, double* terms, int* status) {                                                             \
    logLikelihoodTerm<N, M, SS_KIND_##kind>(md, p, count, y, u, dt, fm, fc, pm, pc, terms, status);          \
  }                                                                                                         \
  extern "C" __global__ void selem_##kind##_n##N##_m##M(const double* md, int p, long long count,               \
      const double* u, const double* dt, const double* fm, const double* fc, double* elems, long long cap,    \
      int threads, int chunk, double* gainsT, int* status) {                                                \
    smootherElement<N, M, SS_KIND_##kind>(md, p, count, u, dt, fm, fc, elems, cap, threads, chunk, gainsT,  \
        status);                                                                                            \
  }

// Kernels that depend on the state dimension only.
#define SS_STATE_KERNELS(N)                                                                                 \
  extern "C" __global__ void fscan_tile_n##N(double* elems, long long cap, long long count, double* totals,    \
      long long totalsCap, int chunk) {                                                         \
    scanTile<FilterOp<N>, false>(elems, cap, count, totals, totalsCap, chunk);                             \
  }                                                                                                         \
  extern "C" __global__ void fscan_carry_n##N(double* elems, long long cap, long long count,                   \
      const double* totals, long long totalsCap, int chunk) {                                   \
    scanCarry<FilterOp<N>, false>(elems, cap, count, totals, totalsCap, chunk);                            \
  }                                                                                                         \
  extern "C" __global__ void freadoff_n##N(const double* elems, long long cap, long long count, int threads,    \
      int chunk, double* fm, double* fc, int* status) {                                                     \
    readOff<FilterOp<N>>(elems, cap, count, threads, chunk, 0, FilterOp<N>::B, N, fm, FilterOp<N>::C, N * N,  \
        fc, status);                                                                                        \
  }                                                                                                         \
  extern "C" __global__ void sscan_tile_n##N(double* elems, long long cap, long long count, double* totals,    \
      long long totalsCap, int chunk) {                                                         \
    scanTile<SmootherOp<N>, true>(elems, cap, count, totals, totalsCap, chunk);                           \
  }                                                                                                         \
  extern "C" __global__ void sscan_carry_n##N(double* elems, long long cap, long long count,                   \
      const double* totals, long long totalsCap, int chunk) {                                   \
    scanCarry<SmootherOp<N>, true>(elems, cap, count, totals, totalsCap, chunk);                          \
  }                                                                                                         \
  extern "C" __global__ void sreadoff_n##N(const double* elems, long long cap, long long count, int threads,    \
      int chunk, double* sm, double* sc, int* status) {                                                     \
    readOff<SmootherOp<N>>(elems, cap, count, threads, chunk, 1, SmootherOp<N>::G, N, sm, SmootherOp<N>::L,   \
        N * N, sc, status);                                                                                 \
  }                                                                                                         \
  extern "C" __global__ void crosscov_n##N(long long count, const double* sc, const double* gainsT,            \
      double* cross) {                                                                                      \
    crossCovariance<N>(count, sc, gainsT, cross);                                                           \
  }                                                                                                         \
  extern "C" __global__ void batch_stats_n##N(int lanes, const int* len, const long long* groupStep,          \
      const double* sm, const double* sc, const double* cross, const double* loglik, const int* status,       \
      double* stats) {                                                                                      \
    batchStatistics<N>(lanes, len, groupStep, sm, sc, cross, loglik, status, stats);                        \
  }

extern "C" __global__ void unpack_lanes(const double* src, int c, int lanes, int groups, long long storedSteps,
    const int* len, const long long* groupStep, const long long* dstStep, double* dst) {
  unpackLanes(src, c, lanes, groups, storedSteps, len, groupStep, dstStep, dst);
}

extern "C" __global__ void reduce_columns(const double* in, long long rows, double* out) {
  reduceColumns(in, rows, out);
}

#if !defined(SS_KIND) || !defined(SS_N) || !defined(SS_M)
#error "compile with -DSS_KIND=lin|cv -DSS_N=<state dimension> -DSS_M=<observation dimension>"
#endif

#define SS_EXPAND_MODEL(kind, N, M) SS_MODEL_KERNELS(kind, N, M)
#define SS_EXPAND_STATE(N) SS_STATE_KERNELS(N)
SS_EXPAND_MODEL(SS_KIND, SS_N, SS_M)
SS_EXPAND_STATE(SS_N)
