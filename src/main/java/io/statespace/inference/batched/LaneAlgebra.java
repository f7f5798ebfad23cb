package io.statespace.inference.batched;

/**
 * Small dense matrix products and Cholesky solves over the lanes of a tile (structure of arrays: entry e of a
 * matrix is an array indexed by lane, {@code double[rows * cols][width]}). A symmetric matrix stores entries
 * (i, j) and (j, i) in the same array, so kernels that produce one write the upper triangle only. Model
 * matrices come as {@link LaneMatrix}, whose shared zeros are skipped. No allocation after construction; one
 * instance per thread.
 */
final class LaneAlgebra {
  private final double[][] termA;
  private final double[][] termB;
  private final double[] coef;
  private final double[][] coefB;

  /** @param maxTerms the largest inner dimension of any product (the state dimension n) */
  LaneAlgebra(int maxTerms) {
    termA = new double[maxTerms][];
    termB = new double[maxTerms][];
    coef = new double[maxTerms];
    coefB = new double[maxTerms][];
  }

  /** A rows×cols matrix of distinct lane arrays. */
  static double[][] general(int rows, int cols, int width) {
    double[][] a = new double[rows * cols][];
    for (int e = 0; e < a.length; e++) a[e] = new double[width];
    return a;
  }

  /** An n×n symmetric matrix: (i, j) and (j, i) share one lane array. */
  static double[][] symmetric(int n, int width) {
    double[][] a = new double[n * n][];
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) {
        a[i * n + j] = new double[width];
        a[j * n + i] = a[i * n + j];
      }
    }
    return a;
  }

  /** C = A B with A a model matrix (r×k), B and C lane matrices (k×c and r×c). */
  void mixedTimesLanes(LaneMatrix a, double[][] b, double[][] c, int cols, int active) {
    int k = a.cols;
    for (int i = 0; i < a.rows; i++) {
      for (int j = 0; j < cols; j++) {
        int lanesCount = 0;
        int sharedCount = 0;
        for (int p = 0; p < k; p++) {
          int e = i * k + p;
          if (a.lanes[e] != null) {
            termA[lanesCount] = a.lanes[e];
            termB[lanesCount++] = b[p * cols + j];
          } else if (a.shared[e] != 0.0) {
            coef[sharedCount] = a.shared[e];
            coefB[sharedCount++] = b[p * cols + j];
          }
        }
        double[] out = c[i * cols + j];
        LaneLoops.sumOfProducts(out, null, 1.0, termA, termB, lanesCount, active);
        if (sharedCount > 0) LaneLoops.scaledSum(out, out, coef, coefB, sharedCount, active);
      }
    }
  }

  /**
   * C = B Aᵀ + D with B a lane matrix (r×k), A a model matrix (c×k) and D a model matrix (r×c) or null; only
   * entries with i ≤ j when {@code upper} (C symmetric).
   */
  void lanesTimesMixedTransposed(double[][] b, LaneMatrix a, LaneMatrix d, double[][] c, int rows, boolean upper,
      int active) {
    int k = a.cols;
    int cols = a.rows;
    for (int i = 0; i < rows; i++) {
      for (int j = upper ? i : 0; j < cols; j++) {
        int lanesCount = 0;
        int sharedCount = 0;
        for (int p = 0; p < k; p++) {
          int e = j * k + p;
          if (a.lanes[e] != null) {
            termA[lanesCount] = a.lanes[e];
            termB[lanesCount++] = b[i * k + p];
          } else if (a.shared[e] != 0.0) {
            coef[sharedCount] = a.shared[e];
            coefB[sharedCount++] = b[i * k + p];
          }
        }
        double[] out = c[i * cols + j];
        LaneLoops.sumOfProducts(out, null, 1.0, termA, termB, lanesCount, active);
        if (sharedCount > 0) LaneLoops.scaledSum(out, out, coef, coefB, sharedCount, active);
        if (d != null) addEntry(out, d, i * cols + j, active);
      }
    }
  }

  /** out += D[e] over lanes [0, active), D a model matrix. */
  static void addEntry(double[] out, LaneMatrix d, int e, int active) {
    if (d.lanes[e] != null) {
      LaneLoops.add(out, d.lanes[e], active);
    } else if (d.shared[e] != 0.0) {
      LaneLoops.add(out, d.shared[e], active);
    }
  }

  /** C = A B for lane matrices A (r×k), B (k×c), C (r×c, distinct from A and B). */
  void lanesTimesLanes(double[][] a, double[][] b, double[][] c, int rows, int k, int cols, int active) {
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        for (int p = 0; p < k; p++) {
          termA[p] = a[i * k + p];
          termB[p] = b[p * cols + j];
        }
        LaneLoops.sumOfProducts(c[i * cols + j], null, 1.0, termA, termB, k, active);
      }
    }
  }

  /**
   * C = Base + sign · Aᵀ B for lane matrices A (k×r), B (k×c); entries i ≤ j only when {@code upper}. C may be
   * Base (in place) but not A or B.
   */
  void lanesTransposedTimesLanes(double[][] a, double[][] b, double[][] base, double sign, double[][] c, int k,
      int rows, int cols, boolean upper, int active) {
    for (int i = 0; i < rows; i++) {
      for (int j = upper ? i : 0; j < cols; j++) {
        for (int p = 0; p < k; p++) {
          termA[p] = a[p * rows + i];
          termB[p] = b[p * cols + j];
        }
        LaneLoops.sumOfProducts(c[i * cols + j], base == null ? null : base[i * cols + j], sign, termA, termB, k,
            active);
      }
    }
  }

  /**
   * Lower Cholesky factor of the k×k symmetric positive-definite matrix in {@code a}, in place: reads and
   * writes entries i ≥ j only (a symmetric matrix's upper triangle then holds garbage). Writes 1 / L_jj into
   * {@code inverseDiagonal[j]} and Π_j L_jj into {@code diagonalProduct}: a lane whose factorisation failed
   * (a pivot ≤ 0, NaN or infinite) has a product that is not a positive finite number.
   */
  void cholesky(double[][] a, int k, double[][] inverseDiagonal, double[] diagonalProduct, int active) {
    for (int j = 0; j < k; j++) {
      int rj = j * k;
      for (int p = 0; p < j; p++) {
        termA[p] = a[rj + p];
        termB[p] = a[rj + p];
      }
      double[] ljj = a[rj + j];
      LaneLoops.sumOfProducts(ljj, ljj, -1.0, termA, termB, j, active);
      double[] inv = inverseDiagonal[j];
      if (j == 0) {
        LaneLoops.squareRootAndInverse(ljj, inv, diagonalProduct, true, active);
      } else {
        LaneLoops.squareRootAndInverse(ljj, inv, diagonalProduct, false, active);
      }
      for (int i = j + 1; i < k; i++) {
        int ri = i * k;
        for (int p = 0; p < j; p++) {
          termA[p] = a[ri + p];
          termB[p] = a[rj + p];
        }
        double[] lij = a[ri + j];
        LaneLoops.sumOfProducts(lij, lij, -1.0, termA, termB, j, active);
        LaneLoops.multiply(lij, inv, active);
      }
    }
  }

  /** Solves L X = B in place for B (k×cols), L from {@link #cholesky}: forward substitution. */
  void solveLower(double[][] l, double[][] inverseDiagonal, int k, double[][] b, int cols, int active) {
    for (int i = 0; i < k; i++) {
      for (int c = 0; c < cols; c++) {
        for (int p = 0; p < i; p++) {
          termA[p] = l[i * k + p];
          termB[p] = b[p * cols + c];
        }
        double[] x = b[i * cols + c];
        LaneLoops.sumOfProducts(x, x, -1.0, termA, termB, i, active);
        LaneLoops.multiply(x, inverseDiagonal[i], active);
      }
    }
  }

  /** Solves Lᵀ X = B in place for B (k×cols): back substitution. */
  void solveLowerTransposed(double[][] l, double[][] inverseDiagonal, int k, double[][] b, int cols, int active) {
    for (int i = k - 1; i >= 0; i--) {
      for (int c = 0; c < cols; c++) {
        int count = 0;
        for (int p = i + 1; p < k; p++) {
          termA[count] = l[p * k + i];
          termB[count++] = b[p * cols + c];
        }
        double[] x = b[i * cols + c];
        LaneLoops.sumOfProducts(x, x, -1.0, termA, termB, count, active);
        LaneLoops.multiply(x, inverseDiagonal[i], active);
      }
    }
  }
}
