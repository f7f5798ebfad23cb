package io.statespace.inference.parallel;

import io.statespace.inference.InferenceException;
import java.util.Arrays;
import java.util.List;

/**
 * The driver's backward scan of the segmented smoother (docs/ARCHITECTURE.md §7.5): since the last segment's
 * smoothing element has E = 0, every exclusive suffix has E = 0 and its (g, L) are the smoothed moments of
 * the step after the segment. The forward scan, with its check and repairs, is {@link SegmentChain}'s.
 */
public final class SegmentScan {
  private SegmentScan() {}

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
