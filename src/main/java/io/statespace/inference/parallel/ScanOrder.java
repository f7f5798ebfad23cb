package io.statespace.inference.parallel;

/**
 * Maps scan positions to element indices for one direction, so that each scan algorithm is written once:
 * position i is element i going forward and element count-1-i in reverse, and "the earlier position first"
 * becomes "the later element first" for the operator in reverse.
 */
final class ScanOrder {
  private final boolean reverse;
  private final int count;

  ScanOrder(boolean reverse, int count) {
    this.reverse = reverse;
    this.count = count;
  }

  /** The element index at scan position i. */
  int element(int i) {
    return reverse ? count - 1 - i : i;
  }

  /** out = first ⊕ second, where first precedes second in scan order. */
  <W> void combine(ScanOperator<W> op, double[] first, int fo, double[] second, int so,
      double[] out, int oo, W workspace) {
    if (reverse) {
      op.combine(second, so, first, fo, out, oo, workspace);
    } else {
      op.combine(first, fo, second, so, out, oo, workspace);
    }
  }
}
