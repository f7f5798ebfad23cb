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
}
