package io.statespace.inference.parallel;

import io.statespace.linalg.Products;
import io.statespace.linalg.Symmetric;
import io.statespace.model.StepParameters;

/**
 * A segment's own steps 0..L−1 as a trajectory of their own: the window's parameters shifted past its lead
 * halo row, with the prior replaced, for a segment that does not start the trajectory, by the one-step
 * prediction from the filtered moments of the step before it: m⁻ = F m + c, P⁻ = F P Fᵀ + Q (symmetrised),
 * the very arithmetic of the sequential filter's predict, so that the sequential filter run on the segment
 * continues the whole trajectory's pass exactly.
 */
final class ShiftedParameters implements StepParameters {
  private final StepParameters window;
  private final int lead;
  private final double[] priorMean;
  private final double[] priorCov;

  /** @param before the filtered moments of the step before the segment, or null when lead is 0 */
  ShiftedParameters(StepParameters window, int lead, Moments before) {
    this.window = window;
    this.lead = lead;
    int n = window.stateDim();
    priorMean = new double[n];
    priorCov = new double[n * n];
    if (lead == 0) {
      window.initial(priorMean, priorCov);
      return;
    }
    double[] weights = new double[n * n];
    double[] bias = new double[n];
    double[] q = new double[n * n];
    window.dynamics(0, weights, bias, q);
    Products.multVector(weights, 0, before.mean(), 0, priorMean, 0, n, n);
    for (int i = 0; i < n; i++) priorMean[i] += bias[i];
    Products.sandwich(weights, 0, before.cov(), 0, new double[n * n], priorCov, 0, n, n);
    for (int i = 0; i < n * n; i++) priorCov[i] += q[i];
    Symmetric.symmetrize(priorCov, 0, n);
  }

  @Override
  public int stateDim() {
    return window.stateDim();
  }

  @Override
  public int obsDim() {
    return window.obsDim();
  }

  @Override
  public void initial(double[] mean, double[] cov) {
    System.arraycopy(priorMean, 0, mean, 0, priorMean.length);
    System.arraycopy(priorCov, 0, cov, 0, priorCov.length);
  }

  @Override
  public void dynamics(int t, double[] weights, double[] bias, double[] cov) {
    window.dynamics(t + lead, weights, bias, cov);
  }

  @Override
  public void emissions(int t, double[] weights, double[] bias, double[] cov) {
    window.emissions(t + lead, weights, bias, cov);
  }

  @Override
  public boolean timeInvariant() {
    return window.timeInvariant();
  }
}
