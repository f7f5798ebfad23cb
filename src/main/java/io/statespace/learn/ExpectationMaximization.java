package io.statespace.learn;

import io.statespace.data.Trajectory;
import io.statespace.inference.Posterior;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepParameters;
import java.io.Serializable;

/**
 * EM for one model family (the family registry hands it out): the statistics' zero value, the worker-side
 * sums a trajectory's smoothed moments add to them ({@link MomentSums}; the log-likelihood, its Fisher
 * gradient and the initial-state moments are added for every family by {@link ExpectationEvaluator}), and
 * the M-step from the merged statistics to the next θ. Serialisable: the Spark driver broadcasts it.
 */
public interface ExpectationMaximization extends Serializable {
  Parameterization parameterization();

  /** The zero value of the E-step's aggregation. */
  EmStatistics zero();

  /** Worker-side scratch that adds the family's sufficient statistics of one trajectory (one per thread). */
  MomentSums sums(StateSpaceModel model);

  /**
   * The M-step: θ maximising the expected complete-data log-likelihood over the free parameters.
   *
   * @throws IllegalArgumentException when the maximiser lies outside the parameterisation (a zero variance, say)
   */
  double[] maximize(double[] theta, EmStatistics stats);

  /** Adds one smoothed trajectory's family-specific sums into the statistics. */
  interface MomentSums {
    void add(Trajectory trajectory, StepParameters params, Posterior posterior, EmStatistics stats);
  }
}
