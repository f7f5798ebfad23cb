package io.statespace.testing;

import io.statespace.inference.Posterior;
import java.util.LinkedHashMap;
import java.util.Map;

/** Relative differences ‖a − b‖∞ / ‖b‖∞ (b the reference) between arrays and between posteriors. */
public final class Differences {
  private Differences() {}

  /** ‖a − b‖∞ / ‖b‖∞ over [off, off + len), or the absolute difference when b is zero there. */
  public static double relative(double[] a, int ao, double[] b, int bo, int len) {
    double diff = 0.0;
    double norm = 0.0;
    for (int i = 0; i < len; i++) {
      double d = Math.abs(a[ao + i] - b[bo + i]);
      if (Double.isNaN(d)) return Double.POSITIVE_INFINITY;
      diff = Math.max(diff, d);
      norm = Math.max(norm, Math.abs(b[bo + i]));
    }
    return norm == 0.0 ? diff : diff / norm;
  }

  public static double relative(double[] a, double[] b) {
    if (a.length != b.length) throw new AssertionError("lengths " + a.length + " and " + b.length);
    return relative(a, 0, b, 0, a.length);
  }

  public static double relative(double a, double b) {
    double d = Math.abs(a - b);
    if (Double.isNaN(d)) return Double.POSITIVE_INFINITY;
    return b == 0.0 ? d : d / Math.abs(b);
  }

  /**
   * Per-array relative differences of {@code actual} against {@code expected}; arrays null in both are
   * skipped, an array null in only one of them counts as an infinite difference.
   */
  public static Map<String, Double> of(Posterior actual, Posterior expected) {
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("loglik", relative(actual.logLikelihood(), expected.logLikelihood()));
    put(out, "filtMean", actual.filteredMeans(), expected.filteredMeans());
    put(out, "filtCov", actual.filteredCovariances(), expected.filteredCovariances());
    put(out, "predMean", actual.predictedMeans(), expected.predictedMeans());
    put(out, "predCov", actual.predictedCovariances(), expected.predictedCovariances());
    put(out, "smMean", actual.smoothedMeans(), expected.smoothedMeans());
    put(out, "smCov", actual.smoothedCovariances(), expected.smoothedCovariances());
    put(out, "cross", actual.smoothedCrossCovariances(), expected.smoothedCrossCovariances());
    return out;
  }

  private static void put(Map<String, Double> out, String key, double[] a, double[] b) {
    if (a == null && b == null) return;
    out.put(key, a == null || b == null ? Double.POSITIVE_INFINITY : relative(a, b));
  }

  public static double max(Map<String, Double> diffs) {
    double m = 0.0;
    for (double v : diffs.values()) m = Math.max(m, v);
    return m;
  }

  public static String format(Map<String, Double> diffs) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Double> e : diffs.entrySet()) {
      sb.append(String.format(" %s=%.1e", e.getKey(), e.getValue()));
    }
    return sb.toString();
  }
}
