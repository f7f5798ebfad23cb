package io.statespace.inference;

import io.statespace.data.Trajectory;
import io.statespace.model.StateSpaceModel;

/**
 * Filter and smoother of one trajectory under one model. Engines hold scratch space, so an instance is
 * for one thread at a time; all of them compute the same function (tested against each other).
 */
public interface SmoothingEngine {
  /** Forward pass only: filtered moments (and predictions if asked) and the log-likelihood. */
  Posterior filter(StateSpaceModel model, Trajectory trajectory, Outputs outputs);

  /** Filter plus backward pass: filtered and smoothed moments and the log-likelihood. */
  Posterior smooth(StateSpaceModel model, Trajectory trajectory, Outputs outputs);
}
