package io.statespace.inference.sequential;

import io.statespace.inference.InnovationStep;
import io.statespace.linalg.Products;
import io.statespace.linalg.Symmetric;
import io.statespace.model.StepParameters;

/**
 * The sequential Kalman filter in covariance form, float64: the prediction here, the update by the shared
 * {@link InnovationStep} (Joseph form, Cholesky solves of the innovation covariance, never an explicit
 * inverse). A partly missing observation updates with its observed rows only; a fully missing one is
 * predict-only and adds nothing to the log-likelihood. Holds its scratch space: one instance per thread.
 */
public final class KalmanFilter {
  private final int n;
  private final int m;
  private final double[] dynWeights;
  private final double[] dynBias;
  private final double[] dynCov;
  private final double[] emWeights;
  private final double[] emBias;
  private final double[] emCov;
  private final double[] mean;
  private final double[] cov;
  private final double[] predMean;
  private final double[] predCov;
  private final double[] nn;
  private final InnovationStep innovation;

  public KalmanFilter(int stateDim, int obsDim) {
    this.n = stateDim;
    this.m = obsDim;
    dynWeights = new double[n * n];
    dynBias = new double[n];
    dynCov = new double[n * n];
    emWeights = new double[m * n];
    emBias = new double[m];
    emCov = new double[m * m];
    mean = new double[n];
    cov = new double[n * n];
    predMean = new double[n];
    predCov = new double[n * n];
    nn = new double[n * n];
    innovation = new InnovationStep(n, m);
  }

  /**
   * Runs the forward pass over T steps.
   *
   * @param y observations T×m, NaN = missing
   * @param filteredMeans T×n output
   * @param filteredCovs T×n×n output
   * @param predictedMeans T×n output, or null
   * @param predictedCovs T×n×n output, or null
   * @return the log-likelihood log p(y_{0:T-1})
   */
  public double run(StepParameters params, String id, double[] y, int steps,
      double[] filteredMeans, double[] filteredCovs, double[] predictedMeans, double[] predictedCovs) {
    double logLik = 0.0;
    start(params);
    for (int t = 0; t < steps; t++) {
      logLik += advance(params, id, y, t, predictedMeans, predictedCovs);
      System.arraycopy(mean, 0, filteredMeans, t * n, n);
      System.arraycopy(cov, 0, filteredCovs, t * n * n, n * n);
    }
    return logLik;
  }

  /**
   * Continues a forward pass from step {@code first} &gt; 0, predicting from the filtered moments of step
   * first−1 already in the output arrays (after a diffuse period: docs/ARCHITECTURE.md §7.6).
   *
   * @return the log-likelihood of steps first..steps−1
   */
  public double runFrom(StepParameters params, String id, double[] y, int first, int steps,
      double[] filteredMeans, double[] filteredCovs, double[] predictedMeans, double[] predictedCovs) {
    System.arraycopy(filteredMeans, (first - 1) * n, mean, 0, n);
    System.arraycopy(filteredCovs, (first - 1) * n * n, cov, 0, n * n);
    double logLik = 0.0;
    for (int t = first; t < steps; t++) {
      logLik += advance(params, id, y, t, predictedMeans, predictedCovs);
      System.arraycopy(mean, 0, filteredMeans, t * n, n);
      System.arraycopy(cov, 0, filteredCovs, t * n * n, n * n);
    }
    return logLik;
  }

  /** Starts a forward pass: the prediction for step 0 is the prior. */
  public void start(StepParameters params) {
    params.initial(predMean, predCov);
  }

  /**
   * One step of the forward pass: predicts step t from the filtered moments of t-1 (t > 0), stores the
   * prediction when asked, and conditions on y_t. Steps must come in order from 0 after {@link #start}.
   *
   * @return ℓ_t = log p(y_t | y_{0:t-1})
   */
  public double advance(StepParameters params, String id, double[] y, int t, double[] predictedMeans,
      double[] predictedCovs) {
    if (t > 0) {
      params.dynamics(t - 1, dynWeights, dynBias, dynCov);
      predict(mean, cov, predMean, predCov);
    }
    if (predictedMeans != null) {
      System.arraycopy(predMean, 0, predictedMeans, t * n, n);
      System.arraycopy(predCov, 0, predictedCovs, t * n * n, n * n);
    }
    params.emissions(t, emWeights, emBias, emCov);
    return update(y, t, id);
  }

  /** The filtered mean after the last {@link #advance} (n values; scratch, overwritten by the next step). */
  public double[] mean() {
    return mean;
  }

  /** The filtered covariance after the last {@link #advance} (n×n; scratch). */
  public double[] covariance() {
    return cov;
  }

  /** predMean = F mean + c, predCov = F cov Fᵀ + Q (with the dynamics already loaded). */
  private void predict(double[] m0, double[] p0, double[] mOut, double[] pOut) {
    Products.multVector(dynWeights, 0, m0, 0, mOut, 0, n, n);
    for (int i = 0; i < n; i++) mOut[i] += dynBias[i];
    Products.sandwich(dynWeights, 0, p0, 0, nn, pOut, 0, n, n);
    for (int i = 0; i < n * n; i++) pOut[i] += dynCov[i];
    Symmetric.symmetrize(pOut, 0, n);
  }

  /** Conditions (predMean, predCov) on the observed components of y_t into (mean, cov); returns ell_t. */
  private double update(double[] y, int t, String id) {
    if (innovation.innovate(y, t, emWeights, emBias, emCov, predMean, 0, predCov, 0, id) == 0) {
      System.arraycopy(predMean, 0, mean, 0, n);
      System.arraycopy(predCov, 0, cov, 0, n * n);
      return 0.0;
    }
    innovation.update(emCov, predMean, 0, predCov, 0, mean, 0, cov, 0);
    return innovation.logLikelihood();
  }
}
