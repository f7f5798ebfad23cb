package io.statespace.gpu;

import io.statespace.data.Trajectory;
import io.statespace.gpu.ModelPacking.PackedModel;
import java.util.Arrays;
import java.util.List;

/**
 * Host-side packing of a batch's step data into the grouped structure-of-arrays of {@link BatchLayout}
 * and unpacking of the kernels' per-trajectory outputs into {@link io.statespace.inference.Posterior}
 * arrays. Observation components beyond the model's own (shape padding) are always missing (NaN); storage
 * past a lane's length holds {@code filler}, which the kernels never read (tests fill it with garbage to
 * prove that).
 */
public final class BatchPacking {
  private BatchPacking() {}

  /** Observations, M' components per step (M' the shape's), NaN for missing and for padded components. */
  public static double[] observations(BatchLayout layout, List<Trajectory> block, PackedModel model, double filler) {
    int big = model.shape().obsDim();
    int m = model.obsDim();
    double[] out = new double[Math.toIntExact(layout.storedDoubles(big))];
    Arrays.fill(out, filler);
    for (int l = 0; l < layout.lanes(); l++) {
      double[] y = block.get(layout.trajectoryOfLane(l)).observations();
      for (int t = 0; t < layout.length(l); t++) {
        for (int a = 0; a < big; a++) {
          out[(int) layout.index(l, t, big, a)] = a < m ? y[t * m + a] : Double.NaN;
        }
      }
    }
    return out;
  }

  /** Inputs u_t, P components per step, or null when the model has none. */
  public static double[] inputs(BatchLayout layout, List<Trajectory> block, PackedModel model, double filler) {
    int p = model.inputDim();
    if (p == 0) return null;
    double[] out = new double[Math.toIntExact(layout.storedDoubles(p))];
    Arrays.fill(out, filler);
    for (int l = 0; l < layout.lanes(); l++) {
      double[] u = block.get(layout.trajectoryOfLane(l)).inputs();
      for (int t = 0; t < layout.length(l); t++) {
        for (int j = 0; j < p; j++) out[(int) layout.index(l, t, p, j)] = u[t * p + j];
      }
    }
    return out;
  }

  /**
   * Time gaps dt_t = time[t+1] - time[t] (t below the lane's last step; the last step holds 0), one
   * component per step, or null when the model does not use them.
   */
  public static double[] gaps(BatchLayout layout, List<Trajectory> block, PackedModel model, double filler) {
    if (!model.usesDt()) return null;
    double[] out = new double[Math.toIntExact(layout.storedDoubles(1))];
    Arrays.fill(out, filler);
    for (int l = 0; l < layout.lanes(); l++) {
      double[] times = block.get(layout.trajectoryOfLane(l)).times();
      int steps = layout.length(l);
      for (int t = 0; t < steps; t++) out[(int) layout.index(l, t, 1, 0)] = t + 1 < steps ? times[t + 1] - times[t] : 0.0;
    }
    return out;
  }

  /** Gaps of one long trajectory (row t: dt_t, the last row 0), or null when the model does not use them. */
  public static double[] gaps(Trajectory trajectory, PackedModel model) {
    if (!model.usesDt()) return null;
    double[] times = trajectory.times();
    double[] out = new double[times.length];
    for (int t = 0; t + 1 < times.length; t++) out[t] = times[t + 1] - times[t];
    return out;
  }

  /** Observations of one long trajectory, M' per row, padded components NaN. */
  public static double[] observations(Trajectory trajectory, PackedModel model) {
    int big = model.shape().obsDim();
    int m = model.obsDim();
    double[] y = trajectory.observations();
    if (big == m) return y;
    int steps = trajectory.length();
    double[] out = new double[steps * big];
    for (int t = 0; t < steps; t++) {
      for (int a = 0; a < big; a++) out[t * big + a] = a < m ? y[t * m + a] : Double.NaN;
    }
    return out;
  }

  /**
   * Copies rows [first, first + rows) of an unpacked output with {@code bigCols} values per row (a padded
   * vector of length N' or matrix N'×N') into a new array of the model's size (n or n×n per row).
   *
   * @param matrix true for n×n blocks, false for vectors
   */
  public static double[] slice(double[] unpacked, long first, int rows, int big, int n, boolean matrix) {
    int bigCols = matrix ? big * big : big;
    int cols = matrix ? n * n : n;
    int from = Math.toIntExact(first * bigCols);
    if (big == n) return Arrays.copyOfRange(unpacked, from, from + rows * cols);
    double[] out = new double[rows * cols];
    for (int t = 0; t < rows; t++) {
      int src = from + t * bigCols;
      if (matrix) {
        for (int i = 0; i < n; i++) System.arraycopy(unpacked, src + i * big, out, t * cols + i * n, n);
      } else {
        System.arraycopy(unpacked, src, out, t * cols, n);
      }
    }
    return out;
  }
}
