package io.statespace.learn;

import io.statespace.data.Trajectory;
import java.util.List;

/** The E-step folded over an in-memory list of trajectories in one thread. */
public final class LocalExpectationStep implements ExpectationStep {
  private final ExpectationMaximization em;
  private final List<Trajectory> trajectories;
  private final boolean withGradient;

  /**
   * @param withGradient carry the Fisher-identity gradient (needs positive-definite noise covariances)
   */
  public LocalExpectationStep(LinearParameterization parameterization, List<Trajectory> trajectories,
      boolean withGradient) {
    this(new LinearExpectationMaximization(parameterization), trajectories, withGradient);
  }

  /** The E-step of any family with EM. */
  public LocalExpectationStep(ExpectationMaximization em, List<Trajectory> trajectories, boolean withGradient) {
    this.em = em;
    this.trajectories = List.copyOf(trajectories);
    this.withGradient = withGradient;
  }

  @Override
  public EmStatistics expectation(double[] theta) {
    ExpectationEvaluator ev = new ExpectationEvaluator(em, theta, withGradient);
    EmStatistics stats = em.zero();
    for (Trajectory t : trajectories) ev.add(t, stats);
    return stats;
  }
}
