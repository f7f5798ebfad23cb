package io.statespace.inference.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.testing.ElementwiseComparison;
import io.statespace.testing.RandomModels;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The parallel engine against the sequential float64 reference on random stable models of random sizes
 * (explicit linear and per-step time-varying with dt-dependent F and Q, Q = 0 at dt = 0), with inputs,
 * whole and partial missing steps and irregular gaps including 0. Every posterior array and the
 * log-likelihood must agree to 1e-9 relative (‖a − b‖∞ / ‖b‖∞ per array), with both orders of evaluation
 * (chunked on 1-3 threads, and the tree; see {@link EngineComparison}).
 */
class ParallelEngineTest {
  private static final int[] LENGTHS = {1, 2, 3, 10, 100, 1000, 10000, 100000};

  private static EngineComparison engines;

  @BeforeAll
  static void startEngines() {
    engines = new EngineComparison();
  }

  @AfterAll
  static void stopEngines() {
    engines.close();
  }

  static Stream<Arguments> cases() {
    Stream.Builder<Arguments> cases = Stream.builder();
    long seed = 17;
    for (int steps : LENGTHS) {
      for (String family : new String[] {"linear", "timeVarying"}) {
        cases.add(Arguments.of(family, steps, seed++));
      }
    }
    return cases.build();
  }

  @ParameterizedTest(name = "{0}, T = {1}, seed {2}")
  @MethodSource("cases")
  void agreesWithSequential(String family, int steps, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int n = steps >= 100000 ? 2 + rng.nextInt(3) : 1 + rng.nextInt(8);
    int m = 1 + rng.nextInt(4);
    int p = rng.nextInt(3);
    StateSpaceModel model = family.equals("linear") ? RandomModels.linear(rng, n, m, p)
        : RandomModels.timeVarying(rng.nextLong(), n, m, p);
    RandomModels.DataShape shape = new RandomModels.DataShape();
    if (seed % 2 == 0) {
      shape.missingStepFraction = 0.3;
      shape.partialFraction = 0.3;
    }
    Trajectory trajectory = RandomModels.trajectory(rng, model, family + "-" + seed, steps, shape);
    int threads = 1 + (int) (seed % 3);
    String label = String.format("%-11s T=%6d n=%d m=%d p=%d missing=%d/%d", family, steps, n, m, p,
        trajectory.missingSteps(), steps);
    engines.check(label, model, trajectory, threads);
  }

  @Test
  void filterOnlyHonoursOutputs() {
    SplittableRandom rng = new SplittableRandom(5);
    StateSpaceModel model = RandomModels.timeVarying(11, 3, 2, 1);
    Trajectory trajectory = RandomModels.trajectory(rng, model, "outputs", 50, new RandomModels.DataShape());
    Posterior expected = new SequentialEngine().filter(model, trajectory, Outputs.MOMENTS);
    Posterior actual = engines.chunked(2).filter(model, trajectory, Outputs.MOMENTS);
    assertNull(actual.predictedMeans());
    assertNull(actual.smoothedMeans());
    assertNull(actual.smoothedCrossCovariances());
    ElementwiseComparison.assertClose("filter only", actual, expected, EngineComparison.TOLERANCE);
    Posterior smoothed = engines.chunked(2).smooth(model, trajectory, Outputs.of(true, false));
    assertNull(smoothed.smoothedCrossCovariances());
    assertEquals(50 * 3, smoothed.predictedMeans().length);
    Posterior singleStep = engines.chunked(3).smooth(model, prefix(trajectory, 1), Outputs.ALL);
    assertEquals(0, singleStep.smoothedCrossCovariances().length);
  }

  @Test
  void everyStepMissing() {
    SplittableRandom rng = new SplittableRandom(9);
    StateSpaceModel model = RandomModels.timeVarying(3, 4, 3, 2);
    RandomModels.DataShape shape = new RandomModels.DataShape();
    shape.missingStepFraction = 1.0;
    Trajectory trajectory = RandomModels.trajectory(rng, model, "all-missing", 200, shape);
    engines.check("timeVarying T=   200 n=4 m=3 p=2 missing=" + trajectory.missingSteps() + "/200 (every step)", model,
        trajectory, 2);
  }

  /**
   * A prior with zero velocity variance, observed positions and a first gap of 0 (F = I, Q = 0): the
   * predicted covariance F P_0 Fᵀ + Q = P_0 is singular, so both smoothers take the pseudo-inverse path.
   */
  @Test
  void singularPredictedCovariance() {
    double[] sigma0 = new double[16];
    sigma0[0] = 2.0;
    sigma0[5] = 3.0;
    ConstantVelocityModel model = new ConstantVelocityModel(2, Double.NaN, ConstantVelocityModel.Noise.CONTINUOUS,
        1.0, new double[] {0.5, 0.7}, new double[] {1.0, -2.0, 0.5, 0.3}, sigma0);
    SplittableRandom rng = new SplittableRandom(21);
    double[] times = {0.0, 0.0, 0.4, 0.4, 1.1, 1.5, 1.5, 2.0};
    double[] y = new double[times.length * 2];
    for (int i = 0; i < y.length; i++) y[i] = rng.nextDouble(-3, 3);
    y[7] = Double.NaN;
    Trajectory trajectory = new Trajectory("singular", times, y, 2);
    engines.check("constantVelocity T=8 n=4 m=2, singular P^-_1 (pinv)", model, trajectory, 3);
  }

  /** The first {@code steps} steps of a trajectory. */
  static Trajectory prefix(Trajectory full, int steps) {
    int m = full.obsDim();
    int p = full.inputDim();
    return new Trajectory(full.id(), java.util.Arrays.copyOf(full.times(), steps),
        java.util.Arrays.copyOf(full.observations(), steps * m), m,
        p == 0 ? null : java.util.Arrays.copyOf(full.inputs(), steps * p), p);
  }
}
