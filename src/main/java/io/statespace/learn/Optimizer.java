package io.statespace.learn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An iterative minimiser over θ driven by {@link FitLoop}: {@link #start} evaluates the first point, each
 * {@link #iterate} moves to the next. Its complete state (point, loss, gradient and the method's memory)
 * saves to JSON and restores exactly, so that a run resumed from a checkpoint continues to the same result
 * as one that was never stopped.
 */
public interface Optimizer {
  /** "lbfgs", "adam", "em": checked when a checkpoint is restored. */
  String name();

  /** Makes θ0 the current point (evaluating the objective there). */
  void start(double[] theta0);

  /** One iteration from the current point. */
  Step iterate();

  /** The current point (a copy). */
  double[] theta();

  /** Loss and gradient at the current point. */
  Evaluation current();

  /** Objective evaluations so far (each one may be a distributed job). */
  long evaluations();

  /** The complete state as JSON. */
  ObjectNode saveState();

  /** Restores a state written by {@link #saveState} of an optimiser of the same name and dimension. */
  void restoreState(JsonNode state);

  /**
   * What an iteration did.
   *
   * @param progress false when the method could not move (a failed line search, a non-finite loss); the
   *     loop then stops
   * @param note why not, or null
   */
  record Step(boolean progress, String note) {
    static Step moved() {
      return new Step(true, null);
    }

    static Step stuck(String note) {
      return new Step(false, note);
    }
  }
}
