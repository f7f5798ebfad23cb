package io.statespace.linalg;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * B := pinv(A) B for a symmetric positive semi-definite A that Cholesky refused: the fallback of the RTS
 * smoother gain when the predicted covariance is singular (Q = 0 at dt = 0 with a singular prior, say).
 * Allocates; only for that rare case.
 */
public final class PseudoInverse {
  private PseudoInverse() {}

  /**
   * @param a n×n at offset 0, not modified
   * @param b n×cols at offset 0, overwritten
   * @return false when the result is not finite
   */
  public static boolean solve(double[] a, int n, double[] b, int cols) {
    DMatrixRMaj inv = new DMatrixRMaj(n, n);
    CommonOps_DDRM.pinv(DMatrixRMaj.wrap(n, n, java.util.Arrays.copyOf(a, n * n)), inv);
    DMatrixRMaj rhs = DMatrixRMaj.wrap(n, cols, java.util.Arrays.copyOf(b, n * cols));
    CommonOps_DDRM.mult(inv, rhs, DMatrixRMaj.wrap(n, cols, b));
    for (int i = 0; i < n * cols; i++) {
      if (!Double.isFinite(b[i])) return false;
    }
    return true;
  }
}
