package io.statespace.inference.parallel;

import io.statespace.inference.InferenceException;
import io.statespace.linalg.Cholesky;
import io.statespace.model.StepParameters;

/**
 * The post-hoc log-likelihood term of one step (notes §1.1, option 2):
 * ell_t = log N(y_t; H_t m^-_t + e_t, H_t P^-_t H_tᵀ + R_t) over the observed components only, with the
 * -k/2 log 2π constant of the k observed ones; a fully missing step contributes 0. Computed independently
 * for every t after the parallel filter, so the scan need not carry a normaliser.
 */
final class ObservationLikelihood {
  private static final double LOG_2PI = Math.log(2.0 * Math.PI);

  private final StepParameters params;
  private final String id;
  private final double[] y;
  private final int n;
  private final int m;

  ObservationLikelihood(StepParameters params, String id, double[] observations) {
    this.params = params;
    this.id = id;
    this.y = observations;
    this.n = params.stateDim();
    this.m = params.obsDim();
  }

  Workspace newWorkspace() {
    return new Workspace(n, m);
  }

  /** ell_t given the predicted moments at mean[mo] and cov[co]. */
  double logLikelihood(int t, double[] mean, int mo, double[] cov, int co, Workspace ws) {
    int k = 0;
    for (int i = 0; i < m; i++) {
      if (!Double.isNaN(y[t * m + i])) ws.observed[k++] = i;
    }
    if (k == 0) return 0.0;
    params.emissions(t, ws.emWeights, ws.emBias, ws.emCov);
    for (int a = 0; a < k; a++) {
      int row = ws.observed[a];
      double pred = ws.emBias[row];
      for (int j = 0; j < n; j++) pred += ws.emWeights[row * n + j] * mean[mo + j];
      ws.innovation[a] = y[t * m + row] - pred;
      // hp row a = H_row P
      for (int j = 0; j < n; j++) {
        double s = 0.0;
        for (int p = 0; p < n; p++) s += ws.emWeights[row * n + p] * cov[co + p * n + j];
        ws.hp[a * n + j] = s;
      }
    }
    for (int a = 0; a < k; a++) {
      for (int b = 0; b <= a; b++) {
        int rowB = ws.observed[b];
        double s = 0.0;
        for (int j = 0; j < n; j++) s += ws.hp[a * n + j] * ws.emWeights[rowB * n + j];
        double ab = s + 0.5 * (ws.emCov[ws.observed[a] * m + rowB] + ws.emCov[rowB * m + ws.observed[a]]);
        ws.innovCov[a * k + b] = ab;
        ws.innovCov[b * k + a] = ab;
      }
    }
    if (!Cholesky.decompose(ws.innovCov, 0, k)) {
      throw new InferenceException(id, t, "innovation covariance is not positive definite");
    }
    Cholesky.solveLower(ws.innovCov, 0, k, ws.innovation, 0, 1);
    double quad = 0.0;
    for (int a = 0; a < k; a++) quad += ws.innovation[a] * ws.innovation[a];
    return -0.5 * (k * LOG_2PI + Cholesky.logDet(ws.innovCov, 0, k) + quad);
  }

  /** Scratch space of one worker. */
  static final class Workspace {
    final int[] observed;
    final double[] emWeights;
    final double[] emBias;
    final double[] emCov;
    final double[] innovation;
    final double[] hp;
    final double[] innovCov;

    Workspace(int n, int m) {
      observed = new int[m];
      emWeights = new double[m * n];
      emBias = new double[m];
      emCov = new double[m * m];
      innovation = new double[m];
      hp = new double[m * n];
      innovCov = new double[m * m];
    }
  }
}
