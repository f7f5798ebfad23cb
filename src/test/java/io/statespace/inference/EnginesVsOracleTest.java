package io.statespace.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.LinearModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.testing.AllEngines;
import io.statespace.testing.Compare;
import io.statespace.testing.JointGaussianOracle;
import io.statespace.testing.RandomModels;
import io.statespace.testing.RandomModels.DataShape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every engine (sequential Kalman filter + RTS smoother; parallel-in-time scan; batched engine, scalar lane
 * and lockstep lanes) against
 * {@link JointGaussianOracle}, the brute-force conditioning of the joint Gaussian of all states and
 * observations, on many random small cases. Every
 * quantity must agree to 1e-9 relative (‖a − b‖∞ / ‖b‖∞ over the trajectory; log-likelihood relative to
 * max(|ℓ|, 1)). The largest difference seen per quantity is printed as one summary line.
 */
class EnginesVsOracleTest {
  private static final double TOL = 1e-9;
  private static final Compare.Tally TALLY = new Compare.Tally();

  /** Cases seen with a fully missing step, a partly missing step, a zero time gap the model uses. */
  private static final class Coverage {
    final AtomicInteger wholeMissing = new AtomicInteger();
    final AtomicInteger partialMissing = new AtomicInteger();
    final AtomicInteger zeroGap = new AtomicInteger();

    void note(StateSpaceModel model, Trajectory tr) {
      int m = tr.obsDim();
      boolean whole = false;
      boolean partial = false;
      for (int t = 0; t < tr.length(); t++) {
        int missing = 0;
        for (int i = 0; i < m; i++) {
          if (Double.isNaN(tr.observations()[t * m + i])) missing++;
        }
        whole |= missing == m;
        partial |= missing > 0 && missing < m;
      }
      boolean gap = false;
      for (int t = 0; t + 1 < tr.length(); t++) gap |= model.usesTimeGaps() && tr.dt(t) == 0.0;
      if (whole) wholeMissing.incrementAndGet();
      if (partial) partialMissing.incrementAndGet();
      if (gap) zeroGap.incrementAndGet();
    }

    DynamicTest assertion(String group, boolean gaps) {
      return DynamicTest.dynamicTest(group + " coverage", () -> {
        assertTrue(wholeMissing.get() >= 5, "few cases with a fully missing step: " + wholeMissing);
        assertTrue(partialMissing.get() >= 5, "few cases with a partly missing step: " + partialMissing);
        if (gaps) assertTrue(zeroGap.get() >= 5, "few cases with a zero time gap: " + zeroGap);
      });
    }
  }

  /** Every engine under test, by name. */
  private static final AllEngines ENGINES = new AllEngines();

  @AfterAll
  static void printSummary() {
    ENGINES.close();
    System.out.println(TALLY.summary("[EnginesVsOracle] max relative difference per quantity"));
  }

  @TestFactory
  Stream<DynamicTest> randomLinearModels() {
    return randomCases(20240601L, 120, false);
  }

  @TestFactory
  Stream<DynamicTest> randomTimeVaryingModels() {
    return randomCases(20240602L, 120, true);
  }

  private Stream<DynamicTest> randomCases(long seed, int count, boolean timeVarying) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<DynamicTest> tests = new ArrayList<>();
    Coverage coverage = new Coverage();
    for (int c = 0; c < count; c++) {
      int n = 1 + rng.nextInt(6);
      int m = 1 + rng.nextInt(4);
      int p = rng.nextInt(3);
      int steps = 1 + rng.nextInt(12);
      long caseSeed = rng.nextLong();
      String name = (timeVarying ? "timeVarying" : "linear") + " #" + c + " n=" + n + " m=" + m + " p=" + p
          + " T=" + steps;
      tests.add(DynamicTest.dynamicTest(name, () -> {
        SplittableRandom r = new SplittableRandom(caseSeed);
        StateSpaceModel model = timeVarying ? RandomModels.timeVarying(r.nextLong(), n, m, p)
            : RandomModels.linear(r, n, m, p);
        DataShape shape = new DataShape();
        shape.missingStepFraction = r.nextDouble(0.0, 0.4);
        shape.partialFraction = r.nextDouble(0.0, 0.5);
        shape.irregular = true;
        shape.zeroGapFraction = 0.2;
        Trajectory tr = RandomModels.trajectory(r, model, name, steps, shape);
        coverage.note(model, tr);
        check(name, model, tr);
      }));
    }
    tests.add(coverage.assertion(timeVarying ? "timeVarying" : "linear", timeVarying));
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> constantVelocity() {
    SplittableRandom rng = new SplittableRandom(20240603L);
    List<DynamicTest> tests = new ArrayList<>();
    Coverage coverage = new Coverage();
    for (int axes = 1; axes <= 3; axes++) {
      for (ConstantVelocityModel.Noise noise : ConstantVelocityModel.Noise.values()) {
        for (boolean fixed : new boolean[] {true, false}) {
          for (int rep = 0; rep < 5; rep++) {
            int steps = rep == 0 ? 12 : 1 + rng.nextInt(12);
            long caseSeed = rng.nextLong();
            int ax = axes;
            String name = "cv axes=" + axes + " " + noise.key() + (fixed ? " dt=fixed" : " dt=times") + " T=" + steps;
            tests.add(DynamicTest.dynamicTest(name, () -> {
              SplittableRandom r = new SplittableRandom(caseSeed);
              ConstantVelocityModel model = randomConstantVelocity(r, ax, noise, fixed);
              DataShape shape = new DataShape();
              shape.missingStepFraction = 0.2;
              shape.partialFraction = 0.3;
              shape.zeroGapFraction = 0.2;
              Trajectory tr = RandomModels.trajectory(r, model, name, steps, shape);
              coverage.note(model, tr);
              check(name, model, tr);
            }));
          }
        }
      }
    }
    tests.add(coverage.assertion("cv", true));
    return tests.stream();
  }

