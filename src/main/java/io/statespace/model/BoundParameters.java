package io.statespace.model;

/**
 * The part of a model bound to a trajectory that is the same at every step: the dimensions and the prior
 * x_0 ~ N(mu0, Sigma0). Families extend it with their per-step dynamics and emissions.
 */
public abstract class BoundParameters implements StepParameters {
  private final int n;
  private final int m;
  private final double[] initialMean;
  private final double[] initialCov;

  /** The prior arrays are shared, not copied: they belong to an immutable model. */
  protected BoundParameters(int stateDim, int obsDim, double[] initialMean, double[] initialCov) {
    this.n = stateDim;
    this.m = obsDim;
    this.initialMean = initialMean;
    this.initialCov = initialCov;
  }

  @Override
  public final int stateDim() {
    return n;
  }

  @Override
  public final int obsDim() {
    return m;
  }

  @Override
  public final void initial(double[] mean, double[] cov) {
    System.arraycopy(initialMean, 0, mean, 0, n);
    System.arraycopy(initialCov, 0, cov, 0, n * n);
  }
}
