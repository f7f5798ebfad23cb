package io.statespace.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.model.LinearModel;
import io.statespace.model.spec.ModelSpec;
import io.statespace.testing.RandomModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fit's terms of a long trajectory summed over its segments (docs/ARCHITECTURE.md §7.5) against the
 * one-task terms of the whole trajectory: the negative log-likelihood and its gradient (Fisher's identity on
 * the segmented smoother, against the adjoint, the fit's default, and the one-task Fisher form) for every
 * family where the Fisher form is defined, and EM's sufficient statistics for random linear models; data
 * with whole and partial missing steps, irregular gaps, inputs and biases; random cuts including one-step
 * segments and a cut before the last step. Every component within 1e-9, relative to itself down to a floor
 * of 1e-3 of the largest of its kind.
 */
class SegmentTermsTest {
  private static final double TOLERANCE = 1e-9;

  static Stream<GradientCheckTest.Case> fisherCases() {
    return GradientCheckTest.fisherCases();
  }

  /** Random cuts of T steps into 2 to 6 segments; every third draw includes a one-step segment at the end. */
  static int[] cuts(SplittableRandom rng, int steps, int draw) {
    int count = 2 + rng.nextInt(Math.min(5, steps - 1));
    TreeSet<Integer> inner = new TreeSet<>();
    if (draw % 3 == 0) inner.add(steps - 1);
    while (inner.size() < count - 1) inner.add(1 + rng.nextInt(steps - 1));
    int[] out = new int[inner.size() + 2];
    int j = 1;
    for (int c : inner) out[j++] = c;
    out[out.length - 1] = steps;
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fisherCases")
  void lossAndGradientOverSegmentsEqualOneTask(GradientCheckTest.Case c) {
    double[] theta = GradientCheckTest.perturbed(c.parameterization(), 11);
    LossFunction adjoint = LossFunction.negativeLogLikelihood(c.parameterization());
    LossFunction fisher = LossFunction.negativeLogLikelihood(c.parameterization(), LossFunction.GradientMethod.FISHER);
    SplittableRandom rng = new SplittableRandom(12);
    LossAccumulator segmented = adjoint.zero();
    double worst = 0.0;
    int draw = 0;
    for (Trajectory t : c.data()) {
      int[] cuts = cuts(rng, t.length(), draw++);
      LossAccumulator one = new LocalObjective(adjoint, List.of(t)).accumulate(theta, 0);
      LossAccumulator oneFisher = new LocalObjective(fisher, List.of(t)).accumulate(theta, 0);
      LossAccumulator seg = SegmentTerms.loss(adjoint, theta, t, cuts);
      assertEquals(0, seg.failures(), () -> c.name() + " " + t.id() + ": " + seg.firstFailure());
      assertEquals(one.loss(), seg.loss(), TOLERANCE * Math.abs(one.loss()), c.name() + " " + t.id() + " cuts "
          + Arrays.toString(cuts));
      assertEquals(1, seg.trajectories());
      assertEquals(one.components(), seg.components());
      assertEquals(one.steps(), seg.steps());
      double e = FiniteDifferences.componentError(seg.gradient(), one.gradient(), GradientCheckTest.FLOOR);
      double f = FiniteDifferences.componentError(seg.gradient(), oneFisher.gradient(), GradientCheckTest.FLOOR);
      worst = Math.max(worst, Math.max(e, f));
      assertTrue(e < TOLERANCE && f < TOLERANCE, c.name() + " " + t.id() + " cuts " + Arrays.toString(cuts)
          + ": gradient differs from the adjoint by " + e + ", from the one-task Fisher form by " + f);
      segmented.merge(seg);
    }
    assertEquals(Long.valueOf(c.data().size()), segmented.trajectoriesByEngine().get(SegmentTerms.ENGINE));
    System.out.printf(Locale.ROOT, "[segments] fit terms %-40s worst gradient component %.1e%n", c.name(), worst);
  }

  @Test
  void statisticsOverSegmentsEqualOneTask() {
    double worst = 0.0;
    for (long seed = 1; seed <= 6; seed++) {
      SplittableRandom rng = new SplittableRandom(seed);
      int n = 2 + rng.nextInt(2);
      int m = 2 + rng.nextInt(2);
      LinearModel model = RandomModels.linear(rng, n, m, 1 + rng.nextInt(2));
      LinearParameterization param = new LinearParameterization(model, ModelSpec.parameterNames(model));
      double[] theta = GradientCheckTest.perturbed(param, seed);
      List<Trajectory> data = GradientCheckTest.data(model, 3, 30 + rng.nextInt(30), seed + 50, true, false);
      int draw = 0;
      for (Trajectory t : data) {
        int[] cuts = cuts(rng, t.length(), draw++);
        EmStatistics one = EmStatistics.zero(param);
        new ExpectationEvaluator(param, theta, true).add(t, one);
        EmStatistics seg = SegmentTerms.expectation(param, theta, t, cuts);
        String where = "seed " + seed + " " + t.id() + " cuts " + Arrays.toString(cuts);
        assertEquals(0, seg.failures(), where);
        assertEquals(one.trajectories, seg.trajectories, where);
        assertEquals(one.transitions, seg.transitions, where);
        assertEquals(one.emissionSteps, seg.emissionSteps, where);
        assertEquals(one.gradientFailures, seg.gradientFailures, where);
        assertEquals(one.logLikelihood, seg.logLikelihood, TOLERANCE * Math.abs(one.logLikelihood), where);
        for (String[] name : new String[][] {{"dynXZ"}, {"dynZZ"}, {"dynXX"}, {"emYZ"}, {"emZZ"}, {"emYY"}, {"initMean"},
            {"initSecond"}, {"gradient"}}) {
          double[] a = field(one, name[0]);
          double[] b = field(seg, name[0]);
          double e = FiniteDifferences.componentError(b, a, 1e-3);
          worst = Math.max(worst, e);
          assertTrue(e < TOLERANCE, where + ": " + name[0] + " differs by " + e + ": " + Arrays.toString(b) + " vs "
              + Arrays.toString(a));
        }
        assertEquals(1L, seg.trajectoriesByEngine().get(SegmentTerms.ENGINE), where);
      }
    }
    System.out.printf(Locale.ROOT, "[segments] EM statistics over segments: worst component %.1e%n", worst);
  }

  @Test
  void aFailedSegmentMakesTheLossInfinite() {
    GradientCheckTest.Case c = GradientCheckTest.cvIrregularPiecewise();
    LossFunction loss = LossFunction.negativeLogLikelihood(c.parameterization());
    List<String> failures = new ArrayList<>();
    for (Trajectory t : c.data()) {
      LossAccumulator seg = SegmentTerms.loss(loss, c.parameterization().initial(), t, new int[] {0, t.length() / 2, t.length()});
      if (seg.failures() > 0) failures.add(seg.firstFailure());
      if (seg.failures() > 0) assertEquals(Double.POSITIVE_INFINITY, seg.loss());
      assertEquals(1, seg.trajectories());
    }
    assertTrue(!failures.isEmpty() && failures.get(0).contains("dynamics.cov"),
        "dt = 0 gaps make Q_t = 0: the Fisher form on segments must fail, not return garbage: " + failures);
  }

  private static double[] field(EmStatistics s, String name) {
    switch (name) {
      case "dynXZ": return s.dynXZ;
      case "dynZZ": return s.dynZZ;
      case "dynXX": return s.dynXX;
      case "emYZ": return s.emYZ;
      case "emZZ": return s.emZZ;
      case "emYY": return s.emYY;
      case "initMean": return s.initMean;
      case "initSecond": return s.initSecond;
      default: return s.gradient;
    }
  }
}
