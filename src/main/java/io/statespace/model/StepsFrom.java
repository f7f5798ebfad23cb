package io.statespace.model;

/**
 * The steps of {@code base} from step {@code d} on, with the given prior (mean, covariance) at their step 0: how a
 * filter continues after an exact diffuse period hands over at its first proper step (docs/ARCHITECTURE.md §7.6).
 * Never time-invariant: the prior differs by trajectory.
 */
public final class StepsFrom implements StepParameters {
  private final StepParameters base;
  private final int d;
  private final double[] mean;
  private final double[] cov;

  /** @param prior {mean (n), covariance (n×n, row-major)}, not copied */
  public StepsFrom(StepParameters base, int d, double[][] prior) {
    this.base = base;
    this.d = d;
    this.mean = prior[0];
    this.cov = prior[1];
  }

  @Override
  public int stateDim() {
    return base.stateDim();
  }

  @Override
  public int obsDim() {
    return base.obsDim();
  }

  @Override
  public void initial(double[] mean, double[] cov) {
    System.arraycopy(this.mean, 0, mean, 0, mean.length);
    System.arraycopy(this.cov, 0, cov, 0, cov.length);
  }

  @Override
  public void dynamics(int t, double[] weights, double[] bias, double[] cov) {
    base.dynamics(t + d, weights, bias, cov);
  }

  @Override
  public void emissions(int t, double[] weights, double[] bias, double[] cov) {
    base.emissions(t + d, weights, bias, cov);
  }
}
