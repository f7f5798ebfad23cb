// The model on the device: one flat float64 buffer per model (written by io.statespace.gpu.ModelPacking)
// and the per-step transition and emission built from it.
//
// Layout (offsets in doubles; N state, M observation, P input dimensions):
//   mu0 [N] | Sigma0 [N*N] | F [N*N] | b [N] | Q [N*N] | cv [2] | B [N*P]
//   | H [M*N] | d [M] | R [M*M] | D [M*P]
// Matrices row-major. cv = (noise form: 0 continuous white-noise acceleration, 1 piecewise constant
// acceleration; noise level q or std_acc), read by the constant-velocity kind only.
//
// Two kinds:
//   KIND_LINEAR: x_{t+1} = F x_t + b + B u_t + w, w ~ N(0, Q);  y_t = H x_t + d + D u_t + v, v ~ N(0, R).
//     A constant-velocity model with a fixed dt is packed as this kind, with F and Q precomputed.
//   KIND_CV: constant velocity in N/2 axes (state order: all positions, then all velocities) with F and Q
//     built on the device from each step's dt = time[t+1] - time[t] (dt = 0 gives F = I, Q = 0; nothing
//     divides by dt). F's entries are compile-time expressions of dt, so the products with F fold.
#pragma once
#include "dense.cuh"

