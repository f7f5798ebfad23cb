// Batched sequential Kalman filter and RTS smoother: one thread per trajectory (a "lane"), for many short
// or medium trajectories (docs/ARCHITECTURE.md §6). The per-step arithmetic is that of the CPU reference
// (io.statespace.inference.sequential.KalmanFilter and RtsSmoother): Joseph-form update, Cholesky solves,
// symmetrised covariances, and the smoother recomputes each one-step prediction instead of storing it.
//
// Storage is structure-of-arrays in groups of 32 lanes (one warp): lanes are sorted by length on the host,
// group g holds the steps [groupStep[g], groupStep[g] + longest length in g), and component i of step t
// of lane l sits at ((groupStep[l / 32] + t) * C + i) * 32 + l % 32 for a C-component array. A warp's 32
// loads of one component are 256 contiguous bytes. Ragged lengths are handled by each lane's own length:
// a lane never reads or writes past its last step, so padding cannot change any result.
#pragma once
#include "innovation.cuh"
#include "model.cuh"

namespace ss {

constexpr int GROUP = 32;

struct LaneIndex {
  long long base;  // groupStep of the lane's group
  int lane;        // position within the group

  SS_INLINE long long at(long long t, int c, int i) const { return ((base + t) * c + i) * GROUP + lane; }
};

// Predicted moments (Särkkä 2013, eq. 4.20): pm = F m + c, pc = F P Fᵀ + Q (symmetrised).
template <int N>
SS_INLINE void predict(const double (&f)[N * N], const double (&c)[N], const double (&q)[N * N],
    const double (&m)[N], const double (&p)[N * N], double (&pm)[N], double (&pc)[N * N]) {
  multVector<N, N>(f, m, pm);
#pragma unroll
  for (int i = 0; i < N; i++) pm[i] += c[i];
  sandwich<N, N>(f, p, pc);
#pragma unroll
  for (int i = 0; i < N * N; i++) pc[i] += q[i];
  symmetrize<N>(pc);
}

// Conditions (pm, pc) on the observed components of y (KalmanFilter.update: the shared innovation step of
// innovation.cuh). Adds the step's log-likelihood term to ll; returns false when the innovation covariance
// is not positive definite.
template <int N, int M>
SS_INLINE bool update(const double (&h)[M * N], const double (&e)[M], const double (&r)[M * M],
    const double (&y)[M], const double (&pm)[N], const double (&pc)[N * N], double (&m)[N],
    double (&p)[N * N], double& ll) {
  Observed<M> o = observedMask<M>(y);
#pragma unroll
  for (int i = 0; i < N; i++) m[i] = pm[i];
#pragma unroll
  for (int i = 0; i < N * N; i++) p[i] = pc[i];
  if (o.count == 0) return true;
  Innovation<N, M> in;
  if (!innovate<N, M>(o, h, e, r, y, pm, pc, in)) return false;
  double ikh[N * N];
  condition<N, M>(o, r, in, pm, pc, m, p, ikh);
  ll += logLikelihood<N, M>(o, in);
  return true;
}

// Status codes per lane (status[2l] = code, status[2l+1] = step).
enum { STATUS_OK = 0, STATUS_INNOVATION = 1, STATUS_SMOOTHER_GAIN = 2 };

// The whole filter (and smoother when sm is not null) of one lane. Optional outputs (pm/pc, cross) are
// skipped when null. cross[t] = Cov[x_{t+1}, x_t | y] for t < T-1; its slot T-1 is written as zeros.
template <int N, int M, int KIND>
__device__ void batchLane(const double* __restrict__ md, int p, int lanes, const int* __restrict__ len,
    const long long* __restrict__ groupStep, const double* __restrict__ y, const double* __restrict__ u,
    const double* __restrict__ dt, double* __restrict__ fm, double* __restrict__ fc, double* __restrict__ pmOut,
    double* __restrict__ pcOut, double* __restrict__ sm, double* __restrict__ sc, double* __restrict__ cross,
    double* __restrict__ loglik, int* __restrict__ status) {
  const int l = blockIdx.x * blockDim.x + threadIdx.x;
  if (l >= lanes) return;
  const int steps = len[l];
  LaneIndex ix;
  ix.base = groupStep[l / GROUP];
  ix.lane = l % GROUP;
  double mean[N];
  double cov[N * N];
  double pm[N];
  double pc[N * N];
  loadInitial<N, M>(md, pm, pc);
  double ll = 0.0;
  int code = STATUS_OK;
  int bad = 0;
  for (int t = 0; t < steps; t++) {
    if (t > 0) {
      double f[N * N];
      double c[N];
      double q[N * N];
      const double gap = KIND == KIND_CV ? dt[ix.at(t - 1, 1, 0)] : 0.0;
      loadDynamics<N, M, KIND>(md, p, gap, [&](int j) { return u[ix.at(t - 1, p, j)]; }, f, c, q);
      predict<N>(f, c, q, mean, cov, pm, pc);
    }
    if (pmOut != nullptr) {
#pragma unroll
      for (int i = 0; i < N; i++) pmOut[ix.at(t, N, i)] = pm[i];
#pragma unroll
      for (int i = 0; i < N * N; i++) pcOut[ix.at(t, N * N, i)] = pc[i];
    }
    double h[M * N];
    double e[M];
    double r[M * M];
    loadEmissions<N, M>(md, p, [&](int j) { return u[ix.at(t, p, j)]; }, h, e, r);
    double yt[M];
#pragma unroll
    for (int a = 0; a < M; a++) yt[a] = y[ix.at(t, M, a)];
    if (!update<N, M>(h, e, r, yt, pm, pc, mean, cov, ll)) {
      code = STATUS_INNOVATION;
      bad = t;
      break;
    }
#pragma unroll
    for (int i = 0; i < N; i++) fm[ix.at(t, N, i)] = mean[i];
#pragma unroll
    for (int i = 0; i < N * N; i++) fc[ix.at(t, N * N, i)] = cov[i];
  }
  loglik[l] = ll;
  if (code == STATUS_OK && sm != nullptr && steps > 0) {
    // RtsSmoother: (mean, cov) hold the filtered moments of the last step.
    double smn[N];
    double scn[N * N];
#pragma unroll
    for (int i = 0; i < N; i++) {
      smn[i] = mean[i];
      sm[ix.at(steps - 1, N, i)] = mean[i];
    }
#pragma unroll
    for (int i = 0; i < N * N; i++) {
      scn[i] = cov[i];
      sc[ix.at(steps - 1, N * N, i)] = cov[i];
      if (cross != nullptr) cross[ix.at(steps - 1, N * N, i)] = 0.0;
    }
    for (int t = steps - 2; t >= 0; t--) {
      double f[N * N];
      double c[N];
      double q[N * N];
      const double gap = KIND == KIND_CV ? dt[ix.at(t, 1, 0)] : 0.0;
      loadDynamics<N, M, KIND>(md, p, gap, [&](int j) { return u[ix.at(t, p, j)]; }, f, c, q);
#pragma unroll
      for (int i = 0; i < N; i++) mean[i] = fm[ix.at(t, N, i)];
#pragma unroll
      for (int i = 0; i < N * N; i++) cov[i] = fc[ix.at(t, N * N, i)];
      predict<N>(f, c, q, mean, cov, pm, pc);
      // gainT = (Pp)⁻¹ F P = G_tᵀ
      double gainT[N * N];
      mult<N, N, N>(f, cov, gainT);
      double chol[N * N];
#pragma unroll
      for (int i = 0; i < N * N; i++) chol[i] = pc[i];
      if (!cholesky<N>(chol)) {
        code = STATUS_SMOOTHER_GAIN;
        bad = t;
        break;
      }
      cholSolve<N, N>(chol, gainT);
      double diff[N];
#pragma unroll
      for (int i = 0; i < N; i++) diff[i] = smn[i] - pm[i];
#pragma unroll
      for (int j = 0; j < N; j++) {
        double v = mean[j];
#pragma unroll
        for (int i = 0; i < N; i++) v += gainT[i * N + j] * diff[i];
        smn[j] = v;
      }
      // P^s_t = P_t + G (P^s_{t+1} - Pp) Gᵀ, with G = gainTᵀ
#pragma unroll
      for (int i = 0; i < N * N; i++) pc[i] = scn[i] - pc[i];
      double work[N * N];
      mult<N, N, N>(pc, gainT, work);
      if (cross != nullptr) {
        double cr[N * N];
        mult<N, N, N>(scn, gainT, cr);
#pragma unroll
        for (int i = 0; i < N * N; i++) cross[ix.at(t, N * N, i)] = cr[i];
      }
      multTransA<N, N, N>(gainT, work, scn);
#pragma unroll
      for (int i = 0; i < N * N; i++) scn[i] += cov[i];
      symmetrize<N>(scn);
#pragma unroll
      for (int i = 0; i < N; i++) sm[ix.at(t, N, i)] = smn[i];
#pragma unroll
      for (int i = 0; i < N * N; i++) sc[ix.at(t, N * N, i)] = scn[i];
    }
  }
  status[2 * l] = code;
  status[2 * l + 1] = bad;
}

// Fitting statistics of one lane from its smoothed moments and lag-one cross-covariances, written as
// one column per statistic (stats[k * lanes + l]) for the column reduction. With S_t = P^s_t + m_t m_tᵀ:
//   m_0 [N] | S_0 [N*N] | Σ_{t<T-1} S_t [N*N] | Σ_{t>0} S_t [N*N] | Σ_{t<T-1} E[x_{t+1} x_tᵀ] [N*N]
//   | Σ_{t<T-1} m_t [N] | Σ_{t>0} m_t [N] | T - 1 | log-likelihood
// These are the sums the EM M-step and the Fisher-identity gradient of the dynamics and the initial state
// need (docs/ARCHITECTURE.md §7.4); a fit iteration reduces them over lanes on the device and copies back
// 3N + 4N² + 2 numbers instead of every moment. A lane whose status is not OK contributes zeros (the host
// computes it on the CPU and adds it).
template <int N>
__device__ void batchStatistics(int lanes, const int* __restrict__ len, const long long* __restrict__ groupStep,
    const double* __restrict__ sm, const double* __restrict__ sc, const double* __restrict__ cross,
    const double* __restrict__ loglik, const int* __restrict__ status, double* __restrict__ stats) {
  const int l = blockIdx.x * blockDim.x + threadIdx.x;
  if (l >= lanes) return;
  const bool ok = status[2 * l] == STATUS_OK;
  const int steps = ok ? len[l] : 0;
  LaneIndex ix;
  ix.base = groupStep[l / GROUP];
  ix.lane = l % GROUP;
  double prev[N * N];
  double next[N * N];
  double lag[N * N];
  double meanPrev[N];
  double meanNext[N];
#pragma unroll
  for (int i = 0; i < N * N; i++) {
    prev[i] = 0.0;
    next[i] = 0.0;
    lag[i] = 0.0;
  }
#pragma unroll
  for (int i = 0; i < N; i++) {
    meanPrev[i] = 0.0;
    meanNext[i] = 0.0;
  }
  double m0[N];
  double s0[N * N];
  double mt[N];
#pragma unroll
  for (int i = 0; i < N; i++) {
    m0[i] = steps > 0 ? sm[ix.at(0, N, i)] : 0.0;
    mt[i] = m0[i];
  }
#pragma unroll
  for (int i = 0; i < N; i++) {
#pragma unroll
    for (int j = 0; j < N; j++) s0[i * N + j] = (steps > 0 ? sc[ix.at(0, N * N, i * N + j)] : 0.0) + m0[i] * m0[j];
  }
  for (int t = 0; t + 1 < steps; t++) {
    double mn[N];
#pragma unroll
    for (int i = 0; i < N; i++) mn[i] = sm[ix.at(t + 1, N, i)];
#pragma unroll
    for (int i = 0; i < N; i++) {
      meanPrev[i] += mt[i];
      meanNext[i] += mn[i];
#pragma unroll
      for (int j = 0; j < N; j++) {
        prev[i * N + j] += sc[ix.at(t, N * N, i * N + j)] + mt[i] * mt[j];
        next[i * N + j] += sc[ix.at(t + 1, N * N, i * N + j)] + mn[i] * mn[j];
        lag[i * N + j] += cross[ix.at(t, N * N, i * N + j)] + mn[i] * mt[j];
      }
    }
#pragma unroll
    for (int i = 0; i < N; i++) mt[i] = mn[i];
  }
  int k = 0;
#pragma unroll
  for (int i = 0; i < N; i++) stats[(long long)(k++) * lanes + l] = m0[i];
#pragma unroll
  for (int i = 0; i < N * N; i++) stats[(long long)(k++) * lanes + l] = s0[i];
#pragma unroll
  for (int i = 0; i < N * N; i++) stats[(long long)(k++) * lanes + l] = prev[i];
#pragma unroll
  for (int i = 0; i < N * N; i++) stats[(long long)(k++) * lanes + l] = next[i];
#pragma unroll
  for (int i = 0; i < N * N; i++) stats[(long long)(k++) * lanes + l] = lag[i];
#pragma unroll
  for (int i = 0; i < N; i++) stats[(long long)(k++) * lanes + l] = meanPrev[i];
#pragma unroll
  for (int i = 0; i < N; i++) stats[(long long)(k++) * lanes + l] = meanNext[i];
  stats[(long long)(k++) * lanes + l] = steps > 0 ? steps - 1 : 0;
  stats[(long long)k * lanes + l] = ok ? loglik[l] : 0.0;
}

// Copies a grouped structure-of-arrays output into one contiguous row-major block per lane:
// dst[(dstStep[l] + t) * C + i] = src component i of step t of lane l, for t < len[l]. One thread per
// (stored step, lane in group); a warp reads 32 consecutive doubles per component.
__device__ void unpackLanes(const double* __restrict__ src, int c, int lanes, int groups, long long storedSteps,
    const int* __restrict__ len, const long long* __restrict__ groupStep, const long long* __restrict__ dstStep,
    double* __restrict__ dst) {
  const long long q = (long long)blockIdx.x * blockDim.x + threadIdx.x;
  if (q >= storedSteps * GROUP) return;
  const long long s = q / GROUP;
  const int lane = (int)(q % GROUP);
  int lo = 0;
  int hi = groups - 1;
  while (lo < hi) {
    int mid = (lo + hi + 1) / 2;
    if (groupStep[mid] <= s) lo = mid; else hi = mid - 1;
  }
  const int l = lo * GROUP + lane;
  if (l >= lanes) return;
  const long long t = s - groupStep[lo];
  if (t >= len[l]) return;
  for (int i = 0; i < c; i++) dst[(dstStep[l] + t) * c + i] = src[(s * c + i) * GROUP + lane];
}

}  // namespace ss
