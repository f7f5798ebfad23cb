package io.statespace.learn;

import io.statespace.family.Families;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.model.LinearModel;
import io.statespace.model.spec.ModelSpec;
import io.statespace.testing.RandomModels;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The distributed result equals the local fold: accumulators folded over 1, 3 and 16 groups (contiguous
 * and shuffled), merged left to right, right to left and as a tree, after a Java-serialisation round
 * trip (as Spark ships them), agree with the single fold to 1e-12 relative. Dropout masks depend only on
 * (seed, id, step, epoch).
 */
class AggregationTest {
  static final LinearModel MODEL = RandomModels.linear(new SplittableRandom(41), 3, 2, 1);
  static final Parameterization PARAM = Families.parameterization(MODEL, ModelSpec.parameterNames(MODEL));
  static final List<Trajectory> DATA = GradientCheckTest.data(MODEL, 48, 30, 42, false, false);

  @SuppressWarnings("unchecked")
  static <T> T roundTrip(T value) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(value);
      }
      try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
        return (T) in.readObject();
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Every way of splitting and merging: {groups, shuffled, merge order}. */
  static <A> List<A> splits(List<Trajectory> data, Function<List<Trajectory>, A> fold, BinaryOperator<A> merge) {
    List<A> results = new ArrayList<>();
    for (int groups : new int[] {1, 3, 16}) {
      for (boolean shuffled : new boolean[] {false, true}) {
        List<Trajectory> order = new ArrayList<>(data);
        if (shuffled) Collections.shuffle(order, new java.util.Random(groups));
        List<A> parts = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
          int from = g * order.size() / groups;
          int to = (g + 1) * order.size() / groups;
          parts.add(roundTrip(fold.apply(order.subList(from, to))));
        }
        A left = fold.apply(List.of());
        for (A part : parts) left = merge.apply(left, roundTrip(part));
        results.add(left);
        List<A> reversed = new ArrayList<>(parts.stream().map(AggregationTest::roundTrip).toList());
        Collections.reverse(reversed);
        A right = fold.apply(List.of());
        for (A part : reversed) right = merge.apply(part, right);
        results.add(right);
        results.add(tree(parts.stream().map(AggregationTest::roundTrip).toList(), merge));
      }
    }
    return results;
  }

  static <A> A tree(List<A> parts, BinaryOperator<A> merge) {
    if (parts.size() == 1) return parts.get(0);
    int mid = parts.size() / 2;
    return merge.apply(tree(parts.subList(0, mid), merge), tree(parts.subList(mid, parts.size()), merge));
  }

  static void assertClose(double[] expected, double[] actual, String what) {
    double scale = 0.0;
    for (double v : expected) scale = Math.max(scale, Math.abs(v));
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-12 * scale, what + "[" + i + "]");
    }
  }

  @Test
  void lossAccumulatorsMergeToTheLocalFold() {
    double[] theta = GradientCheckTest.perturbed(PARAM, 43);
    for (LossFunction loss : List.of(LossFunction.negativeLogLikelihood(PARAM),
        LossFunction.negativeLogLikelihood(PARAM, LossFunction.GradientMethod.FISHER),
        LossFunction.prediction(PARAM, 0.25, 7L, false), LossFunction.prediction(PARAM, 0.25, 7L, true))) {
      LossFunction shipped = roundTrip(loss);
      Evaluation single = new LocalObjective(loss, DATA).evaluate(theta, 5);
      Function<List<Trajectory>, LossAccumulator> fold =
          part -> shipped.evaluator(theta, 5).addAll(part, shipped.zero());
      for (LossAccumulator merged : splits(DATA, fold, LossAccumulator::merge)) {
        assertEquals(single.loss(), merged.loss(), 1e-12 * Math.abs(single.loss()), loss.kind().toString());
        assertClose(single.gradient(), merged.gradient(), loss.kind() + " gradient");
        assertEquals(DATA.size(), merged.trajectories());
        assertEquals(0, merged.failures());
      }
    }
  }

  @Test
  void emStatisticsMergeToTheLocalFold() {
    LinearParameterization param = (LinearParameterization) PARAM;
    double[] theta = GradientCheckTest.perturbed(PARAM, 44);
    EmStatistics single = new LocalExpectationStep(param, DATA, true).expectation(theta);
    Function<List<Trajectory>, EmStatistics> fold = part -> {
      ExpectationEvaluator ev = new ExpectationEvaluator(roundTrip(param), theta, true);
      EmStatistics s = EmStatistics.zero(param);
      part.forEach(t -> ev.add(t, s));
      return s;
    };
    LinearModel expected = MaximizationStep.apply(param, param.model(theta), single);
    for (EmStatistics merged : splits(DATA, fold, EmStatistics::merge)) {
      assertEquals(single.logLikelihood(), merged.logLikelihood(), 1e-12 * Math.abs(single.logLikelihood()));
      assertClose(single.evaluation().gradient(), merged.evaluation().gradient(), "score");
      LinearModel next = MaximizationStep.apply(param, param.model(theta), merged);
      assertClose(expected.dynamicsWeights(), next.dynamicsWeights(), "F");
      assertClose(expected.emissionsCov(), next.emissionsCov(), "R");
      assertClose(expected.initialCov(), next.initialCov(), "Sigma0");
    }
  }

  @Test
  void emStatisticsOfBlocksSmoothedInLockstepEqualTheSequentialOnes() {
    LinearParameterization param = (LinearParameterization) PARAM;
    double[] theta = GradientCheckTest.perturbed(PARAM, 46);
    EmStatistics sequential = new LocalExpectationStep(param, DATA, true).expectation(theta);
    EmStatistics batched = EmStatistics.zero(param);
    new ExpectationEvaluator(param, theta, true).addAll(DATA, batched);
    assertEquals(DATA.size(), batched.trajectories());
    assertEquals(java.util.Map.of("batched", (long) DATA.size()), batched.trajectoriesByEngine(),
        "every trajectory smoothed by the batched engine, none by a fallback");
    assertEquals(java.util.Map.of("sequential", (long) DATA.size()), sequential.trajectoriesByEngine());
    assertEquals(batched.trajectoriesByEngine(), EmStatistics.fromJson(batched.toJson(), param.size()).trajectoriesByEngine(),
        "the counts survive a checkpoint");
    assertEquals(sequential.logLikelihood(), batched.logLikelihood(), 1e-10 * Math.abs(sequential.logLikelihood()));
    assertClose(sequential.evaluation().gradient(), batched.evaluation().gradient(), "score");
    LinearModel a = MaximizationStep.apply(param, param.model(theta), sequential);
    LinearModel b = MaximizationStep.apply(param, param.model(theta), batched);
    assertClose(a.dynamicsWeights(), b.dynamicsWeights(), "F");
    assertClose(a.dynamicsCov(), b.dynamicsCov(), "Q");
    assertClose(a.emissionsCov(), b.emissionsCov(), "R");
    assertClose(a.initialCov(), b.initialCov(), "Sigma0");
  }

  @Test
  void everyLossShipsIntact() {
    for (GradientCheckTest.Case c : GradientCheckTest.cases()) {
      double[] theta = GradientCheckTest.perturbed(c.parameterization(), 45);
      for (String which : List.of("nll-adjoint", "prediction-feedback")) {
        LossFunction loss = GradientCheckTest.loss(c.parameterization(), which);
        Evaluation here = new LocalObjective(loss, c.data()).evaluate(theta, 2);
        Evaluation shipped = new LocalObjective(roundTrip(loss), c.data()).evaluate(theta, 2);
        assertEquals(here.loss(), shipped.loss(), 0.0, c.name());
        assertArrayEquals(here.gradient(), shipped.gradient(), 0.0, c.name());
      }
    }
  }

  @Test
  void zeroIsTheIdentityOfMerge() {
    double[] theta = PARAM.initial();
    LossFunction loss = LossFunction.prediction(PARAM, 0.3, 1L, false);
    LossAccumulator acc = new LocalObjective(loss, DATA).accumulate(theta, 0);
    Evaluation before = acc.evaluation();
    LossAccumulator merged = loss.zero().merge(acc).merge(loss.zero());
    assertEquals(before.loss(), merged.loss(), 0.0);
    assertArrayEquals(before.gradient(), merged.gradient(), 0.0);
    assertEquals(acc.components(), merged.components());
    assertTrue(acc.components() > 0 && acc.components() < 48L * 30 * 2, "missing components are not scored");
  }

  @Test
  void dropoutDependsOnlyOnSeedIdStepAndEpoch() {
    DropoutMask mask = new DropoutMask(0.3, 2026L);
    assertEquals(mask.key("trk-01"), new DropoutMask(0.3, 2026L).key("trk-01"));
    assertEquals(mask.key("trk-01"), roundTrip(mask).key("trk-01"));
    assertNotEquals(mask.key("trk-01"), mask.key("trk-02"));
    assertNotEquals(mask.key("trk-01"), new DropoutMask(0.3, 2027L).key("trk-01"));
    // pinned (computed independently from the definition): masks must not change between versions,
    // since a resumed fit and a distributed one depend on them
    assertEquals(1423030210933958385L, mask.key("trk-01"));
    boolean[] first = new boolean[12];
    for (int t = 0; t < 12; t++) first[t] = mask.dropped(mask.key("trk-01"), t, 0);
    assertArrayEquals(new boolean[] {false, false, false, false, true, false, false, false, false, false, true, false},
        first);
    assertEquals(mask.key("ü-é"), mask.key(new String("ü-é".getBytes(java.nio.charset.StandardCharsets.UTF_8),
        java.nio.charset.StandardCharsets.UTF_8)));
    long key = mask.key("trk-01");
    int dropped = 0;
    int sameAcrossEpochs = 0;
    int trials = 200_000;
    for (int t = 0; t < trials; t++) {
      boolean d0 = mask.dropped(key, t, 0);
      if (d0) dropped++;
      if (d0 == mask.dropped(key, t, 1)) sameAcrossEpochs++;
    }
    double rate = dropped / (double) trials;
    assertEquals(0.3, rate, 0.005);
    assertEquals(0.3 * 0.3 + 0.7 * 0.7, sameAcrossEpochs / (double) trials, 0.005, "epochs draw independent masks");
    assertTrue(!new DropoutMask(0.0, 1L).dropped(key, 3, 4));
  }

  @Test
  void dropoutMasksChangeTheLossOnlyThroughTheEpoch() {
    LossFunction loss = LossFunction.prediction(PARAM, 0.3, 11L, false);
    double[] theta = PARAM.initial();
    LocalObjective objective = new LocalObjective(loss, DATA);
    List<Trajectory> reversed = new ArrayList<>(DATA);
    Collections.reverse(reversed);
    assertEquals(objective.evaluate(theta, 3).loss(), new LocalObjective(loss, reversed).evaluate(theta, 3).loss(),
        1e-12 * objective.evaluate(theta, 3).loss());
    assertNotEquals(objective.evaluate(theta, 3).loss(), objective.evaluate(theta, 4).loss());
    assertEquals(objective.evaluate(theta).loss(), objective.evaluate(theta, 0).loss(), 0.0);
    double noDropout = new LocalObjective(LossFunction.prediction(PARAM, 0.0, 11L, false), DATA).evaluate(theta).loss();
    assertTrue(objective.evaluate(theta, 3).loss() > noDropout, "hiding observations worsens predictions");
  }
}
