package io.statespace.gpu;

import io.statespace.inference.Posterior;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Relative differences ‖a − b‖∞ / ‖b‖∞ between posteriors (b the reference), per array: the measure of
 * agreement between the GPU paths and the CPU float64 engine, used by {@link GpuCheck} and the tests.
 * A NaN anywhere, or an array present in only one of the two, counts as an infinite difference.
 */
final class Compare {
  private Compare() {}

  static double relative(double[] a, double[] b) {
    if (a.length != b.length) return Double.POSITIVE_INFINITY;
    double diff = 0.0;
    double norm = 0.0;
    for (int i = 0; i < a.length; i++) {
      double d = Math.abs(a[i] - b[i]);
      if (Double.isNaN(d)) return Double.POSITIVE_INFINITY;
      diff = Math.max(diff, d);
      norm = Math.max(norm, Math.abs(b[i]));
    }
    return norm == 0.0 ? diff : diff / norm;
  }

  static double relative(double a, double b) {
    double d = Math.abs(a - b);
    if (Double.isNaN(d)) return Double.POSITIVE_INFINITY;
    return b == 0.0 ? d : d / Math.abs(b);
  }

  static Map<String, Double> of(Posterior actual, Posterior expected) {
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

  static double max(Map<String, Double> diffs) {
    double m = 0.0;
    for (double v : diffs.values()) m = Math.max(m, v);
    return m;
  }

  /** True when every array and the log-likelihood are bit-for-bit equal. */
  static boolean identical(Posterior a, Posterior b) {
    return Double.compare(a.logLikelihood(), b.logLikelihood()) == 0
        && java.util.Arrays.equals(a.filteredMeans(), b.filteredMeans())
        && java.util.Arrays.equals(a.filteredCovariances(), b.filteredCovariances())
        && java.util.Arrays.equals(a.predictedMeans(), b.predictedMeans())
        && java.util.Arrays.equals(a.predictedCovariances(), b.predictedCovariances())
        && java.util.Arrays.equals(a.smoothedMeans(), b.smoothedMeans())
        && java.util.Arrays.equals(a.smoothedCovariances(), b.smoothedCovariances())
        && java.util.Arrays.equals(a.smoothedCrossCovariances(), b.smoothedCrossCovariances());
  }
}
