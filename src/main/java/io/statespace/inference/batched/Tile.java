package io.statespace.inference.batched;

import io.statespace.data.Trajectory;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepParameters;

/**
 * The trajectories that advance in lockstep, one per lane, sorted by length (longest first), so that the
 * lanes still running at step t are always the prefix [0, {@link #active}(t)) and a finished lane costs
 * nothing. Each lane's parameters are bound once ({@link StateSpaceModel#bind}, which also checks its
 * dimensions).
 */
final class Tile {
  final int count;
  final Trajectory[] trajectories;
  final StepParameters[] bound;
  final int[] lengths;

  /** @param sorted at most the tile width, longest first */
  Tile(StateSpaceModel model, Trajectory[] sorted, int count) {
    this.count = count;
    this.trajectories = sorted;
    this.bound = new StepParameters[count];
    this.lengths = new int[count];
    for (int l = 0; l < count; l++) {
      bound[l] = model.bind(sorted[l]);
      lengths[l] = sorted[l].length();
      if (l > 0 && lengths[l] > lengths[l - 1]) throw new IllegalArgumentException("tile lanes must be sorted by length");
    }
  }

  /** Steps of the longest lane. */
  int maxLength() {
    return lengths[0];
  }

  /** Number of lanes with more than t steps (they are lanes 0 .. active(t) - 1). */
  int active(int t) {
    int lo = 0;
    int hi = count;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (lengths[mid] > t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * Loads y_t into {@code y} (0 where missing) and the observed mask (1 observed, 0 missing) into {@code mask},
   * component-major, and the number of observed components into {@code observedCount}, for lanes [0, active).
   */
  void loadObservations(int t, int m, double[][] y, double[][] mask, double[] observedCount, int active) {
    for (int l = 0; l < active; l++) {
      double[] obs = trajectories[l].observations();
      int o = t * m;
      double k = 0.0;
      for (int i = 0; i < m; i++) {
        double v = obs[o + i];
        boolean missing = Double.isNaN(v);
        y[i][l] = missing ? 0.0 : v;
        mask[i][l] = missing ? 0.0 : 1.0;
        k += missing ? 0.0 : 1.0;
      }
      observedCount[l] = k;
    }
  }
}
