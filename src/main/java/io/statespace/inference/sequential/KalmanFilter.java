package io.statespace.inference.sequential;

import io.statespace.inference.InferenceException;
import io.statespace.linalg.Cholesky;
import io.statespace.linalg.Products;
import io.statespace.linalg.Symmetric;
import io.statespace.model.StepParameters;

/**
 * The sequential Kalman filter in covariance form, float64, with the Joseph-form update and Cholesky
 * solves of the innovation covariance (never an explicit inverse). A partly missing observation updates
 * with its observed rows only; a fully missing one is predict-only and adds nothing to the
 * log-likelihood. Holds its scratch space: one instance per thread.
 */
public final class KalmanFilter {
  private static final double LOG_2PI = Math.log(2.0 * Math.PI);

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
  private final double[] nn2;
  private final int[] observed;
  private final double[] hObs;
  private final double[] innovation;
  private final double[] innovCov;
  private final double[] gainT;
  private final double[] hp;

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
    nn2 = new double[n * n];
    observed = new int[m];
    hObs = new double[m * n];
    innovation = new double[m];
    innovCov = new double[m * m];
    gainT = new double[m * n];
    hp = new double[m * n];
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
    int k = 0;
    for (int i = 0; i < m; i++) {
      if (!Double.isNaN(y[t * m + i])) observed[k++] = i;
    }
    System.arraycopy(predMean, 0, mean, 0, n);
    System.arraycopy(predCov, 0, cov, 0, n * n);
    if (k == 0) return 0.0;
    for (int a = 0; a < k; a++) {
      int row = observed[a];
      System.arraycopy(emWeights, row * n, hObs, a * n, n);
      double pred = emBias[row];
      for (int j = 0; j < n; j++) pred += emWeights[row * n + j] * predMean[j];
      innovation[a] = y[t * m + row] - pred;
      for (int b = 0; b < k; b++) innovCov[a * k + b] = emCov[row * m + observed[b]];
    }
    // hp = Ho P (k×n); S = hp Hoᵀ + Ro
    Products.mult(hObs, 0, predCov, 0, hp, 0, k, n, n);
    for (int a = 0; a < k; a++) {
      for (int b = 0; b < k; b++) {
        double s = 0.0;
        for (int j = 0; j < n; j++) s += hp[a * n + j] * hObs[b * n + j];
        innovCov[a * k + b] += s;
      }
    }
    Symmetric.symmetrize(innovCov, 0, k);
    if (!Cholesky.decompose(innovCov, 0, k)) {
      throw new InferenceException(id, t, "innovation covariance is not positive definite");
    }
    // gainT = S^{-1} Ho P = Kᵀ (k×n)
    System.arraycopy(hp, 0, gainT, 0, k * n);
    Cholesky.solve(innovCov, 0, k, gainT, 0, n);
    for (int j = 0; j < n; j++) {
      double s = 0.0;
      for (int a = 0; a < k; a++) s += gainT[a * n + j] * innovation[a];
      mean[j] += s;
    }
    // Joseph form: P = (I - K Ho) Pp (I - K Ho)ᵀ + K Ro Kᵀ
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double s = i == j ? 1.0 : 0.0;
        for (int a = 0; a < k; a++) s -= gainT[a * n + i] * hObs[a * n + j];
        nn2[i * n + j] = s;
      }
    }
    Products.sandwich(nn2, 0, predCov, 0, nn, cov, 0, n, n);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        double s = 0.0;
        for (int a = 0; a < k; a++) {
          double ka = gainT[a * n + i];
          if (ka == 0.0) continue;
          for (int b = 0; b < k; b++) s += ka * emCov[observed[a] * m + observed[b]] * gainT[b * n + j];
        }
        cov[i * n + j] += s;
        if (j != i) cov[j * n + i] += s;
      }
    }
    // ell_t = -1/2 (k log 2π + log det S + |L^{-1} r|²)
    Cholesky.solveLower(innovCov, 0, k, innovation, 0, 1);
    double quad = 0.0;
    for (int a = 0; a < k; a++) quad += innovation[a] * innovation[a];
    return -0.5 * (k * LOG_2PI + Cholesky.logDet(innovCov, 0, k) + quad);
  }
}
