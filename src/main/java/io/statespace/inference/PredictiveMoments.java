package io.statespace.inference;

import io.statespace.data.Trajectory;
import io.statespace.linalg.Cholesky;
import io.statespace.linalg.Products;
import io.statespace.linalg.Symmetric;
import io.statespace.model.DiffusePrior;
import io.statespace.model.StepParameters;

/**
 * The moments an analyst reads beside the filtered and smoothed ones (README "Output", {@code --outputs}),
 * derived per step from an engine's posterior and the model's {@link StepParameters}, so that every engine
 * gets them without computing anything new (docs/ARCHITECTURE.md §1 conventions):
 * <ul>
 *   <li>{@link #predict}: the one-step prediction m_{t|t−1} = F_{t−1} m_{t−1|t−1} + c_{t−1},
 *       P_{t|t−1} = F P Fᵀ + Q (symmetrised; the prior at t = 0), the predicted observation
 *       ŷ_t = H_t m_{t|t−1} + e_t with S_t = H_t P_{t|t−1} H_tᵀ + R_t over all p components, the innovation
 *       v_t = y_t − ŷ_t and the standardised innovation L⁻¹ v_o, where S_oo = L Lᵀ is the Cholesky factor of
 *       the observed block (statsmodels' {@code standardized_forecasts_error}); both NaN where y_t is missing.
 *       The normalised innovation squared is NIS_t = |L⁻¹ v_o|² = v_oᵀ S_oo⁻¹ v_o.</li>
 *   <li>{@link #smoothObservation}: H_t m_{t|T} + e_t with the standard deviations of H_t P_{t|T} H_tᵀ (the
 *       state's uncertainty only) and of H_t P_{t|T} H_tᵀ + R_t (a new observation's: statsmodels'
 *       {@code smoothed_forecasts_error_cov}).</li>
 * </ul>
 * Steps may be taken in any order. Holds its scratch space: one instance per trajectory and thread.
 */
public final class PredictiveMoments {
  private final StepParameters params;
  private final Trajectory trajectory;
  private final int n;
  private final int p;
  private final double[] dynWeights;
  private final double[] dynBias;
  private final double[] dynCov;
  private final double[] emWeights;
  private final double[] emBias;
  private final double[] emCov;
  private final double[] nn;
  private final double[] pn;
  private final double[] predictedMean;
  private final double[] predictedCov;
  private final double[] obsMean;
  private final double[] obsCov;
  private final double[] innovation;
  private final double[] standardized;
  private final double[] factor;
  private final double[] whitened;
  private final int[] observed;
  private final double[] smoothedObsMean;
  private final double[] smoothedObsStd;
  private final double[] smoothedObsPredictiveStd;
  private int k;
  private double nis;

  public PredictiveMoments(StepParameters params, Trajectory trajectory) {
    this.params = params;
    this.trajectory = trajectory;
    n = params.stateDim();
    p = params.obsDim();
    dynWeights = new double[n * n];
    dynBias = new double[n];
    dynCov = new double[n * n];
    emWeights = new double[p * n];
    emBias = new double[p];
    emCov = new double[p * p];
    nn = new double[n * n];
    pn = new double[p * n];
    predictedMean = new double[n];
    predictedCov = new double[n * n];
    obsMean = new double[p];
    obsCov = new double[p * p];
    innovation = new double[p];
    standardized = new double[p];
    factor = new double[p * p];
    whitened = new double[p];
    observed = new int[p];
    smoothedObsMean = new double[p];
    smoothedObsStd = new double[p];
    smoothedObsPredictiveStd = new double[p];
  }

  /**
   * The one-step prediction of step t and its observation moments, from the filtered moments of step t − 1 at
   * {@code filteredMeans[mo]} and {@code filteredCovs[co]} (not read at t = 0, which takes the prior).
   *
   * @throws InferenceException when the observed block of S_t is not positive definite (naming the step)
   */
  public void predict(int t, double[] filteredMeans, int mo, double[] filteredCovs, int co) {
    if (t == 0) {
      params.initial(predictedMean, predictedCov);
      finitePart(predictedCov);
    } else {
      params.dynamics(t - 1, dynWeights, dynBias, dynCov);
      Products.multVector(dynWeights, 0, filteredMeans, mo, predictedMean, 0, n, n);
      for (int i = 0; i < n; i++) predictedMean[i] += dynBias[i];
      Products.sandwich(dynWeights, 0, filteredCovs, co, nn, predictedCov, 0, n, n);
      for (int i = 0; i < n * n; i++) predictedCov[i] += dynCov[i];
      Symmetric.symmetrize(predictedCov, 0, n);
    }
    params.emissions(t, emWeights, emBias, emCov);
    observationMoments(predictedMean, 0, predictedCov, 0, obsMean, obsCov);
    double[] y = trajectory.observations();
    k = 0;
    for (int i = 0; i < p; i++) {
      double value = y[t * p + i];
      if (Double.isNaN(value)) {
        innovation[i] = Double.NaN;
      } else {
        innovation[i] = value - obsMean[i];
        observed[k++] = i;
      }
      standardized[i] = Double.NaN;
    }
    nis = 0.0;
    if (k == 0) return;
    for (int a = 0; a < k; a++) {
      for (int b = 0; b < k; b++) factor[a * k + b] = obsCov[observed[a] * p + observed[b]];
      whitened[a] = innovation[observed[a]];
    }
    if (!Cholesky.decompose(factor, 0, k)) {
      throw new InferenceException(trajectory.id(), t, "predicted observation covariance is not positive definite");
    }
    Cholesky.solveLower(factor, 0, k, whitened, 0, 1);
    for (int a = 0; a < k; a++) {
      standardized[observed[a]] = whitened[a];
      nis += whitened[a] * whitened[a];
    }
  }

