package io.statespace.learn;

import io.statespace.data.Trajectory;
import java.util.List;

/**
 * A {@link LossFunction} folded over an in-memory list of trajectories in one thread: for tests, small
 * fits without Spark, and as the reference a distributed evaluation must equal.
 */
public final class LocalObjective implements Objective, StandardErrors.ScoredPoints {
  private final LossFunction loss;
  private final List<Trajectory> trajectories;

  public LocalObjective(LossFunction loss, List<Trajectory> trajectories) {
    this.loss = loss;
    this.trajectories = List.copyOf(trajectories);
  }

  public LossFunction loss() {
    return loss;
  }

  @Override
  public Evaluation evaluate(double[] theta) {
    return evaluate(theta, 0L);
  }

  @Override
  public Evaluation evaluate(double[] theta, long epoch) {
    return accumulate(theta, epoch).evaluation();
  }

  @Override
  public Evaluation[] evaluateAll(double[][] thetas) {
    Evaluation[] out = new Evaluation[thetas.length];
    for (int i = 0; i < thetas.length; i++) out[i] = evaluate(thetas[i]);
    return out;
  }

  @Override
  public StandardErrors.Scored evaluateAll(double[][] thetas, int scored) {
    Evaluation[] out = new Evaluation[thetas.length];
    double[][] outer = null;
    for (int i = 0; i < thetas.length; i++) {
      LossAccumulator acc = loss.zero();
      if (i == scored) acc.withScores();
      loss.evaluator(thetas[i], 0L).addAll(trajectories, acc);
      out[i] = acc.evaluation();
      if (i == scored) outer = acc.scoreOuterProducts();
    }
    return new StandardErrors.Scored(out, outer);
  }

  /** The accumulator of the whole list at θ (counts and failures included). */
  public LossAccumulator accumulate(double[] theta, long epoch) {
    return loss.evaluator(theta, epoch).addAll(trajectories, loss.zero());
  }
}
