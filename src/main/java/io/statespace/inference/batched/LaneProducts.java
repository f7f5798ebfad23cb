package io.statespace.inference.batched;

/**
 * Small matrix products over the lanes of a tile with either operand read transposed, for the batched
 * adjoint ({@link BatchedAdjoint}), whose reverse pass needs Aᵀ B and A Bᵀ as often as A B. A lane operand
 * is {@code double[rows * cols][width]} read through strides: entry (i, p) of A is {@code a[i * ai + p * ap]}
 * (row-major: ai = cols, ap = 1; transposed: ai = 1, ap = cols). A model operand is a {@link LaneMatrix},
 * whose shared zeros are skipped. Every product is C(i, j) = base(i, j) + sign · Σ_p A(i, p) B(p, j), with
 * {@code c[i * cols + j]}; {@code upper} computes entries j ≥ i only (C symmetric, in the shared storage of
 * {@link LaneAlgebra#symmetric}). C may be the base but no operand. No allocation after construction.
 */
final class LaneProducts {
  private final double[][] termA;
  private final double[][] termB;
  private final double[] coef;
  private final double[][] coefB;

  /** @param maxTerms the largest inner dimension of any product */
  LaneProducts(int maxTerms) {
    termA = new double[maxTerms][];
    termB = new double[maxTerms][];
    coef = new double[maxTerms];
    coefB = new double[maxTerms][];
  }

  /** Lane matrix times lane matrix. */
  void lanes(double[][] a, int ai, int ap, double[][] b, int bp, int bj, double[][] base, double sign, double[][] c,
      int rows, int k, int cols, boolean upper, int active) {
    for (int i = 0; i < rows; i++) {
      for (int j = upper ? i : 0; j < cols; j++) {
        for (int p = 0; p < k; p++) {
          termA[p] = a[i * ai + p * ap];
          termB[p] = b[p * bp + j * bj];
        }
        int e = i * cols + j;
        LaneLoops.sumOfProducts(c[e], base == null ? null : base[e], sign, termA, termB, k, active);
      }
    }
  }

  /** Model matrix A (rows×k, or its transpose when {@code transposeA}: A stored k×rows) times lane matrix. */
  void mixedLeft(LaneMatrix a, boolean transposeA, double[][] b, int bp, int bj, double[][] base, double sign,
      double[][] c, int rows, int k, int cols, boolean upper, int active) {
    int ai = transposeA ? 1 : a.cols;
    int ap = transposeA ? a.cols : 1;
    for (int i = 0; i < rows; i++) {
      for (int j = upper ? i : 0; j < cols; j++) {
        int lanesCount = 0;
        int sharedCount = 0;
        for (int p = 0; p < k; p++) {
          int e = i * ai + p * ap;
          if (a.lanes[e] != null) {
            termA[lanesCount] = a.lanes[e];
            termB[lanesCount++] = b[p * bp + j * bj];
          } else if (a.shared[e] != 0.0) {
            coef[sharedCount] = sign * a.shared[e];
            coefB[sharedCount++] = b[p * bp + j * bj];
          }
        }
        finish(c, base, sign, i * cols + j, lanesCount, sharedCount, active);
      }
    }
  }

  /** Lane matrix times model matrix B (k×cols, or its transpose when {@code transposeB}: B stored cols×k). */
  void mixedRight(double[][] a, int ai, int ap, LaneMatrix b, boolean transposeB, double[][] base, double sign,
      double[][] c, int rows, int k, int cols, boolean upper, int active) {
    int bp = transposeB ? 1 : b.cols;
    int bj = transposeB ? b.cols : 1;
    for (int i = 0; i < rows; i++) {
      for (int j = upper ? i : 0; j < cols; j++) {
        int lanesCount = 0;
        int sharedCount = 0;
        for (int p = 0; p < k; p++) {
          int e = p * bp + j * bj;
          if (b.lanes[e] != null) {
            termA[lanesCount] = b.lanes[e];
            termB[lanesCount++] = a[i * ai + p * ap];
          } else if (b.shared[e] != 0.0) {
            coef[sharedCount] = sign * b.shared[e];
            coefB[sharedCount++] = a[i * ai + p * ap];
          }
        }
        finish(c, base, sign, i * cols + j, lanesCount, sharedCount, active);
      }
    }
  }

  private void finish(double[][] c, double[][] base, double sign, int e, int lanesCount, int sharedCount, int active) {
    double[] out = c[e];
    LaneLoops.sumOfProducts(out, base == null ? null : base[e], sign, termA, termB, lanesCount, active);
    if (sharedCount > 0) LaneLoops.scaledSum(out, out, coef, coefB, sharedCount, active);
  }
}
