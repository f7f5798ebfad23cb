package io.statespace.spark;

import java.io.Serializable;

/**
 * Where one segment of a long trajectory lies, and what its task needs besides its own rows
 * (docs/ARCHITECTURE.md §7.5): its place in the trajectory, the trajectory's time origin (so that its times
 * are the whole trajectory's relative seconds), the kept rows just before and after it (halo rows, for the
 * transitions across the cuts), and the trajectory's totals for the summary row its last segment writes.
 *
 * @param partition the partition of the range-partitioned rows that holds the segment
 * @param index the segment's place in its trajectory, from 0
 * @param count the trajectory's number of segments
 * @param start the segment's first step in the trajectory
 * @param length the segment's kept rows (rows sharing a time are quarantined, as in one task)
 * @param lead the kept row before the segment, or null for the first segment
 * @param trail the kept row after the segment, or null for the last segment
 * @param steps the trajectory's kept rows, for the summary
 */
record SegmentSpan(String key, int partition, int index, int count, long start, int length, TimeKey origin,
    Halo lead, Halo trail, long steps, long missingSteps, long missingValues) implements Serializable {

  /** A neighbouring segment's boundary row: its time and inputs (its observations are never used). */
  record Halo(TimeKey time, double[] inputs) implements Serializable {}

  /** The key of a segment: its partition and trajectory key. */
  static String id(int partition, String key) {
    return partition + "/" + key;
  }

  String id() {
    return id(partition, key);
  }

  boolean last() {
    return index == count - 1;
  }
}
