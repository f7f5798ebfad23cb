package io.statespace.plot;

/**
 * A histogram scaled as a density (each bin's count / (n · width), so that its area is 1 and a density can be
 * drawn over it): {@code bins} equal bins from the smallest to the largest value, the last bin closed on
 * both sides (numpy's {@code histogram(x, bins, density=True)}, what matplotlib draws).
 */
public record DensityHistogram(double[] edges, double[] density) {

  /** @param values the observed values (no NaN, at least one) */
  public static DensityHistogram of(double[] values, int bins) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double v : values) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    if (lo == hi) {
      lo -= 0.5;
      hi += 0.5;
    }
    double[] edges = new double[bins + 1];
    for (int b = 0; b <= bins; b++) edges[b] = lo + (hi - lo) * b / bins;
    long[] counts = new long[bins];
    for (double v : values) {
      int b = (int) ((v - lo) / (hi - lo) * bins);
      b = Math.min(bins - 1, Math.max(0, b));
      if (b < bins - 1 && v >= edges[b + 1]) b++;
      else if (b > 0 && v < edges[b]) b--;
      counts[b]++;
    }
    double[] density = new double[bins];
    for (int b = 0; b < bins; b++) density[b] = counts[b] / (values.length * (edges[b + 1] - edges[b]));
    return new DensityHistogram(edges, density);
  }
}
