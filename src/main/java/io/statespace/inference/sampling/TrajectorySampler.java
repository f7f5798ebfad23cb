package io.statespace.inference.sampling;

import io.statespace.data.Trajectory;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.StateSpaceModel;

/**
 * Posterior sampling of one trajectory end to end: the sequential reference filter (forward filtering), then
 * {@link BackwardSampler}'s kernel, whose draws are joint samples of p(x_0..x_{T−1} | y). Holds scratch space:
 * one instance per thread.
 */
public final class TrajectorySampler {
  private final SequentialEngine filter = new SequentialEngine();
  private BackwardSampler backward;

  /**
   * The sampling kernel of {@code trajectory} under {@code model}.
   *
   * @throws io.statespace.inference.InferenceException naming the trajectory and step where filtering or the
   *     backward conditionals failed numerically
   */
  public SamplingKernel kernel(StateSpaceModel model, Trajectory trajectory) {
    Posterior filtered = filter.filter(model, trajectory, Outputs.MOMENTS);
    if (backward == null || backward.stateDim() != model.stateDim()) backward = new BackwardSampler(model.stateDim());
    return backward.prepare(model.bind(trajectory), trajectory.id(), filtered);
  }
}
