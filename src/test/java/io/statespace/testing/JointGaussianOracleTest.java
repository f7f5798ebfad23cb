package io.statespace.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.statespace.inference.Posterior;
import io.statespace.model.StepParameters;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The oracle itself against closed forms for a scalar model with two steps, derived in information form
 * (a different route from both the oracle's covariance conditioning and the Kalman recursions): the
 * posterior precision of (x0, x1) is
 * <pre>
 *   Λ = [[1/s0 + f²/q + h0²/r0, -f/q], [-f/q, 1/q + h1²/r1]]
 *   η = [m0/s0 - f c/q + h0 (y0 - e0)/r0, c/q + h1 (y1 - e1)/r1]
 * </pre>
 * (observation terms dropped when y_t is missing), so the smoothed moments are Λ⁻¹η and Λ⁻¹.
 */
class JointGaussianOracleTest {
  private static final double TOL = 1e-12;

  private static StepParameters scalar(double m0, double s0, double f, double c, double q, double[] h, double[] e,
      double[] r) {
    return new StepParameters() {
      @Override
      public int stateDim() {
        return 1;
      }

      @Override
      public int obsDim() {
        return 1;
      }

      @Override
      public void initial(double[] mean, double[] cov) {
        mean[0] = m0;
        cov[0] = s0;
      }

      @Override
      public void dynamics(int t, double[] weights, double[] bias, double[] cov) {
        weights[0] = f;
        bias[0] = c;
        cov[0] = q;
      }

      @Override
      public void emissions(int t, double[] weights, double[] bias, double[] cov) {
        weights[0] = h[t];
        bias[0] = e[t];
        cov[0] = r[t];
      }
    };
  }

  private static double logNormal(double x, double mean, double var) {
    return -0.5 * (Math.log(2.0 * Math.PI * var) + (x - mean) * (x - mean) / var);
  }

  @Test
  void twoScalarStepsMatchInformationForm() {
    SplittableRandom rng = new SplittableRandom(31);
    for (int c = 0; c < 40; c++) {
      double m0 = rng.nextDouble(-2, 2);
      double s0 = rng.nextDouble(0.2, 3);
      double f = rng.nextDouble(-1.2, 1.2);
      double cc = rng.nextDouble(-1, 1);
      double q = rng.nextDouble(0.05, 2);
      double[] h = {rng.nextDouble(-2, 2), rng.nextDouble(-2, 2)};
      double[] e = {rng.nextDouble(-1, 1), rng.nextDouble(-1, 1)};
      double[] r = {rng.nextDouble(0.1, 2), rng.nextDouble(0.1, 2)};
      double[] y = {rng.nextDouble(-3, 3), rng.nextDouble(-3, 3)};
      boolean[] seen = {c % 4 != 1, c % 4 != 2};
      if (c % 4 == 3) seen = new boolean[] {false, false};
      double[] yy = {seen[0] ? y[0] : Double.NaN, seen[1] ? y[1] : Double.NaN};
      String what = "case " + c + " observed=" + seen[0] + "," + seen[1];

      Posterior post = JointGaussianOracle.posterior(scalar(m0, s0, f, cc, q, h, e, r), yy, 2);

      double o0 = seen[0] ? 1.0 : 0.0;
      double o1 = seen[1] ? 1.0 : 0.0;
      double l00 = 1 / s0 + f * f / q + o0 * h[0] * h[0] / r[0];
      double l01 = -f / q;
      double l11 = 1 / q + o1 * h[1] * h[1] / r[1];
      double eta0 = m0 / s0 - f * cc / q + o0 * h[0] * (y[0] - e[0]) / r[0];
      double eta1 = cc / q + o1 * h[1] * (y[1] - e[1]) / r[1];
      double det = l00 * l11 - l01 * l01;
      double[] smCov = {l11 / det, -l01 / det, -l01 / det, l00 / det};
      double[] smMean = {(l11 * eta0 - l01 * eta1) / det, (l00 * eta1 - l01 * eta0) / det};

      // filtered x0: prior times the y0 factor
      double p0 = 1.0 / (1 / s0 + o0 * h[0] * h[0] / r[0]);
      double f0 = p0 * (m0 / s0 + o0 * h[0] * (y[0] - e[0]) / r[0]);
      double pm1 = f * f0 + cc;
      double pv1 = f * f * p0 + q;

      Compare.assertRelClose(what + " smoothed means", post.smoothedMeans(), smMean, TOL);
      Compare.assertRelClose(what + " smoothed vars",
          new double[] {post.smoothedCovariances()[0], post.smoothedCovariances()[1]},
          new double[] {smCov[0], smCov[3]}, TOL);
      Compare.assertRelClose(what + " cross cov", post.smoothedCrossCovariances(), new double[] {smCov[1]}, TOL);
      Compare.assertRelClose(what + " predicted means", post.predictedMeans(), new double[] {m0, pm1}, TOL);
      Compare.assertRelClose(what + " predicted vars", post.predictedCovariances(), new double[] {s0, pv1}, TOL);
      // at the last step the filtered and smoothed marginals coincide
      Compare.assertRelClose(what + " filtered means", post.filteredMeans(), new double[] {f0, smMean[1]}, TOL);
      Compare.assertRelClose(what + " filtered vars", post.filteredCovariances(), new double[] {p0, smCov[3]}, TOL);

      // log p(y): the observed part of the bivariate normal of (y0, y1)
      double my0 = h[0] * m0 + e[0];
      double my1 = h[1] * (f * m0 + cc) + e[1];
      double v0 = h[0] * h[0] * s0 + r[0];
      double v1 = h[1] * h[1] * (f * f * s0 + q) + r[1];
      double c01 = h[0] * s0 * f * h[1];
      double expected;
      if (seen[0] && seen[1]) {
        // p(y0) p(y1 | y0)
        expected = logNormal(y[0], my0, v0) + logNormal(y[1], my1 + c01 / v0 * (y[0] - my0), v1 - c01 * c01 / v0);
      } else if (seen[0]) {
        expected = logNormal(y[0], my0, v0);
      } else if (seen[1]) {
        expected = logNormal(y[1], my1, v1);
      } else {
        expected = 0.0;
      }
      Compare.assertRelClose(what + " log-likelihood", post.logLikelihood(), expected, TOL);
      if (!seen[0] && !seen[1]) assertEquals(0.0, post.logLikelihood());
    }
  }
}
