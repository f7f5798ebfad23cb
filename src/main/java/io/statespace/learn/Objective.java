package io.statespace.learn;

/**
 * A differentiable loss of θ that an optimiser minimises. Each call may be a distributed job (the Spark
 * driver broadcasts θ and tree-aggregates a {@link LossAccumulator}); {@link LocalObjective} folds a list
 * in process. A numerical failure at θ is reported as a non-finite loss, not thrown, so that line
 * searches can step back.
 */
public interface Objective {
  /** The loss and gradient at θ (for a stochastic loss, the epoch-0 masks: a fixed function). */
  Evaluation evaluate(double[] theta);

  /**
   * The loss and gradient at θ with the observation-dropout masks of the given epoch. Stochastic
   * optimisers (Adam) pass their iteration so that masks change from step to step; deterministic ones
   * (L-BFGS, whose line search needs one fixed function) call {@link #evaluate(double[])}. Objectives
   * without dropout ignore the epoch.
   */
  default Evaluation evaluate(double[] theta, long epoch) {
    return evaluate(theta);
  }
}
