// Small dense linear algebra on per-thread register arrays, float64.
//
// Every size is a template parameter and every loop is unrolled, so each array index is a compile-time
// constant and the arrays live in registers (a run-time index would move an array to local memory).
// Row pivoting in the LU factorisation therefore selects over every candidate row instead of indexing
// with the pivot row (a plain conditional swap was turned back into an indexed one by the compiler).
// The operation order of each routine follows the CPU code in io.statespace.linalg (Products, Cholesky,
// LuSolver, Symmetric), so that the GPU and CPU engines differ only by rounding (nvcc contracts a*b+c into
// fused multiply-adds).
#pragma once

#define SS_INLINE __device__ __forceinline__

namespace ss {

// log(2 pi), the same double as Java's Math.log(2.0 * Math.PI).
constexpr double LOG_2PI = 1.8378770664093453;

// c (R x C) = a (R x K) b (K x C).
template <int R, int K, int C>
SS_INLINE void mult(const double (&a)[R * K], const double (&b)[K * C], double (&c)[R * C]) {
#pragma unroll
  for (int i = 0; i < R; i++) {
#pragma unroll
    for (int j = 0; j < C; j++) {
      double s = 0.0;
#pragma unroll
      for (int p = 0; p < K; p++) s += a[i * K + p] * b[p * C + j];
      c[i * C + j] = s;
    }
  }
}

// c (R x C) = a (R x K) bᵀ, b is C x K.
template <int R, int K, int C>
SS_INLINE void multTransB(const double (&a)[R * K], const double (&b)[C * K], double (&c)[R * C]) {
#pragma unroll
  for (int i = 0; i < R; i++) {
#pragma unroll
    for (int j = 0; j < C; j++) {
      double s = 0.0;
#pragma unroll
      for (int p = 0; p < K; p++) s += a[i * K + p] * b[j * K + p];
      c[i * C + j] = s;
    }
  }
}

// c (R x C) = aᵀ b, a is K x R, b is K x C.
template <int R, int K, int C>
SS_INLINE void multTransA(const double (&a)[K * R], const double (&b)[K * C], double (&c)[R * C]) {
#pragma unroll
  for (int i = 0; i < R; i++) {
#pragma unroll
    for (int j = 0; j < C; j++) {
      double s = 0.0;
#pragma unroll
      for (int p = 0; p < K; p++) s += a[p * R + i] * b[p * C + j];
      c[i * C + j] = s;
    }
  }
}

// y (R) = a (R x C) x.
template <int R, int C>
SS_INLINE void multVector(const double (&a)[R * C], const double (&x)[C], double (&y)[R]) {
#pragma unroll
  for (int i = 0; i < R; i++) {
    double s = 0.0;
#pragma unroll
    for (int j = 0; j < C; j++) s += a[i * C + j] * x[j];
    y[i] = s;
  }
}

// y (C) = aᵀ x, a is R x C.
template <int R, int C>
SS_INLINE void multTransVector(const double (&a)[R * C], const double (&x)[R], double (&y)[C]) {
#pragma unroll
  for (int j = 0; j < C; j++) {
    double s = 0.0;
#pragma unroll
    for (int i = 0; i < R; i++) s += a[i * C + j] * x[i];
    y[j] = s;
  }
}

// a = (a + aᵀ) / 2.
template <int N>
SS_INLINE void symmetrize(double (&a)[N * N]) {
#pragma unroll
  for (int i = 0; i < N; i++) {
#pragma unroll
    for (int j = i + 1; j < N; j++) {
      double v = 0.5 * (a[i * N + j] + a[j * N + i]);
      a[i * N + j] = v;
      a[j * N + i] = v;
    }
  }
}

// c = a b aᵀ for a (R x N) and b (N x N), then symmetrised (Products.sandwich).
template <int R, int N>
SS_INLINE void sandwich(const double (&a)[R * N], const double (&b)[N * N], double (&c)[R * R]) {
  double work[R * N];
  mult<R, N, N>(a, b, work);
  multTransB<R, N, R>(work, a, c);
  symmetrize<R>(c);
}

// In-place lower Cholesky factor (upper triangle zeroed); false when not numerically positive definite.
template <int K>
SS_INLINE bool cholesky(double (&a)[K * K]) {
  bool ok = true;
#pragma unroll
  for (int j = 0; j < K; j++) {
    double d = a[j * K + j];
#pragma unroll
    for (int p = 0; p < j; p++) d -= a[j * K + p] * a[j * K + p];
    ok = ok && (d > 0.0) && !isinf(d);
    double ljj = sqrt(d);
    a[j * K + j] = ljj;
    double inv = 1.0 / ljj;
#pragma unroll
    for (int i = j + 1; i < K; i++) {
      double s = a[i * K + j];
#pragma unroll
      for (int p = 0; p < j; p++) s -= a[i * K + p] * a[j * K + p];
      a[i * K + j] = s * inv;
    }
#pragma unroll
    for (int i = 0; i < j; i++) a[i * K + j] = 0.0;
  }
  return ok;
}

// Solves L Z = B in place (B is K x C).
template <int K, int C>
SS_INLINE void solveLower(const double (&l)[K * K], double (&b)[K * C]) {
#pragma unroll
  for (int i = 0; i < K; i++) {
#pragma unroll
    for (int p = 0; p < i; p++) {
#pragma unroll
      for (int c = 0; c < C; c++) b[i * C + c] -= l[i * K + p] * b[p * C + c];
    }
    double inv = 1.0 / l[i * K + i];
#pragma unroll
    for (int c = 0; c < C; c++) b[i * C + c] *= inv;
  }
}

// Solves Lᵀ Z = B in place (B is K x C).
template <int K, int C>
SS_INLINE void solveUpperTransposed(const double (&l)[K * K], double (&b)[K * C]) {
#pragma unroll
  for (int i = K - 1; i >= 0; i--) {
#pragma unroll
    for (int p = i + 1; p < K; p++) {
#pragma unroll
      for (int c = 0; c < C; c++) b[i * C + c] -= l[p * K + i] * b[p * C + c];
    }
    double inv = 1.0 / l[i * K + i];
#pragma unroll
    for (int c = 0; c < C; c++) b[i * C + c] *= inv;
  }
}

// Solves (L Lᵀ) Z = B in place.
template <int K, int C>
SS_INLINE void cholSolve(const double (&l)[K * K], double (&b)[K * C]) {
  solveLower<K, C>(l, b);
  solveUpperTransposed<K, C>(l, b);
}

// log det of L Lᵀ from its factor.
template <int K>
SS_INLINE double logDet(const double (&l)[K * K]) {
  double s = 0.0;
#pragma unroll
  for (int i = 0; i < K; i++) s += log(l[i * K + i]);
  return 2.0 * s;
}

// In-place LU factorisation with partial pivoting (LuSolver.decompose); piv[k] is the row swapped with
// row k. Returns false when singular.
template <int N>
SS_INLINE bool luDecompose(double (&a)[N * N], int (&piv)[N]) {
  bool ok = true;
#pragma unroll
  for (int k = 0; k < N; k++) {
    int p = k;
    double best = fabs(a[k * N + k]);
#pragma unroll
    for (int i = k + 1; i < N; i++) {
      double v = fabs(a[i * N + k]);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    piv[k] = p;
    ok = ok && (best > 0.0);
#pragma unroll
    for (int i = k + 1; i < N; i++) {
      const bool swap = p == i;
#pragma unroll
      for (int j = 0; j < N; j++) {
        const double rk = a[k * N + j];
        const double ri = a[i * N + j];
        a[k * N + j] = swap ? ri : rk;
        a[i * N + j] = swap ? rk : ri;
      }
    }
    double inv = 1.0 / a[k * N + k];
#pragma unroll
    for (int i = k + 1; i < N; i++) {
      double f = a[i * N + k] * inv;
      a[i * N + k] = f;
#pragma unroll
      for (int j = k + 1; j < N; j++) a[i * N + j] -= f * a[k * N + j];
    }
  }
  return ok;
}

// Solves A Z = B in place from the factors of luDecompose (LuSolver.solve); B is N x C.
template <int N, int C>
SS_INLINE void luSolve(const double (&lu)[N * N], const int (&piv)[N], double (&b)[N * C]) {
#pragma unroll
  for (int k = 0; k < N; k++) {
#pragma unroll
    for (int i = k + 1; i < N; i++) {
      const bool swap = piv[k] == i;
#pragma unroll
      for (int c = 0; c < C; c++) {
        const double rk = b[k * C + c];
        const double ri = b[i * C + c];
        b[k * C + c] = swap ? ri : rk;
        b[i * C + c] = swap ? rk : ri;
      }
    }
  }
#pragma unroll
  for (int i = 0; i < N; i++) {
#pragma unroll
    for (int p = 0; p < i; p++) {
#pragma unroll
      for (int c = 0; c < C; c++) b[i * C + c] -= lu[i * N + p] * b[p * C + c];
    }
  }
#pragma unroll
  for (int i = N - 1; i >= 0; i--) {
#pragma unroll
    for (int p = i + 1; p < N; p++) {
#pragma unroll
      for (int c = 0; c < C; c++) b[i * C + c] -= lu[i * N + p] * b[p * C + c];
    }
    double inv = 1.0 / lu[i * N + i];
#pragma unroll
    for (int c = 0; c < C; c++) b[i * C + c] *= inv;
  }
}

}  // namespace ss
