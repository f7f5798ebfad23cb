package io.statespace.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.testing.Compare;
import org.junit.jupiter.api.Test;

/**
 * {@link ConstantVelocityModel}'s F and Q against Särkkä (2013), Example 3.6, derived here independently:
 * per axis the state (p, v) has dx = A x dt + L dβ with A = [[0, 1], [0, 0]], L = [0, 1]ᵀ, so
 * F = exp(A dt) = I + A dt (A is nilpotent) and, for white-noise acceleration of spectral density q,
 * Q = ∫₀^dt exp(A s) L q Lᵀ exp(A s)ᵀ ds = q ∫₀^dt [s, 1]ᵀ[s, 1] ds, evaluated here by Simpson's rule
 * (exact: the integrand is quadratic in s) and checked against q [[dt³/3, dt²/2], [dt²/2, dt]]. The
 * piecewise-constant form holds the acceleration a ~ N(0, σ²) over the step: x' = F x + G a with
 * G = [dt²/2, dt]ᵀ, so Q = σ² G Gᵀ. State order: positions, then velocities.
 */
class ConstantVelocityModelTest {
  private static final double[] DTS = {0.0, 1e-3, 0.37, 1.0, 2.5, 10.0};

  /** Per-axis (F, Q) as 2×2 row-major [pp, pv, vp, vv], computed from first principles. */
  private static double[][] axisContinuous(double dt, double q) {
    double[] f = {1.0, dt, 0.0, 1.0};
    // Simpson on [0, dt] of q * [[s², s], [s, 1]]
    double[] qm = new double[4];
    double[] nodes = {0.0, dt / 2.0, dt};
    double[] weights = {dt / 6.0, 4.0 * dt / 6.0, dt / 6.0};
    for (int i = 0; i < 3; i++) {
      double s = nodes[i];
      double[] g = {s, 1.0}; // exp(A s) L
      for (int a = 0; a < 2; a++) {
        for (int b = 0; b < 2; b++) qm[a * 2 + b] += weights[i] * q * g[a] * g[b];
      }
    }
    return new double[][] {f, qm};
  }

  private static double[][] axisPiecewise(double dt, double stdAcc) {
    double[] f = {1.0, dt, 0.0, 1.0};
    double[] g = {dt * dt / 2.0, dt};
    double[] qm = new double[4];
    for (int a = 0; a < 2; a++) {
      for (int b = 0; b < 2; b++) qm[a * 2 + b] = stdAcc * stdAcc * g[a] * g[b];
    }
    return new double[][] {f, qm};
  }

  /** Places per-axis 2×2 blocks into the n×n matrix with state order [positions..., velocities...]. */
  private static double[] embed(double[] axisBlock, int axes) {
    int n = 2 * axes;
    double[] out = new double[n * n];
    for (int ax = 0; ax < axes; ax++) {
      int[] idx = {ax, axes + ax};
      for (int a = 0; a < 2; a++) {
        for (int b = 0; b < 2; b++) out[idx[a] * n + idx[b]] = axisBlock[a * 2 + b];
      }
    }
    return out;
  }

  private static ConstantVelocityModel model(int axes, double fixedDt, ConstantVelocityModel.Noise noise,
      double level) {
    double[] std = new double[axes];
    for (int a = 0; a < axes; a++) std[a] = 0.5 + a;
    double[] mean = new double[2 * axes];
    double[] cov = new double[4 * axes * axes];
    for (int i = 0; i < 2 * axes; i++) {
      mean[i] = i - 1.5;
      cov[i * 2 * axes + i] = 1.0 + i;
    }
    return new ConstantVelocityModel(axes, fixedDt, noise, level, std, mean, cov);
  }

  @Test
  void continuousNoiseMatchesSarkkaExample36() {
    double q = 0.73;
    for (int axes = 1; axes <= 3; axes++) {
      ConstantVelocityModel cv = model(axes, Double.NaN, ConstantVelocityModel.Noise.CONTINUOUS, q);
      int n = 2 * axes;
      for (double dt : DTS) {
        double[][] axis = axisContinuous(dt, q);
        // the closed form of the book, against the quadrature above
        double[] book = {q * dt * dt * dt / 3.0, q * dt * dt / 2.0, q * dt * dt / 2.0, q * dt};
        assertTrue(Compare.maxRelDiff(axis[1], book) <= 1e-14 || dt == 0.0, "quadrature vs closed form");
        double[] f = new double[n * n];
        double[] qm = new double[n * n];
        cv.transition(dt, f, qm);
        Compare.assertRelClose("F (axes=" + axes + ", dt=" + dt + ")", f, embed(axis[0], axes), 1e-15);
        if (dt == 0.0) {
          assertArrayEquals(new double[n * n], qm, "Q at dt = 0");
        } else {
          Compare.assertRelClose("Q continuous (axes=" + axes + ", dt=" + dt + ")", qm, embed(axis[1], axes), 1e-14);
        }
      }
    }
  }

