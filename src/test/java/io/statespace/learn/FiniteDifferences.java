package io.statespace.learn;

import java.util.function.ToDoubleFunction;

/** Central finite differences with one Richardson extrapolation step (error O(h⁴) plus rounding ε|f|/h). */
final class FiniteDifferences {
  private FiniteDifferences() {}

  /** The gradient of f at θ with steps h_i = relative · max(1, |θ_i|). */
  static double[] gradient(ToDoubleFunction<double[]> f, double[] theta, double relative) {
    double[] g = new double[theta.length];
    for (int i = 0; i < theta.length; i++) {
      double h = relative * Math.max(1.0, Math.abs(theta[i]));
      double d1 = central(f, theta, i, h);
      double d2 = central(f, theta, i, h / 2);
      g[i] = (4.0 * d2 - d1) / 3.0;
    }
    return g;
  }

  private static double central(ToDoubleFunction<double[]> f, double[] theta, int i, double h) {
    double[] x = theta.clone();
    x[i] = theta[i] + h;
    double plus = f.applyAsDouble(x);
    x[i] = theta[i] - h;
    double minus = f.applyAsDouble(x);
    return (plus - minus) / (2.0 * h);
  }

  /** max_i |a_i − b_i| / max_i |b_i|: the error relative to the gradient's size. */
  static double relativeError(double[] a, double[] b) {
    double diff = 0.0;
    double scale = 0.0;
    for (int i = 0; i < a.length; i++) {
      diff = Math.max(diff, Math.abs(a[i] - b[i]));
      scale = Math.max(scale, Math.abs(b[i]));
    }
    return diff / scale;
  }

  /**
   * The worst component's error max_i |a_i − b_i| / max(|b_i|, floor · max_j |b_j|), b the reference: each
   * component relative to itself, down to a floor that is a fraction of the largest component. The floor is
   * there because a finite difference's own error is absolute (rounding ε|f|/h, truncation h⁴), so a
   * component near 0 cannot be checked relative to itself; it is not a loophole because at a tolerance of
   * 1e-7 and a floor of 1e-3, a component holding a thousandth of the gradient must still be right to
   * 1e-10 of the largest, so a 1% error in any component larger than 1e-8 of the largest fails.
   */
  static double componentError(double[] a, double[] b, double floor) {
    double largest = 0.0;
    for (double v : b) largest = Math.max(largest, Math.abs(v));
    double worst = 0.0;
    for (int i = 0; i < a.length; i++) {
      double d = Math.abs(a[i] - b[i]);
      if (Double.isNaN(d)) return Double.POSITIVE_INFINITY;
      if (d == 0.0) continue;
      worst = Math.max(worst, d / Math.max(Math.abs(b[i]), floor * largest));
    }
    return worst;
  }

  /** The index of the component that sets {@link #componentError}. */
  static int worstComponent(double[] a, double[] b, double floor) {
    double largest = 0.0;
    for (double v : b) largest = Math.max(largest, Math.abs(v));
    int at = -1;
    double worst = -1.0;
    for (int i = 0; i < a.length; i++) {
      double d = Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor * largest);
      if (Double.isNaN(d)) d = Double.POSITIVE_INFINITY;
      if (d > worst) {
        worst = d;
        at = i;
      }
    }
    return at;
  }
}
