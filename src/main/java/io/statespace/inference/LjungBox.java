package io.statespace.inference;

import org.apache.commons.math3.special.Gamma;

/**
 * The Ljung-Box portmanteau test of one series, as statsmodels' {@code acorr_ljungbox(x, lags=None)} reports it at
 * its last (largest) lag: lag L = min(10, N / 5) (integer division) for N values, autocorrelations of the demeaned
 * series normalised by N (statsmodels' {@code acf(x, fft=False)}), Q = N (N + 2) Σ_{k=1..L} r_k² / (N − k), and the
 * p-value P(χ²_L &gt; Q). A series too short for one lag (N &lt; 5), or with no variation, has no test.
 */
public final class LjungBox {
  /** The largest lag ever used, statsmodels' default cap for a non-seasonal series. */
  public static final int MAX_LAG = 10;
  /** Values per lag: L = N / 5. */
  public static final int VALUES_PER_LAG = 5;

  private LjungBox() {}

  /** One test: the statistic Q, its p-value and the lag L. */
  public record Result(double statistic, double pValue, int lag) {}

  /** True when every value equals the first (its autocorrelations are then 0/0, whatever rounding leaves). */
  private static boolean constant(double[] x, int count) {
    for (int t = 1; t < count; t++) if (x[t] != x[0]) return false;
    return true;
  }

  /** The lag used for a series of {@code count} values (0 when too short). */
  public static int lag(int count) {
    return Math.min(MAX_LAG, count / VALUES_PER_LAG);
  }

  /**
   * The test of the first {@code count} values of {@code x}, or null when the series is too short or constant.
   */
  public static Result test(double[] x, int count) {
    int lag = lag(count);
    if (lag < 1 || constant(x, count)) return null;
    double mean = 0.0;
    for (int t = 0; t < count; t++) mean += x[t];
    mean /= count;
    double c0 = 0.0;
    for (int t = 0; t < count; t++) c0 += (x[t] - mean) * (x[t] - mean);
    if (!(c0 > 0.0)) return null;
    double sum = 0.0;
    for (int k = 1; k <= lag; k++) {
      double ck = 0.0;
      for (int t = k; t < count; t++) ck += (x[t] - mean) * (x[t - k] - mean);
      double r = ck / c0;
      sum += r * r / (count - k);
    }
    double q = (double) count * (count + 2.0) * sum;
    return new Result(q, Gamma.regularizedGammaQ(lag / 2.0, q / 2.0), lag);
  }
}
