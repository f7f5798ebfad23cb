package io.statespace.testing;

import io.statespace.gpu.check.Compare;
import io.statespace.inference.Posterior;
import java.util.Locale;
import java.util.Map;

/**
 * The project's one comparison ({@link Compare}, shared with the GPU harness) under the names the engine
 * tests use: relative differences ‖a − b‖∞ / ‖b‖∞ (b the reference) between arrays and posteriors.
 */
public final class Differences {
  private Differences() {}

  /** {@link Compare#relative(double[], int, double[], int, int)}: over a[ao, ao + len) against b[bo, bo + len). */
  public static double relative(double[] a, int ao, double[] b, int bo, int len) {
    return Compare.relative(a, ao, b, bo, len);
  }

  /** {@link Compare#relative(double[], double[])}. */
  public static double relative(double[] a, double[] b) {
    return Compare.relative(a, b);
  }

  /** {@link Compare#relative(double, double)}: |a − b| / max(|b|, 1). */
  public static double relative(double a, double b) {
    return Compare.relative(a, b);
  }

  /** {@link Compare#of}: per-array relative differences of {@code actual} against {@code expected}. */
  public static Map<String, Double> of(Posterior actual, Posterior expected) {
    return Compare.of(actual, expected);
  }

  public static double max(Map<String, Double> diffs) {
    return Compare.max(diffs);
  }

  public static String format(Map<String, Double> diffs) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Double> e : diffs.entrySet()) {
      sb.append(String.format(Locale.ROOT, " %s=%.1e", e.getKey(), e.getValue()));
    }
    return sb.toString();
  }
}
