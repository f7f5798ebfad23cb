package io.statespace.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.inference.Posterior;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Per-element comparison of one engine's trajectory-shaped arrays with a reference's:
 * |a_i − b_i| ≤ tol · max(|b_i|, s_c(i)), where c(i) is the component of element i (the position of i
 * within its step's record: a state coordinate, or an entry (j, k) of a covariance matrix) and s_c is
 * that component's scale within this trajectory, the root mean square of the reference's values of that
 * component over the trajectory's steps.
 *
 * <p>Why not ‖a − b‖∞ / ‖b‖∞: one large component (a position in the thousands, one 10^5-step trajectory
 * in a block) sets the scale for all the others, so a 1e-3 relative error in a velocity or a short
 * trajectory passes. Why a floor at all: an element that crosses zero (a velocity changing sign, a
 * covariance between two axes that is 0 at the prior) has no relative error worth the name, and every
 * algorithm that computes it from quantities of the component's typical size rounds it at that size. Why
 * this floor is not a loophole: it is the typical magnitude of the SAME component in the SAME trajectory
 * (a velocity is held to velocities, never to positions; one trajectory never to another), so an error
 * that is large for that component still fails. For covariance entries the floor is also
 * √(s_jj · s_kk), the Cauchy–Schwarz bound |P_jk| ≤ √(P_jj P_kk) at typical size: an entry that is
 * exactly 0 in the reference (independent axes) is held to the rounding of the variances it is computed
 * from, not to 0.
 */
public final class ElementwiseComparison {
  private ElementwiseComparison() {}

  /** The worst element: its index, the figure |a − b| / max(|b|, scale) and the values involved. */
  public record Worst(double ratio, int index, double actual, double expected, double scale) {
    static final Worst NONE = new Worst(0.0, -1, 0.0, 0.0, 0.0);

    @Override
    public String toString() {
      return index < 0 ? String.format(Locale.ROOT, "%.2e", ratio)
          : String.format(Locale.ROOT, "%.2e at element %d (actual %.17g, expected %.17g, component scale %.3g)",
              ratio, index, actual, expected, scale);
    }
  }

  /** The root mean square over the steps of each of the {@code width} components of a step-major array. */
  public static double[] rmsScales(double[] reference, int width) {
    double[] sums = new double[width];
    int steps = reference.length / width;
    for (int i = 0; i < steps * width; i++) sums[i % width] += reference[i] * reference[i];
    for (int c = 0; c < width; c++) sums[c] = steps == 0 ? 0.0 : Math.sqrt(sums[c] / steps);
    return sums;
  }

  /**
   * Scales for a step-major array of n×n matrices whose diagonal scales are {@code diagonalOf}'s (the
   * covariances themselves, or for lag-one cross-covariances the smoothed covariances): entry (j, k) gets
   * max(its own RMS, √(s_jj · s_kk)).
   */
  public static double[] matrixScales(double[] reference, double[] diagonalOf, int n) {
    double[] own = rmsScales(reference, n * n);
    double[] diag = rmsScales(diagonalOf, n * n);
    double[] out = new double[n * n];
    for (int j = 0; j < n; j++) {
      for (int k = 0; k < n; k++) out[j * n + k] = Math.max(own[j * n + k], Math.sqrt(diag[j * n + j] * diag[k * n + k]));
    }
    return out;
  }

  /**
   * The worst element of {@code actual} against {@code expected}, element i held to scale
   * {@code scales[i % scales.length]}. A NaN or infinity anywhere, or a length mismatch, is infinitely bad.
   */
  public static Worst worst(double[] actual, double[] expected, double[] scales) {
    if (actual.length != expected.length) return new Worst(Double.POSITIVE_INFINITY, -1, actual.length, expected.length, 0);
    Worst worst = Worst.NONE;
    for (int i = 0; i < actual.length; i++) {
      double scale = scales[i % scales.length];
      double diff = Math.abs(actual[i] - expected[i]);
      double ratio;
      if (!Double.isFinite(actual[i]) || !Double.isFinite(expected[i])) ratio = Double.POSITIVE_INFINITY;
      else if (diff == 0.0) ratio = 0.0;
      else {
        double denominator = Math.max(Math.abs(expected[i]), scale);
        ratio = denominator == 0.0 ? Double.POSITIVE_INFINITY : diff / denominator;
      }
      if (ratio > worst.ratio()) {
        worst = new Worst(ratio, i, actual[i], expected[i], scale);
      }
    }
    return worst;
  }

  /** Asserts every element within tol; the message names the worst. Returns the worst figure. */
  public static double assertClose(String what, double[] actual, double[] expected, double[] scales, double tol) {
    assertEquals(expected.length, actual.length, what + ": lengths differ");
    Worst w = worst(actual, expected, scales);
    assertTrue(w.ratio() <= tol, () -> what + ": " + w + " > " + tol);
    return w.ratio();
  }

  /**
   * The worst element of every array of two posteriors of one trajectory (keys as in
   * {@link Differences#of}), each component scaled within the reference posterior; the log-likelihood
   * relative to max(|ℓ|, 1). An array present in only one of them is infinitely bad.
   */
  public static Map<String, Worst> of(Posterior actual, Posterior expected) {
    int n = expected.stateDim();
    Map<String, Worst> out = new LinkedHashMap<>();
    double l = Math.abs(actual.logLikelihood() - expected.logLikelihood());
    out.put("loglik", new Worst(Double.isNaN(l) ? Double.POSITIVE_INFINITY : l / Math.max(Math.abs(expected.logLikelihood()), 1.0),
        -1, actual.logLikelihood(), expected.logLikelihood(), 1.0));
    means(out, "filtMean", actual.filteredMeans(), expected.filteredMeans(), n);
    covs(out, "filtCov", actual.filteredCovariances(), expected.filteredCovariances(), expected.filteredCovariances(), n);
    means(out, "predMean", actual.predictedMeans(), expected.predictedMeans(), n);
    covs(out, "predCov", actual.predictedCovariances(), expected.predictedCovariances(), expected.predictedCovariances(), n);
    means(out, "smMean", actual.smoothedMeans(), expected.smoothedMeans(), n);
    covs(out, "smCov", actual.smoothedCovariances(), expected.smoothedCovariances(), expected.smoothedCovariances(), n);
    covs(out, "cross", actual.smoothedCrossCovariances(), expected.smoothedCrossCovariances(),
        expected.smoothedCovariances(), n);
    return out;
  }

  /** Asserts every array of {@link #of} within tol; the message lists every array's worst element. */
  public static double assertClose(String label, Posterior actual, Posterior expected, double tol) {
    Map<String, Worst> d = of(actual, expected);
    double max = 0.0;
    for (Worst w : d.values()) max = Math.max(max, w.ratio());
    double figure = max;
    assertTrue(figure <= tol, () -> label + ": worst " + String.format(Locale.ROOT, "%.2e", figure) + " > " + tol + " " + d);
    return figure;
  }

  private static void means(Map<String, Worst> out, String key, double[] a, double[] b, int n) {
    if (a == null && b == null) return;
    if (a == null || b == null) {
      out.put(key, new Worst(Double.POSITIVE_INFINITY, -1, 0, 0, 0));
      return;
    }
    out.put(key, worst(a, b, rmsScales(b, n)));
  }

  private static void covs(Map<String, Worst> out, String key, double[] a, double[] b, double[] diagonalOf, int n) {
    if (a == null && b == null) return;
    if (a == null || b == null) {
      out.put(key, new Worst(Double.POSITIVE_INFINITY, -1, 0, 0, 0));
      return;
    }
    out.put(key, worst(a, b, matrixScales(b, diagonalOf == null ? b : diagonalOf, n)));
  }
}
