package io.statespace.inference;

/**
 * The posterior of one trajectory (dynamax's PosteriorGSSMFiltered/Smoothed in one type). All arrays are
 * row-major per step: means T×n, covariances T×n×n. Arrays are shared, not copied, and read-only: the
 * batched engine gives trajectories that share one covariance recursion the same covariance arrays. Optional
 * parts are null when not requested (see {@link Outputs}) or, for the smoothed parts, after filtering only.
 */
public final class Posterior {
  private final int length;
  private final int stateDim;
  private final double logLikelihood;
  private final double[] filteredMeans;
  private final double[] filteredCovariances;
  private final double[] predictedMeans;
  private final double[] predictedCovariances;
  private final double[] smoothedMeans;
  private final double[] smoothedCovariances;
  private final double[] smoothedCrossCovariances;
  private final int diffuseSteps;

  public Posterior(int length, int stateDim, double logLikelihood,
      double[] filteredMeans, double[] filteredCovariances,
      double[] predictedMeans, double[] predictedCovariances,
      double[] smoothedMeans, double[] smoothedCovariances, double[] smoothedCrossCovariances) {
    this(length, stateDim, logLikelihood, filteredMeans, filteredCovariances, predictedMeans, predictedCovariances,
        smoothedMeans, smoothedCovariances, smoothedCrossCovariances, 0);
  }

  private Posterior(int length, int stateDim, double logLikelihood,
      double[] filteredMeans, double[] filteredCovariances,
      double[] predictedMeans, double[] predictedCovariances,
      double[] smoothedMeans, double[] smoothedCovariances, double[] smoothedCrossCovariances, int diffuseSteps) {
    this.diffuseSteps = diffuseSteps;
    this.length = length;
    this.stateDim = stateDim;
    this.logLikelihood = logLikelihood;
    this.filteredMeans = filteredMeans;
    this.filteredCovariances = filteredCovariances;
    this.predictedMeans = predictedMeans;
    this.predictedCovariances = predictedCovariances;
    this.smoothedMeans = smoothedMeans;
    this.smoothedCovariances = smoothedCovariances;
    this.smoothedCrossCovariances = smoothedCrossCovariances;
  }

  /**
   * This posterior, recording that its first {@code steps} steps are the diffuse period of an exact diffuse
   * initialisation (docs/ARCHITECTURE.md §7.6), whose filtered and predicted covariances are finite parts only.
   */
  public Posterior withDiffuseSteps(int steps) {
    return new Posterior(length, stateDim, logLikelihood, filteredMeans, filteredCovariances, predictedMeans,
        predictedCovariances, smoothedMeans, smoothedCovariances, smoothedCrossCovariances, steps);
  }

  /** The steps of the diffuse period (0 without a diffuse prior): residual diagnostics leave them out. */
  public int diffuseSteps() {
    return diffuseSteps;
  }

  /** Number of steps T. */
  public int length() {
    return length;
  }

  public int stateDim() {
    return stateDim;
  }

  /** log p(y_{0:T-1}), with the -k/2 log 2π constant of the k observed components of each step. */
  public double logLikelihood() {
    return logLikelihood;
  }

  /** E[x_t | y_{0:t}], T×n. */
  public double[] filteredMeans() {
    return filteredMeans;
  }

  /** Cov[x_t | y_{0:t}], T×n×n. */
  public double[] filteredCovariances() {
    return filteredCovariances;
  }

  /** One-step predictions E[x_t | y_{0:t-1}] (the prior mean at t = 0), T×n, or null. */
  public double[] predictedMeans() {
    return predictedMeans;
  }

  /** Cov[x_t | y_{0:t-1}] (Sigma0 at t = 0), T×n×n, or null. */
  public double[] predictedCovariances() {
    return predictedCovariances;
  }

  /** E[x_t | y_{0:T-1}], T×n, or null after filtering only. */
  public double[] smoothedMeans() {
    return smoothedMeans;
  }

  /** Cov[x_t | y_{0:T-1}], T×n×n, or null after filtering only. */
  public double[] smoothedCovariances() {
    return smoothedCovariances;
  }

  /** Lag-one Cov[x_{t+1}, x_t | y_{0:T-1}] for t = 0..T-2, (T-1)×n×n, or null. */
  public double[] smoothedCrossCovariances() {
    return smoothedCrossCovariances;
  }

  public boolean isSmoothed() {
    return smoothedMeans != null;
  }
}
