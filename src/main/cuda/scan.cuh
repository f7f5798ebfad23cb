// Särkkä & García-Fernández (2021) parallel-in-time filter and smoother for few very long trajectories
// (docs/ARCHITECTURE.md §7.2): element construction, a device-wide blocked associative scan, read-off, the
// post-hoc log-likelihood and the lag-one cross-covariances. Element formulas and combine operators are
// those of the CPU engine (io.statespace.inference.parallel: FilterElements, FilterOperator,
// SmootherElements, SmootherOperator, ObservationLikelihood, OneStepPrediction) with missing
// components masked as in model.cuh.
//
// The scan ("tile / totals / carry", mirrored exactly on the CPU by io.statespace.gpu.BlockedScan):
//   geometry: B threads per block (a power of two), K consecutive scan positions per thread, a tile of
//   B*K positions per block. Level 0 holds the elements; level i+1 holds one total per tile of level i.
//   tile pass (bottom-up over levels), per tile:
//     1. each thread scans its K positions sequentially, left to right;
//     2. the B chunk totals (identity for empty chunks) are scanned in shared memory by Blelloch's tree
//        (up-sweep, the tile total is saved and the root cleared, down-sweep), giving each chunk its
//        exclusive prefix within the tile;
//     3. each thread t > 0 combines its prefix into its K positions; the tile total goes to level i+1.
//   carry pass (top-down over levels): every position of tile b >= 1 is combined with the scanned total
//   of tile b-1 from level i+1.
// "Combine" is always (earlier position) ⊕ (later position). The filter scans forward; the smoother
// scans in reverse: it stores its elements in reverse time order and swaps the operator's arguments
// (x ⊕ y = op(y, x)), like the CPU ScanOrder. The direction is a template parameter.
//
// Storage: element components are structure-of-arrays (component c of the element at slot s is at
// c * cap + s) and positions are permuted within each tile so that the K positions of all B threads
// interleave: position b*B*K + t*K + j lives at slot b*B*K + j*B + t, and at each step j of the chunk
// loop a warp touches 32 consecutive doubles per component.
#pragma once
#include "innovation.cuh"
#include "model.cuh"

namespace ss {

struct Geometry {
  int threads;  // B
  int chunk;    // K
  SS_INLINE long long slot(long long pos) const {
    const long long tile = (long long)threads * chunk;
    const long long b = pos / tile;
    const long long r = pos - b * tile;
    const long long t = r / chunk;
    const long long j = r - t * chunk;
    return b * tile + j * threads + t;
  }
};

// Element access: component c of one element, in global memory (slot layout) or shared memory.
struct Strided {
  double* base;
  long long stride;
  SS_INLINE double operator()(int c) const { return base[c * stride]; }
  SS_INLINE void set(int c, double v) const { base[c * stride] = v; }
};

// ---- Filtering elements a = (A, b, C, eta, J): A [N*N] | b [N] | C [N*N] | eta [N] | J [N*N] ----

template <int N>
struct FilterOp {
  static constexpr int W = 3 * N * N + 2 * N;
  static constexpr int A = 0;
  static constexpr int B = N * N;
  static constexpr int C = N * N + N;
  static constexpr int ETA = 2 * N * N + N;
  static constexpr int J = 2 * N * N + 2 * N;

  static SS_INLINE void identity(double (&o)[W]) {
#pragma unroll
    for (int c = 0; c < W; c++) o[c] = 0.0;
#pragma unroll
    for (int i = 0; i < N; i++) o[A + i * N + i] = 1.0;
  }

