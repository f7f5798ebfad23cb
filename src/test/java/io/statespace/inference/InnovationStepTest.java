package io.statespace.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.statespace.gpu.check.CheckCases;
import io.statespace.testing.Compare;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

/**
 * The shared innovation step against the textbook update computed independently with EJML on the observed
 * rows (explicit inverse of S, standard form P − K S Kᵀ, the Gaussian density): random priors and models,
 * every pattern of missing components, priors at offsets inside larger arrays, and the refusal of an
 * innovation covariance that is not positive definite.
 */
class InnovationStepTest {
  private static final double TOL = 1e-11;

  @Test
  void conditionsOnTheObservedRowsAsTheTextbookUpdate() {
    SplittableRandom rng = new SplittableRandom(11);
    for (int n = 1; n <= 5; n++) {
      for (int m = 1; m <= 4; m++) {
        InnovationStep step = new InnovationStep(n, m);
        for (int pattern = 0; pattern < (1 << m); pattern++) {
          int mo = 3;
          int co = 5;
          double[] mean = new double[mo + n];
          double[] cov = new double[co + n * n];
          System.arraycopy(CheckCases.uniform(rng, n, 3.0), 0, mean, mo, n);
          System.arraycopy(CheckCases.spd(rng, n, 2.0, 0.1), 0, cov, co, n * n);
          double[] h = CheckCases.uniform(rng, m * n, 1.0);
          double[] e = CheckCases.uniform(rng, m, 1.0);
          double[] r = CheckCases.spd(rng, m, 0.5, 0.05);
          int t = 2;
          double[] y = new double[(t + 1) * m];
          Arrays.fill(y, Double.NaN);
          int k = 0;
          for (int i = 0; i < m; i++) {
            if ((pattern >> i & 1) == 1) {
              y[t * m + i] = rng.nextDouble(-4, 4);
              k++;
            }
          }
          String what = "n=" + n + " m=" + m + " observed " + Integer.toBinaryString(pattern);
          assertEquals(k, step.innovate(y, t, h, e, r, mean, mo, cov, co, "trj"), what);
          if (k == 0) {
            assertEquals(0.0, step.logLikelihood(), 0.0, what);
            continue;
          }
          double[] meanOut = new double[n + 1];
          double[] covOut = new double[n * n + 2];
          step.update(r, mean, mo, cov, co, meanOut, 1, covOut, 2);
          double logLik = step.logLikelihood();
          Textbook expected = textbook(n, m, pattern, Arrays.copyOfRange(mean, mo, mo + n),
              Arrays.copyOfRange(cov, co, co + n * n), h, e, r, Arrays.copyOfRange(y, t * m, t * m + m));
          Compare.assertRelClose(what + ": mean", Arrays.copyOfRange(meanOut, 1, n + 1), expected.mean, TOL);
          Compare.assertRelClose(what + ": cov", Arrays.copyOfRange(covOut, 2, 2 + n * n), expected.cov, TOL);
          Compare.assertRelClose(what + ": log-likelihood", logLik, expected.logLik, TOL);
          assertEquals(0.0, meanOut[0], 0.0, what + ": nothing written before the offset");
          assertEquals(0.0, covOut[0] + covOut[1], 0.0, what + ": nothing written before the offset");
        }
      }
    }
  }

  @Test
  void refusesAnInnovationCovarianceThatIsNotPositiveDefinite() {
    InnovationStep step = new InnovationStep(2, 2);
    double[] h = {1, 0, 0, 1};
    double[] e = {0, 0};
    double[] r = {-1, 0, 0, 1};
    double[] y = {0.5, 0.5};
    InferenceException ex = assertThrows(InferenceException.class,
        () -> step.innovate(y, 0, h, e, r, new double[2], 0, new double[4], 0, "trj-7"));
    assertEquals("trajectory 'trj-7', step 0: innovation covariance is not positive definite", ex.getMessage());
    y[0] = Double.NaN;
    assertEquals(1, step.innovate(y, 0, h, e, r, new double[2], 0, new double[4], 0, "trj-7"),
        "the missing component's negative variance takes no part");
  }

