package io.statespace.gpu;

import io.statespace.data.Trajectory;
import java.util.Arrays;
import java.util.List;

/**
 * Where each trajectory of a batch lives in the batched kernel's structure-of-arrays storage
 * (src/main/cuda/batched.cuh). Trajectories become lanes sorted by decreasing length (ties keep block
 * order), so that the 32 lanes of a warp have similar lengths; lanes form groups of 32, group g stores the
 * steps [groupStep[g], groupStep[g] + its longest length), and component i of step t of lane l of a
 * C-component array sits at ((groupStep[l/32] + t)·C + i)·32 + l mod 32. Storage past a lane's own length
 * is never read or written by the kernels (each lane stops at its length), which is why ragged batches need
 * no padding steps. The unpacked outputs are contiguous per trajectory, in block order, at dstStep.
 */
public final class BatchLayout {
  /** Lanes per group: one warp. */
  public static final int GROUP = 32;

  private final int lanes;
  private final int[] trajectoryOfLane;
  private final int[] laneOfTrajectory;
  private final int[] length;
  private final long[] groupStep;
  private final long storedSteps;
  private final long[] dstStep;
  private final long totalSteps;

  private BatchLayout(int[] lengthsInBlockOrder) {
    lanes = lengthsInBlockOrder.length;
    Integer[] order = new Integer[lanes];
    for (int i = 0; i < lanes; i++) order[i] = i;
    Arrays.sort(order, (a, b) -> lengthsInBlockOrder[a] != lengthsInBlockOrder[b]
        ? Integer.compare(lengthsInBlockOrder[b], lengthsInBlockOrder[a]) : Integer.compare(a, b));
    trajectoryOfLane = new int[lanes];
    laneOfTrajectory = new int[lanes];
    length = new int[lanes];
    for (int l = 0; l < lanes; l++) {
      trajectoryOfLane[l] = order[l];
      laneOfTrajectory[order[l]] = l;
      length[l] = lengthsInBlockOrder[order[l]];
    }
    int groups = (lanes + GROUP - 1) / GROUP;
    groupStep = new long[groups];
    long s = 0;
    for (int g = 0; g < groups; g++) {
      groupStep[g] = s;
      s += length[g * GROUP];
    }
    storedSteps = s;
    dstStep = new long[lanes];
    long d = 0;
    for (int k = 0; k < lanes; k++) {
      dstStep[laneOfTrajectory[k]] = d;
      d += lengthsInBlockOrder[k];
    }
    totalSteps = d;
  }

  /** The layout of a block of trajectories (each with at least one step). */
  public static BatchLayout of(List<Trajectory> block) {
    int[] lengths = new int[block.size()];
    for (int k = 0; k < lengths.length; k++) {
      lengths[k] = block.get(k).length();
      if (lengths[k] == 0) throw new IllegalArgumentException("trajectory '" + block.get(k).id() + "' has no steps");
    }
    return new BatchLayout(lengths);
  }

  /** The layout of trajectories with these lengths, in block order. */
  public static BatchLayout ofLengths(int... lengths) {
    return new BatchLayout(lengths.clone());
  }

  public int lanes() {
    return lanes;
  }

  public int groups() {
    return groupStep.length;
  }

  /** Index in the block of the trajectory in lane l. */
  public int trajectoryOfLane(int lane) {
    return trajectoryOfLane[lane];
  }

  /** Lane of trajectory k of the block. */
  public int laneOfTrajectory(int k) {
    return laneOfTrajectory[k];
  }

  /** Steps of lane l. */
  public int length(int lane) {
    return length[lane];
  }

  /** Lengths by lane (the kernels' len array); a copy. */
  public int[] lengths() {
    return length.clone();
  }

  /** First stored step of each group (the kernels' groupStep array); a copy. */
  public long[] groupSteps() {
    return groupStep.clone();
  }

  /** Stored steps over all groups: a C-component array holds storedSteps·C·32 doubles. */
  public long storedSteps() {
    return storedSteps;
  }

  /** Doubles of a C-component grouped array. */
  public long storedDoubles(int components) {
    return storedSteps * components * GROUP;
  }

  /** First row of each lane's unpacked output (the unpack kernel's dstStep array); a copy. */
  public long[] dstSteps() {
    return dstStep.clone();
  }

  /** Sum of all lengths: the rows of an unpacked output. */
  public long totalSteps() {
    return totalSteps;
  }

  /** Index of component i of step t of lane l in a C-component grouped array. */
  public long index(int lane, long t, int components, int i) {
    return ((groupStep[lane / GROUP] + t) * components + i) * GROUP + lane % GROUP;
  }

  /** Fraction of stored lane-steps that are real (1 when all lanes of each group have equal length). */
  public double occupancy() {
    return storedSteps == 0 ? 1.0 : (double) totalSteps / (storedSteps * GROUP);
  }
}
