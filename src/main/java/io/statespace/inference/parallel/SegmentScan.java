package io.statespace.inference.parallel;

import io.statespace.inference.InferenceException;
import java.util.Arrays;
import java.util.List;

/**
 * The driver's side of the segmented smoother (docs/ARCHITECTURE.md §7.5): exclusive scans over the few
 * segment elements of one trajectory, and the check that the forward scan stayed a Kalman filter.
 *
 * <p>Because the first segment's element carries the prior (A = 0, η = 0, J = 0), every exclusive prefix
 * a_0 ⊗ … ⊗ a_{start−1} has A = 0, η = 0, J = 0 too, and its (b, C) are the filtered moments of the step
 * before the segment; likewise, since the last segment's smoothing element has E = 0, every exclusive
 * suffix has E = 0 and its (g, L) are the smoothed moments of the step after the segment.
 */
public final class SegmentScan {
  private SegmentScan() {}

  /**
   * The filtered moments before each segment, from the segments' filtering elements in time order: null
   * for the first segment.
   *
   * @throws InferenceException naming the trajectory and the segment's first step when a prefix is not finite
   */
  public static Moments[] filteredBefore(int n, List<double[]> elements, String id, long[] starts) {
    FilterOperator op = new FilterOperator(n);
    FilterOperator.Workspace ws = op.newWorkspace();
    Moments[] out = new Moments[elements.size()];
    double[] acc = elements.get(0).clone();
    for (int j = 1; j < elements.size(); j++) {
      out[j] = finite(new Moments(Arrays.copyOfRange(acc, op.offsetB(), op.offsetB() + n),
          Arrays.copyOfRange(acc, op.offsetC(), op.offsetC() + n * n)), id, starts[j] - 1, "filtered");
      op.combine(acc, 0, elements.get(j), 0, acc, 0, ws);
    }
    return out;
  }

  /**
   * The smoothed moments after each segment, from the segments' smoothing elements in time order: null for
   * the last segment.
   *
   * @throws InferenceException naming the trajectory and the step after the segment when a suffix is not finite
   */
  public static Moments[] smoothedAfter(int n, List<double[]> elements, String id, long[] starts) {
    SmootherOperator op = new SmootherOperator(n);
    SmootherOperator.Workspace ws = op.newWorkspace();
    int count = elements.size();
    Moments[] out = new Moments[count];
    double[] acc = elements.get(count - 1).clone();
    for (int j = count - 2; j >= 0; j--) {
      out[j] = finite(new Moments(Arrays.copyOfRange(acc, op.offsetG(), op.offsetG() + n),
          Arrays.copyOfRange(acc, op.offsetL(), op.offsetL() + n * n)), id, starts[j + 1], "smoothed");
      op.combine(elements.get(j), 0, acc, 0, acc, 0, ws);
    }
    return out;
  }

  /**
   * The check of the forward scan: the sequential filter of segment j, started from {@code before[j]}, ends
   * at {@code ends[j]}; the prefix {@code before[j + 1]}, formed by the combine, must agree with it per
   * element to {@link FilterConsistency#TOLERANCE}, scaled as {@link FilterConsistency} scales (by the root
   * mean square of each component over the segments' ends). The covariance-form combine can lose a step's
   * information without a NaN (time gaps of 10^6 s); a prefix that did is what this catches.
   *
   * @throws InferenceException naming the trajectory and the last step of the first segment whose end the next
   *     prefix does not reproduce, so that the caller smooths the trajectory in one task instead
   */
  public static void check(int n, Moments[] before, List<Moments> ends, String id, long[] starts) {
    int count = ends.size();
    double[] meanSquares = new double[n];
    double[] covSquares = new double[n * n];
    for (Moments e : ends) {
      for (int i = 0; i < n; i++) meanSquares[i] += e.mean()[i] * e.mean()[i];
      for (int i = 0; i < n * n; i++) covSquares[i] += e.cov()[i] * e.cov()[i];
    }
    FilterConsistency consistency = new FilterConsistency(n, count, meanSquares, covSquares);
    for (int j = 0; j + 1 < count; j++) {
      Moments scanned = before[j + 1];
      Moments filtered = ends.get(j);
      double r = consistency.residual(scanned.mean(), 0, scanned.cov(), 0, filtered.mean(), 0, filtered.cov(), 0);
      if (!(r <= FilterConsistency.TOLERANCE)) {
        throw new InferenceException(id, (int) (starts[j + 1] - 1), "the segments' combined filtering element differs from "
            + "the segment's own sequential filter: " + FilterConsistency.describe(r));
      }
    }
  }

  private static Moments finite(Moments moments, String id, long step, String what) {
    for (double v : moments.mean()) {
      if (!Double.isFinite(v)) throw new InferenceException(id, (int) step, what + " mean at a cut is not finite");
    }
    for (double v : moments.cov()) {
      if (!Double.isFinite(v)) throw new InferenceException(id, (int) step, what + " covariance at a cut is not finite");
    }
    return moments;
  }
}
