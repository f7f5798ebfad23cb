package io.statespace.inference.parallel;

import java.util.Locale;

/**
 * The parallel filter's self-check: at every step t, one Kalman step (the sequential filter's predict and
 * {@link io.statespace.inference.InnovationStep} update) from the scan's filtered (m_{t−1}, P_{t−1}), or
 * from the prior at t = 0, must reproduce the scan's (m_t, P_t) per element:
 * |scan − step| ≤ {@link #TOLERANCE} · max(|step|, s_c), where s_c is the root mean square of that
 * component of the scan's filtered moments over the trajectory and, for a covariance entry (j, k), at
 * least √(s_jj s_kk) (the per-element measure the engine tests use, docs/ARCHITECTURE.md §8).
 *
 * <p>Why: the covariance-form combine can lose the information of a step without producing a NaN (gaps
 * of 10^6 s make Q_t 10^17 times R_t, and I + C_i J_j cancels), returning finite, positive semi-definite
 * but wrong moments; the first step where the scan stops being a Kalman filter is where this catches it,
 * and the engine then throws an InferenceException naming that step, so that the caller falls back to the
 * sequential engine. Every step is checked independently, so the check is itself parallel over t, and it
 * rides on the post-hoc log-likelihood pass, which already forms the prediction and the innovation.
 *
 * <p>The tolerance, 1e-6, from the residuals measured on the existing tests' valid cases: at most 3e-15
 * on ParallelEngineTest's and PaddingInvarianceTest's random stable models (1 to 8 states, missing data,
 * irregular and zero gaps, T up to 10^5) and on NumericalStressTest's near-singular Q, R, Σ0; 2.6e-10 on a
 * 100,005-step tracking trajectory; 1.2e-8 on NumericalStressTest's 10^6-step tracking trajectory on two
 * threads (each prefix is carry ⊗ local prefix, so two neighbours' accumulated rounding, the 1.2e-8
 * difference from the sequential filter, need not cancel). 1e-6 leaves a factor 80 above the worst of
 * these; the 10^6 s gap case's residual at its first wrong step is 5.7e-5 (continuous noise), a factor 57
 * below. A residual that grows past it on a valid but longer trajectory makes the engine throw, and the
 * caller falls back to the sequential engine: slower, never wrong.
 */
final class FilterConsistency {
  /** Largest per-element residual accepted; see the class comment for the measured figures. */
  static final double TOLERANCE = 1e-6;

  private final int n;
  private final double[] meanScales;
  private final double[] covScales;

  /**
   * The check for filtered moments whose per-component sums of squares over all steps are
   * {@code meanSquares} (n) and {@code covSquares} (n×n).
   */
  FilterConsistency(int n, int steps, double[] meanSquares, double[] covSquares) {
    this.n = n;
    meanScales = new double[n];
    covScales = new double[n * n];
    for (int i = 0; i < n; i++) meanScales[i] = Math.sqrt(meanSquares[i] / steps);
    for (int j = 0; j < n; j++) {
      for (int k = 0; k < n; k++) {
        double own = Math.sqrt(covSquares[j * n + k] / steps);
        double diag = Math.sqrt(Math.sqrt(covSquares[j * n + j] / steps) * Math.sqrt(covSquares[k * n + k] / steps));
        covScales[j * n + k] = Math.max(own, diag);
      }
    }
  }

  /**
   * The worst per-element residual |scan − step| / max(|step|, s_c) of the scan's moments at
   * {@code scanMean[sm]}, {@code scanCov[sc]} against one Kalman step's at {@code mean[mo]},
   * {@code cov[co]}; NaN never passes (it is infinitely bad).
   */
  double residual(double[] scanMean, int sm, double[] scanCov, int sc, double[] mean, int mo, double[] cov, int co) {
    double worst = 0.0;
    for (int i = 0; i < n; i++) worst = worse(worst, scanMean[sm + i], mean[mo + i], meanScales[i]);
    for (int i = 0; i < n * n; i++) worst = worse(worst, scanCov[sc + i], cov[co + i], covScales[i]);
    return worst;
  }

  private static double worse(double worst, double scan, double step, double scale) {
    if (scan == step) return worst;
    double r = Math.abs(scan - step) / Math.max(Math.abs(step), scale);
    if (!Double.isFinite(r)) return Double.POSITIVE_INFINITY;
    return r > worst ? r : worst;
  }

  /** The message of the failure at a step whose residual exceeded the tolerance. */
  static String describe(double residual) {
    return String.format(Locale.ROOT, "the parallel scan's filtered moments differ from one Kalman step from the "
        + "previous step's by %.2e per element (tolerance %.0e): the combine lost precision", residual, TOLERANCE);
  }
}