  @Test
  void piecewiseNoiseMatchesGGt() {
    double std = 1.7;
    for (int axes = 1; axes <= 3; axes++) {
      ConstantVelocityModel cv = model(axes, Double.NaN, ConstantVelocityModel.Noise.PIECEWISE, std);
      int n = 2 * axes;
      for (double dt : DTS) {
        double[][] axis = axisPiecewise(dt, std);
        double s2 = std * std;
        double[] book = {s2 * Math.pow(dt, 4) / 4.0, s2 * Math.pow(dt, 3) / 2.0, s2 * Math.pow(dt, 3) / 2.0, s2 * dt * dt};
        assertTrue(Compare.maxRelDiff(axis[1], book) <= 1e-14 || dt == 0.0, "G Gᵀ vs closed form");
        double[] f = new double[n * n];
        double[] qm = new double[n * n];
        cv.transition(dt, f, qm);
        Compare.assertRelClose("F (axes=" + axes + ", dt=" + dt + ")", f, embed(axis[0], axes), 1e-15);
        if (dt == 0.0) {
          assertArrayEquals(new double[n * n], qm, "Q at dt = 0");
        } else {
          Compare.assertRelClose("Q piecewise (axes=" + axes + ", dt=" + dt + ")", qm, embed(axis[1], axes), 1e-14);
        }
      }
    }
  }

  @Test
  void zeroStepIsIdentityWithoutNoise() {
    for (ConstantVelocityModel.Noise noise : ConstantVelocityModel.Noise.values()) {
      for (int axes = 1; axes <= 3; axes++) {
        int n = 2 * axes;
        double[] f = new double[n * n];
        double[] qm = new double[n * n];
        java.util.Arrays.fill(f, 99.0); // stale values must be overwritten
        java.util.Arrays.fill(qm, 99.0);
        model(axes, Double.NaN, noise, 2.0).transition(0.0, f, qm);
        double[] identity = new double[n * n];
        for (int i = 0; i < n; i++) identity[i * n + i] = 1.0;
        assertArrayEquals(identity, f, "F at dt = 0");
        assertArrayEquals(new double[n * n], qm, "Q at dt = 0");
      }
    }
  }

  @Test
  void bindTakesDtFromTheTimeColumnOrTheFixedStep() {
    double[] times = {0.0, 0.5, 0.5, 2.0, 2.3};
    for (ConstantVelocityModel.Noise noise : ConstantVelocityModel.Noise.values()) {
      for (int axes = 1; axes <= 3; axes++) {
        int n = 2 * axes;
        double[] obs = new double[times.length * axes];
        Trajectory tr = new Trajectory("cv", times, obs, axes);
        ConstantVelocityModel fromTimes = model(axes, Double.NaN, noise, 0.9);
        ConstantVelocityModel fixed = model(axes, 0.25, noise, 0.9);
        assertTrue(fromTimes.usesTimeGaps());
        assertFalse(fixed.usesTimeGaps());
        StepParameters pt = fromTimes.bind(tr);
        StepParameters pf = fixed.bind(tr);
        assertFalse(pt.timeInvariant());
        assertTrue(pf.timeInvariant());
        for (int t = 0; t + 1 < times.length; t++) {
          double dt = times[t + 1] - times[t];
          double[][] axis = noise == ConstantVelocityModel.Noise.CONTINUOUS ? axisContinuous(dt, 0.9)
              : axisPiecewise(dt, 0.9);
          double[] f = new double[n * n];
          double[] c = new double[n];
          double[] qm = new double[n * n];
          java.util.Arrays.fill(c, 5.0);
          pt.dynamics(t, f, c, qm);
          assertEquals(0.0, Compare.maxRelDiff(f, embed(axis[0], axes)), 1e-15, "F from times, t=" + t);
          if (dt == 0.0) assertArrayEquals(new double[n * n], qm, "Q at a zero gap");
          else assertEquals(0.0, Compare.maxRelDiff(qm, embed(axis[1], axes)), 1e-14, "Q from times, t=" + t);
          assertArrayEquals(new double[n], c, "bias");

          double[][] axisFixed = noise == ConstantVelocityModel.Noise.CONTINUOUS ? axisContinuous(0.25, 0.9)
              : axisPiecewise(0.25, 0.9);
          pf.dynamics(t, f, c, qm);
          assertEquals(0.0, Compare.maxRelDiff(f, embed(axisFixed[0], axes)), 1e-15, "F fixed dt");
          assertEquals(0.0, Compare.maxRelDiff(qm, embed(axisFixed[1], axes)), 1e-14, "Q fixed dt");
        }
        // emissions: positions observed, R = diag(std²), no bias
        double[] h = new double[axes * n];
        double[] e = new double[axes];
        double[] r = new double[axes * axes];
        java.util.Arrays.fill(e, 5.0);
        java.util.Arrays.fill(r, 5.0);
        pt.emissions(3, h, e, r);
        double[] std = fromTimes.measurementStd();
        for (int a = 0; a < axes; a++) {
          for (int j = 0; j < n; j++) assertEquals(j == a ? 1.0 : 0.0, h[a * n + j], "H");
          for (int b = 0; b < axes; b++) assertEquals(a == b ? std[a] * std[a] : 0.0, r[a * axes + b], "R");
          assertEquals(0.0, e[a], "emission bias");
        }
      }
    }
  }
}
