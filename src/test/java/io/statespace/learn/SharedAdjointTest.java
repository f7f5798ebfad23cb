package io.statespace.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.inference.batched.SharedAdjoint;
import io.statespace.model.StateSpaceModel;
import io.statespace.testing.RandomModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The batched adjoint with the covariance half shared by the trajectories of a group (docs/ARCHITECTURE.md
 * §7.4) against the sequential adjoint, the reference, for every parameterisation of
 * {@link GradientCheckTest#cases()} and every adjoint loss (likelihood, prediction loss with dropout as missing
 * and with feedback). One block mixes: a group of 70 (two tiles) with whole and partial missing steps and
 * irregular gaps, a group of 5 complete trajectories, 6 of the same length and pattern with other gaps (their
 * own group where F and Q read the gaps, else members of the group of 5), 3 that share a pattern (below the
 * minimum group size: per lane), 20 ragged ones of distinct lengths (per lane) and 60 complete ones of 3 steps
 * (one group without dropout; under dropout grouped by their effective masks, which differ per trajectory).
 * Loss to 1e-12 relative, each gradient component to 1e-12 relative to itself down to a floor of 1e-9 of the
 * largest, counts equal, and the number of trajectories that took the shared path as built.
 */
class SharedAdjointTest {
  private static final int GROUPED = 70 + 5 + 6 + 60;

  /** A linear model without inputs, every block free: the linear parameterisation on the shared path. */
  static GradientCheckTest.Case linearWithoutInputs() {
    io.statespace.model.LinearModel model = RandomModels.linear(new SplittableRandom(31), 3, 2, 0);
    Parameterization param = io.statespace.family.Families.parameterization(model,
        io.statespace.model.spec.ModelSpec.parameterNames(model));
    return new GradientCheckTest.Case("linear-all-free-no-inputs", param, List.of(), true);
  }

  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> lossesByCase() {
    java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> extra = java.util.stream.Stream.of(
        "nll-adjoint", "prediction-missing", "prediction-feedback").map(w ->
        org.junit.jupiter.params.provider.Arguments.of(linearWithoutInputs(), w));
    return java.util.stream.Stream.concat(BatchedGradientTest.lossesByCase().filter(a -> !a.get()[1].equals("nll-fisher")),
        extra);
  }

  /** Copies of the template's times and missing pattern with the observations of fresh simulations. */
  private static void copies(List<Trajectory> out, Trajectory template, StateSpaceModel model, SplittableRandom rng,
      String prefix, int count) {
    double[] pattern = template.observations();
    for (int i = 0; i < count; i++) {
      Trajectory fresh = RandomModels.trajectory(rng, model, prefix + i, template.length(),
          RandomModels.DataShape.complete());
      double[] y = fresh.observations().clone();
      for (int k = 0; k < y.length; k++) {
        if (Double.isNaN(pattern[k])) y[k] = Double.NaN;
      }
      out.add(new Trajectory(prefix + i, template.times().clone(), y, template.obsDim(), fresh.inputs(),
          fresh.inputDim()));
    }
  }

  static List<Trajectory> mixedBlock(GradientCheckTest.Case c, long seed) {
    StateSpaceModel model = c.parameterization().model(c.parameterization().initial());
    SplittableRandom rng = new SplittableRandom(seed);
    RandomModels.DataShape shape = new RandomModels.DataShape();
    shape.missingStepFraction = 0.15;
    shape.partialFraction = 0.15;
    shape.irregular = !c.name().contains("fixed-dt");
    shape.zeroGapFraction = c.name().contains("dt=0") ? 0.1 : 0.0;
    RandomModels.DataShape complete = RandomModels.DataShape.complete();
    complete.irregular = shape.irregular;
    List<Trajectory> out = new ArrayList<>();
    copies(out, RandomModels.trajectory(rng, model, "g70", 30, shape), model, rng, "g70-", 70);
    Trajectory five = RandomModels.trajectory(rng, model, "g5", 12, complete);
    copies(out, five, model, rng, "g5-", 5);
    Trajectory otherGaps = RandomModels.trajectory(rng, model, "g6", 12, complete);
    copies(out, new Trajectory("g6", otherGaps.times(), five.observations(), five.obsDim(), five.inputs(),
        five.inputDim()), model, rng, "g6-", 6);
    double[] three = five.observations().clone();
    three[0] = Double.NaN;
    copies(out, new Trajectory("g3", five.times(), three, five.obsDim(), five.inputs(), five.inputDim()), model, rng,
        "g3-", 3);
    for (int i = 0; i < 20; i++) out.add(RandomModels.trajectory(rng, model, "lone-" + i, 31 + i, shape));
    copies(out, RandomModels.trajectory(rng, model, "short", 3, complete), model, rng, "short-", 60);
    return out;
  }

