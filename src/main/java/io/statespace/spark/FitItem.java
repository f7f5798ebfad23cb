package io.statespace.spark;

import java.io.Serializable;

/**
 * What the fit job's assembly stage emits and caches: a block of trajectories, or one quarantined row
 * (as text, the layout of quarantine/). One cached pass feeds both the fit and the quarantine output.
 */
final class FitItem implements Serializable {
  private static final long serialVersionUID = 1L;

  final TrajectoryBlock block;
  final String[] rejected;

  private FitItem(TrajectoryBlock block, String[] rejected) {
    this.block = block;
    this.rejected = rejected;
  }

  static FitItem of(TrajectoryBlock block) {
    return new FitItem(block, null);
  }

  /** A quarantine row: id, time, reason_code, reason, row. */
  static FitItem rejected(Object id, Object time, RejectReason reason, String message, String raw) {
    return new FitItem(null, new String[] {CellText.of(id), CellText.of(time), reason.code(), message, raw});
  }

  boolean isBlock() {
    return block != null;
  }
}
