package io.statespace.gpu.check;

import io.statespace.inference.Posterior;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one measure of agreement between two results, b the reference: used by the GPU harness
 * ({@link GpuCheck}) and by the tests (whose {@code io.statespace.testing.Compare} adds assertions on top).
 * Two measures: the array-wide relative difference ‖a − b‖∞ / ‖b‖∞, and the per-element one
 * max_i |a_i − b_i| / max(|b_i|, s_i), where s_i is the scale of element i's component (its largest
 * magnitude over time, or √(P_ii P_jj) for a covariance entry), so that each entry is judged against its own
 * size and not against the array's largest one. Every measure is +∞ when a value is NaN or infinite, when
 * the lengths differ, or when a nonzero difference meets a zero scale; 0 when a and b are equal.
 */
public final class Compare {
  private Compare() {}

  /**
   * ‖a − b‖∞ / ‖b‖∞: the largest absolute difference over the largest magnitude of the reference b.
   */
  public static double relative(double[] a, double[] b) {
    if (a.length != b.length) return Double.POSITIVE_INFINITY;
    return relative(a, 0, b, 0, a.length);
  }

  /** {@link #relative(double[], double[])} over a[ao, ao + len) against b[bo, bo + len). */
  public static double relative(double[] a, int ao, double[] b, int bo, int len) {
    double diff = 0.0;
    double scale = 0.0;
    for (int i = 0; i < len; i++) {
      double x = a[ao + i];
      double y = b[bo + i];
      if (!Double.isFinite(x) || !Double.isFinite(y)) return Double.POSITIVE_INFINITY;
      diff = Math.max(diff, Math.abs(x - y));
      scale = Math.max(scale, Math.abs(y));
    }
    return ratio(diff, scale);
  }

  /** |a − b| / max(|b|, 1), for scalars such as a log-likelihood that may come close to 0. */
  public static double relative(double a, double b) {
    if (!Double.isFinite(a) || !Double.isFinite(b)) return Double.POSITIVE_INFINITY;
    return Math.abs(a - b) / Math.max(Math.abs(b), 1.0);
  }

  /**
   * max_i |a_i − b_i| / max(|b_i|, scale_i): so a ≈ b entry by entry within tol exactly when the result is
   * at most tol, i.e. |a_i − b_i| ≤ tol · max(|b_i|, scale_i) for every i. {@code scale} has b's length.
   */
  public static double perElement(double[] a, double[] b, double[] scale) {
    if (a.length != b.length || scale.length != b.length) return Double.POSITIVE_INFINITY;
    double worst = 0.0;
    for (int i = 0; i < a.length; i++) {
      if (!Double.isFinite(a[i]) || !Double.isFinite(b[i])) return Double.POSITIVE_INFINITY;
      worst = Math.max(worst, ratio(Math.abs(a[i] - b[i]), Math.max(Math.abs(b[i]), Math.abs(scale[i]))));
    }
    return worst;
  }

