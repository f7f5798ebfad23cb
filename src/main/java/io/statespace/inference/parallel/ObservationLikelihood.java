package io.statespace.inference.parallel;

import io.statespace.inference.InnovationStep;
import io.statespace.model.StepParameters;

/**
 * The post-hoc log-likelihood term of one step (notes §1.1, option 2):
 * ell_t = log N(y_t; H_t m^-_t + e_t, H_t P^-_t H_tᵀ + R_t) over the observed components only, with the
 * -k/2 log 2π constant of the k observed ones; a fully missing step contributes 0. Computed independently
 * for every t after the parallel filter, so the scan need not carry a normaliser. The arithmetic is the
 * shared {@link InnovationStep}'s. Since the innovation is formed anyway, it also completes the Kalman step
 * (the update) and measures how far the scan's filtered moments of step t are from it
 * ({@link FilterConsistency}, the parallel filter's self-check), leaving the figure in the workspace.
 */
final class ObservationLikelihood {
  private final StepParameters params;
  private final String id;
  private final double[] y;
  private final int n;
  private final int m;
  private final double[] filteredMeans;
  private final double[] filteredCovs;
  private final FilterConsistency consistency;

  /** The pass for the scan's filtered moments {@code filteredMeans} (T×n), {@code filteredCovs} (T×n×n). */
  ObservationLikelihood(StepParameters params, String id, double[] observations, double[] filteredMeans,
      double[] filteredCovs, FilterConsistency consistency) {
    this.params = params;
    this.id = id;
    this.y = observations;
    this.filteredMeans = filteredMeans;
    this.filteredCovs = filteredCovs;
    this.consistency = consistency;
    this.n = params.stateDim();
    this.m = params.obsDim();
  }

  Workspace newWorkspace() {
    return new Workspace(n, m);
  }

  /**
   * ell_t given the predicted moments at mean[mo] and cov[co]; leaves in {@code ws.residual} the
   * consistency residual of the scan's filtered moments of step t against the update of that prediction
   * (against the prediction itself on a fully missing step).
   */
  double logLikelihood(int t, double[] mean, int mo, double[] cov, int co, Workspace ws) {
    for (int i = 0; i < m; i++) {
      if (!Double.isNaN(y[t * m + i])) {
        params.emissions(t, ws.emWeights, ws.emBias, ws.emCov);
        ws.step.innovate(y, t, ws.emWeights, ws.emBias, ws.emCov, mean, mo, cov, co, id);
        ws.step.update(ws.emCov, mean, mo, cov, co, ws.updatedMean, 0, ws.updatedCov, 0);
        ws.residual = consistency.residual(filteredMeans, t * n, filteredCovs, t * n * n, ws.updatedMean, 0,
            ws.updatedCov, 0);
        return ws.step.logLikelihood();
      }
    }
    ws.residual = consistency.residual(filteredMeans, t * n, filteredCovs, t * n * n, mean, mo, cov, co);
    return 0.0;
  }

  /** Scratch space of one worker. */
  static final class Workspace {
    final double[] emWeights;
    final double[] emBias;
    final double[] emCov;
    final InnovationStep step;
    final double[] updatedMean;
    final double[] updatedCov;
    /** The {@link FilterConsistency} residual of the last step passed to {@link #logLikelihood}. */
    double residual;

    Workspace(int n, int m) {
      updatedMean = new double[n];
      updatedCov = new double[n * n];
      emWeights = new double[m * n];
      emBias = new double[m];
      emCov = new double[m * m];
      step = new InnovationStep(n, m);
    }
  }
}
