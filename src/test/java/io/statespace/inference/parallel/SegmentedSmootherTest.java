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
import io.statespace.testing.ElementwiseComparison;
import io.statespace.testing.RandomModels;
import java.util.ArrayList;
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
 * 10^7 steps (10^7 with one state and one observation, to fit the test JVM's heap) in 2 to 64 segments, T not a multiple of the segment length, cuts placed at a missing step, at
 * a zero gap and next to a huge gap, and segments of one step.
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
   * The tracking model over huge (10^6 s) and tiny gaps, cut next to every huge gap: the segmented smoother
   * either agrees with the sequential engine or refuses with an InferenceException from its check (so that
   * the caller smooths the trajectory in one task); it is never silently wrong.
   */
  @Test
  void hugeGapsAgreeOrRefuse() {
    Trajectory tr = RandomModels.hugeAndTinyGaps();
    List<Integer> gaps = new ArrayList<>();
    for (int k = 1; k < tr.length(); k++) if (tr.times()[k] - tr.times()[k - 1] >= 1e6) gaps.add(k);
    int agreed = 0;
    int refused = 0;
    for (ConstantVelocityModel.Noise noise : ConstantVelocityModel.Noise.values()) {
      StateSpaceModel model = new ConstantVelocityModel(2, Double.NaN, noise, 1.0, new double[] {0.5, 0.5},
          new double[] {0, 0, 1, 1}, new double[] {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1});
      Posterior expected = new SequentialEngine().smooth(model, tr, Outputs.of(false, true));
      for (int shift = -1; shift <= 1; shift++) {
        TreeSet<Integer> at = new TreeSet<>();
        for (int g : gaps) if (g + shift > 0 && g + shift < tr.length()) at.add(g + shift);
        int[] cuts = cuts(tr.length(), at);
        try {
          Posterior actual = SegmentedSmoother.smooth(model, tr, cuts, true);
          ElementwiseComparison.assertClose("gaps " + noise + " shift " + shift, actual, expected, TOLERANCE);
          agreed++;
        } catch (InferenceException e) {
          assertTrue(e.getMessage().startsWith("trajectory 'gaps', step "), e.getMessage());
          refused++;
        }
      }
    }
    System.out.printf("[segments] huge gaps: %d cut placements agreed with the sequential engine, %d refused%n",
        agreed, refused);
    assertEquals(3 * ConstantVelocityModel.Noise.values().length, agreed + refused);
  }

  /** A prefix that no longer continues the filter (one component off by 1e-5 relative) is refused. */
  @Test
  void checkRefusesAPrefixThatLostInformation() {
    SplittableRandom rng = new SplittableRandom(3);
    StateSpaceModel model = RandomModels.linear(rng, 3, 2, 0);
    Trajectory tr = RandomModels.trajectory(rng, model, "check", 300, new RandomModels.DataShape());
    int[] cuts = SegmentCuts.even(300, 100);
    SegmentPasses passes = new SegmentPasses(model);
    List<double[]> elements = new ArrayList<>();
    List<SegmentWindow> windows = new ArrayList<>();
    long[] starts = {0, 100, 200};
    for (int j = 0; j < 3; j++) {
      windows.add(SegmentWindow.of(tr, cuts[j], cuts[j + 1]));
      elements.add(passes.filterElement(windows.get(j)));
    }
    Moments[] before = SegmentScan.filteredBefore(3, elements, tr.id(), starts);
    List<Moments> ends = new ArrayList<>();
    for (int j = 0; j < 3; j++) ends.add(passes.filter(windows.get(j), before[j]).end());
    SegmentScan.check(3, before, ends, tr.id(), starts);
    before[2].cov()[4] *= 1 + 1e-5;
    InferenceException e = assertThrows(InferenceException.class, () -> SegmentScan.check(3, before, ends, tr.id(), starts));
    assertTrue(e.getMessage().startsWith("trajectory 'check', step 199: the segments' combined filtering element differs"),
        e.getMessage());
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
