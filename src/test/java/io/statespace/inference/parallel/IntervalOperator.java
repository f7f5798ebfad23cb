package io.statespace.inference.parallel;

/**
 * An exact, non-commutative test operator: element k is the index interval [k, k]; combining adjacent
 * intervals in the right order joins them, anything else yields the absorbing "invalid" (-2, -2). A scan
 * that combines out of order, skips or repeats an element, or mishandles padding cannot produce
 * [0, k] (forward) or [k, count-1] (reverse).
 */
class IntervalOperator implements ScanOperator<Void> {
  static final double IDENTITY = -1.0;
  static final double INVALID = -2.0;

  @Override
  public int width() {
    return 2;
  }

  @Override
  public void identity(double[] buf, int off) {
    buf[off] = IDENTITY;
    buf[off + 1] = IDENTITY;
  }

  @Override
  public Void newWorkspace() {
    return null;
  }

  @Override
  public void combine(double[] a, int ao, double[] b, int bo, double[] out, int oo, Void workspace) {
    double lo;
    double hi;
    if (a[ao] == IDENTITY) {
      lo = b[bo];
      hi = b[bo + 1];
    } else if (b[bo] == IDENTITY) {
      lo = a[ao];
      hi = a[ao + 1];
    } else if (a[ao] >= 0 && b[bo] >= 0 && a[ao + 1] + 1 == b[bo]) {
      lo = a[ao];
      hi = b[bo + 1];
    } else {
      lo = INVALID;
      hi = INVALID;
    }
    out[oo] = lo;
    out[oo + 1] = hi;
  }

  /** Elements [k, k] for k in [0, count). */
  static double[] singletons(int count) {
    double[] out = new double[2 * count];
    for (int k = 0; k < count; k++) {
      out[2 * k] = k;
      out[2 * k + 1] = k;
    }
    return out;
  }
}
