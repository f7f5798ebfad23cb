package io.statespace.gpu;

import io.statespace.data.Trajectory;
import io.statespace.model.StateSpaceModel;
import java.util.List;

/**
 * The size of a piece of work, as backend selection sees it: how many trajectories, the longest and the
 * total number of steps, the model's dimensions, and whether the GPU kernels cover the model at all.
 *
 * @param gpuUnsupported why the model cannot run on the GPU (family or shape), or null when it can
 */
public record WorkShape(int trajectories, long maxSteps, long totalSteps, int stateDim, int obsDim,
    String gpuUnsupported) {
  /** The shape of a block of trajectories under a model, against the shipped PTX shapes. */
  public static WorkShape of(StateSpaceModel model, List<Trajectory> block) {
    long max = 0;
    long total = 0;
    for (Trajectory t : block) {
      max = Math.max(max, t.length());
      total += t.length();
    }
    return of(model, block.size(), max, total);
  }

  /** The shape of {@code trajectories} trajectories of the given lengths under a model. */
  public static WorkShape of(StateSpaceModel model, int trajectories, long maxSteps, long totalSteps) {
    return new WorkShape(trajectories, maxSteps, totalSteps, model.stateDim(), model.obsDim(),
        ModelPacking.unsupportedReason(model, Shapes.shipped()));
  }

  /**
   * Device bytes the parallel path needs for its longest trajectory at state dimension n (padded shapes
   * need somewhat more): the filter's level-0 elements plus moments, predictions and terms, with 10%
   * for the upper levels and the inputs.
   */
  public long parallelBytes() {
    long n = stateDim;
    long perStep = (3 * n * n + 2 * n) + 2 * (n + n * n) + 1 + obsDim;
    return (long) (maxSteps * perStep * Double.BYTES * 1.1);
  }
}
