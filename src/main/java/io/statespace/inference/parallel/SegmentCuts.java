package io.statespace.inference.parallel;

/**
 * Where a long trajectory is cut into segments: boundaries 0 = c_0 < c_1 < … < c_k = T, segment j being
 * steps [c_j, c_{j+1}).
 */
public final class SegmentCuts {
  private SegmentCuts() {}

  /** Segments of {@code segmentSteps} steps, the last one shorter when T is not a multiple. */
  public static int[] even(int steps, int segmentSteps) {
    if (segmentSteps < 1) throw new IllegalArgumentException("segment steps must be at least 1, not " + segmentSteps);
    int count = (int) ((steps + (long) segmentSteps - 1) / segmentSteps);
    int[] cuts = new int[count + 1];
    for (int j = 0; j < count; j++) cuts[j] = j * segmentSteps;
    cuts[count] = steps;
    return cuts;
  }

  /** Refuses boundaries that are not strictly increasing from 0 to {@code steps}. */
  static void require(int[] cuts, int steps) {
    if (cuts.length < 2 || cuts[0] != 0 || cuts[cuts.length - 1] != steps) {
      throw new IllegalArgumentException("cuts must run from 0 to " + steps);
    }
    for (int j = 1; j < cuts.length; j++) {
      if (cuts[j] <= cuts[j - 1]) throw new IllegalArgumentException("cuts must increase strictly: " + cuts[j - 1] + ", " + cuts[j]);
    }
  }
}
