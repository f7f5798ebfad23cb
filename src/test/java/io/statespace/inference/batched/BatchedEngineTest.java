package io.statespace.inference.batched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.inference.InferenceException;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.LinearModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepParameters;
import io.statespace.testing.ElementwiseComparison;
import io.statespace.testing.RandomModels;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The batched engine against the sequential float64 reference, trajectory by trajectory: every posterior array
 * and the log-likelihood within 1e-9 relative (‖a − b‖∞ / ‖b‖∞ per array), on random blocks of ragged
 * trajectories (1 to 500 steps) with whole and partial missing steps and irregular gaps including 0, for each
 * way the engine binds a model (shared, per-lane inputs, constant-velocity dt per lane, generic per-lane
 * steps), several tile widths, and the failure paths.
 */
class BatchedEngineTest {
  private static final double TOLERANCE = 1e-9;

  static Stream<Arguments> randomBlocks() {
    Stream.Builder<Arguments> cases = Stream.builder();
    long seed = 101;
    for (String family : new String[] {"linear", "inputs", "timeVarying"}) {
      for (int width : new int[] {1, 7, BatchedEngine.DEFAULT_WIDTH}) {
        cases.add(Arguments.of(family, width, seed++));
        cases.add(Arguments.of(family, width, seed++));
      }
    }
    return cases.build();
  }

