package io.statespace.plot;

import java.util.Arrays;
import org.apache.commons.math3.special.Erf;

/**
 * The points of a normal Q-Q plot: the sorted values against the standard normal quantiles
 * Φ⁻¹(i / (n + 1)), i = 1..n (statsmodels' {@code ProbPlot} plotting positions with a = 0), so that
 * standardised innovations from a correct model lie on the 45° line.
 */
public record NormalQuantiles(double[] theoretical, double[] sample) {

  /** @param values the observed values (no NaN), in any order */
  public static NormalQuantiles of(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    double[] q = new double[n];
    for (int i = 0; i < n; i++) q[i] = standardNormalQuantile((i + 1.0) / (n + 1.0));
    return new NormalQuantiles(q, sorted);
  }

  /** Φ⁻¹(p) for 0 < p < 1. */
  static double standardNormalQuantile(double p) {
    return Math.sqrt(2.0) * Erf.erfInv(2.0 * p - 1.0);
  }
}