  @ParameterizedTest(name = "{1} / {0}")
  @MethodSource("lossesByCase")
  void sharedEqualsSequentialAdjoint(GradientCheckTest.Case c, String which) {
    LossFunction loss = GradientCheckTest.loss(c.parameterization(), which);
    List<Trajectory> data = mixedBlock(c, 51);
    double[] theta = GradientCheckTest.perturbed(c.parameterization(), 13);
    LossAccumulator reference = new LocalObjective(loss, data).accumulate(theta, 5);
    LossEvaluator evaluator = loss.withEngine(LossFunction.Engine.BATCHED).evaluator(theta, 5);
    LossAccumulator batched = evaluator.addAll(data, loss.zero());
    assertEquals(0, reference.failures(), reference.firstFailure());
    assertEquals(Map.of("batched", (long) data.size()), batched.trajectoriesByEngine(), "every trajectory in lanes");
    assertEquals(reference.trajectories(), batched.trajectories());
    assertEquals(reference.steps(), batched.steps());
    assertEquals(reference.components(), batched.components());
    assertEquals(reference.loss(), batched.loss(), 1e-12 * Math.abs(reference.loss()));
    double[] g = batched.gradient();
    double[] ref = reference.gradient();
    double err = FiniteDifferences.componentError(g, ref, BatchedGradientTest.FLOOR);
    int at = FiniteDifferences.worstComponent(g, ref, BatchedGradientTest.FLOOR);
    StateSpaceModel model = c.parameterization().model(theta);
    boolean eligible = SharedAdjoint.groups(model, data, null, 4) != null;
    System.out.printf("shared vs sequential %-20s %-40s p=%2d shared lanes %3d: worst component %2d rel diff %.2e%n",
        which, c.name(), g.length, evaluator.sharedLanes(), at, err);
    assertTrue(err < BatchedGradientTest.TOLERANCE, which + " / " + c.name() + ": component " + at + ": shared " + g[at]
        + ", sequential " + ref[at] + ", relative difference " + err);
    assertTrue(reference.evaluation().gradientNorm() > 1e-3, "a gradient that is all but zero checks nothing");
    if (!eligible) {
      assertEquals(0, evaluator.sharedLanes(), "a model with inputs or generic parameters shares nothing");
    } else if (loss.isStochastic()) {
      assertTrue(evaluator.sharedLanes() > 0 && evaluator.sharedLanes() < GROUPED,
          "dropout: groups by effective mask, " + evaluator.sharedLanes());
    } else {
      assertEquals(GROUPED, evaluator.sharedLanes(), "the groups as built");
    }
  }

  @org.junit.jupiter.api.Test
  void modelsWithoutSharableRecursionAreNotGrouped() {
    StateSpaceModel timeVarying = RandomModels.timeVarying(5, 3, 2, 1);
    SplittableRandom rng = new SplittableRandom(2);
    List<Trajectory> same = new ArrayList<>();
    copies(same, RandomModels.trajectory(rng, timeVarying, "t", 10, RandomModels.DataShape.complete()), timeVarying,
        rng, "t-", 8);
    assertNull(SharedAdjoint.groups(timeVarying, same, null, 4), "time-varying with inputs: no sharing");
    GradientCheckTest.Case cv = GradientCheckTest.cvFixedDt();
    StateSpaceModel model = cv.parameterization().model(cv.parameterization().initial());
    List<Trajectory> four = new ArrayList<>();
    copies(four, RandomModels.trajectory(rng, model, "c", 10, RandomModels.DataShape.complete()), model, rng, "c-", 4);
    SharedAdjoint.Grouping grouping = SharedAdjoint.groups(model, four, null, 4);
    assertNotNull(grouping);
    assertEquals(1, grouping.groups().size());
    assertEquals(4, grouping.groups().get(0).length);
    byte[][] modes = new byte[4][10];
    modes[3][4] = io.statespace.inference.batched.BatchedAdjoint.SKIP;
    assertEquals(0, SharedAdjoint.groups(model, four, modes, 4).groups().size(), "a skipped step splits the group");
    modes[3][4] = io.statespace.inference.batched.BatchedAdjoint.FEEDBACK;
    assertEquals(0, SharedAdjoint.groups(model, four, modes, 4).groups().size(), "a feedback step splits the group");
    for (byte[] row : modes) row[4] = io.statespace.inference.batched.BatchedAdjoint.SKIP;
    assertEquals(1, SharedAdjoint.groups(model, four, modes, 4).groups().size(), "the same skips keep it");
  }
}
