package io.statespace.inference.parallel;

import io.statespace.data.Trajectory;
import java.io.Serializable;
import java.util.Arrays;

/**
 * One segment of a long trajectory as one task sees it (docs/ARCHITECTURE.md §7.5): the segment's rows
 * [start, end) of the whole trajectory plus a one-row halo on each side that exists in the whole trajectory,
 * so that the window's bound model gives the transitions into and out of the segment exactly as the whole
 * trajectory's does (F_{start−1} needs the time and input of row start−1; F_{end−1} the time of row end).
 * Times are the whole trajectory's relative seconds, unchanged, so every dt is the same double. Only the
 * times and inputs of the halo rows are used, never their observations.
 *
 * @param window the halo rows and the segment's rows, in time order
 * @param lead 1 when a row precedes the segment (the segment does not start the trajectory), else 0
 * @param length the segment's number of steps, at least 1
 * @param start the segment's first step within the whole trajectory (for messages)
 */
public record SegmentWindow(Trajectory window, int lead, int length, long start) implements Serializable {
  public SegmentWindow {
    if (lead != 0 && lead != 1) throw new IllegalArgumentException("lead must be 0 or 1, not " + lead);
    if (length < 1) throw new IllegalArgumentException("a segment has at least one step, not " + length);
    int trail = window.length() - lead - length;
    if (trail != 0 && trail != 1) {
      throw new IllegalArgumentException("window of " + window.length() + " rows for a segment of " + length
          + " steps with lead " + lead);
    }
  }

  /** True when the segment starts the trajectory: its first element carries the prior. */
  public boolean first() {
    return lead == 0;
  }

  /** True when the segment ends the trajectory: no row follows it. */
  public boolean last() {
    return window.length() == lead + length;
  }

  /** Segment [start, end) of {@code whole} with its halo rows (copies of the arrays' ranges). */
  public static SegmentWindow of(Trajectory whole, int start, int end) {
    int from = Math.max(0, start - 1);
    int to = Math.min(whole.length(), end + 1);
    int m = whole.obsDim();
    int p = whole.inputDim();
    Trajectory window = new Trajectory(whole.id(), Arrays.copyOfRange(whole.times(), from, to),
        Arrays.copyOfRange(whole.observations(), from * m, to * m), m,
        p == 0 ? null : Arrays.copyOfRange(whole.inputs(), from * p, to * p), p);
    return new SegmentWindow(window, start - from, end - start, start);
  }
}
