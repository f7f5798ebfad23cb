package io.statespace.inference.batched;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.statespace.data.Trajectory;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.testing.ElementwiseComparison;
import io.statespace.testing.RandomModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Shared covariances: trajectories of a block whose (length, missing pattern, time gaps where F and Q read them)
 * agree run one covariance recursion and their own means. Checked per element against the sequential engine on
 * blocks that mix groups (regular and irregular gaps, whole and partial missing steps, inputs, groups of
 * exactly {@link BatchedEngine#MIN_SHARED_LANES} members and one short of it) with ragged lanes of their own
 * pattern; the grouping itself is checked exact when every hash collides.
 */
class SharedCovarianceTest {
  private static final double TOLERANCE = 1e-9;

  static Stream<Arguments> cases() {
    Stream.Builder<Arguments> cases = Stream.builder();
    long seed = 901;
    for (String family : new String[] {"shared", "inputs", "gaps", "timeVarying"}) {
      for (BatchedEngine.Sharing sharing : new BatchedEngine.Sharing[] {BatchedEngine.Sharing.SHARED,
          BatchedEngine.Sharing.COPIED}) {
        for (int width : new int[] {5, BatchedEngine.DEFAULT_WIDTH}) cases.add(Arguments.of(family, sharing, width, seed++));
      }
    }
    return cases.build();
  }

  @ParameterizedTest(name = "{0}, {1}, width {2}, seed {3}")
  @MethodSource("cases")
  void mixedBlocksAgreeWithSequential(String family, BatchedEngine.Sharing sharing, int width, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    StateSpaceModel model = model(family, rng);
    List<Trajectory> block = new ArrayList<>();
    List<int[]> groups = new ArrayList<>();
    int[] sizes = {BatchedEngine.MIN_SHARED_LANES, 2 * width + 3, BatchedEngine.MIN_SHARED_LANES - 1, 9};
    int[] lengths = {1 + rng.nextInt(3), 40 + rng.nextInt(200), 60, 120};
    RandomModels.DataShape[] shapes = {RandomModels.DataShape.complete(), new RandomModels.DataShape(),
        new RandomModels.DataShape(), partialOnly()};
    for (int g = 0; g < sizes.length; g++) {
      Trajectory base = RandomModels.trajectory(rng, model, "g" + g + "-0", lengths[g], shapes[g]);
      int[] members = new int[sizes[g]];
      for (int k = 0; k < sizes[g]; k++) {
        members[k] = block.size();
        block.add(k == 0 ? base : samePattern(rng, model, base, "g" + g + "-" + k));
      }
      groups.add(members);
    }
    for (int k = 0; k < 11; k++) {
      block.add(RandomModels.trajectory(rng, model, "own-" + k, 1 + rng.nextInt(150), new RandomModels.DataShape()));
    }
    shuffle(rng, block, groups);
    BatchedEngine engine = new BatchedEngine(width, sharing, true);
    assertAgree(family + " " + sharing, engine, model, block);

    Posterior[] out = engine.smooth(model, block, Outputs.ALL);
    boolean shares = !family.equals("timeVarying");
    for (int g = 0; g < groups.size(); g++) {
      int[] members = groups.get(g);
      boolean grouped = shares && members.length >= BatchedEngine.MIN_SHARED_LANES;
      for (int k = 1; k < members.length; k++) {
        Posterior first = out[members[0]];
        Posterior other = out[members[k]];
        if (grouped && sharing == BatchedEngine.Sharing.SHARED) {
          assertSame(first.smoothedCovariances(), other.smoothedCovariances(), "group " + g + " shares its arrays");
          assertSame(first.filteredCovariances(), other.filteredCovariances(), "group " + g);
        } else {
          assertNotSame(first.smoothedCovariances(), other.smoothedCovariances(), "group " + g);
        }
        if (grouped) {
          assertArrayEquals(first.filteredCovariances(), other.filteredCovariances(), "group " + g + ": one recursion");
          assertArrayEquals(first.smoothedCrossCovariances(), other.smoothedCrossCovariances(), "group " + g);
        }
      }
    }
  }

  @Test
  void perLaneAndSharedComputeTheSamePosteriors() {
    SplittableRandom rng = new SplittableRandom(77);
    StateSpaceModel model = model("gaps", rng);
    Trajectory base = RandomModels.trajectory(rng, model, "base", 300, new RandomModels.DataShape());
    List<Trajectory> block = new ArrayList<>(List.of(base));
    for (int k = 1; k < 100; k++) block.add(samePattern(rng, model, base, "tr-" + k));
    Posterior[] shared = new BatchedEngine().smooth(model, block, Outputs.ALL);
    Posterior[] perLane = new BatchedEngine(BatchedEngine.DEFAULT_WIDTH, BatchedEngine.Sharing.PER_LANE, true)
        .smooth(model, block, Outputs.ALL);
    for (int i = 0; i < block.size(); i++) {
      ElementwiseComparison.assertClose("shared vs per lane " + block.get(i).id(), shared[i], perLane[i], TOLERANCE);
    }
  }

  @Test
  void theSameMissingPatternWithOtherGapsIsAnotherGroup() {
    SplittableRandom rng = new SplittableRandom(6);
    StateSpaceModel model = model("gaps", rng);
    Trajectory regular = RandomModels.trajectory(rng, model, "r", 80, RandomModels.DataShape.complete());
    double[] slower = regular.times().clone();
    for (int t = 0; t < slower.length; t++) slower[t] *= 2.0;
    Trajectory stretched = new Trajectory("s", slower, regular.observations(), regular.obsDim());
    List<Trajectory> block = new ArrayList<>();
    for (int k = 0; k < 6; k++) {
      block.add(samePattern(rng, model, regular, "r" + k));
      block.add(samePattern(rng, model, stretched, "s" + k));
    }
    Posterior[] out = new BatchedEngine().smooth(model, block, Outputs.MOMENTS);
    for (int k = 2; k < block.size(); k++) {
      assertSame(out[k % 2].filteredCovariances(), out[k].filteredCovariances(), block.get(k).id());
    }
    assertNotSame(out[0].filteredCovariances(), out[1].filteredCovariances());
    assertAgree("other gaps", new BatchedEngine(), model, block);
  }

  @Test
  void groupsAreExactEvenWhenEveryHashCollides() {
    SplittableRandom rng = new SplittableRandom(5);
    StateSpaceModel model = model("gaps", rng);
    Trajectory base = RandomModels.trajectory(rng, model, "base", 50, new RandomModels.DataShape());
    List<Trajectory> block = new ArrayList<>();
    for (int k = 0; k < 4; k++) block.add(samePattern(rng, model, base, "a" + k));
    Trajectory oneMissing = withMissing(samePattern(rng, model, base, "b"), firstObserved(base));
    for (int k = 0; k < 4; k++) block.add(samePattern(rng, model, oneMissing, "b" + k));
    Trajectory oneUlp = withGapNudged(samePattern(rng, model, base, "c"), 17);
    for (int k = 0; k < 4; k++) block.add(samePattern(rng, model, oneUlp, "c" + k));
    Trajectory shorter = truncated(base, 49);
    for (int k = 0; k < 4; k++) block.add(samePattern(rng, model, shorter, "d" + k));

    CovarianceGroups collide = CovarianceGroups.of(block, true, pattern -> 42L, 4);
    assertEquals(List.of("[0, 1, 2, 3]", "[12, 13, 14, 15]", "[4, 5, 6, 7]", "[8, 9, 10, 11]"),
        collide.groups().stream().map(Arrays::toString).sorted().toList());
    assertEquals(0, collide.rest().length);
    CovarianceGroups hashed = CovarianceGroups.of(block, true, pattern -> CovarianceGroups.hash(pattern, true), 4);
    assertEquals(4, hashed.groups().size());
    CovarianceGroups gapsIgnored = CovarianceGroups.of(block, false, pattern -> 42L, 4);
    assertEquals(List.of("[0, 1, 2, 3, 8, 9, 10, 11]", "[12, 13, 14, 15]", "[4, 5, 6, 7]"),
        gapsIgnored.groups().stream().map(Arrays::toString).sorted().toList(), "without gaps, c joins a");
    CovarianceGroups tooFew = CovarianceGroups.of(block.subList(0, 7), true, pattern -> 42L, 4);
    assertEquals(1, tooFew.groups().size());
    assertArrayEquals(new int[] {4, 5, 6}, tooFew.rest());
    assertAgree("collisions", new BatchedEngine(3), model, block);
  }

  static StateSpaceModel model(String family, SplittableRandom rng) {
    switch (family) {
      case "shared":
        return RandomModels.linear(rng, 1 + rng.nextInt(6), 1 + rng.nextInt(3), 0);
      case "inputs":
        return RandomModels.linear(rng, 1 + rng.nextInt(6), 2 + rng.nextInt(2), 1 + rng.nextInt(2));
      case "gaps":
        return BatchedEngineTest.constantVelocity(rng, 2, ConstantVelocityModel.Noise.CONTINUOUS, Double.NaN);
      default:
        return RandomModels.timeVarying(rng.nextLong(), 3, 2, 1);
    }
  }

  private static RandomModels.DataShape partialOnly() {
    RandomModels.DataShape shape = new RandomModels.DataShape();
    shape.missingStepFraction = 0.0;
    shape.partialFraction = 0.3;
    return shape;
  }

  /** Other values (and inputs) from the model, with the base's times and missing components. */
  static Trajectory samePattern(SplittableRandom rng, StateSpaceModel model, Trajectory base, String id) {
    Trajectory values = RandomModels.trajectory(rng, model, id, base.length(), RandomModels.DataShape.complete());
    double[] obs = values.observations().clone();
    double[] pattern = base.observations();
    for (int i = 0; i < obs.length; i++) {
      if (Double.isNaN(pattern[i])) obs[i] = Double.NaN;
    }
    return new Trajectory(id, base.times().clone(), obs, base.obsDim(), values.inputs(), values.inputDim());
  }

  private static int firstObserved(Trajectory tr) {
    double[] y = tr.observations();
    for (int i = 0; i < y.length; i++) {
      if (!Double.isNaN(y[i])) return i;
    }
    throw new IllegalStateException("no observed value");
  }

  private static Trajectory withMissing(Trajectory tr, int index) {
    double[] obs = tr.observations().clone();
    obs[index] = Double.NaN;
    return new Trajectory(tr.id(), tr.times(), obs, tr.obsDim(), tr.inputs(), tr.inputDim());
  }

  /** Moves times from step {@code t} on by one ulp of time[t], so that exactly one gap differs. */
  private static Trajectory withGapNudged(Trajectory tr, int t) {
    double[] times = tr.times().clone();
    double shift = Math.ulp(Math.abs(times[t])) * 4;
    for (int i = t; i < times.length; i++) times[i] += shift;
    return new Trajectory(tr.id(), times, tr.observations(), tr.obsDim(), tr.inputs(), tr.inputDim());
  }

  private static Trajectory truncated(Trajectory tr, int steps) {
    int m = tr.obsDim();
    return new Trajectory(tr.id(), Arrays.copyOf(tr.times(), steps), Arrays.copyOf(tr.observations(), steps * m), m,
        tr.inputs() == null ? null : Arrays.copyOf(tr.inputs(), steps * tr.inputDim()), tr.inputDim());
  }

  /** Shuffles the block in place and renumbers the group members accordingly. */
  private static void shuffle(SplittableRandom rng, List<Trajectory> block, List<int[]> groups) {
    int[] where = new int[block.size()];
    for (int i = 0; i < where.length; i++) where[i] = i;
    for (int i = where.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int swap = where[i];
      where[i] = where[j];
      where[j] = swap;
    }
    Trajectory[] old = block.toArray(new Trajectory[0]);
    int[] position = new int[where.length];
    for (int i = 0; i < where.length; i++) {
      block.set(i, old[where[i]]);
      position[where[i]] = i;
    }
    for (int[] members : groups) {
      for (int k = 0; k < members.length; k++) members[k] = position[members[k]];
    }
  }

  /** Every posterior of the block (smoothed and filtered, all outputs) against the sequential engine. */
  static void assertAgree(String label, BatchedEngine engine, StateSpaceModel model, List<Trajectory> block) {
    BatchedEngineTest.assertAgree(label, engine, model, block);
  }
}
