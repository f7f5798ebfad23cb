package io.statespace.plot;

import java.util.List;

/**
 * The sample autocorrelation of standardised innovations at lags 0..L, over one trajectory or pooled over
 * several: the mean and the sum of squares are taken over every observed value, the lag-k products only
 * between two observed values of the same trajectory k steps apart (a missing value, NaN, is skipped, never
 * filled), and every lag is divided by the lag-0 sum (statsmodels' {@code acf(x, missing="conservative")} for
 * one trajectory). The band ±1.96/√n, n the observed values, is the 95% range of a white-noise ACF.
 */
public record Correlogram(double[] acf, int observed) {

  /**
   * @param series one array per trajectory, in time order, NaN where the component is missing
   * @param lags the largest lag L (≥ 1)
   * @throws IllegalArgumentException when there are fewer than L + 1 observed values or they are all equal
   */
  public static Correlogram of(List<double[]> series, int lags) {
    if (lags < 1) throw new IllegalArgumentException("lags must be at least 1, got " + lags);
    double sum = 0.0;
    int n = 0;
    for (double[] s : series) {
      for (double v : s) {
        if (!Double.isNaN(v)) {
          sum += v;
          n++;
        }
      }
    }
    if (n <= lags) {
      throw new IllegalArgumentException(n + " observed values, too few for a correlogram of " + lags + " lags");
    }
    double mean = sum / n;
    double[] products = new double[lags + 1];
    for (double[] s : series) {
      for (int k = 0; k <= lags; k++) {
        double total = 0.0;
        for (int t = 0; t + k < s.length; t++) {
          double a = s[t];
          double b = s[t + k];
          if (!Double.isNaN(a) && !Double.isNaN(b)) total += (a - mean) * (b - mean);
        }
        products[k] += total;
      }
    }
    if (!(products[0] > 0.0)) throw new IllegalArgumentException("all " + n + " observed values are equal: no correlogram");
    double[] acf = new double[lags + 1];
    for (int k = 0; k <= lags; k++) acf[k] = products[k] / products[0];
    return new Correlogram(acf, n);
  }

  /** Half-width of the white-noise band, 1.96/√n. */
  public double band() {
    return 1.96 / Math.sqrt(observed);
  }
}
