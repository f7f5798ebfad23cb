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
 * The unrolled kernels of the batched engine ({@link BlockLanes} for models that split into blocks of two states
 * and one observation, {@link UnrolledLanes} for n = 4, m = 2) against the general lockstep kernels
 * ({@link BatchedEngine.Kernels#GENERAL}) on the same blocks: every element of the filtered, predicted and
 * smoothed means and covariances, the lag-one cross-covariances and the log-likelihood within 1e-12
 * ({@link ElementwiseComparison}: relative, with the component's own scale as the floor). Random models of the
 * specialised sizes, ragged blocks with whole and partial missing steps, irregular gaps including 0, gaps of
 * 10^6 s (P⁻ ill conditioned: the n×n fallback) and a singular P⁻ (the pseudo-inverse gain); each case also
 * checks which kernel ran, so that a selection that falls back to the general path cannot pass unnoticed.
 */
class FixedSizeKernelTest {
  private static final double TOLERANCE = 1e-12;

  static Stream<Arguments> blockModels() {
    Stream.Builder<Arguments> cases = Stream.builder();
    long seed = 901;
    for (int axes = 1; axes <= 3; axes++) {
      for (ConstantVelocityModel.Noise noise : ConstantVelocityModel.Noise.values()) {
        cases.add(Arguments.of(axes, noise, 16, seed++));
        cases.add(Arguments.of(axes, noise, BatchedEngine.DEFAULT_WIDTH, seed++));
      }
    }
    return cases.build();
  }

  /** Constant velocity with axes that never meet (Σ0 block-diagonal by axis): the block kernels. */
  @ParameterizedTest(name = "{0} axes, {1}, width {2}, seed {3}")
  @MethodSource("blockModels")
  void constantVelocityBlocksAgreeWithTheGeneralKernels(int axes, ConstantVelocityModel.Noise noise, int width,
      long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    StateSpaceModel model = constantVelocity(rng, axes, noise, axisBlocks(rng, axes));
    List<Trajectory> block = raggedBlock(rng, model, 3 * width + 5);
    KernelRun run = compare("cv axes=" + axes + " " + noise, width, BatchedEngine.Sharing.PER_LANE, model, block);
    assertTrue(run.fixed.blockTiles > 0 && run.fixed.generalTiles == 0 && run.fixed.unrolledTiles == 0, run.toString());
    assertTrue(run.fixed.generalSteps > 0, "the gaps of 10^3 s must reach the n×n fallback: " + run);
    assertEquals(0, run.general.generalSteps);
    assertEquals(0, run.general.blockTiles + run.general.unrolledTiles, run.toString());
  }

  /** Any n = 2, m = 1 model is one block, per-lane parameters (inputs, time-varying) included. */
  @ParameterizedTest(name = "{0}, seed {1}")
  @MethodSource("twoByOneModels")
  void twoStateModelsAreOneBlock(String family, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    StateSpaceModel model = switch (family) {
      case "linear" -> RandomModels.linear(rng, 2, 1, 0);
      case "inputs" -> RandomModels.linear(rng, 2, 1, 2);
      default -> RandomModels.timeVarying(seed, 2, 1, 1);
    };
    List<Trajectory> block = raggedBlock(rng, model, 40, false);
    KernelRun run = compare(family + " 2x1", 16, BatchedEngine.Sharing.PER_LANE, model, block);
    assertTrue(run.fixed.blockTiles > 0 && run.fixed.generalTiles == 0, run.toString());
  }

  static Stream<Arguments> twoByOneModels() {
    return Stream.of(Arguments.of("linear", 11L), Arguments.of("inputs", 12L), Arguments.of("timeVarying", 13L));
  }

  /** n = 4, m = 2 models whose states all meet: the dense unrolled kernels. */
  @ParameterizedTest(name = "{0}, seed {1}")
  @MethodSource("denseModels")
  void denseFourByTwoModelsAgreeWithTheGeneralKernels(String family, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    StateSpaceModel model = switch (family) {
      case "cv, dense prior" -> constantVelocity(rng, 2, ConstantVelocityModel.Noise.CONTINUOUS,
          RandomModels.spd(rng, 4, 1.0, 0.2));
      case "linear" -> RandomModels.linear(rng, 4, 2, 0);
      case "inputs" -> RandomModels.linear(rng, 4, 2, 1);
      default -> RandomModels.timeVarying(seed, 4, 2, 1);
    };
    List<Trajectory> block = raggedBlock(rng, model, 70, family.startsWith("cv"));
    KernelRun run = compare(family, 32, BatchedEngine.Sharing.PER_LANE, model, block);
    assertTrue(run.fixed.unrolledTiles > 0 && run.fixed.generalTiles == 0 && run.fixed.blockTiles == 0,
        run.toString());
    if (family.startsWith("cv")) assertTrue(run.fixed.generalSteps > 0, "huge gaps: n×n fallback expected " + run);
  }

  static Stream<Arguments> denseModels() {
    return Stream.of(Arguments.of("cv, dense prior", 21L), Arguments.of("linear", 22L), Arguments.of("inputs", 23L),
        Arguments.of("timeVarying", 24L));
  }

  /**
   * A 4-state, 2-observation linear model in two blocks ({0, 2} observed by 0, {1, 3} by 1) splits only while
   * no entry of F, Q, H, R or Σ0 joins them: one coupling entry anywhere sends it to the dense n = 4 kernels,
   * and both agree with the general kernels.
   */
  @ParameterizedTest(name = "coupled by {0}")
  @MethodSource("couplings")
  void oneCouplingEntryKeepsTheModelWhole(String coupling) {
    SplittableRandom rng = new SplittableRandom(71 + coupling.hashCode());
    double[] f = {0.9, 0, 0.3, 0, 0, 0.8, 0, 0.2, -0.1, 0, 0.7, 0, 0, 0.1, 0, 0.9};
    double[] q = {0.5, 0, 0.1, 0, 0, 0.6, 0, 0.2, 0.1, 0, 0.4, 0, 0, 0.2, 0, 0.3};
    double[] h = {1.0, 0, 0.2, 0, 0, 0.8, 0, -0.3};
    double[] r = {0.3, 0, 0, 0.5};
    double[] sigma0 = {1.0, 0, 0.3, 0, 0, 2.0, 0, -0.2, 0.3, 0, 1.5, 0, 0, -0.2, 0, 0.7};
    switch (coupling) {
      case "F" -> f[1] = 0.05;
      case "Q" -> {
        q[3] = 0.05;
        q[12] = 0.05;
      }
      case "H" -> h[1] = 0.25;
      case "R" -> {
        r[1] = 0.1;
        r[2] = 0.1;
      }
      case "Sigma0" -> {
        sigma0[1] = 0.2;
        sigma0[4] = 0.2;
      }
      default -> { }
    }
    LinearModel model = new LinearModel(4, 2, 0, new double[] {0.5, -0.5, 1.0, 0.0}, sigma0, f,
        new double[] {0.1, 0.0, -0.1, 0.2}, new double[0], q, h, new double[] {0.0, 0.3}, new double[0], r);
    List<Trajectory> block = raggedBlock(rng, model, 30, false);
    KernelRun run = compare("coupled by " + coupling, 16, BatchedEngine.Sharing.PER_LANE, model, block);
    if (coupling.equals("nothing")) {
      assertTrue(run.fixed.blockTiles > 0 && run.fixed.unrolledTiles == 0, run.toString());
    } else {
      assertTrue(run.fixed.unrolledTiles > 0 && run.fixed.blockTiles == 0, run.toString());
    }
  }

  static Stream<String> couplings() {
    return Stream.of("nothing", "F", "Q", "H", "R", "Sigma0");
  }

  /**
   * The default engine (shared covariances, steady state) beside the unrolled tiles: regular complete
   * trajectories of one length share a recursion, the irregular ones go to the tiles.
   */
  @Test
  void sharedGroupsAndTilesTogetherAgree() {
    SplittableRandom rng = new SplittableRandom(31);
    StateSpaceModel model = constantVelocity(rng, 2, ConstantVelocityModel.Noise.CONTINUOUS, axisBlocks(rng, 2));
    List<Trajectory> block = raggedBlock(rng, model, 30);
    for (int k = 0; k < 12; k++) {
      block.add(RandomModels.trajectory(rng, model, "regular-" + k, 150, RandomModels.DataShape.complete()));
    }
    KernelRun run = compare("shared + tiles", BatchedEngine.DEFAULT_WIDTH, BatchedEngine.Sharing.SHARED, model, block);
    assertTrue(run.fixed.blockTiles > 0, run.toString());
  }

  /**
   * dt = 0 with the first observation missing, so that P⁻ is the prior: singular (a zero pivot) or nearly so
   * (a pivot of 1e-7, squared below {@link io.statespace.linalg.SemiDefiniteSolver#RANK_TOLERANCE} times the
   * largest variance): both take the pseudo-inverse gain.
   */
  @ParameterizedTest(name = "prior variance of the first state {0}")
  @MethodSource("tinyVariances")
  void singularPredictedCovarianceTakesThePseudoInverseInBothKernels(double tiny) {
    for (int axes = 1; axes <= 2; axes++) {
      int n = 2 * axes;
      double[] sigma0 = new double[n * n];
      sigma0[0] = tiny;
      for (int i = 1; i < n; i++) sigma0[i * n + i] = 1.0;
      double[] std = new double[axes];
      java.util.Arrays.fill(std, 0.2);
      ConstantVelocityModel blocks = new ConstantVelocityModel(axes, Double.NaN, ConstantVelocityModel.Noise.CONTINUOUS,
          0.5, std, new double[n], sigma0);
      double[] dense = RandomModels.spd(new SplittableRandom(axes), n, 1.0, 0.0);
      List<Trajectory> block = new ArrayList<>();
      SplittableRandom rng = new SplittableRandom(40 + axes);
      for (int k = 0; k < 12; k++) {
        double[] obs = new double[4 * axes];
        for (int i = 0; i < obs.length; i++) obs[i] = i < axes ? Double.NaN : rng.nextDouble(-1, 1);
        block.add(new Trajectory("singular-" + k, new double[] {0.0, 0.0, 1.0, 1.5}, obs, axes));
      }
      KernelRun run = compare("singular P⁻ (" + tiny + "), axes " + axes, 16, BatchedEngine.Sharing.PER_LANE, blocks, block);
      assertTrue(run.fixed.blockTiles > 0 && run.fixed.generalSteps > 0, run.toString());
      if (axes == 2) {
        StateSpaceModel denseModel = new ConstantVelocityModel(2, Double.NaN, ConstantVelocityModel.Noise.CONTINUOUS,
            0.5, std, new double[n], withCorner(dense, tiny));
        KernelRun denseRun = compare("singular P⁻ (" + tiny + "), dense", 16, BatchedEngine.Sharing.PER_LANE, denseModel, block);
        assertTrue(denseRun.fixed.unrolledTiles > 0 && denseRun.fixed.generalSteps > 0, denseRun.toString());
      }
    }
  }

  /**
   * Gaps of 10^6 s defeat the P⁻ − WᵀW update of every batched kernel (NumericalStressTest): the unrolled ones
   * must fail as the general ones do, on the same trajectory and step, never return something wrong.
   */
  @Test
  void gapsOfAMillionSecondsFailAsInTheGeneralKernels() {
    for (int axes = 1; axes <= 2; axes++) {
      SplittableRandom rng = new SplittableRandom(60 + axes);
      double[] prior = axes == 1 ? axisBlocks(rng, 1) : RandomModels.spd(rng, 4, 1.0, 0.2);
      StateSpaceModel model = constantVelocity(rng, axes, ConstantVelocityModel.Noise.CONTINUOUS, prior);
      Trajectory gaps = RandomModels.hugeAndTinyGaps();
      List<Trajectory> block = new ArrayList<>();
      for (int k = 0; k < 9; k++) {
        double[] obs = new double[gaps.length() * axes];
        for (int t = 0; t < gaps.length(); t++) {
          for (int i = 0; i < axes; i++) obs[t * axes + i] = gaps.observations()[t * 2 + i];
        }
        block.add(new Trajectory("gaps-" + k, gaps.times(), obs, axes));
      }
      String[] messages = new String[2];
      for (BatchedEngine.Kernels kernels : BatchedEngine.Kernels.values()) {
        BatchedEngine engine = new BatchedEngine(16, BatchedEngine.Sharing.PER_LANE, false, kernels);
        InferenceException e = assertThrows(InferenceException.class, () -> engine.smooth(model, block, Outputs.ALL));
        messages[kernels.ordinal()] = e.getMessage();
        if (kernels == BatchedEngine.Kernels.FIXED_SIZE) {
          assertEquals(1, axes == 1 ? engine.kernelUse().blockTiles : engine.kernelUse().unrolledTiles);
        }
      }
      assertTrue(messages[0].startsWith("trajectory 'gaps-0', step "), messages[0]);
      assertEquals(messages[1], messages[0], "axes " + axes);
    }
  }

  /** A lane whose innovation variance is 0 names its own trajectory and step in both kernels, as the general. */
  @Test
  void aNonPositiveInnovationNamesTheTrajectoryAndStep() {
    for (int n : new int[] {2, 4}) {
      StateSpaceModel model = new NoiseFromInput(n);
      List<Trajectory> block = new ArrayList<>();
      for (int k = 0; k < 10; k++) {
        int m = n / 2;
        double[] u = {1.0, 1.0, 1.0, 1.0};
        if (k == 6) u[2] = 0.0;
        double[] obs = new double[4 * m];
        for (int i = 0; i < obs.length; i++) obs[i] = 0.1 * i;
        block.add(new Trajectory("tr-" + k, new double[] {0, 1, 2, 3}, obs, m, u, 1));
      }
      for (BatchedEngine.Kernels kernels : BatchedEngine.Kernels.values()) {
        BatchedEngine engine = new BatchedEngine(16, BatchedEngine.Sharing.PER_LANE, false, kernels);
        InferenceException e = assertThrows(InferenceException.class, () -> engine.smooth(model, block, Outputs.MOMENTS));
        assertTrue(e.getMessage().contains("'tr-6', step 2: innovation covariance is not positive definite"),
            n + " " + kernels + ": " + e.getMessage());
        if (kernels == BatchedEngine.Kernels.FIXED_SIZE) {
          assertEquals(1, n == 2 ? engine.kernelUse().blockTiles : engine.kernelUse().unrolledTiles, "n = " + n);
        }
      }
    }
  }

  /** Filter only, without predictions: no smoothed arrays, and the same filtered moments. */
  @Test
  void filterOnlyWithoutPredictionsAgrees() {
    SplittableRandom rng = new SplittableRandom(51);
    StateSpaceModel model = constantVelocity(rng, 2, ConstantVelocityModel.Noise.PIECEWISE, axisBlocks(rng, 2));
    List<Trajectory> block = raggedBlock(rng, model, 20);
    Posterior[] fixed = engine(16, BatchedEngine.Sharing.PER_LANE, BatchedEngine.Kernels.FIXED_SIZE)
        .filter(model, block, Outputs.MOMENTS);
    Posterior[] general = engine(16, BatchedEngine.Sharing.PER_LANE, BatchedEngine.Kernels.GENERAL)
        .filter(model, block, Outputs.MOMENTS);
    for (int i = 0; i < block.size(); i++) {
      assertNull(fixed[i].smoothedMeans());
      assertNull(fixed[i].predictedMeans());
      assertNotNull(fixed[i].filteredCovariances());
      ElementwiseComparison.assertClose("filter only " + block.get(i).id(), fixed[i], general[i], TOLERANCE);
    }
  }

  /** What each engine ran, for the assertions on the path taken. */
  private record KernelRun(BatchedEngine.KernelUse fixed, BatchedEngine.KernelUse general) {
    @Override
    public String toString() {
      return "fixed: " + describe(fixed) + "; general: " + describe(general);
    }

    private static String describe(BatchedEngine.KernelUse u) {
      return "tiles scalar " + u.scalarTiles + ", general " + u.generalTiles + ", unrolled " + u.unrolledTiles
          + ", blocks " + u.blockTiles + "; n×n smoother steps " + u.generalSteps;
    }
  }

  /**
   * Smooths and filters the block with every output (predictions, cross-covariances) through both kernels and
   * asserts every posterior element within {@link #TOLERANCE}; returns what each smoothing run used.
   */
  private static KernelRun compare(String label, int width, BatchedEngine.Sharing sharing, StateSpaceModel model,
      List<Trajectory> block) {
    BatchedEngine fixed = engine(width, sharing, BatchedEngine.Kernels.FIXED_SIZE);
    BatchedEngine general = engine(width, sharing, BatchedEngine.Kernels.GENERAL);
    Posterior[] fixedFiltered = fixed.filter(model, block, Outputs.ALL);
    Posterior[] generalFiltered = general.filter(model, block, Outputs.ALL);
    Posterior[] fixedSmoothed = fixed.smooth(model, block, Outputs.ALL);
    Posterior[] generalSmoothed = general.smooth(model, block, Outputs.ALL);
    double worst = 0.0;
    double worstGaps = 0.0;
    for (int i = 0; i < block.size(); i++) {
      String id = label + ", " + block.get(i).id() + " (T = " + block.get(i).length() + ")";
      double figure = Math.max(
          ElementwiseComparison.assertClose(id + ", filter", fixedFiltered[i], generalFiltered[i], TOLERANCE),
          ElementwiseComparison.assertClose(id + ", smoother", fixedSmoothed[i], generalSmoothed[i], TOLERANCE));
      if (block.get(i).id().startsWith("gaps-")) {
        worstGaps = Math.max(worstGaps, figure);
      } else {
        worst = Math.max(worst, figure);
      }
    }
    KernelRun run = new KernelRun(copy(fixed.kernelUse()), copy(general.kernelUse()));
    System.out.printf("unrolled vs general kernels, %s, %d trajectories: max %.1e (gaps of 10^3 s: %.1e); %s%n", label,
        block.size(), worst, worstGaps, run);
    return run;
  }

  private static BatchedEngine.KernelUse copy(BatchedEngine.KernelUse u) {
    BatchedEngine.KernelUse c = new BatchedEngine.KernelUse();
    c.scalarTiles = u.scalarTiles;
    c.generalTiles = u.generalTiles;
    c.unrolledTiles = u.unrolledTiles;
    c.blockTiles = u.blockTiles;
    c.generalSteps = u.generalSteps;
    return c;
  }

  private static BatchedEngine engine(int width, BatchedEngine.Sharing sharing, BatchedEngine.Kernels kernels) {
    return new BatchedEngine(width, sharing, true, kernels);
  }

  /**
   * Ragged trajectories (1 to 400 steps, a few of 2,000) with 10% of steps fully and 10% partly missing,
   * irregular gaps with 5% zeros, and three trajectories with gaps of 10^3 s, 10^-9 s and 0 among 0.1 s ones
   * (models whose F and Q follow dt: the others would overflow over such gaps in every kernel).
   */
  private static List<Trajectory> raggedBlock(SplittableRandom rng, StateSpaceModel model, int count) {
    return raggedBlock(rng, model, count, true);
  }

  /** @param hugeGaps whether to add the three trajectories with gaps of 10^6 s (for models of dt) */
  private static List<Trajectory> raggedBlock(SplittableRandom rng, StateSpaceModel model, int count,
      boolean hugeGaps) {
    List<Trajectory> block = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      int steps = k % 17 == 0 ? 2000 : rng.nextInt(8) == 0 ? 1 + rng.nextInt(3) : 1 + rng.nextInt(400);
      block.add(RandomModels.trajectory(rng, model, "tr-" + k, steps, new RandomModels.DataShape()));
    }
    for (int k = 0; hugeGaps && k < 3; k++) block.add(hugeGaps(rng, model, "gaps-" + k, 300));
    return block;
  }

  /**
   * Gaps of 10^3 s (5%: P⁻ of constant velocity then has a condition number above
   * {@link io.statespace.linalg.SemiDefiniteSolver#ILL_CONDITIONED}), 10^-9 s (5%), 0 (5%) and 0.1 s; components
   * missing at random (15%); inputs if the model has them.
   */
  private static Trajectory hugeGaps(SplittableRandom rng, StateSpaceModel model, String id, int steps) {
    int m = model.obsDim();
    double[] times = new double[steps];
    double[] obs = new double[steps * m];
    double t = 0.0;
    for (int k = 0; k < steps; k++) {
      times[k] = t;
      for (int i = 0; i < m; i++) obs[k * m + i] = rng.nextDouble() < 0.15 ? Double.NaN : rng.nextDouble(-10, 10);
      double u = rng.nextDouble();
      t += u < 0.05 ? 1e3 : u < 0.1 ? 1e-9 : u < 0.15 ? 0.0 : 0.1;
    }
    int p = model.inputDim();
    if (p == 0) return new Trajectory(id, times, obs, m);
    double[] inputs = new double[steps * p];
    for (int i = 0; i < inputs.length; i++) inputs[i] = rng.nextDouble(-1, 1);
    return new Trajectory(id, times, obs, m, inputs, p);
  }

  private static ConstantVelocityModel constantVelocity(SplittableRandom rng, int axes, ConstantVelocityModel.Noise noise,
      double[] sigma0) {
    int n = 2 * axes;
    double[] std = new double[axes];
    for (int a = 0; a < axes; a++) std[a] = 0.2 + rng.nextDouble();
    return new ConstantVelocityModel(axes, Double.NaN, noise, 0.3 + rng.nextDouble(), std,
        RandomModels.uniform(rng, n, 2.0), sigma0);
  }

  /** A prior covariance coupling each axis' position and velocity only (a random 2×2 SPD block per axis). */
  private static double[] axisBlocks(SplittableRandom rng, int axes) {
    int n = 2 * axes;
    double[] sigma0 = new double[n * n];
    for (int a = 0; a < axes; a++) {
      double[] s = RandomModels.spd(rng, 2, 1.0, 0.2);
      int pos = a;
      int vel = axes + a;
      sigma0[pos * n + pos] = s[0];
      sigma0[pos * n + vel] = s[1];
      sigma0[vel * n + pos] = s[2];
      sigma0[vel * n + vel] = s[3];
    }
    return sigma0;
  }

  /** The dense prior with row and column 0 replaced by (tiny, 0, 0, 0): P⁻ (nearly) singular at dt = 0. */
  private static double[] withCorner(double[] dense, double tiny) {
    int n = 4;
    double[] out = dense.clone();
    for (int i = 0; i < n; i++) {
      out[i] = 0.0;
      out[i * n] = 0.0;
    }
    out[0] = tiny;
    return out;
  }

  static Stream<Double> tinyVariances() {
    return Stream.of(0.0, 1e-14);
  }

  /**
   * n states, m = n / 2 observations y_t = x_t[0..m) + v_t with Var v_t = u_t and H = 0 where u_t = 0: the
   * innovation variance is then exactly 0. F = I, Q = I, all entries per lane (the generic binding).
   */
  private static final class NoiseFromInput implements StateSpaceModel {
    private static final long serialVersionUID = 1L;
    private final int n;

    NoiseFromInput(int n) {
      this.n = n;
    }

    @Override
    public int stateDim() {
      return n;
    }

    @Override
    public int obsDim() {
      return n / 2;
    }

    @Override
    public int inputDim() {
      return 1;
    }

    @Override
    public StepParameters bind(Trajectory trajectory) {
      double[] u = trajectory.inputs();
      int m = n / 2;
      return new StepParameters() {
        @Override
        public int stateDim() {
          return n;
        }

        @Override
        public int obsDim() {
          return m;
        }

        @Override
        public void initial(double[] mean, double[] cov) {
          java.util.Arrays.fill(mean, 0.0);
          java.util.Arrays.fill(cov, 0.0);
          for (int i = 0; i < n; i++) cov[i * n + i] = 1.0;
        }

        @Override
        public void dynamics(int t, double[] weights, double[] bias, double[] cov) {
          java.util.Arrays.fill(weights, 0.0);
          java.util.Arrays.fill(bias, 0.0);
          java.util.Arrays.fill(cov, 0.0);
          for (int i = 0; i < n; i++) {
            weights[i * n + i] = 1.0;
            cov[i * n + i] = 1.0;
          }
        }

        @Override
        public void emissions(int t, double[] weights, double[] bias, double[] cov) {
          java.util.Arrays.fill(weights, 0.0);
          java.util.Arrays.fill(bias, 0.0);
          java.util.Arrays.fill(cov, 0.0);
          for (int a = 0; a < m; a++) {
            weights[a * n + a] = u[t] == 0.0 ? 0.0 : 1.0;
            cov[a * m + a] = u[t];
          }
        }
      };
    }
  }
}
