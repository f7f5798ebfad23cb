package io.statespace.plot;

/**
 * A Gaussian kernel density estimate with Scott's bandwidth h = s · n^(-1/5), s the sample standard deviation
 * (scipy's {@code gaussian_kde} in one dimension): a smooth view of the innovations' distribution next to the
 * N(0, 1) density.
 */
public final class GaussianKde {
  private final double[] values;
  private final double bandwidth;

  private GaussianKde(double[] values, double bandwidth) {
    this.values = values;
    this.bandwidth = bandwidth;
  }

  /**
   * @param values the observed values (no NaN)
   * @return the estimate, or null when there are fewer than two values or they are all equal (no bandwidth)
   */
  public static GaussianKde of(double[] values) {
    int n = values.length;
    if (n < 2) return null;
    double mean = 0.0;
    for (double v : values) mean += v;
    mean /= n;
    double ss = 0.0;
    for (double v : values) ss += (v - mean) * (v - mean);
    double sd = Math.sqrt(ss / (n - 1));
    if (!(sd > 0.0)) return null;
    return new GaussianKde(values.clone(), sd * Math.pow(n, -0.2));
  }

  public double density(double x) {
    double total = 0.0;
    for (double v : values) {
      double z = (x - v) / bandwidth;
      total += Math.exp(-0.5 * z * z);
    }
    return total / (values.length * bandwidth * Math.sqrt(2.0 * Math.PI));
  }

  /** The standard normal density φ(x). */
  public static double standardNormal(double x) {
    return Math.exp(-0.5 * x * x) / Math.sqrt(2.0 * Math.PI);
  }
}