  private static ConstantVelocityModel randomConstantVelocity(SplittableRandom r, int axes,
      ConstantVelocityModel.Noise noise, boolean fixedDt) {
    double[] std = new double[axes];
    for (int a = 0; a < axes; a++) std[a] = r.nextDouble(0.2, 2.0);
    return new ConstantVelocityModel(axes, fixedDt ? r.nextDouble(0.1, 2.0) : Double.NaN, noise,
        r.nextDouble(0.1, 2.0), std, RandomModels.uniform(r, 2 * axes, 3.0),
        RandomModels.spd(r, 2 * axes, 2.0, 0.3));
  }

  @Test
  void everyStepMissing() {
    SplittableRandom r = new SplittableRandom(7);
    List<StateSpaceModel> models = List.of(
        RandomModels.linear(r, 3, 2, 1),
        RandomModels.timeVarying(11, 4, 3, 2),
        randomConstantVelocity(r, 2, ConstantVelocityModel.Noise.CONTINUOUS, false),
        randomConstantVelocity(r, 3, ConstantVelocityModel.Noise.PIECEWISE, true));
    for (StateSpaceModel model : models) {
      for (int steps : new int[] {1, 2, 9}) {
        Trajectory tr = RandomModels.trajectory(r, model, "all-missing", steps, new DataShape());
        Arrays.fill(tr.observations(), Double.NaN);
        Posterior oracle = check("all missing " + model.getClass().getSimpleName() + " T=" + steps, model, tr);
        assertEquals(0.0, oracle.logLikelihood());
        // Nothing observed: filtered = predicted = smoothed = the prior.
        assertEquals(0.0, Compare.maxRelDiff(oracle.smoothedMeans(), oracle.predictedMeans()));
        assertEquals(0.0, Compare.maxRelDiff(oracle.filteredCovariances(), oracle.predictedCovariances()));
      }
    }
  }

  @Test
  void singleStep() {
    SplittableRandom r = new SplittableRandom(8);
    for (int c = 0; c < 12; c++) {
      int n = 1 + r.nextInt(6);
      int m = 1 + r.nextInt(4);
      StateSpaceModel model = c % 2 == 0 ? RandomModels.linear(r, n, m, r.nextInt(3))
          : RandomModels.timeVarying(r.nextLong(), n, m, r.nextInt(3));
      Trajectory tr = RandomModels.trajectory(r, model, "T=1", 1, DataShape.complete());
      if (c % 3 == 1 && m > 1) tr.observations()[r.nextInt(m)] = Double.NaN;
      if (c % 3 == 2) Arrays.fill(tr.observations(), Double.NaN);
      Posterior oracle = check("T=1 #" + c, model, tr);
      assertEquals(0, oracle.smoothedCrossCovariances().length);
    }
  }

