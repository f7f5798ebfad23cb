package io.statespace.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.inference.batched.BatchedAdjoint;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.testing.RandomModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The batched (lockstep) loss and exact gradient against the sequential adjoint, the reference: every
 * parameterisation of {@link GradientCheckTest#cases()} under every loss (likelihood by the adjoint and by
 * Fisher's identity, prediction loss with dropout as missing and with feedback), on ragged blocks of 72
 * trajectories (two lockstep tiles, lengths 1 to 40) with whole and partial missing steps and irregular
 * gaps (dt = 0 included where the family allows it): loss to 1e-12 relative, each gradient component to
 * 1e-12 relative to itself down to a floor of 1e-9 of the largest component (the Fisher form to
 * {@link #FISHER_TOLERANCE}), counts equal, and every
 * trajectory evaluated in lanes. Below that, the per-step matrix gradients of a time-varying model (the
 * lane-by-lane parameter path) and the fallback of a tile with a failing lane.
 */
class BatchedGradientTest {
  static final double TOLERANCE = 1e-12;
  static final double FLOOR = 1e-9;
  /**
   * The Fisher-identity gradient is a function of smoothed moments, which the batched smoother computes by
   * other (equally exact) arithmetic than the sequential one (P⁻ − WᵀW against Joseph's form): measured
   * 3.6e-12 at worst here, held to 1e-10. The adjoint paths share their arithmetic up to the order of sums.
   */
  static final double FISHER_TOLERANCE = 1e-10;
  static final int TRAJECTORIES = 72;

  static Stream<Arguments> lossesByCase() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (GradientCheckTest.Case c : GradientCheckTest.cases()) {
      b.add(Arguments.of(c, "nll-adjoint"));
      if (c.fisherDefined()) b.add(Arguments.of(c, "nll-fisher"));
      b.add(Arguments.of(c, "prediction-missing"));
      b.add(Arguments.of(c, "prediction-feedback"));
    }
    return b.build();
  }

  /** Ragged trajectories (lengths 1..40) simulated from the case's model, with the case's kind of gaps. */
  static List<Trajectory> ragged(GradientCheckTest.Case c, long seed) {
    StateSpaceModel model = c.parameterization().model(c.parameterization().initial());
    SplittableRandom rng = new SplittableRandom(seed);
    RandomModels.DataShape shape = new RandomModels.DataShape();
    shape.missingStepFraction = 0.15;
    shape.partialFraction = 0.15;
    shape.irregular = !c.name().contains("fixed-dt");
    shape.zeroGapFraction = c.name().contains("dt=0") ? 0.1 : 0.0;
    List<Trajectory> out = new ArrayList<>();
    for (int i = 0; i < TRAJECTORIES; i++) {
      int steps = i % 9 == 0 ? 1 : 1 + rng.nextInt(40);
      out.add(RandomModels.trajectory(rng, model, "traj-" + i, steps, shape));
    }
    return out;
  }

  @ParameterizedTest(name = "{1} / {0}")
  @MethodSource("lossesByCase")
  void batchedEqualsSequentialAdjoint(GradientCheckTest.Case c, String which) {
    LossFunction loss = GradientCheckTest.loss(c.parameterization(), which);
    List<Trajectory> data = ragged(c, 41);
    double[] theta = GradientCheckTest.perturbed(c.parameterization(), 11);
    LossAccumulator reference = new LocalObjective(loss, data).accumulate(theta, 5);
    LossAccumulator batched = new LocalObjective(loss.withEngine(LossFunction.Engine.BATCHED), data).accumulate(theta, 5);
    assertEquals(0, reference.failures(), reference.firstFailure());
    assertEquals(Map.of("batched", (long) TRAJECTORIES), batched.trajectoriesByEngine(), "every trajectory in lanes");
    assertEquals(Map.of("sequential", (long) TRAJECTORIES), reference.trajectoriesByEngine());
    assertEquals(reference.trajectories(), batched.trajectories());
    assertEquals(reference.steps(), batched.steps());
    assertEquals(reference.components(), batched.components());
    assertEquals(reference.loss(), batched.loss(), TOLERANCE * Math.abs(reference.loss()));
    double[] g = batched.gradient();
    double[] ref = reference.gradient();
    double err = FiniteDifferences.componentError(g, ref, FLOOR);
    int at = FiniteDifferences.worstComponent(g, ref, FLOOR);
    System.out.printf("batched vs sequential %-20s %-36s p=%2d  worst component %2d: rel diff %.2e%n", which, c.name(),
        g.length, at, err);
    double tolerance = which.equals("nll-fisher") ? FISHER_TOLERANCE : TOLERANCE;
    assertTrue(err < tolerance, which + " / " + c.name() + ": component " + at + " (" + c.parameterization().names().get(at)
        + "): batched " + g[at] + ", sequential " + ref[at] + ", relative difference " + err);
    assertTrue(reference.evaluation().gradientNorm() > 1e-3, "a gradient that is all but zero checks nothing");
  }

  /** Every per-step matrix gradient, recorded by (lane or trajectory, kind, step). */
  static final class Recorder implements BatchedAdjoint.Sink {
    final Map<String, double[]> values = new HashMap<>();

    void put(String key, double[]... parts) {
      int size = 0;
      for (double[] p : parts) size += p.length;
      double[] all = new double[size];
      int o = 0;
      for (double[] p : parts) {
        System.arraycopy(p, 0, all, o, p.length);
        o += p.length;
      }
      if (values.put(key, all) != null) throw new AssertionError("delivered twice: " + key);
    }

    @Override
    public void initial(int lane, double[] dMean, double[] dCov) {
      put(lane + "/initial", dMean, dCov);
    }

    @Override
    public void dynamics(int lane, int t, double[] dWeights, double[] dBias, double[] dCov) {
      put(lane + "/dynamics/" + t, dWeights, dBias, dCov);
    }

    @Override
    public void emissions(int lane, int t, double[] dWeights, double[] dBias, double[] dCov) {
      put(lane + "/emissions/" + t, dWeights, dBias, dCov);
    }

    StepGradients forLane(int lane) {
      return new StepGradients() {
        @Override
        public void initial(double[] dMean, double[] dCov) {
          Recorder.this.initial(lane, dMean, dCov);
        }

        @Override
        public void dynamics(int t, double[] dWeights, double[] dBias, double[] dCov) {
          Recorder.this.dynamics(lane, t, dWeights, dBias, dCov);
        }

        @Override
        public void emissions(int t, double[] dWeights, double[] dBias, double[] dCov) {
          Recorder.this.emissions(lane, t, dWeights, dBias, dCov);
        }
      };
    }
  }

  static Stream<Arguments> weightsAndModes() {
    return Stream.of(Arguments.of(1.0, 0.0, false, false), Arguments.of(0.0, 1.0, true, false),
        Arguments.of(0.0, 1.0, true, true), Arguments.of(0.7, 0.3, true, true));
  }

  /**
   * A time-varying model with inputs (every parameter per lane and per step: the generic lane path):
   * every per-step gradient of every lane equals the sequential adjoint's, under a random mix of step modes.
   */
  @ParameterizedTest(name = "w_l={0} w_s={1} dropout={2} feedback={3}")
  @MethodSource("weightsAndModes")
  void perStepGradientsEqualSequentialOnTimeVaryingModel(double wl, double ws, boolean dropout, boolean feedback) {
    StateSpaceModel model = RandomModels.timeVarying(5, 3, 2, 1);
    SplittableRandom rng = new SplittableRandom(6);
    RandomModels.DataShape shape = new RandomModels.DataShape();
    shape.missingStepFraction = 0.2;
    shape.partialFraction = 0.2;
    int count = 12;
    Trajectory[] lanes = new Trajectory[count];
    byte[][] modes = new byte[count][];
    for (int l = 0; l < count; l++) {
      int steps = Math.max(1, 30 - 2 * l - (l == count - 1 ? 30 : 0));
      lanes[l] = RandomModels.trajectory(rng, model, "lane-" + l, steps, shape);
      modes[l] = new byte[steps];
      for (int t = 0; t < steps; t++) {
        modes[l][t] = !dropout || rng.nextDouble() < 0.6 ? BatchedAdjoint.UPDATE : feedback && rng.nextBoolean()
            ? BatchedAdjoint.FEEDBACK : BatchedAdjoint.SKIP;
      }
    }
    BatchedAdjoint batched = new BatchedAdjoint(model.stateDim(), model.obsDim(), 16);
    assertTrue(batched.forward(model, lanes, count, modes, wl, ws));
    Recorder lanesRecord = new Recorder();
    batched.backward(lanesRecord);
    Recorder reference = new Recorder();
    AdjointFilter filter = new AdjointFilter(model.stateDim(), model.obsDim());
    for (int l = 0; l < count; l++) {
      double loss = filter.forward(model.bind(lanes[l]), lanes[l].id(), lanes[l].observations(), lanes[l].length(),
          modes[l], wl, ws);
      filter.backward(reference.forLane(l));
      assertEquals(loss, batched.loss(l), TOLERANCE * Math.abs(loss), "loss of lane " + l);
      assertEquals(filter.scored(), batched.scored(l));
    }
    assertEquals(reference.values.keySet(), lanesRecord.values.keySet(), "the same step gradients delivered");
    double worst = 0.0;
    for (Map.Entry<String, double[]> e : reference.values.entrySet()) {
      double[] ref = e.getValue();
      double[] got = lanesRecord.values.get(e.getKey());
      double scale = 0.0;
      for (double v : ref) scale = Math.max(scale, Math.abs(v));
      for (int i = 0; i < ref.length; i++) {
        double diff = Math.abs(got[i] - ref[i]) / Math.max(Math.abs(ref[i]), Math.max(FLOOR * scale, 1e-300));
        worst = Math.max(worst, diff);
        assertTrue(diff < 1e-11, e.getKey() + "[" + i + "]: batched " + got[i] + ", sequential " + ref[i]);
      }
    }
    System.out.printf("per-step gradients, time-varying model, w_l=%s w_s=%s: worst rel diff %.2e over %d matrices%n", wl, ws,
        worst, reference.values.size());
  }

  /**
   * A lane whose innovation covariance is not positive definite (a time gap so long that Q overflows) sends its
   * whole tile to the sequential adjoint: the failure is recorded as the sequential path records it, the other
   * lanes' losses and gradients are the reference's, and the engine count says so.
   */
  @Test
  void tileWithFailingLaneFallsBackToSequential() {
    ConstantVelocityModel model = new ConstantVelocityModel(2, Double.NaN, ConstantVelocityModel.Noise.CONTINUOUS, 0.8,
        new double[] {0.4, 0.7}, new double[] {1.0, -2.0, 0.5, 0.3}, GradientCheckTest.diag(4, 0.5));
    Parameterization param = io.statespace.family.Families.parameterization(model, List.of("q", "measurement_std"));
    SplittableRandom rng = new SplittableRandom(3);
    List<Trajectory> data = new ArrayList<>();
    for (int i = 0; i < 20; i++) data.add(RandomModels.trajectory(rng, model, "ok-" + i, 10 + i, RandomModels.DataShape.complete()));
    Trajectory good = data.get(5);
    double[] times = good.times().clone();
    for (int t = 3; t < times.length; t++) times[t] += 1e300;
    data.set(5, new Trajectory("overflow", times, good.observations(), good.obsDim()));
    LossFunction loss = LossFunction.negativeLogLikelihood(param);
    LossAccumulator reference = new LocalObjective(loss, data).accumulate(param.initial(), 0);
    LossAccumulator batched = new LocalObjective(loss.withEngine(LossFunction.Engine.BATCHED), data).accumulate(param.initial(), 0);
    assertEquals(1, reference.failures());
    assertEquals(1, batched.failures());
    assertEquals(reference.firstFailure(), batched.firstFailure());
    assertTrue(batched.firstFailure().contains("'overflow'"), batched.firstFailure());
    assertEquals(Map.of("sequential_after_batched_failure", 20L), batched.trajectoriesByEngine());
    assertEquals(reference.sum(), batched.sum(), 1e-12 * Math.abs(reference.sum()));
    assertTrue(Arrays.equals(reference.gradient(), batched.gradient()) || FiniteDifferences.componentError(
        batched.gradient(), reference.gradient(), FLOOR) < TOLERANCE);
  }

  /**
   * Fewer lanes than lockstep pays for run through the sequential adjoint, counted as such; a block is cut into
   * even tiles, so that no remainder falls below that minimum.
   */
  @Test
  void smallBlocksRunSequentially() {
    GradientCheckTest.Case c = GradientCheckTest.cvFixedDt();
    List<Trajectory> data = ragged(c, 43).subList(0, 5);
    LossFunction loss = LossFunction.negativeLogLikelihood(c.parameterization()).withEngine(LossFunction.Engine.BATCHED);
    LossAccumulator acc = new LocalObjective(loss, data).accumulate(c.parameterization().initial(), 0);
    assertEquals(Map.of("sequential", 5L), acc.trajectoriesByEngine());
    List<Trajectory> seventy = ragged(c, 44).subList(0, 70);
    LossAccumulator even = new LocalObjective(loss, seventy).accumulate(c.parameterization().initial(), 0);
    assertEquals(Map.of("batched", 70L), even.trajectoriesByEngine(), "70 lanes make two tiles of 35, none left over");
  }
}
