package io.statespace.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.testing.RandomModels;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link LinearModel#bind}: the per-step c_t = b + B u_t and e_t = d + D u_t, and the constant matrices. */
class LinearModelTest {
  @Test
  void bindAppliesInputsOfTheStep() {
    SplittableRandom rng = new SplittableRandom(41);
    for (int c = 0; c < 20; c++) {
      int n = 1 + rng.nextInt(5);
      int m = 1 + rng.nextInt(4);
      int p = rng.nextInt(3);
      int steps = 2 + rng.nextInt(5);
      LinearModel model = RandomModels.linear(rng, n, m, p);
      double[] u = p == 0 ? null : RandomModels.uniform(rng, steps * p, 2.0);
      double[] times = new double[steps];
      for (int t = 0; t < steps; t++) times[t] = t;
      StepParameters sp = model.bind(new Trajectory("lin", times, new double[steps * m], m, u, p));
      assertEquals(p == 0, sp.timeInvariant());
      assertFalse(model.usesTimeGaps());
      double[] mean = new double[n];
      double[] cov = new double[n * n];
      sp.initial(mean, cov);
      assertArrayEquals(model.initialMean(), mean);
      assertArrayEquals(model.initialCov(), cov);
      double[] b = model.dynamicsBias();
      double[] bw = model.dynamicsInputWeights();
      double[] d = model.emissionsBias();
      double[] dw = model.emissionsInputWeights();
      for (int t = 0; t < steps; t++) {
        double[] f = new double[n * n];
        double[] ct = new double[n];
        double[] q = new double[n * n];
        sp.dynamics(t, f, ct, q);
        assertArrayEquals(model.dynamicsWeights(), f);
        assertArrayEquals(model.dynamicsCov(), q);
        for (int i = 0; i < n; i++) {
          double s = b[i];
          for (int j = 0; j < p; j++) s += bw[i * p + j] * u[t * p + j];
          assertEquals(s, ct[i], 1e-15, "c_t");
        }
        double[] h = new double[m * n];
        double[] et = new double[m];
        double[] r = new double[m * m];
        sp.emissions(t, h, et, r);
        assertArrayEquals(model.emissionsWeights(), h);
        assertArrayEquals(model.emissionsCov(), r);
        for (int i = 0; i < m; i++) {
          double s = d[i];
          for (int j = 0; j < p; j++) s += dw[i * p + j] * u[t * p + j];
          assertEquals(s, et[i], 1e-15, "e_t");
        }
      }
      if (p > 0) assertTrue(java.util.Arrays.stream(bw).anyMatch(v -> v != 0.0), "input weights all zero");
    }
  }
}