  /** The smoothed observation moments of step t from the smoothed moments at {@code smoothedMeans[mo]}, {@code smoothedCovs[co]}. */
  public void smoothObservation(int t, double[] smoothedMeans, int mo, double[] smoothedCovs, int co) {
    params.emissions(t, emWeights, emBias, emCov);
    Products.multVector(emWeights, 0, smoothedMeans, mo, smoothedObsMean, 0, p, n);
    for (int i = 0; i < p; i++) smoothedObsMean[i] += emBias[i];
    Products.sandwich(emWeights, 0, smoothedCovs, co, pn, factor, 0, p, n);
    for (int i = 0; i < p; i++) {
      double stateOnly = factor[i * p + i];
      smoothedObsStd[i] = Math.sqrt(stateOnly);
      smoothedObsPredictiveStd[i] = Math.sqrt(stateOnly + emCov[i * p + i]);
    }
  }

  /** mean = H m + e, cov = H P Hᵀ + R (symmetrised) with the emissions loaded. */
  private void observationMoments(double[] m, int mo, double[] cov, int co, double[] mean, double[] covOut) {
    Products.multVector(emWeights, 0, m, mo, mean, 0, p, n);
    for (int i = 0; i < p; i++) mean[i] += emBias[i];
    Products.sandwich(emWeights, 0, cov, co, pn, covOut, 0, p, n);
    for (int i = 0; i < p * p; i++) covOut[i] += emCov[i];
    Symmetric.symmetrize(covOut, 0, p);
  }

  /** m_{t|t−1} (n values) after {@link #predict}. */
  public double[] predictedMean() {
    return predictedMean;
  }

  /** P_{t|t−1} (n×n) after {@link #predict}. */
  public double[] predictedCovariance() {
    return predictedCov;
  }

  /** H m_{t|t−1} + e (p values) after {@link #predict}. */
  public double[] predictedObservationMean() {
    return obsMean;
  }

  /** S_t = H P_{t|t−1} Hᵀ + R (p×p) after {@link #predict}. */
  public double[] predictedObservationCovariance() {
    return obsCov;
  }

  /** y_t − ŷ_t (p values, NaN where missing) after {@link #predict}. */
  public double[] innovation() {
    return innovation;
  }

  /** L⁻¹ v_o on the observed components (p values, NaN where missing) after {@link #predict}. */
  public double[] standardizedInnovation() {
    return standardized;
  }

  /**
   * Marks the step last predicted as inside an exact diffuse period: its innovation variance is infinite, so its
   * standardised innovation is undefined (NaN, written as null; statsmodels reports 0 there).
   */
  public void markDiffuse() {
    java.util.Arrays.fill(standardized, Double.NaN);
  }

  /** The observed components of step t after {@link #predict}. */
  public int observedCount() {
    return k;
  }

  /** NIS_t = v_oᵀ S_oo⁻¹ v_o after {@link #predict} (0 when nothing is observed). */
  public double nis() {
    return nis;
  }

  /** H m_{t|T} + e (p values) after {@link #smoothObservation}. */
  public double[] smoothedObservationMean() {
    return smoothedObsMean;
  }

  /** sqrt diag(H P_{t|T} Hᵀ) (p values) after {@link #smoothObservation}. */
  public double[] smoothedObservationStd() {
    return smoothedObsStd;
  }

  /** sqrt diag(H P_{t|T} Hᵀ + R) (p values) after {@link #smoothObservation}. */
  public double[] smoothedObservationPredictiveStd() {
    return smoothedObsPredictiveStd;
  }

  /**
   * The finite part P_* of a prior with diffuse components (an infinite diagonal entry: {@link DiffusePrior}): their
   * rows and columns set to 0, as statsmodels reports the diffuse period's covariances (docs/ARCHITECTURE.md §7.6).
   */
  private void finitePart(double[] cov) {
    boolean[] diffuse = DiffusePrior.components(cov, n);
    for (int i = 0; i < n; i++) {
      if (!diffuse[i]) continue;
      for (int j = 0; j < n; j++) {
        cov[i * n + j] = 0.0;
        cov[j * n + i] = 0.0;
      }
    }
  }
}