  @Test
  void theGainIsTheTextbookGain() {
    // n = 2, m = 1, P = I, H = [1 1], R = 2: S = 4, Kᵀ = [1/4 1/4], I − K H = [[3/4, −1/4], [−1/4, 3/4]].
    InnovationStep step = new InnovationStep(2, 1);
    double[] r = {2.0};
    double[] cov = {1, 0, 0, 1};
    assertEquals(1, step.innovate(new double[] {4.0}, 0, new double[] {1, 1}, new double[] {0}, r, new double[2], 0,
        cov, 0, "t"));
    double[] meanOut = new double[2];
    double[] covOut = new double[4];
    step.update(r, new double[2], 0, cov, 0, meanOut, 0, covOut, 0);
    assertArrayEquals(new double[] {0.25, 0.25}, Arrays.copyOf(step.gainTransposed(), 2), 1e-15);
    assertArrayEquals(new double[] {0.75, -0.25, -0.25, 0.75}, step.identityMinusGainH(), 1e-15);
    assertArrayEquals(new double[] {1.0, 1.0}, meanOut, 1e-15);
    assertArrayEquals(new double[] {0.75, -0.25, -0.25, 0.75}, covOut, 1e-15);
    double expected = -0.5 * (Math.log(2 * Math.PI) + Math.log(4.0) + 16.0 / 4.0);
    assertEquals(expected, step.logLikelihood(), 1e-15);
    assertEquals(2.0, step.innovation()[0], 1e-15, "whitened: r / √S");
  }

  private record Textbook(double[] mean, double[] cov, double logLik) {}

  private static Textbook textbook(int n, int m, int pattern, double[] mean, double[] cov, double[] h, double[] e,
      double[] r, double[] y) {
    int k = Integer.bitCount(pattern);
    int[] rows = new int[k];
    for (int i = 0, a = 0; i < m; i++) {
      if ((pattern >> i & 1) == 1) rows[a++] = i;
    }
    DMatrixRMaj ho = new DMatrixRMaj(k, n);
    DMatrixRMaj ro = new DMatrixRMaj(k, k);
    DMatrixRMaj res = new DMatrixRMaj(k, 1);
    DMatrixRMaj mu = new DMatrixRMaj(n, 1, true, mean);
    DMatrixRMaj p = new DMatrixRMaj(n, n, true, cov);
    for (int a = 0; a < k; a++) {
      double pred = e[rows[a]];
      for (int j = 0; j < n; j++) {
        ho.set(a, j, h[rows[a] * n + j]);
        pred += h[rows[a] * n + j] * mean[j];
      }
      res.set(a, 0, y[rows[a]] - pred);
      for (int b = 0; b < k; b++) ro.set(a, b, r[rows[a] * m + rows[b]]);
    }
    DMatrixRMaj hp = new DMatrixRMaj(k, n);
    CommonOps_DDRM.mult(ho, p, hp);
    DMatrixRMaj s = new DMatrixRMaj(k, k);
    CommonOps_DDRM.multTransB(hp, ho, s);
    CommonOps_DDRM.addEquals(s, ro);
    DMatrixRMaj sInv = s.copy();
    CommonOps_DDRM.invert(sInv);
    DMatrixRMaj gain = new DMatrixRMaj(n, k);
    CommonOps_DDRM.multTransA(hp, sInv, gain);
    DMatrixRMaj newMean = mu.copy();
    CommonOps_DDRM.multAdd(gain, res, newMean);
    DMatrixRMaj newCov = p.copy();
    DMatrixRMaj ks = new DMatrixRMaj(n, k);
    CommonOps_DDRM.mult(gain, s, ks);
    CommonOps_DDRM.multAddTransB(-1.0, ks, gain, newCov);
    DMatrixRMaj alpha = new DMatrixRMaj(k, 1);
    CommonOps_DDRM.mult(sInv, res, alpha);
    double quad = CommonOps_DDRM.dot(res, alpha);
    double logLik = -0.5 * (k * Math.log(2 * Math.PI) + Math.log(CommonOps_DDRM.det(s)) + quad);
    return new Textbook(newMean.data, newCov.data, logLik);
  }
}