  /** Index of the element {@link #perElement} judges worst (the first on ties; a non-finite one); -1 when empty. */
  public static int worstElement(double[] a, double[] b, double[] scale) {
    int at = -1;
    double worst = -1.0;
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      double d = !Double.isFinite(a[i]) || !Double.isFinite(b[i]) ? Double.POSITIVE_INFINITY
          : ratio(Math.abs(a[i] - b[i]), Math.max(Math.abs(b[i]), Math.abs(scale[i])));
      if (d > worst) {
        worst = d;
        at = i;
      }
    }
    return at;
  }

  /**
   * The scale of each element of a sequence of records of {@code width} components (e.g. T×n means): the
   * largest magnitude of the element's component over all records, repeated for every record.
   */
  public static double[] componentScale(double[] b, int width) {
    if (width < 1 || b.length % width != 0) {
      throw new IllegalArgumentException("length " + b.length + " is not a multiple of the width " + width);
    }
    double[] max = new double[width];
    for (int i = 0; i < b.length; i++) max[i % width] = Math.max(max[i % width], Math.abs(b[i]));
    double[] out = new double[b.length];
    for (int i = 0; i < b.length; i++) out[i] = max[i % width];
    return out;
  }

  /**
   * The scale of the entries of {@code count} n×n covariance-like matrices: √(d_i d_j) for entry (i, j),
   * where d_i = max_t |P_t,ii| over the matrices {@code diagonalSource} holds (n×n each; the matrices
   * themselves, or, for cross-covariances, the smoothed covariances). By Cauchy–Schwarz it bounds every
   * entry, so an off-diagonal entry that passes through zero is judged against its variables' spread.
   */
  public static double[] covarianceScale(double[] diagonalSource, int n, int count) {
    if (n < 1 || diagonalSource.length % (n * n) != 0) {
      throw new IllegalArgumentException("length " + diagonalSource.length + " is not a multiple of " + n + "×" + n);
    }
    double[] d = new double[n];
    for (int o = 0; o < diagonalSource.length; o += n * n) {
      for (int i = 0; i < n; i++) d[i] = Math.max(d[i], Math.abs(diagonalSource[o + i * n + i]));
    }
    double[] one = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) one[i * n + j] = Math.sqrt(d[i] * d[j]);
    }
    double[] out = new double[count * n * n];
    for (int t = 0; t < count; t++) System.arraycopy(one, 0, out, t * n * n, n * n);
    return out;
  }

  /** {@link #relative} of the log-likelihood and of every array the two posteriors hold, by name. */
  public static Map<String, Double> of(Posterior actual, Posterior expected) {
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("loglik", relative(actual.logLikelihood(), expected.logLikelihood()));
    for (String key : ARRAYS) {
      double[] a = array(actual, key);
      double[] b = array(expected, key);
      if (a == null && b == null) continue;
      out.put(key, a == null || b == null ? Double.POSITIVE_INFINITY : relative(a, b));
    }
    return out;
  }

  /**
   * {@link #perElement} of every array the two posteriors hold, by name (the log-likelihood as in
   * {@link #of}): means against {@link #componentScale} of the reference, covariances against
   * {@link #covarianceScale} of the reference itself, cross-covariances against that of the reference's
   * smoothed covariances.
   */
  public static Map<String, Double> perElement(Posterior actual, Posterior expected) {
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("loglik", relative(actual.logLikelihood(), expected.logLikelihood()));
    int n = expected.stateDim();
    for (String key : ARRAYS) {
      double[] a = array(actual, key);
      double[] b = array(expected, key);
      if (a == null && b == null) continue;
      if (a == null || b == null || actual.stateDim() != n) {
        out.put(key, Double.POSITIVE_INFINITY);
        continue;
      }
      out.put(key, perElement(a, b, scaleOf(expected, key, b, n)));
    }
    return out;
  }

  private static double[] scaleOf(Posterior expected, String key, double[] b, int n) {
    if (key.endsWith("Mean")) return componentScale(b, n);
    int count = b.length / (n * n);
    if (key.equals("cross")) {
      double[] source = expected.smoothedCovariances() != null ? expected.smoothedCovariances() : b;
      return covarianceScale(source, n, count);
    }
    return covarianceScale(b, n, count);
  }

  private static final String[] ARRAYS = {"filtMean", "filtCov", "predMean", "predCov", "smMean", "smCov", "cross"};

  private static double[] array(Posterior p, String key) {
    return switch (key) {
      case "filtMean" -> p.filteredMeans();
      case "filtCov" -> p.filteredCovariances();
      case "predMean" -> p.predictedMeans();
      case "predCov" -> p.predictedCovariances();
      case "smMean" -> p.smoothedMeans();
      case "smCov" -> p.smoothedCovariances();
      case "cross" -> p.smoothedCrossCovariances();
      default -> throw new IllegalArgumentException(key);
    };
  }

  /** The largest figure of a map from {@link #of} or {@link #perElement}. */
  public static double max(Map<String, Double> diffs) {
    double m = 0.0;
    for (double v : diffs.values()) m = Math.max(m, v);
    return m;
  }

  /** True when every array and the log-likelihood are bit-for-bit equal. */
  public static boolean identical(Posterior a, Posterior b) {
    if (Double.compare(a.logLikelihood(), b.logLikelihood()) != 0) return false;
    for (String key : ARRAYS) {
      if (!Arrays.equals(array(a, key), array(b, key))) return false;
    }
    return true;
  }

  /** diff / scale, 0 when diff is 0, +∞ for a nonzero diff over a zero scale. */
  private static double ratio(double diff, double scale) {
    if (diff == 0.0) return 0.0;
    return scale == 0.0 ? Double.POSITIVE_INFINITY : diff / scale;
  }
}
