package io.statespace.model;

import io.statespace.linalg.Cholesky;
import java.util.SplittableRandom;

/**
 * Draws states and observations from a model bound to one trajectory's times and inputs:
 * x_0 ~ N(mu0, Sigma0), x_{t+1} = F_t x_t + c_t + w_t, y_t = H_t x_t + e_t + v_t. Covariances may be
 * singular (semi-definite square roots).
 */
public final class Simulator {
  private final int n;
  private final int m;
  private final double[] weights;
  private final double[] bias;
  private final double[] cov;
  private final double[] emWeights;
  private final double[] emBias;
  private final double[] emCov;
  private final double[] noise;
  private final double[] standard;
  private final double[] state;
  private final double[] next;

  public Simulator(int stateDim, int obsDim) {
    this.n = stateDim;
    this.m = obsDim;
    weights = new double[n * n];
    bias = new double[n];
    cov = new double[n * n];
    emWeights = new double[m * n];
    emBias = new double[m];
    emCov = new double[m * m];
    noise = new double[Math.max(n, m)];
    standard = new double[Math.max(n, m)];
    state = new double[n];
    next = new double[n];
  }

  /**
   * Samples T steps.
   *
   * @param states T×n output (may be null)
   * @param observations T×m output
   */
  public void sample(StepParameters params, int steps, SplittableRandom rng, double[] states, double[] observations) {
    params.initial(state, cov);
    draw(cov, n, rng, "initial.cov");
    for (int i = 0; i < n; i++) state[i] += noise[i];
    for (int t = 0; t < steps; t++) {
      if (t > 0) {
        params.dynamics(t - 1, weights, bias, cov);
        draw(cov, n, rng, "dynamics.cov");
        for (int i = 0; i < n; i++) {
          double s = bias[i] + noise[i];
          for (int j = 0; j < n; j++) s += weights[i * n + j] * state[j];
          next[i] = s;
        }
        System.arraycopy(next, 0, state, 0, n);
      }
      if (states != null) System.arraycopy(state, 0, states, t * n, n);
      params.emissions(t, emWeights, emBias, emCov);
      draw(emCov, m, rng, "emissions.cov");
      for (int i = 0; i < m; i++) {
        double s = emBias[i] + noise[i];
        for (int j = 0; j < n; j++) s += emWeights[i * n + j] * state[j];
        observations[t * m + i] = s;
      }
    }
  }

  /** noise[0..k) ~ N(0, c); c is overwritten by its square root. */
  private void draw(double[] c, int k, SplittableRandom rng, String key) {
    if (!Cholesky.decomposeSemiDefinite(c, 0, k)) {
      throw new IllegalArgumentException(key + ": not positive semi-definite");
    }
    for (int i = 0; i < k; i++) standard[i] = gaussian(rng);
    for (int i = 0; i < k; i++) {
      double s = 0.0;
      for (int j = 0; j <= i; j++) s += c[i * k + j] * standard[j];
      noise[i] = s;
    }
  }

  /** A standard normal draw (Box-Muller; SplittableRandom has no nextGaussian on Java 17). */
  public static double gaussian(SplittableRandom rng) {
    double u = rng.nextDouble();
    while (u <= Double.MIN_NORMAL) u = rng.nextDouble();
    return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * rng.nextDouble());
  }
}