namespace ss {

enum { KIND_LINEAR = 0, KIND_CV = 1 };

template <int N, int M>
struct Layout {
  static constexpr int MU0 = 0;
  static constexpr int SIGMA0 = N;
  static constexpr int F = N + N * N;
  static constexpr int B = N + 2 * N * N;
  static constexpr int Q = 2 * N + 2 * N * N;
  static constexpr int CV = 2 * N + 3 * N * N;
  static constexpr int BU = CV + 2;
  // The emission block starts after B [N*P], so its offsets depend on P.
  static __device__ __forceinline__ int H(int p) { return BU + N * p; }
  static __device__ __forceinline__ int D(int p) { return H(p) + M * N; }
  static __device__ __forceinline__ int R(int p) { return D(p) + M; }
  static __device__ __forceinline__ int DU(int p) { return R(p) + M * M; }
};

// Loads mu0 and Sigma0.
template <int N, int M>
SS_INLINE void loadInitial(const double* __restrict__ md, double (&mean)[N], double (&cov)[N * N]) {
#pragma unroll
  for (int i = 0; i < N; i++) mean[i] = __ldg(md + Layout<N, M>::MU0 + i);
#pragma unroll
  for (int i = 0; i < N * N; i++) cov[i] = __ldg(md + Layout<N, M>::SIGMA0 + i);
}

// Writes F_t, c_t = b + B u_t and Q_t of the transition t -> t+1. U is a callable u(j) giving input j
// of step t; dt is time[t+1] - time[t] (read by KIND_CV only).
template <int N, int M, int KIND, class U>
SS_INLINE void loadDynamics(const double* __restrict__ md, int p, double dt, U u, double (&f)[N * N],
    double (&c)[N], double (&q)[N * N]) {
  typedef Layout<N, M> L;
  if (KIND == KIND_CV) {
    constexpr int A = N / 2;
    const bool piecewise = __ldg(md + L::CV) != 0.0;
    const double level = __ldg(md + L::CV + 1);
    double qpp;
    double qpv;
    double qvv;
    if (!piecewise) {
      qpp = level * dt * dt * dt / 3.0;
      qpv = level * dt * dt / 2.0;
      qvv = level * dt;
    } else {
      double s2 = level * level;
      qpp = s2 * dt * dt * dt * dt / 4.0;
      qpv = s2 * dt * dt * dt / 2.0;
      qvv = s2 * dt * dt;
    }
#pragma unroll
    for (int i = 0; i < N; i++) {
#pragma unroll
      for (int j = 0; j < N; j++) {
        f[i * N + j] = i == j ? 1.0 : (i < A && j == i + A ? dt : 0.0);
        double qij = 0.0;
        if (i == j) qij = i < A ? qpp : qvv;
        if (j == i + A && i < A) qij = qpv;
        if (i == j + A && j < A) qij = qpv;
        q[i * N + j] = qij;
      }
    }
#pragma unroll
    for (int i = 0; i < N; i++) c[i] = 0.0;
  } else {
#pragma unroll
    for (int i = 0; i < N * N; i++) f[i] = __ldg(md + L::F + i);
#pragma unroll
    for (int i = 0; i < N * N; i++) q[i] = __ldg(md + L::Q + i);
#pragma unroll
    for (int i = 0; i < N; i++) c[i] = __ldg(md + L::B + i);
    for (int j = 0; j < p; j++) {
      double uj = u(j);
#pragma unroll
      for (int i = 0; i < N; i++) c[i] += __ldg(md + L::BU + i * p + j) * uj;
    }
  }
}

// Writes H, e_t = d + D u_t and R (the same for both kinds).
template <int N, int M, class U>
SS_INLINE void loadEmissions(const double* __restrict__ md, int p, U u, double (&h)[M * N], double (&e)[M],
    double (&r)[M * M]) {
  typedef Layout<N, M> L;
  const int oh = L::H(p);
  const int od = L::D(p);
  const int orr = L::R(p);
  const int odu = L::DU(p);
#pragma unroll
  for (int i = 0; i < M * N; i++) h[i] = __ldg(md + oh + i);
#pragma unroll
  for (int i = 0; i < M * M; i++) r[i] = __ldg(md + orr + i);
#pragma unroll
  for (int i = 0; i < M; i++) e[i] = __ldg(md + od + i);
  for (int j = 0; j < p; j++) {
    double uj = u(j);
#pragma unroll
    for (int i = 0; i < M; i++) e[i] += __ldg(md + odu + i * p + j) * uj;
  }
}

// The observed rows of one step as a mask. Missing components are handled by masking instead of
// compacting: their rows of H and of the innovation are zero and their rows and columns of R are those of
// the identity. S then has a unit diagonal entry and zero couplings there, its Cholesky factor keeps the
// observed block's factor unchanged, the gain's column for the component is zero, and it adds log 1 = 0
// to log det S. This is the projection onto the observed rows that the CPU engines do, with only exact
// zeros added, and every array keeps a compile-time size.
template <int M>
struct Observed {
  bool on[M];
  int count;
};

template <int M>
SS_INLINE Observed<M> observedMask(const double (&y)[M]) {
  Observed<M> o;
  o.count = 0;
#pragma unroll
  for (int a = 0; a < M; a++) {
    o.on[a] = !isnan(y[a]);
    o.count += o.on[a] ? 1 : 0;
  }
  return o;
}

// Ho = H with the missing rows zeroed; Ro = R with the missing rows and columns of the identity.
template <int N, int M>
SS_INLINE void maskEmissions(const Observed<M>& o, const double (&h)[M * N], const double (&r)[M * M],
    double (&ho)[M * N], double (&ro)[M * M]) {
#pragma unroll
  for (int a = 0; a < M; a++) {
#pragma unroll
    for (int j = 0; j < N; j++) ho[a * N + j] = o.on[a] ? h[a * N + j] : 0.0;
#pragma unroll
    for (int b = 0; b < M; b++) ro[a * M + b] = (o.on[a] && o.on[b]) ? r[a * M + b] : (a == b ? 1.0 : 0.0);
  }
}

// R restricted to the observed pairs with zeros elsewhere: the K R Kᵀ term of the Joseph form.
template <int M>
SS_INLINE void maskNoise(const Observed<M>& o, const double (&r)[M * M], double (&rz)[M * M]) {
#pragma unroll
  for (int a = 0; a < M; a++) {
#pragma unroll
    for (int b = 0; b < M; b++) rz[a * M + b] = (o.on[a] && o.on[b]) ? r[a * M + b] : 0.0;
  }
}

}  // namespace ss
