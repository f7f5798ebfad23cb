package io.statespace.linalg;

/**
 * In-place lower Cholesky factorisation A = L Lᵀ of a small symmetric positive-definite matrix, and the
 * solves and log-determinant built on it. Used for innovation covariances S and predicted covariances,
 * so that no explicit inverse is ever formed (docs/ARCHITECTURE.md §7.1).
 */
public final class Cholesky {
  private Cholesky() {}

  /**
   * Overwrites the k×k block at offset o with its lower factor L (upper triangle zeroed).
   *
   * @return false when the matrix is not numerically positive definite (the block is then garbage)
   */
  public static boolean decompose(double[] a, int o, int k) {
    for (int j = 0; j < k; j++) {
      int rj = o + j * k;
      double d = a[rj + j];
      for (int p = 0; p < j; p++) d -= a[rj + p] * a[rj + p];
      if (!(d > 0.0) || Double.isInfinite(d)) return false;
      double ljj = Math.sqrt(d);
      a[rj + j] = ljj;
      double inv = 1.0 / ljj;
      for (int i = j + 1; i < k; i++) {
        int ri = o + i * k;
        double s = a[ri + j];
        for (int p = 0; p < j; p++) s -= a[ri + p] * a[rj + p];
        a[ri + j] = s * inv;
      }
      for (int i = 0; i < j; i++) a[o + i * k + j] = 0.0;
    }
    return true;
  }

  /** log det A = 2 Σ log L_ii from the factor at offset o. */
  public static double logDet(double[] l, int o, int k) {
    double s = 0.0;
    for (int i = 0; i < k; i++) s += Math.log(l[o + i * k + i]);
    return 2.0 * s;
  }

  /** Solves L Z = B in place for B (k×cols, row-major at offset bo): forward substitution. */
  public static void solveLower(double[] l, int lo, int k, double[] b, int bo, int cols) {
    for (int i = 0; i < k; i++) {
      int li = lo + i * k;
      int bi = bo + i * cols;
      for (int p = 0; p < i; p++) {
        double lip = l[li + p];
        int bp = bo + p * cols;
        for (int c = 0; c < cols; c++) b[bi + c] -= lip * b[bp + c];
      }
      double inv = 1.0 / l[li + i];
      for (int c = 0; c < cols; c++) b[bi + c] *= inv;
    }
  }

  /** Solves Lᵀ Z = B in place for B (k×cols): back substitution. */
  public static void solveUpperTransposed(double[] l, int lo, int k, double[] b, int bo, int cols) {
    for (int i = k - 1; i >= 0; i--) {
      int bi = bo + i * cols;
      for (int p = i + 1; p < k; p++) {
        double lpi = l[lo + p * k + i];
        int bp = bo + p * cols;
        for (int c = 0; c < cols; c++) b[bi + c] -= lpi * b[bp + c];
      }
      double inv = 1.0 / l[lo + i * k + i];
      for (int c = 0; c < cols; c++) b[bi + c] *= inv;
    }
  }

  /** Solves A Z = B in place (A = L Lᵀ given by its factor), B k×cols. */
  public static void solve(double[] l, int lo, int k, double[] b, int bo, int cols) {
    solveLower(l, lo, k, b, bo, cols);
    solveUpperTransposed(l, lo, k, b, bo, cols);
  }

  /**
   * A square root L (lower, L Lᵀ = A) of a symmetric positive semi-definite matrix: pivots below
   * tolerance × the largest diagonal entry are taken as zero and their column dropped. Used to sample
   * noise whose covariance may be singular (Q = 0 at dt = 0).
   *
   * @return false when A has a clearly negative pivot (not semi-definite)
   */
  public static boolean decomposeSemiDefinite(double[] a, int o, int k) {
    double scale = 0.0;
    for (int i = 0; i < k; i++) scale = Math.max(scale, Math.abs(a[o + i * k + i]));
    double tol = 1e-12 * scale;
    for (int j = 0; j < k; j++) {
      int rj = o + j * k;
      double d = a[rj + j];
      for (int p = 0; p < j; p++) d -= a[rj + p] * a[rj + p];
      if (d < -1e-8 * Math.max(scale, Double.MIN_NORMAL) || Double.isNaN(d)) return false;
      if (d <= tol) {
        for (int i = j; i < k; i++) a[o + i * k + j] = 0.0;
      } else {
        double ljj = Math.sqrt(d);
        a[rj + j] = ljj;
        for (int i = j + 1; i < k; i++) {
          int ri = o + i * k;
          double s = a[ri + j];
          for (int p = 0; p < j; p++) s -= a[ri + p] * a[rj + p];
          a[ri + j] = s / ljj;
        }
      }
      for (int i = 0; i < j; i++) a[o + i * k + j] = 0.0;
    }
    return true;
  }
}
