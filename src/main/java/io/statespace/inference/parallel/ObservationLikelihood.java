package io.statespace.inference.parallel;

import io.statespace.inference.InnovationStep;
import io.statespace.model.StepParameters;

/**
 * The post-hoc log-likelihood term of one step (notes §1.1, option 2):
 * ell_t = log N(y_t; H_t m^-_t + e_t, H_t P^-_t H_tᵀ + R_t) over the observed components only, with the
 * -k/2 log 2π constant of the k observed ones; a fully missing step contributes 0. Computed independently
 * for every t after the parallel filter, so the scan need not carry a normaliser. The arithmetic is the
 * shared {@link InnovationStep}'s.
 */
final class ObservationLikelihood {
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
    for (int i = 0; i < m; i++) {
      if (!Double.isNaN(y[t * m + i])) {
        params.emissions(t, ws.emWeights, ws.emBias, ws.emCov);
        ws.step.innovate(y, t, ws.emWeights, ws.emBias, ws.emCov, mean, mo, cov, co, id);
        return ws.step.logLikelihood();
      }
    }
    return 0.0;
  }

  /** Scratch space of one worker. */
  static final class Workspace {
    final double[] emWeights;
    final double[] emBias;
    final double[] emCov;
    final InnovationStep step;

    Workspace(int n, int m) {
      emWeights = new double[m * n];
      emBias = new double[m];
      emCov = new double[m * m];
      step = new InnovationStep(n, m);
    }
  }
}
