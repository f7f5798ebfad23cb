package io.statespace.linalg;

/** Small helpers for symmetric matrices stored row-major in flat arrays. */
public final class Symmetric {
  private Symmetric() {}

  /** a = (a + aᵀ) / 2 in place, for the n×n block at offset o. */
  public static void symmetrize(double[] a, int o, int n) {
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        double v = 0.5 * (a[o + i * n + j] + a[o + j * n + i]);
        a[o + i * n + j] = v;
        a[o + j * n + i] = v;
      }
    }
  }

  /** Sets the n×n block at offset o to the identity. */
  public static void identity(double[] a, int o, int n) {
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) a[o + i * n + j] = i == j ? 1.0 : 0.0;
    }
  }
}
