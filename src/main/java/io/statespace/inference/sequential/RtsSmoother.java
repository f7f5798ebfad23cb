package io.statespace.inference.sequential;

import io.statespace.inference.InferenceException;
import io.statespace.linalg.Cholesky;
import io.statespace.linalg.Products;
import io.statespace.linalg.Symmetric;
import io.statespace.model.StepParameters;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The Rauch-Tung-Striebel backward pass over filtered moments (Särkkä 2013, Theorem 8.2):
 * G_t = P_t F_tᵀ (F_t P_t F_tᵀ + Q_t)⁻¹, m^s_t = m_t + G_t (m^s_{t+1} - m^-_{t+1}),
 * P^s_t = P_t + G_t (P^s_{t+1} - P^-_{t+1}) G_tᵀ, and the lag-one cross-covariance
 * Cov[x_{t+1}, x_t | y] = P^s_{t+1} G_tᵀ. The one-step prediction is recomputed rather than stored, so
 * the forward pass need not keep it. A singular predicted covariance (Q = 0 with dt = 0 and a singular
 * filtered covariance, say) falls back to its pseudo-inverse: G_t = P_t F_tᵀ (P⁻_{t+1})⁺ is exact there,
 * since x_{t+1} - m⁻_{t+1} lies in the range of P⁻_{t+1}. "Singular" is decided numerically: the
 * computed P⁻_{t+1} carries rounding noise of order ε‖P‖ in its null directions, and inverting that noise
 * (by a Cholesky that happens to succeed, or by a pseudo-inverse with EJML's default cut-off
 * ε·n·σ_max) turns it into O(1) errors in the gain. So a Cholesky factor whose smallest pivot is below
 * {@link #RANK_TOLERANCE} times the largest diagonal entry is not trusted, and the pseudo-inverse drops
 * eigenvalues below {@link #RANK_TOLERANCE} times the largest. Holds its scratch space: one instance per
 * thread.
 */
public final class RtsSmoother {
  /**
   * Relative size below which an eigenvalue (or Cholesky pivot) of the predicted covariance is taken as
   * zero. It must sit above the rounding noise a filtered covariance carries in its null directions,
   * which relative to its largest eigenvalue reaches ~1e-12 when the posterior is much tighter than the
   * prior (with cut-offs of 1e-12, 1e-13, 1e-14 SequentialVsOracleTest's noise-free cases stretched to
   * T = 10 still showed errors up to 2e-7, 4e-5, 2e-3), and below the genuine conditioning worth
   * resolving (at a condition number of 1e10, float64 leaves the gain only ~1e-6 accurate anyway).
   */
  public static final double RANK_TOLERANCE = 1e-10;

  private final int n;
  private final double[] weights;
  private final double[] bias;
  private final double[] procCov;
  private final double[] predMean;
  private final double[] predCov;
  private final double[] chol;
  private final double[] gainT;
  private final double[] diff;
  private final double[] diffCov;
  private final double[] nn;

  public RtsSmoother(int stateDim) {
    this.n = stateDim;
    weights = new double[n * n];
    bias = new double[n];
    procCov = new double[n * n];
    predMean = new double[n];
    predCov = new double[n * n];
    chol = new double[n * n];
    gainT = new double[n * n];
    diff = new double[n];
    diffCov = new double[n * n];
    nn = new double[n * n];
  }

  /**
   * @param crossCovs (T-1)×n×n output, or null
   */
  public void run(StepParameters params, String id, int steps, double[] filteredMeans, double[] filteredCovs,
      double[] smoothedMeans, double[] smoothedCovs, double[] crossCovs) {
    int nn2 = n * n;
    int last = steps - 1;
    System.arraycopy(filteredMeans, last * n, smoothedMeans, last * n, n);
    System.arraycopy(filteredCovs, last * nn2, smoothedCovs, last * nn2, nn2);
    for (int t = steps - 2; t >= 0; t--) {
      params.dynamics(t, weights, bias, procCov);
      int mo = t * n;
      int po = t * nn2;
      Products.multVector(weights, 0, filteredMeans, mo, predMean, 0, n, n);
      for (int i = 0; i < n; i++) predMean[i] += bias[i];
      Products.sandwich(weights, 0, filteredCovs, po, nn, predCov, 0, n, n);
      for (int i = 0; i < nn2; i++) predCov[i] += procCov[i];
      Symmetric.symmetrize(predCov, 0, n);
      // gainT = (Pp)^{-1} F P = G_tᵀ
      Products.mult(weights, 0, filteredCovs, po, gainT, 0, n, n, n);
      System.arraycopy(predCov, 0, chol, 0, nn2);
      if (Cholesky.decompose(chol, 0, n) && wellConditioned()) {
        Cholesky.solve(chol, 0, n, gainT, 0, n);
      } else {
        pseudoInverseSolve(id, t);
      }
      for (int i = 0; i < n; i++) diff[i] = smoothedMeans[(t + 1) * n + i] - predMean[i];
      for (int j = 0; j < n; j++) {
        double s = filteredMeans[mo + j];
        for (int i = 0; i < n; i++) s += gainT[i * n + j] * diff[i];
        smoothedMeans[mo + j] = s;
      }
      for (int i = 0; i < nn2; i++) diffCov[i] = smoothedCovs[(t + 1) * nn2 + i] - predCov[i];
      // P^s_t = P_t + Gᵀᵀ D Gᵀ
      Products.mult(diffCov, 0, gainT, 0, nn, 0, n, n, n);
      Products.multTransA(gainT, 0, nn, 0, smoothedCovs, po, n, n, n);
      for (int i = 0; i < nn2; i++) smoothedCovs[po + i] += filteredCovs[po + i];
      Symmetric.symmetrize(smoothedCovs, po, n);
      if (crossCovs != null) {
        Products.mult(smoothedCovs, (t + 1) * nn2, gainT, 0, crossCovs, t * nn2, n, n, n);
      }
    }
  }

  /** True when no pivot of the Cholesky factor in chol is below RANK_TOLERANCE × predCov's largest diagonal. */
  private boolean wellConditioned() {
    double maxDiag = 0.0;
    for (int i = 0; i < n; i++) maxDiag = Math.max(maxDiag, predCov[i * n + i]);
    for (int i = 0; i < n; i++) {
      double l = chol[i * n + i];
      if (l * l <= RANK_TOLERANCE * maxDiag) return false;
    }
    return true;
  }

  /**
   * gainT = pinv(Pp) gainT for a numerically singular predicted covariance, by the symmetric
   * eigendecomposition Pp = V Λ Vᵀ, keeping eigenvalues above RANK_TOLERANCE × the largest.
   */
  private void pseudoInverseSolve(String id, int t) {
    EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, true, true);
    if (!eig.decompose(DMatrixRMaj.wrap(n, n, predCov.clone()))) {
      throw new InferenceException(id, t, "eigendecomposition of the predicted covariance failed");
    }
    double max = 0.0;
    for (int i = 0; i < n; i++) max = Math.max(max, eig.getEigenvalue(i).getReal());
    double cut = RANK_TOLERANCE * max;
    java.util.Arrays.fill(nn, 0.0); // nn = pinv(Pp)
    for (int k = 0; k < n; k++) {
      double lambda = eig.getEigenvalue(k).getReal();
      if (!(lambda > cut)) continue;
      DMatrixRMaj v = eig.getEigenVector(k);
      double inv = 1.0 / lambda;
      for (int i = 0; i < n; i++) {
        double vi = v.get(i) * inv;
        for (int j = 0; j < n; j++) nn[i * n + j] += vi * v.get(j);
      }
    }
    System.arraycopy(gainT, 0, diffCov, 0, n * n);
    Products.mult(nn, 0, diffCov, 0, gainT, 0, n, n, n);
    for (double v : gainT) {
      if (!Double.isFinite(v)) throw new InferenceException(id, t, "smoother gain is not finite");
    }
  }
}
