package io.statespace.learn;

/**
 * A loss value and its gradient in θ at one point. A non-finite loss marks θ as infeasible (a numerical
 * failure in some trajectory): optimisers step back from it.
 */
public record Evaluation(double loss, double[] gradient) {
  /** The infinity norm of the gradient. */
  public double gradientNorm() {
    double g = 0.0;
    for (double v : gradient) g = Math.max(g, Math.abs(v));
    return g;
  }

  public boolean isFinite() {
    if (!Double.isFinite(loss)) return false;
    for (double v : gradient) {
      if (!Double.isFinite(v)) return false;
    }
    return true;
  }
}
