package io.statespace.inference.parallel;

import io.statespace.linalg.Products;
import io.statespace.linalg.Symmetric;
import io.statespace.model.StepParameters;

/**
 * The one-step predicted moments recomputed from the filtered ones, independently for every step (Särkkä
 * 2013, eq. 4.20): m^-_t = F_{t-1} m_{t-1} + c_{t-1} and P^-_t = F_{t-1} P_{t-1} F_{t-1}ᵀ + Q_{t-1}, with the
 * prior (mu0, Sigma0) at t = 0. The post-hoc log-likelihood and the predictions output use them.
 */
final class OneStepPrediction {
  private final StepParameters params;
  private final int n;

  OneStepPrediction(StepParameters params) {
    this.params = params;
    this.n = params.stateDim();
  }

  Workspace newWorkspace() {
    return new Workspace(n);
  }

  /** Writes m^-_t at mean[mo] and P^-_t at cov[co]. */
  void predict(int t, double[] filteredMeans, double[] filteredCovs, double[] mean, int mo, double[] cov, int co,
      Workspace ws) {
    int nn = n * n;
    if (t == 0) {
      params.initial(ws.bias, ws.procCov);
      System.arraycopy(ws.bias, 0, mean, mo, n);
      System.arraycopy(ws.procCov, 0, cov, co, nn);
      return;
    }
    params.dynamics(t - 1, ws.weights, ws.bias, ws.procCov);
    Products.multVector(ws.weights, 0, filteredMeans, (t - 1) * n, mean, mo, n, n);
    for (int i = 0; i < n; i++) mean[mo + i] += ws.bias[i];
    Products.sandwich(ws.weights, 0, filteredCovs, (t - 1) * nn, ws.work, cov, co, n, n);
    for (int i = 0; i < nn; i++) cov[co + i] += ws.procCov[i];
    Symmetric.symmetrize(cov, co, n);
  }

  /** Scratch space of one worker; after {@link #predict} with t ≥ 1, {@code weights} and {@code procCov} hold F_{t-1}, Q_{t-1}. */
  static final class Workspace {
    final double[] weights;
    final double[] bias;
    final double[] procCov;
    final double[] work;

    Workspace(int n) {
      weights = new double[n * n];
      bias = new double[n];
      procCov = new double[n * n];
      work = new double[n * n];
    }
  }
}
