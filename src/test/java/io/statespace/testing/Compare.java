package io.statespace.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Assertions on the project's one comparison ({@link io.statespace.gpu.check.Compare}, shared with the GPU
 * harness), whose messages quote the figure and the worst entry, and a running maximum per named quantity so
 * that a test can print one summary line.
 */
public final class Compare {
  private Compare() {}

  /** {@link io.statespace.gpu.check.Compare#relative(double[], double[])}: ‖a − b‖∞ / ‖b‖∞. */
  public static double maxRelDiff(double[] a, double[] b) {
    return io.statespace.gpu.check.Compare.relative(a, b);
  }

  /** {@link io.statespace.gpu.check.Compare#relative(double, double)}: |a − b| / max(|b|, 1). */
  public static double relDiffScalar(double a, double b) {
    return io.statespace.gpu.check.Compare.relative(a, b);
  }

  /** Asserts maxRelDiff(actual, expected) <= tol; the message quotes the figure. Returns the figure. */
  public static double assertRelClose(String what, double[] actual, double[] expected, double tol) {
    assertNotNull(actual, what + ": actual is null");
    assertNotNull(expected, what + ": expected is null");
    assertEquals(expected.length, actual.length, what + ": lengths differ");
    double d = maxRelDiff(actual, expected);
    assertTrue(d <= tol, () -> String.format(Locale.ROOT, "%s: max relative difference %.3e > %.1e (at %s)",
        what, d, tol, worst(actual, expected)));
    return d;
  }

  /**
   * Asserts |actual_i − expected_i| ≤ tol · max(|expected_i|, scale_i) for every i
   * ({@link io.statespace.gpu.check.Compare#perElement(double[], double[], double[])}); the message quotes the
   * figure and the worst entry. Returns the figure.
   */
  public static double assertPerElementClose(String what, double[] actual, double[] expected, double[] scale,
      double tol) {
    assertNotNull(actual, what + ": actual is null");
    assertNotNull(expected, what + ": expected is null");
    assertEquals(expected.length, actual.length, what + ": lengths differ");
    double d = io.statespace.gpu.check.Compare.perElement(actual, expected, scale);
    if (!(d <= tol)) {
      int at = io.statespace.gpu.check.Compare.worstElement(actual, expected, scale);
      fail(String.format(Locale.ROOT, "%s: per-element relative difference %.3e > %.1e (index %d: actual %.17g,"
          + " expected %.17g, scale %.3g)", what, d, tol, at, actual[at], expected[at], scale[at]));
    }
    return d;
  }

  /** Scalar version of {@link #assertRelClose(String, double[], double[], double)}. */
  public static double assertRelClose(String what, double actual, double expected, double tol) {
    double d = relDiffScalar(actual, expected);
    if (!(d <= tol)) {
      fail(String.format(Locale.ROOT, "%s: relative difference %.3e > %.1e (actual %.17g, expected %.17g)",
          what, d, tol, actual, expected));
    }
    return d;
  }

  private static String worst(double[] a, double[] b) {
    int at = -1;
    double worst = -1.0;
    for (int i = 0; i < a.length; i++) {
      double d = Math.abs(a[i] - b[i]);
      if (Double.isNaN(d)) d = Double.POSITIVE_INFINITY;
      if (d > worst) {
        worst = d;
        at = i;
      }
    }
    return at < 0 ? "empty" : String.format(Locale.ROOT, "index %d: actual %.17g, expected %.17g", at, a[at], b[at]);
  }

  /** Running maxima of named figures (thread-safe), printed as one summary line. */
  public static final class Tally {
    private final Map<String, Double> max = new TreeMap<>();
    private final Map<String, Integer> count = new TreeMap<>();

    public synchronized void record(String quantity, double figure) {
      max.merge(quantity, figure, Math::max);
      count.merge(quantity, 1, Integer::sum);
    }

    public synchronized double max(String quantity) {
      return max.getOrDefault(quantity, Double.NaN);
    }

    public synchronized String summary(String title) {
      StringBuilder sb = new StringBuilder(title).append(':');
      for (Map.Entry<String, Double> e : max.entrySet()) {
        sb.append(String.format(Locale.ROOT, " %s=%.2e(n=%d)", e.getKey(), e.getValue(), count.get(e.getKey())));
      }
      return sb.toString();
    }
  }
}
