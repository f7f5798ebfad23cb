package io.statespace.linalg;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Solves P X = B for a symmetric positive semi-definite P that may be numerically singular, as the RTS
 * gain needs with P = F P_t Fᵀ + Q (singular when Q = 0 at dt = 0 and P_t is singular). Where P is
 * well conditioned it is a Cholesky solve; otherwise X = P⁺ B by the symmetric eigendecomposition. The
 * computed P carries rounding noise of order ε‖P‖ in its null directions, and inverting that noise (by
 * a Cholesky that happens to succeed, or a pseudo-inverse with EJML's default cut-off ε·n·σ_max) turns
 * it into O(1) errors, so both paths treat anything below {@link #RANK_TOLERANCE} × the largest
 * eigenvalue (or diagonal entry) as zero. Holds scratch space: one instance per thread.
 */
public final class SemiDefiniteSolver {
  /**
   * Relative size below which an eigenvalue (or Cholesky pivot) counts as zero. It must sit above the
   * rounding noise a filtered covariance carries in its null directions, which relative to its largest
   * eigenvalue reaches ~1e-12 when the posterior is much tighter than the prior (cut-offs of 1e-12,
   * 1e-13, 1e-14 left errors of 2e-7, 4e-5, 2e-3 against the joint-Gaussian oracle on noise-free cases),
   * and below the genuine conditioning worth resolving (at a condition number of 1e10 float64 leaves the
   * gain only ~1e-6 accurate anyway).
   */
  public static final double RANK_TOLERANCE = 1e-10;

  /**
   * Condition estimate (largest over smallest squared Cholesky pivot) above which a matrix counts as ill
   * conditioned: solves with it are then inexact by more than about 1e-10 relative, and callers switch to
   * forms that do not depend on their accuracy.
   */
  public static final double ILL_CONDITIONED = 1e6;

  private final int n;
  private final double[] chol;
  private final double[] inverse;
  private final double[] rhs;
  private final EigenDecomposition_F64<DMatrixRMaj> eig;
  private double lastCondition;

  public SemiDefiniteSolver(int n) {
    this.n = n;
    chol = new double[n * n];
    inverse = new double[n * n];
    rhs = new double[n * n];
    eig = DecompositionFactory_DDRM.eig(n, true, true);
  }

  /**
   * Overwrites B (n×n at offset bo) with P⁺ B.
   *
   * @return false when the eigendecomposition failed or the result is not finite
   */
  public boolean solve(double[] p, int po, double[] b, int bo) {
    int nn = n * n;
    System.arraycopy(p, po, chol, 0, nn);
    if (Cholesky.decompose(chol, 0, n) && wellConditioned(p, po)) {
      Cholesky.solve(chol, 0, n, b, bo, n);
      double lo = Double.POSITIVE_INFINITY;
      double hi = 0.0;
      for (int i = 0; i < n; i++) {
        double d = chol[i * n + i] * chol[i * n + i];
        lo = Math.min(lo, d);
        hi = Math.max(hi, d);
      }
      lastCondition = hi / lo;
      return true;
    }
    lastCondition = Double.POSITIVE_INFINITY;
    if (!eig.decompose(DMatrixRMaj.wrap(n, n, Arrays.copyOfRange(p, po, po + nn)))) return false;
    double max = 0.0;
    for (int i = 0; i < n; i++) max = Math.max(max, eig.getEigenvalue(i).getReal());
    double cut = RANK_TOLERANCE * max;
    Arrays.fill(inverse, 0.0);
    for (int k = 0; k < n; k++) {
      double lambda = eig.getEigenvalue(k).getReal();
      if (!(lambda > cut)) continue;
      DMatrixRMaj v = eig.getEigenVector(k);
      double inv = 1.0 / lambda;
      for (int i = 0; i < n; i++) {
        double vi = v.get(i) * inv;
        for (int j = 0; j < n; j++) inverse[i * n + j] += vi * v.get(j);
      }
    }
    System.arraycopy(b, bo, rhs, 0, nn);
    Products.mult(inverse, 0, rhs, 0, b, bo, n, n, n);
    for (int i = 0; i < nn; i++) {
      if (!Double.isFinite(b[bo + i])) return false;
    }
    return true;
  }

  /**
   * The condition estimate of the last solve's matrix: largest over smallest squared Cholesky pivot, or
   * infinity when it was (numerically) singular and the pseudo-inverse was used.
   */
  public double lastCondition() {
    return lastCondition;
  }

  /** True when no pivot of the factor in chol is below RANK_TOLERANCE × P's largest diagonal entry. */
  private boolean wellConditioned(double[] p, int po) {
    double maxDiag = 0.0;
    for (int i = 0; i < n; i++) maxDiag = Math.max(maxDiag, p[po + i * n + i]);
    for (int i = 0; i < n; i++) {
      double l = chol[i * n + i];
      if (l * l <= RANK_TOLERANCE * maxDiag) return false;
    }
    return true;
  }
}