  @ParameterizedTest(name = "{0}, width {1}, seed {2}")
  @MethodSource("randomBlocks")
  void randomModelsAgreeWithSequential(String family, int width, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int n = 1 + rng.nextInt(8);
    int m = 1 + rng.nextInt(4);
    int p = family.equals("linear") ? 0 : 1 + rng.nextInt(2);
    StateSpaceModel model = family.equals("timeVarying") ? RandomModels.timeVarying(seed, n, m, p)
        : RandomModels.linear(rng, n, m, p);
    int count = width == 1 ? 6 : 5 + rng.nextInt(2 * width);
    List<Trajectory> block = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      int steps = rng.nextInt(6) == 0 ? 1 + rng.nextInt(3) : 1 + rng.nextInt(500);
      block.add(RandomModels.trajectory(rng, model, family + "-" + k, steps, new RandomModels.DataShape()));
    }
    assertAgree(family + " n=" + n + " m=" + m + " p=" + p, new BatchedEngine(width), model, block);
  }

  static Stream<Arguments> constantVelocity() {
    Stream.Builder<Arguments> cases = Stream.builder();
    long seed = 301;
    for (int axes = 1; axes <= 3; axes++) {
      for (ConstantVelocityModel.Noise noise : ConstantVelocityModel.Noise.values()) {
        cases.add(Arguments.of(axes, noise, true, seed++));
        cases.add(Arguments.of(axes, noise, false, seed++));
      }
    }
    return cases.build();
  }

  @ParameterizedTest(name = "{0} axes, {1}, dt from time column {2}, seed {3}")
  @MethodSource("constantVelocity")
  void constantVelocityAgreesWithSequential(int axes, ConstantVelocityModel.Noise noise, boolean gaps, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    StateSpaceModel model = constantVelocity(rng, axes, noise, gaps ? Double.NaN : 0.1 + rng.nextDouble());
    List<Trajectory> block = new ArrayList<>();
    for (int k = 0; k < 40; k++) {
      block.add(RandomModels.trajectory(rng, model, "cv-" + k, 1 + rng.nextInt(300), new RandomModels.DataShape()));
    }
    assertAgree("cv axes=" + axes + " " + noise + " gaps=" + gaps, new BatchedEngine(16), model, block);
  }

  @Test
  void longTrajectoryBesideShortOnesAgrees() {
    SplittableRandom rng = new SplittableRandom(7);
    StateSpaceModel model = constantVelocity(rng, 2, ConstantVelocityModel.Noise.CONTINUOUS, Double.NaN);
    List<Trajectory> block = new ArrayList<>();
    block.add(RandomModels.trajectory(rng, model, "short", 3, new RandomModels.DataShape()));
    block.add(RandomModels.trajectory(rng, model, "long", 20_000, new RandomModels.DataShape()));
    block.add(RandomModels.trajectory(rng, model, "one", 1, new RandomModels.DataShape()));
    assertAgree("long", new BatchedEngine(), model, block);
  }

  @Test
  void filterOnlyKeepsNoSmoothedArraysAndPredictionsOnlyWhenAsked() {
    SplittableRandom rng = new SplittableRandom(9);
    LinearModel model = RandomModels.linear(rng, 3, 2, 0);
    List<Trajectory> block = List.of(
        RandomModels.trajectory(rng, model, "a", 40, new RandomModels.DataShape()),
        RandomModels.trajectory(rng, model, "b", 70, new RandomModels.DataShape()));
    BatchedEngine engine = new BatchedEngine();
    SequentialEngine reference = new SequentialEngine();
    Posterior[] filtered = engine.filter(model, block, Outputs.of(true, false));
    for (int i = 0; i < block.size(); i++) {
      Posterior expected = reference.filter(model, block.get(i), Outputs.of(true, false));
      assertEquals(block.get(i).length(), filtered[i].length());
      assertNull(filtered[i].smoothedMeans());
      assertNotNull(filtered[i].predictedCovariances());
      ElementwiseComparison.assertClose("filter " + block.get(i).id(), filtered[i], expected, TOLERANCE);
    }
    Posterior smoothed = engine.smooth(model, block.get(0), Outputs.MOMENTS);
    assertNull(smoothed.predictedMeans());
    assertNull(smoothed.smoothedCrossCovariances());
    ElementwiseComparison.assertClose("smooth a", smoothed, reference.smooth(model, block.get(0), Outputs.MOMENTS), TOLERANCE);
    assertEquals(0, engine.smooth(model, List.of(), Outputs.ALL).length);
  }

  @Test
  void singularPredictedCovarianceFallsBackToThePseudoInverseLikeSequential() {
    double[] sigma0 = {1.0, 0.0, 0.0, 0.0};
    ConstantVelocityModel model = new ConstantVelocityModel(1, Double.NaN, ConstantVelocityModel.Noise.CONTINUOUS,
        0.5, new double[] {0.3}, new double[] {0.2, 1.0}, sigma0);
    Trajectory singular = new Trajectory("singular", new double[] {0.0, 0.0, 1.0, 1.5},
        new double[] {Double.NaN, 0.4, 1.1, 1.4}, 1);
    SplittableRandom rng = new SplittableRandom(3);
    List<Trajectory> block = List.of(RandomModels.trajectory(rng, model, "regular", 6, new RandomModels.DataShape()),
        singular);
    assertAgree("singular P⁻", new BatchedEngine(), model, block);
  }

  @Test
  void aLaneWhoseInnovationCovarianceIsNotPositiveDefiniteNamesItsTrajectoryAndStep() {
    StateSpaceModel model = new NoiseFromInput();
    List<Trajectory> block = new ArrayList<>();
    for (int k = 0; k < 5; k++) {
      double[] u = {1.0, 1.0, 1.0, 1.0};
      if (k == 3) u[2] = 0.0;
      block.add(new Trajectory("tr-" + k, new double[] {0, 1, 2, 3}, new double[] {0.1, 0.2, 0.3, 0.4}, 1, u, 1));
    }
    InferenceException e = assertThrows(InferenceException.class,
        () -> new BatchedEngine().smooth(model, block, Outputs.MOMENTS));
    assertTrue(e.getMessage().contains("'tr-3', step 2"), e.getMessage());
    InferenceException alone = assertThrows(InferenceException.class,
        () -> new BatchedEngine().smooth(model, block.get(3), Outputs.MOMENTS));
    assertTrue(alone.getMessage().contains("'tr-3', step 2"), alone.getMessage());
    assertThrows(InferenceException.class, () -> new SequentialEngine().smooth(model, block.get(3), Outputs.MOMENTS));
  }

  @Test
  void emptyTrajectoryIsRefused() {
    LinearModel model = RandomModels.linear(new SplittableRandom(1), 2, 1, 0);
    Trajectory empty = new Trajectory("empty", new double[0], new double[0], 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new BatchedEngine().smooth(model, List.of(empty), Outputs.MOMENTS));
    assertTrue(e.getMessage().contains("'empty'"), e.getMessage());
  }

  static ConstantVelocityModel constantVelocity(SplittableRandom rng, int axes, ConstantVelocityModel.Noise noise,
      double dt) {
    int n = 2 * axes;
    double[] std = new double[axes];
    for (int a = 0; a < axes; a++) std[a] = 0.2 + rng.nextDouble();
    return new ConstantVelocityModel(axes, dt, noise, 0.3 + rng.nextDouble(), std, RandomModels.uniform(rng, n, 2.0),
        RandomModels.spd(rng, n, 1.0, 0.2));
  }

  /**
   * Asserts batched = sequential for every trajectory of the block (all outputs, per element:
   * {@link ElementwiseComparison}) and prints the worst case.
   */
  static void assertAgree(String label, BatchedEngine engine, StateSpaceModel model, List<Trajectory> block) {
    Posterior[] smoothed = engine.smooth(model, block, Outputs.ALL);
    Posterior[] filtered = engine.filter(model, block, Outputs.ALL);
    SequentialEngine reference = new SequentialEngine();
    double worst = 0.0;
    for (int i = 0; i < block.size(); i++) {
      Trajectory tr = block.get(i);
      assertEquals(tr.length(), smoothed[i].length(), tr.id());
      worst = Math.max(worst, ElementwiseComparison.assertClose(label + ", " + tr.id() + " (T = " + tr.length() + ")",
          smoothed[i], reference.smooth(model, tr, Outputs.ALL), TOLERANCE));
      worst = Math.max(worst, ElementwiseComparison.assertClose(label + ", filter, " + tr.id(), filtered[i],
          reference.filter(model, tr, Outputs.ALL), TOLERANCE));
    }
    System.out.printf("batched vs sequential %s, %d trajectories: max %.1e%n", label, block.size(), worst);
  }

  /** y_t = x_t + v_t with Var v_t = u_t: a zero input makes S singular at that step (x_t known exactly). */
  private static final class NoiseFromInput implements StateSpaceModel {
    private static final long serialVersionUID = 1L;

    @Override
    public int stateDim() {
      return 1;
    }

    @Override
    public int obsDim() {
      return 1;
    }

    @Override
    public int inputDim() {
      return 1;
    }

    @Override
    public StepParameters bind(Trajectory trajectory) {
      double[] u = trajectory.inputs();
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
          mean[0] = 0.0;
          cov[0] = 1.0;
        }

        @Override
        public void dynamics(int t, double[] weights, double[] bias, double[] cov) {
          weights[0] = 1.0;
          bias[0] = 0.0;
          cov[0] = u[t];
        }

        @Override
        public void emissions(int t, double[] weights, double[] bias, double[] cov) {
          weights[0] = u[t] == 0.0 ? 0.0 : 1.0;
          bias[0] = 0.0;
          cov[0] = u[t];
        }
      };
    }
  }
}
