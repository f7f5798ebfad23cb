package io.statespace.spark;

import io.statespace.data.Trajectory;
import java.io.Serializable;

/**
 * A batch of trajectories cached for fitting (cut by {@link io.statespace.execution.Blocker}): the unit the
 * fit job's treeAggregate folds over (one evaluator, with its scratch space, per block).
 */
final class TrajectoryBlock implements Serializable {
  private static final long serialVersionUID = 1L;

  final Trajectory[] trajectories;

  TrajectoryBlock(Trajectory[] trajectories) {
    this.trajectories = trajectories;
  }

  long steps() {
    long s = 0;
    for (Trajectory t : trajectories) s += t.length();
    return s;
  }
}
