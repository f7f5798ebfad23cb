package io.statespace.linalg;

/**
 * Dense row-major matrix products on flat arrays with offsets, in the EJML "Operations" style: inputs
 * first, the output last, no allocation. Outputs must not alias inputs.
 */
public final class Products {
  private Products() {}

  /** c = a b, with a m×k and b k×n. */
  public static void mult(double[] a, int ao, double[] b, int bo, double[] c, int co, int m, int k, int n) {
    for (int i = 0; i < m; i++) {
      int ci = co + i * n;
      for (int j = 0; j < n; j++) c[ci + j] = 0.0;
      for (int p = 0; p < k; p++) {
        double aip = a[ao + i * k + p];
        int bp = bo + p * n;
        for (int j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
      }
    }
  }

  /** c = a bᵀ, with a m×k and b n×k. */
  public static void multTransB(double[] a, int ao, double[] b, int bo, double[] c, int co, int m, int k, int n) {
    for (int i = 0; i < m; i++) {
      int ai = ao + i * k;
      for (int j = 0; j < n; j++) {
        int bj = bo + j * k;
        double s = 0.0;
        for (int p = 0; p < k; p++) s += a[ai + p] * b[bj + p];
        c[co + i * n + j] = s;
      }
    }
  }

  /** c = aᵀ b, with a k×m and b k×n. */
  public static void multTransA(double[] a, int ao, double[] b, int bo, double[] c, int co, int m, int k, int n) {
    for (int i = 0; i < m; i++) {
      int ci = co + i * n;
      for (int j = 0; j < n; j++) c[ci + j] = 0.0;
    }
    for (int p = 0; p < k; p++) {
      int ap = ao + p * m;
      int bp = bo + p * n;
      for (int i = 0; i < m; i++) {
        double api = a[ap + i];
        int ci = co + i * n;
        for (int j = 0; j < n; j++) c[ci + j] += api * b[bp + j];
      }
    }
  }

  /** y = a x, with a m×n. */
  public static void multVector(double[] a, int ao, double[] x, int xo, double[] y, int yo, int m, int n) {
    for (int i = 0; i < m; i++) {
      double s = 0.0;
      int ai = ao + i * n;
      for (int j = 0; j < n; j++) s += a[ai + j] * x[xo + j];
      y[yo + i] = s;
    }
  }

  /** y = aᵀ x, with a m×n (so y has n entries). */
  public static void multTransVector(double[] a, int ao, double[] x, int xo, double[] y, int yo, int m, int n) {
    for (int j = 0; j < n; j++) y[yo + j] = 0.0;
    for (int i = 0; i < m; i++) {
      double xi = x[xo + i];
      int ai = ao + i * n;
      for (int j = 0; j < n; j++) y[yo + j] += a[ai + j] * xi;
    }
  }

  /** c = a b aᵀ for square b (n×n) and a m×n, using work (m×n) as scratch; c is then symmetrised. */
  public static void sandwich(double[] a, int ao, double[] b, int bo, double[] work, double[] c, int co, int m, int n) {
    mult(a, ao, b, bo, work, 0, m, n, n);
    multTransB(work, 0, a, ao, c, co, m, n, m);
    Symmetric.symmetrize(c, co, m);
  }
}
