package io.statespace.inference.sequential;

import io.statespace.inference.InferenceException;
import io.statespace.inference.SmoothedCovariance;
import io.statespace.linalg.Products;
import io.statespace.linalg.SemiDefiniteSolver;
import io.statespace.linalg.Symmetric;
import io.statespace.model.StepParameters;

/**
 * The Rauch-Tung-Striebel backward pass over filtered moments (Särkkä 2013, Theorem 8.2):
 * G_t = P_t F_tᵀ (F_t P_t F_tᵀ + Q_t)⁻¹, m^s_t = m_t + G_t (m^s_{t+1} - m^-_{t+1}),
 * P^s_t = P_t + G_t (P^s_{t+1} - P^-_{t+1}) G_tᵀ (evaluated without that difference, which cancels over
 * huge time gaps: {@link SmoothedCovariance}), and the lag-one cross-covariance
 * Cov[x_{t+1}, x_t | y] = P^s_{t+1} G_tᵀ. The one-step prediction is recomputed rather than stored, so
 * the forward pass need not keep it. A singular predicted covariance (Q = 0 with dt = 0 and a singular
 * filtered covariance, say) uses its pseudo-inverse: G_t = P_t F_tᵀ (P⁻_{t+1})⁺ is exact there, since
 * x_{t+1} - m⁻_{t+1} lies in the range of P⁻_{t+1} ({@link SemiDefiniteSolver} decides numerically what
 * is singular). The smoothed arrays may be the filtered ones (in place: step t reads the filtered moments of
 * t before it writes the smoothed ones there). Holds its scratch space: one instance per thread.
 */
public final class RtsSmoother {
  private final int n;
  private final double[] weights;
  private final double[] bias;
  private final double[] procCov;
  private final double[] predMean;
  private final double[] predCov;
  private final SemiDefiniteSolver solver;
  private final double[] gainT;
  private final double[] fp;
  private final double[] diff;
  private final SmoothedCovariance covariance;
  private final double[] nn;

  public RtsSmoother(int stateDim) {
    this.n = stateDim;
    weights = new double[n * n];
    bias = new double[n];
    procCov = new double[n * n];
    predMean = new double[n];
    predCov = new double[n * n];
    solver = new SemiDefiniteSolver(n);
    gainT = new double[n * n];
    fp = new double[n * n];
    diff = new double[n];
    covariance = new SmoothedCovariance(n);
    nn = new double[n * n];
  }

  /**
   * @param crossCovs (T-1)×n×n output, or null
   */
  public void run(StepParameters params, String id, int steps, double[] filteredMeans, double[] filteredCovs,
      double[] smoothedMeans, double[] smoothedCovs, double[] crossCovs) {
    run(params, id, steps, 0, filteredMeans, filteredCovs, smoothedMeans, smoothedCovs, crossCovs);
  }

  /**
   * The backward pass down to step {@code first} only (the end of a diffuse period, whose earlier steps the
   * diffuse smoother takes: docs/ARCHITECTURE.md §7.6); the filtered moments from {@code first} on must be proper.
   */
  void run(StepParameters params, String id, int steps, int first, double[] filteredMeans, double[] filteredCovs,
      double[] smoothedMeans, double[] smoothedCovs, double[] crossCovs) {
    int nn2 = n * n;
    int last = steps - 1;
    System.arraycopy(filteredMeans, last * n, smoothedMeans, last * n, n);
    System.arraycopy(filteredCovs, last * nn2, smoothedCovs, last * nn2, nn2);
    for (int t = steps - 2; t >= first; t--) {
      step(params, id, t, filteredMeans, filteredCovs, t, smoothedMeans, smoothedCovs, t + 1, smoothedMeans,
          smoothedCovs, t);
      if (crossCovs != null) {
        Products.mult(smoothedCovs, (t + 1) * nn2, gainT, 0, crossCovs, t * nn2, n, n, n);
      }
    }
  }

  /**
   * One backward step: the smoothed moments of step t from its filtered moments (slot {@code at} of
   * {@code filteredMeans}, {@code filteredCovs}: offsets at·n and at·n²) and the smoothed moments of step t+1
   * (slot {@code nextAt} of {@code nextMeans}, {@code nextCovs}), written to slot {@code outAt} of
   * {@code smoothedMeans}, {@code smoothedCovs}, which may be the filtered slot itself (in place). Slots let the
   * moments live in chunks ({@link InPlaceSmoother}).
   */
  void step(StepParameters params, String id, int t, double[] filteredMeans, double[] filteredCovs, int at,
      double[] nextMeans, double[] nextCovs, int nextAt, double[] smoothedMeans, double[] smoothedCovs, int outAt) {
    int nn2 = n * n;
    params.dynamics(t, weights, bias, procCov);
    int mo = at * n;
    int po = at * nn2;
    int so = outAt * n;
    int spo = outAt * nn2;
    Products.multVector(weights, 0, filteredMeans, mo, predMean, 0, n, n);
    for (int i = 0; i < n; i++) predMean[i] += bias[i];
    Products.sandwich(weights, 0, filteredCovs, po, nn, predCov, 0, n, n);
    for (int i = 0; i < nn2; i++) predCov[i] += procCov[i];
    Symmetric.symmetrize(predCov, 0, n);
    // fp = F P; gainT = (Pp)^{-1} F P = G_tᵀ
    Products.mult(weights, 0, filteredCovs, po, fp, 0, n, n, n);
    System.arraycopy(fp, 0, gainT, 0, nn2);
    if (!solver.solve(predCov, 0, gainT, 0)) {
      throw new InferenceException(id, t, "smoother gain is not finite (predicted covariance unusable)");
    }
    for (int i = 0; i < n; i++) diff[i] = nextMeans[nextAt * n + i] - predMean[i];
    for (int j = 0; j < n; j++) {
      double s = filteredMeans[mo + j];
      for (int i = 0; i < n; i++) s += gainT[i * n + j] * diff[i];
      smoothedMeans[so + j] = s;
    }
    if (solver.lastCondition() > SemiDefiniteSolver.ILL_CONDITIONED) {
      covariance.futureFreeRobust(gainT, weights, filteredCovs, po, procCov, smoothedCovs, spo);
    } else {
      covariance.futureFree(gainT, fp, filteredCovs, po, smoothedCovs, spo);
    }
    covariance.addPropagated(gainT, nextCovs, nextAt * nn2, smoothedCovs, spo);
  }
}