  // o = a ⊗ b with a the earlier element (FilterOperator.combine). M = (I + C_a J_b)⁻¹ by LU:
  //   A = A_b M A_a,  b = A_b M (b_a + C_a eta_b) + b_b,  C = A_b M C_a A_bᵀ + C_b,
  //   eta = (M A_a)ᵀ (eta_b - J_b b_a) + eta_a,  J = (M A_a)ᵀ J_b A_a + J_a.
  // A singular I + C_a J_b gives NaNs. Inputs are read through accessors; o may be either input's storage
  // only after this returns (the caller stores o).
  template <class X, class Y>
  static SS_INLINE void combine(const X& a, const Y& b, double (&o)[W]) {
    double ca[N * N];
    double jb[N * N];
#pragma unroll
    for (int i = 0; i < N * N; i++) {
      ca[i] = a(C + i);
      jb[i] = b(J + i);
    }
    double lu[N * N];
    mult<N, N, N>(ca, jb, lu);
#pragma unroll
    for (int i = 0; i < N; i++) lu[i * N + i] += 1.0;
    int piv[N];
    const bool ok = luDecompose<N>(lu, piv);
    double aa[N * N];
#pragma unroll
    for (int i = 0; i < N * N; i++) aa[i] = a(A + i);
    double z[N * N];
#pragma unroll
    for (int i = 0; i < N * N; i++) z[i] = aa[i];
    luSolve<N, N>(lu, piv, z);
    double y[N * N];
#pragma unroll
    for (int i = 0; i < N * N; i++) y[i] = ca[i];
    luSolve<N, N>(lu, piv, y);
    double etab[N];
    double ba[N];
#pragma unroll
    for (int i = 0; i < N; i++) {
      etab[i] = b(ETA + i);
      ba[i] = a(B + i);
    }
    double v[N];
    multVector<N, N>(ca, etab, v);
#pragma unroll
    for (int i = 0; i < N; i++) v[i] += ba[i];
    luSolve<N, 1>(lu, piv, v);
    // eta and J first: they need J_b and eta_b, the rest needs A_b, b_b and C_b.
    double u[N];
    multVector<N, N>(jb, ba, u);
#pragma unroll
    for (int i = 0; i < N; i++) u[i] = etab[i] - u[i];
    double eta[N];
    multTransVector<N, N>(z, u, eta);
#pragma unroll
    for (int i = 0; i < N; i++) o[ETA + i] = eta[i] + a(ETA + i);
    double work[N * N];
    mult<N, N, N>(jb, aa, work);
    double jo[N * N];
    multTransA<N, N, N>(z, work, jo);
#pragma unroll
    for (int i = 0; i < N * N; i++) jo[i] += a(J + i);
    symmetrize<N>(jo);
#pragma unroll
    for (int i = 0; i < N * N; i++) o[J + i] = jo[i];
    double ab[N * N];
#pragma unroll
    for (int i = 0; i < N * N; i++) ab[i] = b(A + i);
    double ao[N * N];
    mult<N, N, N>(ab, z, ao);
#pragma unroll
    for (int i = 0; i < N * N; i++) o[A + i] = ao[i];
    double bo[N];
    multVector<N, N>(ab, v, bo);
#pragma unroll
    for (int i = 0; i < N; i++) o[B + i] = bo[i] + b(B + i);
    mult<N, N, N>(ab, y, work);
    double co[N * N];
    multTransB<N, N, N>(work, ab, co);
#pragma unroll
    for (int i = 0; i < N * N; i++) co[i] += b(C + i);
    symmetrize<N>(co);
#pragma unroll
    for (int i = 0; i < N * N; i++) o[C + i] = co[i];
    if (!ok) {
#pragma unroll
      for (int c = 0; c < W; c++) o[c] = nan("");
    }
  }
};

// ---- Smoothing elements s = (E, g, L): E [N*N] | g [N] | L [N*N] ----

template <int N>
struct SmootherOp {
  static constexpr int W = 2 * N * N + N;
  static constexpr int E = 0;
  static constexpr int G = N * N;
  static constexpr int L = N * N + N;

  static SS_INLINE void identity(double (&o)[W]) {
#pragma unroll
    for (int c = 0; c < W; c++) o[c] = 0.0;
#pragma unroll
    for (int i = 0; i < N; i++) o[E + i * N + i] = 1.0;
  }

