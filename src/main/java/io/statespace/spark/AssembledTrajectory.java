package io.statespace.spark;

import io.statespace.data.Trajectory;

/**
 * One trajectory as assembled from its rows, with what the engine does not need but the outputs do: the
 * original id value (its input type) and each step's original time value.
 */
final class AssembledTrajectory {
  final Object id;
  final Trajectory trajectory;
  final Object[] timeValues;

  AssembledTrajectory(Object id, Trajectory trajectory, Object[] timeValues) {
    this.id = id;
    this.trajectory = trajectory;
    this.timeValues = timeValues;
  }
}
