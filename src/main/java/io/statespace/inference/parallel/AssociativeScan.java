package io.statespace.inference.parallel;

/**
 * Inclusive prefix scans with an associative {@link ScanOperator}, in place over {@code count} elements
 * stored contiguously (element k at k × width). Implementations differ only in the order of evaluation, so
 * they agree up to rounding (Särkkä &amp; García-Fernández 2021, section III; Blelloch 1990).
 */
public interface AssociativeScan {
  /** Element k becomes a_0 ⊗ a_1 ⊗ … ⊗ a_k (the filtering scan). */
  <W> void forward(ScanOperator<W> op, double[] elements, int count);

  /** Element k becomes a_k ⊗ a_{k+1} ⊗ … ⊗ a_{count-1} (the smoothing scan). */
  <W> void reverse(ScanOperator<W> op, double[] elements, int count);

  /** The workers the scan runs on; engines use them for their element-wise passes too. */
  WorkerPool pool();
}
