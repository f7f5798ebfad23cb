package io.statespace.inference.batched;

/**
 * A rows×cols model matrix (F_t, Q_t, H_t, R_t, a bias as one column, ...) over the lanes of a tile, row-major
 * by entry. Each entry is either per lane ({@link #lanes}[e] is an array indexed by lane) or shared by all
 * lanes ({@link #lanes}[e] is null and the value is {@link #shared}[e]). A shared zero is a structural zero
 * that the kernels skip, so the sparsity of a family (the constant-velocity F has 8 of 16 entries nonzero,
 * its H selects positions) costs nothing. Several entries may share one lane array (all axes of the
 * constant-velocity F read the same dt).
 */
final class LaneMatrix {
  final int rows;
  final int cols;
  final double[][] lanes;
  final double[] shared;

  private LaneMatrix(int rows, int cols) {
    this.rows = rows;
    this.cols = cols;
    this.lanes = new double[rows * cols][];
    this.shared = new double[rows * cols];
  }

  /** Every entry shared, with these row-major values. */
  static LaneMatrix shared(int rows, int cols, double[] values) {
    LaneMatrix a = new LaneMatrix(rows, cols);
    System.arraycopy(values, 0, a.shared, 0, rows * cols);
    return a;
  }

  /** Every entry per lane, with fresh arrays of {@code width} lanes. */
  static LaneMatrix perLane(int rows, int cols, int width) {
    LaneMatrix a = new LaneMatrix(rows, cols);
    for (int e = 0; e < rows * cols; e++) a.lanes[e] = new double[width];
    return a;
  }

  /** True when entry e is neither per lane nor a nonzero shared value. */
  boolean isZero(int e) {
    return lanes[e] == null && shared[e] == 0.0;
  }
}
