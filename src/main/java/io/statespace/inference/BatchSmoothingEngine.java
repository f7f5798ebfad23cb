package io.statespace.inference;

import io.statespace.data.Trajectory;
import io.statespace.model.StateSpaceModel;
import java.util.List;

/**
 * Filter and smoother of a block of trajectories under one model, with the same result per trajectory as a
 * {@link SmoothingEngine} (up to rounding). Engines hold scratch space: one instance per thread.
 */
public interface BatchSmoothingEngine {
  /** Forward pass of every trajectory; the result at index i belongs to {@code block.get(i)}. */
  Posterior[] filter(StateSpaceModel model, List<Trajectory> block, Outputs outputs);

  /** Filter plus backward pass of every trajectory; the result at index i belongs to {@code block.get(i)}. */
  Posterior[] smooth(StateSpaceModel model, List<Trajectory> block, Outputs outputs);
}
