package io.statespace.inference.batched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
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
import org.junit.jupiter.api.Test;

/**
 * The scalar lane's steady state against the sequential engine, per element at 1e-9, on one long trajectory
 * built to switch both ways: a regular stretch that converges, a fully missing step, a stretch at another dt
 * that converges to another steady state, a stretch with one component missing throughout (a steady state of
 * its own), isolated partial steps, and back; with inputs; and a model whose F changes at every step, which must
 * never be taken as steady. The switch counts show that each path was taken.
 */
class SteadyStateTest {
  private static final double TOLERANCE = 1e-9;
  private static final int STRETCH = 400;

  @Test
  void gapModelConvergesBreaksAndConvergesAgain() {
    SplittableRandom rng = new SplittableRandom(11);
    StateSpaceModel model = BatchedEngineTest.constantVelocity(rng, 2, ConstantVelocityModel.Noise.CONTINUOUS, Double.NaN);
    Trajectory tr = schedule(rng, model, true);
    BatchedEngine engine = new BatchedEngine();
    ScalarLane.Counts counts = assertAgree("gaps", engine, model, tr);
    assertTrue(counts.filterRegions >= 6, "regions entered: " + counts.filterRegions);
    assertTrue(counts.filterSteady > tr.length() / 2, "steady filter steps: " + counts.filterSteady);
    assertTrue(counts.smootherSteadyGain > tr.length() / 2, "steady smoother steps: " + counts.smootherSteadyGain);
    assertTrue(counts.smootherFrozen > tr.length() / 4, "frozen smoother steps: " + counts.smootherFrozen);
  }

  @Test
  void sharedAndInputModelsConvergeBreakAndConvergeAgain() {
    SplittableRandom rng = new SplittableRandom(12);
    for (int p : new int[] {0, 2}) {
      StateSpaceModel model = RandomModels.linear(rng, 4, 3, p);
      Trajectory tr = schedule(rng, model, false);
      ScalarLane.Counts counts = assertAgree("linear p=" + p, new BatchedEngine(), model, tr);
      assertTrue(counts.filterRegions >= 4, "p=" + p + ": regions entered: " + counts.filterRegions);
      assertTrue(counts.filterSteady > tr.length() / 2, "p=" + p + ": steady filter steps: " + counts.filterSteady);
      assertTrue(counts.smootherFrozen > 0, "p=" + p + ": frozen smoother steps: " + counts.smootherFrozen);
    }
  }

  @Test
  void aModelThatChangesEveryStepIsNeverSteady() {
    SplittableRandom rng = new SplittableRandom(13);
    StateSpaceModel model = RandomModels.timeVarying(31, 3, 2, 1);
    RandomModels.DataShape regular = RandomModels.DataShape.complete();
    Trajectory tr = RandomModels.trajectory(rng, model, "tv", 2000, regular);
    ScalarLane.Counts counts = assertAgree("time-varying", new BatchedEngine(), model, tr);
    assertEquals(0, counts.filterSteady);
    assertEquals(0, counts.smootherSteadyGain);
  }

  @Test
  void disabledSteadyStateTakesTheGeneralStepEverywhere() {
    SplittableRandom rng = new SplittableRandom(14);
    StateSpaceModel model = BatchedEngineTest.constantVelocity(rng, 1, ConstantVelocityModel.Noise.PIECEWISE, 0.1);
    Trajectory tr = RandomModels.trajectory(rng, model, "regular", 3000, RandomModels.DataShape.complete());
    BatchedEngine off = new BatchedEngine(BatchedEngine.DEFAULT_WIDTH, BatchedEngine.Sharing.SHARED, false);
    ScalarLane.Counts counts = assertAgree("off", off, model, tr);
    assertEquals(0, counts.filterRegions);
    assertEquals(0, counts.smootherSteadyGain);
    ScalarLane.Counts on = assertAgree("on", new BatchedEngine(), model, tr);
    assertEquals(1, on.filterRegions, "one regular stretch, one steady region");
  }

  @Test
  void aGroupOfLongRegularTrajectoriesSharesASteadyRecursion() {
    SplittableRandom rng = new SplittableRandom(15);
    StateSpaceModel model = BatchedEngineTest.constantVelocity(rng, 2, ConstantVelocityModel.Noise.CONTINUOUS, Double.NaN);
    Trajectory base = schedule(rng, model, true);
    List<Trajectory> block = new ArrayList<>(List.of(base));
    for (int k = 1; k < 6; k++) block.add(SharedCovarianceTest.samePattern(rng, model, base, "g" + k));
    BatchedEngine engine = new BatchedEngine();
    BatchedEngineTest.assertAgree("steady group", engine, model, block);
    assertTrue(engine.steadyCounts().filterSteady > base.length() / 2, "the group's recursion went steady");
  }

  /**
   * Regular (dt 0.1, complete) | one fully missing step | regular | dt 0.25 | second component missing
   * throughout | regular with a partial step every 97 | regular. Times are accumulated sums, so equal gaps
   * differ in their last bits, as decimal timestamps do. Without gaps in the model (F fixed), dt is
   * irrelevant and only the missing pattern switches.
   */
  private static Trajectory schedule(SplittableRandom rng, StateSpaceModel model, boolean gaps) {
    int steps = 7 * STRETCH;
    Trajectory values = RandomModels.trajectory(rng, model, "schedule", steps, RandomModels.DataShape.complete());
    double[] obs = values.observations().clone();
    int m = model.obsDim();
    double[] times = new double[steps];
    double t = 0.0;
    for (int k = 0; k < steps; k++) {
      times[k] = t;
      int stretch = k / STRETCH;
      t += gaps && stretch == 3 ? 0.25 : 0.1;
      if (k == STRETCH + 7) {
        for (int i = 0; i < m; i++) obs[k * m + i] = Double.NaN;
      }
      if (stretch == 4) obs[k * m + 1] = Double.NaN;
      if (stretch == 5 && k % 97 == 0) obs[k * m] = Double.NaN;
    }
    return new Trajectory("schedule", times, obs, m, values.inputs(), values.inputDim());
  }

  private static ScalarLane.Counts assertAgree(String label, BatchedEngine engine, StateSpaceModel model, Trajectory tr) {
    SequentialEngine reference = new SequentialEngine();
    Posterior filtered = engine.filter(model, tr, Outputs.ALL);
    ElementwiseComparison.assertClose(label + " filter", filtered, reference.filter(model, tr, Outputs.ALL), TOLERANCE);
    Posterior smoothed = engine.smooth(model, tr, Outputs.ALL);
    ScalarLane.Counts counts = engine.steadyCounts();
    double worst = ElementwiseComparison.assertClose(label + " smoother", smoothed,
        reference.smooth(model, tr, Outputs.ALL), TOLERANCE);
    System.out.printf("steady state %s: worst %.1e; %d regions, %d steady filter steps, %d steady smoother steps"
        + " (%d frozen) of %d%n", label, worst, counts.filterRegions, counts.filterSteady, counts.smootherSteadyGain,
        counts.smootherFrozen, tr.length());
    return counts;
  }
}
