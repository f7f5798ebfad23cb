package io.statespace.spark;

import io.statespace.data.Trajectory;
import java.io.Serializable;

/**
 * A batch of trajectories cached for fitting: the unit the fit job's treeAggregate folds over (one
 * evaluator, with its scratch space, per block).
 */
final class TrajectoryBlock implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Blocks close at this many trajectories ... */
  static final int MAX_TRAJECTORIES = 4096;
  /** ... or this many steps, whichever comes first. */
  static final int MAX_STEPS = 1 << 20;

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