  /**
   * A singular initial covariance (exactly known positions, or rank one) with zero time gaps, so that the
   * smoother meets exactly or nearly singular predicted covariances (F = I, Q = 0) and must fall back to
   * its pseudo-inverse; the first steps are unobserved in half the cases.
   */
  @Test
  void singularPriorWithZeroGaps() {
    SplittableRandom rng = new SplittableRandom(9);
    for (int c = 0; c < 24; c++) {
      int axes = 1 + c % 3;
      int n = 2 * axes;
      double[] cov = new double[n * n];
      if (c % 2 == 0) {
        for (int i = axes; i < n; i++) cov[i * n + i] = 1.0;
      } else {
        double[] v = RandomModels.uniform(rng, n, 1.0);
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < n; j++) cov[i * n + j] = v[i] * v[j];
        }
      }
      double[] std = new double[axes];
      for (int a = 0; a < axes; a++) std[a] = rng.nextDouble(0.2, 1.0);
      ConstantVelocityModel.Noise noise = ConstantVelocityModel.Noise.values()[(c / 2) % 2];
      StateSpaceModel model = new ConstantVelocityModel(axes, Double.NaN, noise, rng.nextDouble(0.1, 1.0), std,
          RandomModels.uniform(rng, n, 1.0), cov);
      double[] times = {0, 0, 0, 1, 1, 2.5, 2.5};
      double[] obs = RandomModels.uniform(rng, times.length * axes, 2.0);
      if (c % 4 < 2) Arrays.fill(obs, 0, 2 * axes, Double.NaN);
      check("singular prior #" + c, model, new Trajectory("singular", times, obs, axes));
    }
  }

  /**
   * Noise-free dynamics (Q = 0, F = I + a random matrix) from a rank-deficient initial covariance: every
   * predicted covariance is exactly singular, so the smoother needs the pseudo-inverse at every step, and
   * its rounding noise in the null directions must not be inverted.
   */
  @Test
  void noiseFreeDynamicsFromSingularPrior() {
    SplittableRandom rng = new SplittableRandom(10);
    for (int c = 0; c < 100; c++) {
      int n = 2 + rng.nextInt(5);
      int m = 1 + rng.nextInt(3);
      int rank = 1 + rng.nextInt(n - 1);
      double[] v = RandomModels.uniform(rng, n * rank, 1.0);
      double[] sigma0 = new double[n * n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          for (int k = 0; k < rank; k++) sigma0[i * n + j] += v[i * rank + k] * v[j * rank + k];
        }
      }
      double[] f = RandomModels.uniform(rng, n * n, 0.5);
      for (int i = 0; i < n; i++) f[i * n + i] += 1.0;
      StateSpaceModel model = new LinearModel(n, m, 0, RandomModels.uniform(rng, n, 1.0), sigma0,
          f, RandomModels.uniform(rng, n, 0.5), null, new double[n * n],
          RandomModels.uniform(rng, m * n, 1.0), RandomModels.uniform(rng, m, 0.5), null,
          RandomModels.spd(rng, m, 0.5, 0.1));
      int steps = 2 + rng.nextInt(4);
      double[] times = new double[steps];
      for (int t = 0; t < steps; t++) times[t] = t;
      double[] obs = RandomModels.uniform(rng, steps * m, 2.0);
      if (c % 3 == 0) Arrays.fill(obs, 0, m, Double.NaN);
      check("noise-free #" + c + " n=" + n + " rank=" + rank, model, new Trajectory("noise-free", times, obs, m));
    }
  }

  /** Compares every output of the engine with the oracle; returns the oracle's posterior. */
  private static Posterior check(String caseName, StateSpaceModel model, Trajectory tr) {
    Posterior expected = JointGaussianOracle.posterior(model, tr);
    for (Map.Entry<String, SmoothingEngine> e : ENGINES.byName().entrySet()) {
      check(caseName + " [" + e.getKey() + "]", e.getValue(), model, tr, expected);
    }
    return expected;
  }

  private static void check(String name, SmoothingEngine engine, StateSpaceModel model, Trajectory tr, Posterior expected) {
    Posterior smoothed = engine.smooth(model, tr, Outputs.ALL);
    Posterior filtered = engine.filter(model, tr, Outputs.ALL);
    int n = model.stateDim();
    int steps = tr.length();
    assertEquals(steps, smoothed.length());
    assertEquals(n, smoothed.stateDim());
    assertNull(filtered.smoothedMeans(), name);

    record("filteredMean", name, smoothed.filteredMeans(), expected.filteredMeans());
    record("filteredCov", name, smoothed.filteredCovariances(), expected.filteredCovariances());
    record("predictedMean", name, smoothed.predictedMeans(), expected.predictedMeans());
    record("predictedCov", name, smoothed.predictedCovariances(), expected.predictedCovariances());
    record("smoothedMean", name, smoothed.smoothedMeans(), expected.smoothedMeans());
    record("smoothedCov", name, smoothed.smoothedCovariances(), expected.smoothedCovariances());
    record("crossCov", name, smoothed.smoothedCrossCovariances(), expected.smoothedCrossCovariances());
    TALLY.record("logLik", Compare.assertRelClose(name + ": logLik", smoothed.logLikelihood(),
        expected.logLikelihood(), TOL));
    // filter() alone gives the same forward pass.
    record("filteredMean", name + " (filter only)", filtered.filteredMeans(), expected.filteredMeans());
    record("filteredCov", name + " (filter only)", filtered.filteredCovariances(), expected.filteredCovariances());
    record("predictedCov", name + " (filter only)", filtered.predictedCovariances(), expected.predictedCovariances());
    Compare.assertRelClose(name + ": logLik (filter only)", filtered.logLikelihood(), expected.logLikelihood(), TOL);
  }

  private static void record(String quantity, String name, double[] actual, double[] expected) {
    TALLY.record(quantity, Compare.assertRelClose(name + ": " + quantity, actual, expected, TOL));
  }
}
