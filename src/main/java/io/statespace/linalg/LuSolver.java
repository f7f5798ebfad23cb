package io.statespace.linalg;

/**
 * LU factorisation with partial pivoting of a small square matrix, in place. The parallel filter's
 * combine needs it for the non-symmetric I + C_i J_j (Särkkä & García-Fernández 2021, Lemma 8).
 */
public final class LuSolver {
  private LuSolver() {}

  /**
   * Factorises the n×n block at offset o in place (unit-lower L below the diagonal, U on and above).
   *
   * @param pivots row permutation, length at least n (written)
   * @return log |det A|, or NaN when A is singular
   */
  public static double decompose(double[] a, int o, int n, int[] pivots) {
    double logAbsDet = 0.0;
    for (int k = 0; k < n; k++) {
      int p = k;
      double best = Math.abs(a[o + k * n + k]);
      for (int i = k + 1; i < n; i++) {
        double v = Math.abs(a[o + i * n + k]);
        if (v > best) {
          best = v;
          p = i;
        }
      }
      pivots[k] = p;
      if (!(best > 0.0)) return Double.NaN;
      if (p != k) {
        for (int j = 0; j < n; j++) {
          double t = a[o + k * n + j];
          a[o + k * n + j] = a[o + p * n + j];
          a[o + p * n + j] = t;
        }
      }
      double pivot = a[o + k * n + k];
      logAbsDet += Math.log(Math.abs(pivot));
      double inv = 1.0 / pivot;
      for (int i = k + 1; i < n; i++) {
        int ri = o + i * n;
        double f = a[ri + k] * inv;
        a[ri + k] = f;
        if (f != 0.0) {
          for (int j = k + 1; j < n; j++) a[ri + j] -= f * a[o + k * n + j];
        }
      }
    }
    return logAbsDet;
  }

  /** Solves A Z = B in place for B (n×cols) given the factors from {@link #decompose}. */
  public static void solve(double[] lu, int o, int n, int[] pivots, double[] b, int bo, int cols) {
    for (int k = 0; k < n; k++) {
      int p = pivots[k];
      if (p != k) {
        for (int c = 0; c < cols; c++) {
          double t = b[bo + k * cols + c];
          b[bo + k * cols + c] = b[bo + p * cols + c];
          b[bo + p * cols + c] = t;
        }
      }
    }
    for (int i = 0; i < n; i++) {
      int bi = bo + i * cols;
      for (int p = 0; p < i; p++) {
        double f = lu[o + i * n + p];
        if (f != 0.0) {
          int bp = bo + p * cols;
          for (int c = 0; c < cols; c++) b[bi + c] -= f * b[bp + c];
        }
      }
    }
    for (int i = n - 1; i >= 0; i--) {
      int bi = bo + i * cols;
      for (int p = i + 1; p < n; p++) {
        double f = lu[o + i * n + p];
        int bp = bo + p * cols;
        for (int c = 0; c < cols; c++) b[bi + c] -= f * b[bp + c];
      }
      double inv = 1.0 / lu[o + i * n + i];
      for (int c = 0; c < cols; c++) b[bi + c] *= inv;
    }
  }
}