  // o = a ⊗ b with a the earlier element (SmootherOperator.combine):
  //   E = E_a E_b,  g = E_a g_b + g_a,  L = E_a L_b E_aᵀ + L_a.
  template <class X, class Y>
  static SS_INLINE void combine(const X& a, const Y& b, double (&o)[W]) {
    // Staged so that only E_a, the output and one operand block are live at a time.
    double ea[N * N];
#pragma unroll
    for (int i = 0; i < N * N; i++) ea[i] = a(E + i);
    double blk[N * N];
#pragma unroll
    for (int i = 0; i < N * N; i++) blk[i] = b(E + i);
    double eo[N * N];
    mult<N, N, N>(ea, blk, eo);
#pragma unroll
    for (int i = 0; i < N * N; i++) o[E + i] = eo[i];
    double gb[N];
#pragma unroll
    for (int i = 0; i < N; i++) gb[i] = b(G + i);
    double go[N];
    multVector<N, N>(ea, gb, go);
#pragma unroll
    for (int i = 0; i < N; i++) o[G + i] = go[i] + a(G + i);
#pragma unroll
    for (int i = 0; i < N * N; i++) blk[i] = b(L + i);
    double lo[N * N];
    sandwich<N, N>(ea, blk, lo);
#pragma unroll
    for (int i = 0; i < N * N; i++) lo[i] += a(L + i);
    symmetrize<N>(lo);
#pragma unroll
    for (int i = 0; i < N * N; i++) o[L + i] = lo[i];
  }
};

// (earlier) ⊕ (later) in scan order: the operator's own order forward, swapped in reverse.
template <class Op, bool REVERSE, class X, class Y>
SS_INLINE void ordered(const X& first, const Y& second, double (&o)[Op::W]) {
  if (REVERSE) {
    Op::combine(second, first, o);
  } else {
    Op::combine(first, second, o);
  }
}

template <class Op>
SS_INLINE void store(const Strided& s, const double (&o)[Op::W]) {
#pragma unroll
  for (int c = 0; c < Op::W; c++) s.set(c, o[c]);
}

// Tile pass of one level (see the top of this file). elems: this level's count positions, capacity
// cap; totals: the next level (capacity totalsCap), written only when the level has more than one tile.
// Each thread keeps its running chunk prefix in its own shared-memory slot, which then takes part in the
// tree, so that no element-sized array is held in registers besides the combine's result. The loops are
// kept rolled (unroll 1): unrolling them overlaps two combines and doubles the live registers, which made
// ptxas spill.
// Dynamic shared memory: B * W doubles.
template <class Op, bool REVERSE>
__device__ void scanTile(double* __restrict__ elems, long long cap, long long count, double* __restrict__ totals,
    long long totalsCap, int chunk) {
  extern __shared__ double shared[];
  const int bt = blockDim.x;
  const int t = threadIdx.x;
  Geometry geo;
  geo.threads = bt;
  geo.chunk = chunk;
  const long long tile = (long long)bt * chunk;
  const long long first = blockIdx.x * tile + (long long)t * chunk;
  long long last = first + chunk;
  if (last > count) last = count;
  Strided mine;
  mine.base = shared + t;
  mine.stride = bt;
  if (first < last) {
    const long long s0 = geo.slot(first);
#pragma unroll
    for (int c = 0; c < Op::W; c++) mine.set(c, elems[c * cap + s0]);
#pragma unroll 1
    for (long long pos = first + 1; pos < last; pos++) {
      Strided x;
      x.base = elems + geo.slot(pos);
      x.stride = cap;
      double o[Op::W];
      ordered<Op, REVERSE>(mine, x, o);
      store<Op>(x, o);
      store<Op>(mine, o);
    }
  } else {
    double id[Op::W];
    Op::identity(id);
    store<Op>(mine, id);
  }
  __syncthreads();
#pragma unroll 1
  for (int d = 1; d < bt; d <<= 1) {
    if ((t + 1) % (2 * d) == 0) {
      Strided left;
      left.base = shared + (t - d);
      left.stride = bt;
      double o[Op::W];
      ordered<Op, REVERSE>(left, mine, o);
      store<Op>(mine, o);
    }
    __syncthreads();
  }
  if (t == bt - 1) {
    if (totals != nullptr) {
      Strided out;
      out.base = totals + geo.slot(blockIdx.x);
      out.stride = totalsCap;
#pragma unroll
      for (int c = 0; c < Op::W; c++) out.set(c, mine(c));
    }
    double id[Op::W];
    Op::identity(id);
    store<Op>(mine, id);
  }
  __syncthreads();
#pragma unroll 1
  for (int d = bt >> 1; d >= 1; d >>= 1) {
    if ((t + 1) % (2 * d) == 0) {
      // left <- right; right <- right ⊕ old left. Computed into the left slot, then the two swapped.
      Strided left;
      left.base = shared + (t - d);
      left.stride = bt;
      double o[Op::W];
      ordered<Op, REVERSE>(mine, left, o);
      store<Op>(left, o);
#pragma unroll
      for (int c = 0; c < Op::W; c++) {
        double v = mine(c);
        mine.set(c, left(c));
        left.set(c, v);
      }
    }
    __syncthreads();
  }
  if (t > 0) {
#pragma unroll 1
    for (long long pos = first; pos < last; pos++) {
      Strided x;
      x.base = elems + geo.slot(pos);
      x.stride = cap;
      double o[Op::W];
      ordered<Op, REVERSE>(mine, x, o);
      store<Op>(x, o);
    }
  }
}

// Carry pass of one level: positions of tile b >= 1 get the scanned total of tile b-1 (from the next
// level, already complete) combined in front. Launched with one block per tile from tile 1 on; the
// block's carry is staged in shared memory (dynamic shared memory: W doubles).
template <class Op, bool REVERSE>
__device__ void scanCarry(double* __restrict__ elems, long long cap, long long count,
    const double* __restrict__ totals, long long totalsCap, int chunk) {
  extern __shared__ double shared[];
  const int bt = blockDim.x;
  const int t = threadIdx.x;
  Geometry geo;
  geo.threads = bt;
  geo.chunk = chunk;
  const long long tileIndex = blockIdx.x + 1;
  const long long tile = (long long)bt * chunk;
  const long long from = geo.slot(tileIndex - 1);
  for (int c = t; c < Op::W; c += bt) shared[c] = totals[c * totalsCap + from];
  __syncthreads();
  const long long first = tileIndex * tile + (long long)t * chunk;
  long long last = first + chunk;
  if (last > count) last = count;
  Strided carry;
  carry.base = shared;
  carry.stride = 1;
#pragma unroll 1
  for (long long pos = first; pos < last; pos++) {
    Strided x;
    x.base = elems + geo.slot(pos);
    x.stride = cap;
    double o[Op::W];
    ordered<Op, REVERSE>(carry, x, o);
    store<Op>(x, o);
  }
}

// Step data of one long trajectory, row-major: y [T*M], u [T*P] (may be null when P = 0), dt [T] (KIND_CV).
template <int N, int M, int KIND>
SS_INLINE void stepDynamics(const double* __restrict__ md, int p, const double* __restrict__ u,
    const double* __restrict__ dt, long long t, double (&f)[N * N], double (&c)[N], double (&q)[N * N]) {
  const double gap = KIND == KIND_CV ? dt[t] : 0.0;
  loadDynamics<N, M, KIND>(md, p, gap, [&](int j) { return u[t * p + j]; }, f, c, q);
}

// Filtering element k (FilterElements.build, masked), written at slot(k) with capacity cap.
template <int N, int M, int KIND>
__device__ void filterElement(const double* __restrict__ md, int p, long long count, const double* __restrict__ y,
    const double* __restrict__ u, const double* __restrict__ dt, double* __restrict__ elems, long long cap,
    int threads, int chunk, int* __restrict__ status) {
  typedef FilterOp<N> Op;
  const long long k = (long long)blockIdx.x * blockDim.x + threadIdx.x;
  if (k >= count) return;
  Geometry geo;
  geo.threads = threads;
  geo.chunk = chunk;
  double f[N * N];
  double c[N];
  double q[N * N];
  if (k == 0) {
    loadInitial<N, M>(md, c, q);
#pragma unroll
    for (int i = 0; i < N * N; i++) f[i] = 0.0;
  } else {
    stepDynamics<N, M, KIND>(md, p, u, dt, k - 1, f, c, q);
  }
  double h[M * N];
  double e[M];
  double r[M * M];
  loadEmissions<N, M>(md, p, [&](int j) { return u[k * p + j]; }, h, e, r);
  double yk[M];
#pragma unroll
  for (int a = 0; a < M; a++) yk[a] = y[k * M + a];
  Observed<M> o = observedMask<M>(yk);
  double out[Op::W];
  if (o.count == 0) {
    double qs[N * N];
#pragma unroll
    for (int i = 0; i < N * N; i++) qs[i] = q[i];
    symmetrize<N>(qs);
#pragma unroll
    for (int i = 0; i < N * N; i++) {
      out[Op::A + i] = f[i];
      out[Op::C + i] = qs[i];
      out[Op::J + i] = 0.0;
    }
#pragma unroll
    for (int i = 0; i < N; i++) {
      out[Op::B + i] = c[i];
      out[Op::ETA + i] = 0.0;
    }
  } else {
    // (b, C): the prior (c, Q) conditioned on y_k by the shared innovation step; A = (I − K Ho) F.
    Innovation<N, M> in;
    if (!innovate<N, M>(o, h, e, r, yk, c, q, in)) atomicMin(status, (int)k);
    double bv[N];
    double cc[N * N];
    double ikh[N * N];
    condition<N, M>(o, r, in, c, q, bv, cc, ikh);
    double tmp[N * N];
    mult<N, N, N>(ikh, f, tmp);
#pragma unroll
    for (int i = 0; i < N * N; i++) out[Op::A + i] = tmp[i];
#pragma unroll
    for (int i = 0; i < N; i++) out[Op::B + i] = bv[i];
#pragma unroll
    for (int i = 0; i < N * N; i++) out[Op::C + i] = cc[i];
    // V = L⁻¹ Ho F, w = L⁻¹ r; eta = Vᵀ w, J = Vᵀ V
    double v[M * N];
    mult<M, N, N>(in.ho, f, v);
    solveLower<M, N>(in.s, v);
    whiten<N, M>(in);
    double eta[N];
    multTransVector<M, N>(v, in.innov, eta);
    double jj[N * N];
    multTransA<N, M, N>(v, v, jj);
    symmetrize<N>(jj);
#pragma unroll
    for (int i = 0; i < N; i++) out[Op::ETA + i] = eta[i];
#pragma unroll
    for (int i = 0; i < N * N; i++) out[Op::J + i] = jj[i];
  }
  Strided dst;
  dst.base = elems + geo.slot(k);
  dst.stride = cap;
  store<Op>(dst, out);
}

// Read-off of a scanned level-0 array: two blocks of each element (offsets first/second, widths
// w1/w2) to row-major outputs at element index e = position (forward) or count-1-position (reverse).
// Non-finite values record the smallest such step in status (atomicMin).
template <class Op>
__device__ void readOff(const double* __restrict__ elems, long long cap, long long count, int threads, int chunk,
    int reverse, int off1, int w1, double* __restrict__ out1, int off2, int w2, double* __restrict__ out2,
    int* __restrict__ status) {
  const long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x;
  if (e >= count) return;
  Geometry geo;
  geo.threads = threads;
  geo.chunk = chunk;
  const long long pos = reverse ? count - 1 - e : e;
  const long long s = geo.slot(pos);
  bool finite = true;
  for (int i = 0; i < w1; i++) {
    double v = elems[(off1 + i) * cap + s];
    finite = finite && isfinite(v);
    out1[e * w1 + i] = v;
  }
  for (int i = 0; i < w2; i++) {
    double v = elems[(off2 + i) * cap + s];
    finite = finite && isfinite(v);
    out2[e * w2 + i] = v;
  }
  if (!finite) atomicMin(status, (int)e);
}

// One-step prediction at step t from the filtered moments (OneStepPrediction.predict).
template <int N, int M, int KIND>
SS_INLINE void onePrediction(const double* __restrict__ md, int p, const double* __restrict__ u,
    const double* __restrict__ dt, const double* __restrict__ fm, const double* __restrict__ fc, long long t,
    double (&pm)[N], double (&pc)[N * N]) {
  if (t == 0) {
    loadInitial<N, M>(md, pm, pc);
    return;
  }
  double f[N * N];
  double c[N];
  double q[N * N];
  stepDynamics<N, M, KIND>(md, p, u, dt, t - 1, f, c, q);
  double m[N];
  double pp[N * N];
#pragma unroll
  for (int i = 0; i < N; i++) m[i] = fm[(t - 1) * N + i];
#pragma unroll
  for (int i = 0; i < N * N; i++) pp[i] = fc[(t - 1) * N * N + i];
  multVector<N, N>(f, m, pm);
#pragma unroll
  for (int i = 0; i < N; i++) pm[i] += c[i];
  sandwich<N, N>(f, pp, pc);
#pragma unroll
  for (int i = 0; i < N * N; i++) pc[i] += q[i];
  symmetrize<N>(pc);
}

// Post-hoc log-likelihood term ell_t (ObservationLikelihood) into terms[t], and the predicted moments
// when pmOut is not null. A step whose S is not positive definite records itself in status (atomicMin).
template <int N, int M, int KIND>
__device__ void logLikelihoodTerm(const double* __restrict__ md, int p, long long count, const double* __restrict__ y,
    const double* __restrict__ u, const double* __restrict__ dt, const double* __restrict__ fm,
    const double* __restrict__ fc, double* __restrict__ pmOut, double* __restrict__ pcOut,
    double* __restrict__ terms, int* __restrict__ status) {
  const long long t = (long long)blockIdx.x * blockDim.x + threadIdx.x;
  if (t >= count) return;
  double pm[N];
  double pc[N * N];
  onePrediction<N, M, KIND>(md, p, u, dt, fm, fc, t, pm, pc);
  if (pmOut != nullptr) {
#pragma unroll
    for (int i = 0; i < N; i++) pmOut[t * N + i] = pm[i];
#pragma unroll
    for (int i = 0; i < N * N; i++) pcOut[t * N * N + i] = pc[i];
  }
  double yt[M];
#pragma unroll
  for (int a = 0; a < M; a++) yt[a] = y[t * M + a];
  Observed<M> o = observedMask<M>(yt);
  if (o.count == 0) {
    terms[t] = 0.0;
    return;
  }
  double h[M * N];
  double e[M];
  double r[M * M];
  loadEmissions<N, M>(md, p, [&](int j) { return u[t * p + j]; }, h, e, r);
  Innovation<N, M> in;
  if (!innovate<N, M>(o, h, e, r, yt, pm, pc, in)) atomicMin(status, (int)t);
  terms[t] = logLikelihood<N, M>(o, in);
}

// Smoothing element t (SmootherElements.build), stored at slot(count-1-t) for the reverse scan; E_tᵀ to
// gainsT[t] when gainsT is not null. A singular predicted covariance records t in status (the CPU engine
// uses a pseudo-inverse there; the host falls back to it).
template <int N, int M, int KIND>
__device__ void smootherElement(const double* __restrict__ md, int p, long long count, const double* __restrict__ u,
    const double* __restrict__ dt, const double* __restrict__ fm, const double* __restrict__ fc,
    double* __restrict__ elems, long long cap, int threads, int chunk, double* __restrict__ gainsT,
    int* __restrict__ status) {
  typedef SmootherOp<N> Op;
  const long long t = (long long)blockIdx.x * blockDim.x + threadIdx.x;
  if (t >= count) return;
  Geometry geo;
  geo.threads = threads;
  geo.chunk = chunk;
  double out[Op::W];
  double m[N];
  double pp[N * N];
#pragma unroll
  for (int i = 0; i < N; i++) m[i] = fm[t * N + i];
#pragma unroll
  for (int i = 0; i < N * N; i++) pp[i] = fc[t * N * N + i];
  if (t == count - 1) {
#pragma unroll
    for (int i = 0; i < N * N; i++) {
      out[Op::E + i] = 0.0;
      out[Op::L + i] = pp[i];
    }
#pragma unroll
    for (int i = 0; i < N; i++) out[Op::G + i] = m[i];
  } else {
    double f[N * N];
    double c[N];
    double q[N * N];
    stepDynamics<N, M, KIND>(md, p, u, dt, t, f, c, q);
    double pm[N];
    double pc[N * N];
    multVector<N, N>(f, m, pm);
#pragma unroll
    for (int i = 0; i < N; i++) pm[i] += c[i];
    sandwich<N, N>(f, pp, pc);
#pragma unroll
    for (int i = 0; i < N * N; i++) pc[i] += q[i];
    symmetrize<N>(pc);
    double fp[N * N];
    mult<N, N, N>(f, pp, fp);
    double gainT[N * N];
#pragma unroll
    for (int i = 0; i < N * N; i++) gainT[i] = fp[i];
    if (!cholesky<N>(pc)) atomicMin(status, (int)t);
    cholSolve<N, N>(pc, gainT);
#pragma unroll
    for (int i = 0; i < N; i++) {
#pragma unroll
      for (int j = 0; j < N; j++) out[Op::E + i * N + j] = gainT[j * N + i];
    }
    double g[N];
    multTransVector<N, N>(gainT, pm, g);
#pragma unroll
    for (int i = 0; i < N; i++) out[Op::G + i] = m[i] - g[i];
    double l[N * N];
    multTransA<N, N, N>(gainT, fp, l);
#pragma unroll
    for (int i = 0; i < N * N; i++) l[i] = pp[i] - l[i];
    symmetrize<N>(l);
#pragma unroll
    for (int i = 0; i < N * N; i++) out[Op::L + i] = l[i];
    if (gainsT != nullptr) {
#pragma unroll
      for (int i = 0; i < N * N; i++) gainsT[t * N * N + i] = gainT[i];
    }
  }
  Strided dst;
  dst.base = elems + geo.slot(count - 1 - t);
  dst.stride = cap;
  store<Op>(dst, out);
}

// cross[t] = P^s_{t+1} E_tᵀ = Cov[x_{t+1}, x_t | y] for t < count-1.
template <int N>
__device__ void crossCovariance(long long count, const double* __restrict__ sc, const double* __restrict__ gainsT,
    double* __restrict__ cross) {
  const long long t = (long long)blockIdx.x * blockDim.x + threadIdx.x;
  if (t >= count - 1) return;
  double a[N * N];
  double b[N * N];
#pragma unroll
  for (int i = 0; i < N * N; i++) {
    a[i] = sc[(t + 1) * N * N + i];
    b[i] = gainsT[t * N * N + i];
  }
  double c[N * N];
  mult<N, N, N>(a, b, c);
#pragma unroll
  for (int i = 0; i < N * N; i++) cross[t * N * N + i] = c[i];
}

}  // namespace ss
