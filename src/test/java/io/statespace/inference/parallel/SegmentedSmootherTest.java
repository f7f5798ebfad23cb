package io.statespace.inference.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.inference.InferenceException;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.simulate.MissingPattern;
import io.statespace.simulate.ModelScenario;
import io.statespace.simulate.SimulatedTrajectory;
import io.statespace.testing.ElementwiseComparison;
import io.statespace.testing.RandomModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The segmented smoother (docs/ARCHITECTURE.md §7.5) against the sequential engine, per element to 1e-9
 * relative with the component floor ({@link ElementwiseComparison}): filtered and smoothed moments, lag-one
 * cross-covariances (including those across the cuts) and the log-likelihood, on random explicit and
 * time-varying models with inputs, whole and partial missing steps and irregular gaps including 0, 10^3 to
 * 10^7 steps (10^7 with one state and one observation, to fit the test JVM's heap) in 2 to 64 segments, T not
 * a multiple of the segment length, cuts placed at a missing step, at a zero gap, at and next to huge gaps
 * (10^6 s, where the forward check repairs the prefixes), and segments of one step.
 */
class SegmentedSmootherTest {
  private static final double TOLERANCE = 1e-9;

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("linear", 1_000, 500, 11L),
        Arguments.of("timeVarying", 1_009, 16, 12L),
        Arguments.of("linear", 10_007, 1_430, 13L),
        Arguments.of("timeVarying", 10_000, 304, 14L),
        Arguments.of("linear", 100_003, 6_251, 15L),
        Arguments.of("timeVarying", 100_000, 33_334, 16L),
        Arguments.of("linear", 1_000_000, 125_000, 17L),
        Arguments.of("timeVarying", 1_000_001, 15_626, 18L),
        Arguments.of("linear", 10_000_000, 156_250, 19L));
  }

  @ParameterizedTest(name = "{0}, T = {1}, segments of {2}, seed {3}")
  @MethodSource("cases")
  void agreesWithSequential(String family, int steps, int segmentSteps, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int n = steps >= 10_000_000 ? 1 : steps >= 1_000_000 ? 2 : 1 + rng.nextInt(6);
    int m = steps >= 10_000_000 ? 1 : 1 + rng.nextInt(3);
    int p = steps >= 10_000_000 ? 1 : 1 + rng.nextInt(2);
    StateSpaceModel model = family.equals("linear") ? RandomModels.linear(rng, n, m, p)
        : new GapKeyedModel(rng.nextLong(), n, m, p);
    RandomModels.DataShape shape = new RandomModels.DataShape();
    shape.missingStepFraction = 0.2;
    shape.partialFraction = 0.2;
    Trajectory tr = RandomModels.trajectory(rng, model, family + "-" + seed, steps, shape);
    int[] cuts = SegmentCuts.even(steps, segmentSteps);
    int segments = cuts.length - 1;
    assertTrue(segments >= 2 && segments <= 64, segments + " segments");
    check(String.format("%s T=%d n=%d m=%d p=%d, %d segments of %d", family, steps, n, m, p, segments, segmentSteps),
        model, tr, cuts);
  }

  /** Cuts right before and right after fully missing steps, at zero gaps, and one-step segments. */
  @Test
  void cutsAtMissingStepsZeroGapsAndOneStepSegments() {
    SplittableRandom rng = new SplittableRandom(41);
    StateSpaceModel model = new GapKeyedModel(rng.nextLong(), 3, 2, 1);
    RandomModels.DataShape shape = new RandomModels.DataShape();
    shape.missingStepFraction = 0.3;
    shape.zeroGapFraction = 0.2;
    Trajectory tr = RandomModels.trajectory(rng, model, "cuts", 400, shape);
    TreeSet<Integer> atMissing = new TreeSet<>();
    TreeSet<Integer> atZeroGap = new TreeSet<>();
    for (int k = 1; k < tr.length(); k++) {
      if (Double.isNaN(tr.observations()[k * 2]) && Double.isNaN(tr.observations()[k * 2 + 1])) atMissing.add(k);
      if (tr.times()[k] == tr.times()[k - 1]) atZeroGap.add(k);
    }
    assertTrue(atMissing.size() >= 10 && atZeroGap.size() >= 10, atMissing.size() + " missing, " + atZeroGap.size() + " zero gaps");
    check("cuts at missing steps", model, tr, cuts(tr.length(), atMissing));
    TreeSet<Integer> afterMissing = new TreeSet<>();
    for (int k : atMissing) if (k + 1 < tr.length()) afterMissing.add(k + 1);
    check("cuts after missing steps", model, tr, cuts(tr.length(), afterMissing));
    check("cuts at zero gaps", model, tr, cuts(tr.length(), atZeroGap));
    check("every segment one step", model, tr, SegmentCuts.even(tr.length(), 1));
    TreeSet<Integer> mixed = new TreeSet<>(List.of(1, 2, 3, 50, 51, 200, 398, 399));
    check("one-step segments at both ends and inside", model, tr, cuts(tr.length(), mixed));
    Trajectory two = ParallelEngineTest.prefix(tr, 2);
    check("T = 2 in two one-step segments", model, two, new int[] {0, 1, 2});
  }

  /**
   * A tracking track of 150 steps, 0.1 s apart except gaps of 10^6 s before steps {@link #GAPS} (the first
   * right after the first step, the last before the last step, two in a row), the y axis missing at each
   * step after a gap and every 7th step: after such a step the filtered covariance is 10^17 in a direction
   * the next observation pins down, where the covariance-form combine loses precision.
   */
  private static final int[] GAPS = {1, 30, 31, 64, 100, 149};

  static Trajectory gapTrack() {
    SplittableRandom rng = new SplittableRandom(77);
    int steps = 150;
    double[] times = new double[steps];
    double[] obs = new double[steps * 2];
    double t = 0.0;
    for (int k = 0; k < steps; k++) {
      if (k > 0) t += Arrays.binarySearch(GAPS, k) >= 0 ? 1e6 : 0.1;
      times[k] = t;
      obs[2 * k] = rng.nextDouble(-10, 10);
      obs[2 * k + 1] = k % 7 == 0 || Arrays.binarySearch(GAPS, k) >= 0 ? Double.NaN : rng.nextDouble(-10, 10);
    }
    return new Trajectory("gap-track", times, obs, 2);
  }

  static StateSpaceModel tracking(ConstantVelocityModel.Noise noise) {
    return new ConstantVelocityModel(2, Double.NaN, noise, 1.0, new double[] {0.5, 0.5},
        new double[] {0, 0, 1, 1}, new double[] {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1});
  }

  static Stream<Arguments> gapPlacements() {
    return Stream.of(
        Arguments.of("a cut at every gap (between a segment's last row and the next one's first)", shifted(0)),
        Arguments.of("a cut one step before every gap", shifted(-1)),
        Arguments.of("a cut one step after every gap", shifted(1)),
        Arguments.of("a cut two steps after every gap", shifted(2)),
        Arguments.of("one-step segments on both sides of every gap", oneStepAround()),
        Arguments.of("three segments, several gaps inside each", new int[] {0, 50, 101, 150}),
        Arguments.of("segments of five steps throughout", SegmentCuts.even(150, 5)));
  }

  /**
   * Huge gaps at and next to the cuts (continuous noise): the segmented smoother agrees with the sequential
   * engine to 1e-9 per element, the cuts at which the scan lost precision having been repaired from the
   * previous segment's sequential filter (without the repairs these placements are refused).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("gapPlacements")
  void hugeGapsAtAndNextToCutsAreRepaired(String label, int[] cuts) {
    Trajectory tr = gapTrack();
    StateSpaceModel model = tracking(ConstantVelocityModel.Noise.CONTINUOUS);
    SegmentChain chain = SegmentedSmoother.scan(model, tr, cuts).chain();
    check(label + " (" + chain.repairedCuts().size() + " of " + (cuts.length - 2) + " cuts repaired in "
        + chain.repairRounds() + " rounds)", model, tr, cuts);
    assertTrue(chain.repairRounds() >= 1 && !chain.repairedCuts().isEmpty(), label + ": the scan lost precision at no cut, "
        + "so this placement does not test the repair");
  }

  /**
   * RandomModels' track of huge and tiny gaps (45 gaps of 10^6 s in 400 steps), cut at, before and after
   * every gap and in segments of 2 and 8 steps, with continuous noise, and with rank-one piecewise noise in
   * segments of 50 and 133 steps (where the combine returns NaN or O(1) errors after the first gap and every
   * cut is repaired): all agree with the sequential engine to 1e-9 per element.
   */
  @Test
  void hugeAndTinyGapsAgreeWithSequential() {
    Trajectory tr = RandomModels.hugeAndTinyGaps();
    List<Integer> gaps = new ArrayList<>();
    for (int k = 1; k < tr.length(); k++) if (tr.times()[k] - tr.times()[k - 1] >= 1e6) gaps.add(k);
    StateSpaceModel continuous = tracking(ConstantVelocityModel.Noise.CONTINUOUS);
    for (int shift = -1; shift <= 1; shift++) {
      TreeSet<Integer> at = new TreeSet<>();
      for (int g : gaps) if (g + shift > 0 && g + shift < tr.length()) at.add(g + shift);
      check("huge and tiny gaps, continuous, a cut at every gap shifted by " + shift, continuous, tr, cuts(tr.length(), at));
    }
    check("huge and tiny gaps, continuous, segments of 2", continuous, tr, SegmentCuts.even(tr.length(), 2));
    check("huge and tiny gaps, continuous, segments of 8", continuous, tr, SegmentCuts.even(tr.length(), 8));
    StateSpaceModel piecewise = tracking(ConstantVelocityModel.Noise.PIECEWISE);
    check("huge and tiny gaps, piecewise, segments of 50", piecewise, tr, SegmentCuts.even(tr.length(), 50));
    check("huge and tiny gaps, piecewise, segments of 133", piecewise, tr, SegmentCuts.even(tr.length(), 133));
  }

  /**
   * Rank-one piecewise noise in 200 segments of 2 steps between gaps every ~9 steps: the scan is wrong at
   * every cut and a wrong start is remembered across a gap, so each round repairs one cut; after
   * {@link SegmentChain#MAX_ROUNDS} rounds the trajectory is refused (the caller smooths it in one task).
   */
  @Test
  void repairsThatDoNotConvergeAreRefused() {
    Trajectory tr = RandomModels.hugeAndTinyGaps();
    InferenceException e = assertThrows(InferenceException.class,
        () -> SegmentedSmoother.scan(tracking(ConstantVelocityModel.Noise.PIECEWISE), tr, SegmentCuts.even(tr.length(), 2)));
    assertTrue(e.getMessage().matches("trajectory 'gaps', step \\d+: the segments' prefixes still differ from the segments' "
        + "sequential filters after 16 rounds of repairs"), e.getMessage());
  }

  /**
   * The benchmark's shape (the tracking model, dt 0.1 s, 5% skipped steps, 5% missing and 5% partly
   * missing), 10^6 steps in segments of 2^16: the scan's prefixes are off by up to 5.5e-11 (the fold's
   * rounding), so the cuts are repaired once; the second filter of a segment then differs from the first by
   * the filter's own rounding only ({@link SegmentChain#REPAIRED_TOLERANCE}), so the repairs stop after two
   * rounds instead of moving forward one cut per round, and the result is the sequential engine's.
   */
  @Test
  void wellConditionedLongSegmentsNeedAtMostTwoRounds() {
    StateSpaceModel model = tracking(ConstantVelocityModel.Noise.CONTINUOUS);
    SimulatedTrajectory s = new ModelScenario(model, 0.1, 0.05, new MissingPattern(0.05, 0.05))
        .generate("bench-shape", 1_000_000, new SplittableRandom(1));
    Trajectory tr = new Trajectory("bench-shape", s.times, s.observations, 2);
    int[] cuts = SegmentCuts.even(tr.length(), 1 << 16);
    SegmentChain chain = SegmentedSmoother.scan(model, tr, cuts).chain();
    assertTrue(chain.repairRounds() <= 2, chain.repairRounds() + " rounds: " + chain.describeRepairs());
    check("tracking, 10^6 steps in segments of 2^16 (" + chain.repairedCuts().size() + " cuts repaired in "
        + chain.repairRounds() + " rounds)", model, tr, cuts);
  }

  private static int[] shifted(int shift) {
    TreeSet<Integer> at = new TreeSet<>();
    for (int g : GAPS) if (g + shift > 0 && g + shift < 150) at.add(g + shift);
    return cuts(150, at);
  }

  private static int[] oneStepAround() {
    TreeSet<Integer> at = new TreeSet<>();
    for (int g : GAPS) for (int c = g - 1; c <= g + 2; c++) if (c > 0 && c < 150) at.add(c);
    return cuts(150, at);
  }

  private static int[] cuts(int steps, TreeSet<Integer> inner) {
    int[] cuts = new int[inner.size() + 2];
    int i = 1;
    for (int c : inner) cuts[i++] = c;
    cuts[cuts.length - 1] = steps;
    return cuts;
  }

  private static void check(String label, StateSpaceModel model, Trajectory tr, int[] cuts) {
    Posterior expected = new SequentialEngine().smooth(model, tr, Outputs.of(false, true));
    Posterior actual = SegmentedSmoother.smooth(model, tr, cuts, true);
    double worst = ElementwiseComparison.assertClose(label, actual, expected, TOLERANCE);
    System.out.printf("[segments] %s: worst per element %.1e%n", label, worst);
  }
}
