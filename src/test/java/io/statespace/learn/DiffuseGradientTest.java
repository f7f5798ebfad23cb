package io.statespace.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.family.Families;
import io.statespace.inference.Outputs;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.DiffusePrior;
import io.statespace.model.LinearModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.ModelSpec;
import io.statespace.testing.RandomModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The diffuse negative log-likelihood's gradient ({@link DiffuseLikelihood}: forward tangents through the diffuse
 * period, the adjoint after it) against central finite differences per component, its value against the
 * sequential engine's diffuse log-likelihood, and the batched evaluation against the sequential one.
 */
class DiffuseGradientTest {
  static final double TOLERANCE = 1e-7;
  static final double FLOOR = 1e-3;

  static List<Trajectory> data(SplittableRandom rng, StateSpaceModel proper, int count, int minSteps, int maxSteps) {
    RandomModels.DataShape shape = new RandomModels.DataShape();
    shape.missingStepFraction = 0.2;
    shape.partialFraction = 0.2;
    List<Trajectory> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(RandomModels.trajectory(rng, proper, "tr" + i, rng.nextInt(minSteps, maxSteps + 1), shape));
    }
    return out;
  }

  static void check(String label, Parameterization param, List<Trajectory> data) {
    LossFunction loss = LossFunction.negativeLogLikelihood(param);
    LocalObjective objective = new LocalObjective(loss, data);
    double[] theta = GradientCheckTest.perturbed(param, 7);
    Evaluation e = objective.evaluate(theta);
    StateSpaceModel model = param.model(theta);
    assertTrue(DiffusePrior.isDiffuse(model));
    double logLik = 0.0;
    for (Trajectory t : data) logLik += new SequentialEngine().filter(model, t, Outputs.MOMENTS).logLikelihood();
    assertEquals(-logLik, e.loss(), 1e-9 * Math.abs(logLik), label + ": the loss is the sequential engine's diffuse likelihood");
    double[] fd = FiniteDifferences.gradient(x -> objective.evaluate(x).loss(), theta, 1e-4);
    double err = FiniteDifferences.componentError(e.gradient(), fd, FLOOR);
    int at = FiniteDifferences.worstComponent(e.gradient(), fd, FLOOR);
    System.out.printf(Locale.ROOT, "diffuse gradient %-40s p=%2d worst component %2d (%s): rel err %.2e%n", label, theta.length,
        at, param.names().get(at), err);
    assertTrue(err < TOLERANCE, label + ": component " + at + " (" + param.names().get(at) + "): exact " + e.gradient()[at]
        + ", finite differences " + fd[at] + ", relative error " + err);
    assertTrue(e.gradientNorm() > 1e-3, "a gradient that is all but zero checks nothing");
    LocalObjective batchedObjective = new LocalObjective(loss.withEngine(LossFunction.Engine.BATCHED), data);
    assertEquals(java.util.Map.of("sequential", (long) data.size()), batchedObjective.accumulate(theta, 0L).trajectoriesByEngine(),
        label + ": diffuse blocks go to the diffuse likelihood, not through a failing lockstep tile");
    Evaluation batched = batchedObjective.evaluate(theta);
    assertEquals(e.loss(), batched.loss(), 1e-12 * Math.abs(e.loss()));
    assertTrue(FiniteDifferences.componentError(batched.gradient(), e.gradient(), FLOOR) < 1e-12, label + ": batched gradient");
  }

  @Test
  void localLevel() {
    String file = "{\"family\": \"local-level\", \"level_std\": 0.5, \"measurement_std\": 0.8, \"initial\": INITIAL}";
    StateSpaceModel proper = ModelSpec.parse(file.replace("INITIAL", "{\"mean\": [0], \"cov\": [[1]]}")).model();
    StateSpaceModel diffuse = ModelSpec.parse(file.replace("INITIAL", "{\"diffuse\": true}")).model();
    check("local level", Families.parameterization(diffuse, List.of("level_std", "measurement_std")),
        data(new SplittableRandom(1), proper, 12, 3, 40));
  }

  @Test
  void thePredictionLossRefusesADiffuseModel() {
    StateSpaceModel diffuse = ModelSpec.parse("{\"family\": \"local-level\", \"level_std\": 0.5, \"measurement_std\": 0.8,"
        + " \"initial\": {\"diffuse\": true}}").model();
    Parameterization param = Families.parameterization(diffuse, List.of("level_std"));
    io.statespace.model.spec.ModelSpecException e = org.junit.jupiter.api.Assertions.assertThrows(
        io.statespace.model.spec.ModelSpecException.class, () -> LossFunction.prediction(param, 0.0, 1L, false));
    assertEquals("initial.diffuse", e.key());
    assertTrue(e.getMessage().contains("--loss nll"), e.getMessage());
  }

  @Test
  void constantVelocityFullyDiffuseWithGapsFromTheData() {
    String file = "{\"family\": \"constant-velocity\", \"spatial_dims\": 2, \"noise\": \"continuous\", \"q\": 0.7,"
        + " \"measurement_std\": [0.5, 0.9], \"columns\": {\"observations\": [\"x\", \"y\"]}, \"initial\": INITIAL}";
    StateSpaceModel proper = ModelSpec.parse(file.replace("INITIAL",
        "{\"mean\": [0, 0, 1, 1], \"cov\": [[1,0,0,0],[0,1,0,0],[0,0,1,0],[0,0,0,1]]}")).model();
    StateSpaceModel diffuse = ModelSpec.parse(file.replace("INITIAL", "{\"diffuse\": true}")).model();
    check("constant velocity", Families.parameterization(diffuse, List.of("q", "measurement_std")),
        data(new SplittableRandom(2), proper, 10, 4, 30));
  }

  @Test
  void partlyDiffuseLinearWithInputsAndCorrelatedMeasurementNoise() {
    SplittableRandom rng = new SplittableRandom(3);
    LinearModel base = RandomModels.linear(rng, 3, 2, 1);
    boolean[] mask = {true, false, true};
    int[] properIdx = DiffusePrior.properIndices(mask);
    double[][] prior = DiffusePrior.assemble(mask, DiffusePrior.restrict(base.initialMean(), properIdx),
        DiffusePrior.restrict(base.initialCov(), 3, properIdx));
    LinearModel diffuse = new LinearModel(3, 2, 1, prior[0], prior[1], base.dynamicsWeights(), base.dynamicsBias(),
        base.dynamicsInputWeights(), base.dynamicsCov(), base.emissionsWeights(), base.emissionsBias(),
        base.emissionsInputWeights(), base.emissionsCov());
    assertTrue(Math.abs(base.emissionsCov()[1]) > 1e-3, "the case needs a non-diagonal R");
    List<String> free = io.statespace.model.spec.ModelSpec.parameterNames(diffuse).stream()
        .filter(name -> !name.startsWith("initial.")).collect(Collectors.toList());
    check("linear, partly diffuse", Families.parameterization(diffuse, free), data(rng, base, 8, 5, 25));
  }
}
