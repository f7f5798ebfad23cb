package io.statespace.inference.parallel;

/**
 * An associative binary operator on fixed-width elements stored in flat arrays: the ⊗ of Särkkä &amp;
 * García-Fernández (2021), section III. Element k of an array lives at offset k × {@link #width()}. The
 * scans ({@link AssociativeScan}) only ever call {@link #combine} with the earlier element first, so the
 * operator need not commute.
 *
 * @param <W> scratch space for one worker; the scans create one per worker so that combining allocates
 *     nothing
 */
public interface ScanOperator<W> {
  /** Number of doubles per element. */
  int width();

  /** Writes the identity element e (e ⊗ a = a = a ⊗ e) at {@code off}. */
  void identity(double[] buf, int off);

  /** Fresh scratch space for one worker. */
  W newWorkspace();

  /**
   * out = a ⊗ b, where a is the earlier element. {@code out} may be the same storage as {@code a} or
   * {@code b}.
   */
  void combine(double[] a, int ao, double[] b, int bo, double[] out, int oo, W workspace);
}
