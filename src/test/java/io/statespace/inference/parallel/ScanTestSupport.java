package io.statespace.inference.parallel;

/** Reference scans by plain folds, one combine after another. */
final class ScanTestSupport {
  private ScanTestSupport() {}

  /** out[k] = (…((a_0 ⊗ a_1) ⊗ a_2) … ) ⊗ a_k. */
  static <W> double[] leftFold(ScanOperator<W> op, double[] elements, int count) {
    int w = op.width();
    W ws = op.newWorkspace();
    double[] out = elements.clone();
    for (int k = 1; k < count; k++) op.combine(out, (k - 1) * w, elements, k * w, out, k * w, ws);
    return out;
  }

  /** out[k] = a_k ⊗ (a_{k+1} ⊗ ( … ⊗ a_{count-1})). */
  static <W> double[] rightFold(ScanOperator<W> op, double[] elements, int count) {
    int w = op.width();
    W ws = op.newWorkspace();
    double[] out = elements.clone();
    for (int k = count - 2; k >= 0; k--) op.combine(elements, k * w, out, (k + 1) * w, out, k * w, ws);
    return out;
  }
}
