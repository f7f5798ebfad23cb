// The Kalman innovation step on the observed components of y, the one copy on the device: the batched
// filter's update (batched.cuh), the scan's filtering elements with the prior (c, Q) and its post-hoc
// log-likelihood (scan.cuh). The arithmetic and its order are the CPU's io.statespace.inference.InnovationStep
// (missing components masked as in model.cuh instead of compacted):
//   innovate:      r = y − Ho m − e (0 where missing), Ho P, S = Ho P Hoᵀ + Ro symmetrised as (S + Sᵀ) / 2,
//                  S = L Lᵀ (Cholesky, in place);
//   condition:     Kᵀ = S⁻¹ Ho P, m' = m + K r, I − K Ho and the Joseph form
//                  P' = (I − K Ho) P (I − K Ho)ᵀ + K Rz Kᵀ (Rz: R on the observed pairs, 0 elsewhere);
//   whiten:        r := w = L⁻¹ r, returns |w|²;
//   logLikelihood: ℓ = −½ (k log 2π + log det S + |w|²) over the k observed components.
#pragma once
#include "model.cuh"

namespace ss {

template <int N, int M>
struct Innovation {
  double ho[M * N];  // H with the missing rows zeroed
  double innov[M];   // r, or w after whiten
  double hp[M * N];  // Ho P
  double s[M * M];   // S, then its lower Cholesky factor L
};

// Forms r, Ho P, S and L for the prior (pm, pc); false when S is not positive definite.
template <int N, int M>
SS_INLINE bool innovate(const Observed<M>& o, const double (&h)[M * N], const double (&e)[M],
    const double (&r)[M * M], const double (&y)[M], const double (&pm)[N], const double (&pc)[N * N],
    Innovation<N, M>& in) {
  double ro[M * M];
  maskEmissions<N, M>(o, h, r, in.ho, ro);
#pragma unroll
  for (int a = 0; a < M; a++) {
    double pred = e[a];
#pragma unroll
    for (int j = 0; j < N; j++) pred += h[a * N + j] * pm[j];
    in.innov[a] = o.on[a] ? y[a] - pred : 0.0;
  }
  mult<M, N, N>(in.ho, pc, in.hp);
#pragma unroll
  for (int a = 0; a < M; a++) {
#pragma unroll
    for (int b = 0; b < M; b++) {
      double v = 0.0;
#pragma unroll
      for (int j = 0; j < N; j++) v += in.hp[a * N + j] * in.ho[b * N + j];
      in.s[a * M + b] = ro[a * M + b] + v;
    }
  }
  symmetrize<M>(in.s);
  return cholesky<M>(in.s);
}

// The conditioned moments (m, p) of the prior (pm, pc) after innovate, and I − K Ho in ikh.
template <int N, int M>
SS_INLINE void condition(const Observed<M>& o, const double (&r)[M * M], const Innovation<N, M>& in,
    const double (&pm)[N], const double (&pc)[N * N], double (&m)[N], double (&p)[N * N], double (&ikh)[N * N]) {
  double rz[M * M];
  maskNoise<M>(o, r, rz);
  double gainT[M * N];
#pragma unroll
  for (int i = 0; i < M * N; i++) gainT[i] = in.hp[i];
  cholSolve<M, N>(in.s, gainT);
#pragma unroll
  for (int j = 0; j < N; j++) {
    double v = 0.0;
#pragma unroll
    for (int a = 0; a < M; a++) v += gainT[a * N + j] * in.innov[a];
    m[j] = pm[j] + v;
  }
#pragma unroll
  for (int i = 0; i < N; i++) {
#pragma unroll
    for (int j = 0; j < N; j++) {
      double v = i == j ? 1.0 : 0.0;
#pragma unroll
      for (int a = 0; a < M; a++) v -= gainT[a * N + i] * in.ho[a * N + j];
      ikh[i * N + j] = v;
    }
  }
  sandwich<N, N>(ikh, pc, p);
#pragma unroll
  for (int i = 0; i < N; i++) {
#pragma unroll
    for (int j = 0; j <= i; j++) {
      double v = 0.0;
#pragma unroll
      for (int a = 0; a < M; a++) {
#pragma unroll
        for (int b = 0; b < M; b++) v += gainT[a * N + i] * rz[a * M + b] * gainT[b * N + j];
      }
      p[i * N + j] += v;
      if (j != i) p[j * N + i] += v;
    }
  }
}

// w = L⁻¹ r in place; returns |w|² = rᵀ S⁻¹ r.
template <int N, int M>
SS_INLINE double whiten(Innovation<N, M>& in) {
  solveLower<M, 1>(in.s, in.innov);
  double quad = 0.0;
#pragma unroll
  for (int a = 0; a < M; a++) quad += in.innov[a] * in.innov[a];
  return quad;
}

// ℓ over the o.count observed components (whitens r).
template <int N, int M>
SS_INLINE double logLikelihood(const Observed<M>& o, Innovation<N, M>& in) {
  double quad = whiten<N, M>(in);
  return -0.5 * (o.count * LOG_2PI + logDet<M>(in.s) + quad);
}

}  // namespace ss
