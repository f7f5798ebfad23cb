package io.statespace.learn;

import io.statespace.data.Trajectory;
import java.util.List;

/** The E-step folded over an in-memory list of trajectories in one thread. */
public final class LocalExpectationStep implements ExpectationStep {
  private final LinearParameterization parameterization;
  private final List<Trajectory> trajectories;
  private final boolean withGradient;

  /**
   * @param withGradient carry the Fisher-identity gradient (needs positive-definite noise covariances)
   */
  public LocalExpectationStep(LinearParameterization parameterization, List<Trajectory> trajectories,
      boolean withGradient) {
    this.parameterization = parameterization;
    this.trajectories = List.copyOf(trajectories);
    this.withGradient = withGradient;
  }

  @Override
  public EmStatistics expectation(double[] theta) {
    ExpectationEvaluator ev = new ExpectationEvaluator(parameterization, theta, withGradient);
    EmStatistics stats = EmStatistics.zero(parameterization);
    for (Trajectory t : trajectories) ev.add(t, stats);
    return stats;
  }
}
