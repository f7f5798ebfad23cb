package io.statespace.inference.batched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.DiffusePrior;
import io.statespace.model.LinearModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.ModelSpec;
import io.statespace.testing.ElementwiseComparison;
import io.statespace.testing.RandomModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The batched engine on models with a diffuse prior (each trajectory's diffuse period alone, the rest in the
 * lockstep lanes: {@link DiffuseHandover}) against the sequential engine per element to 1e-9, on random models
 * with missing and partly missing steps, blocks wide enough for the lockstep lanes and a lone trajectory.
 */
class DiffuseBatchedTest {
  static final double TOL = 1e-9;

  /** The same linear model with the components {@code diffuse} made diffuse. */
  static LinearModel diffuseVersion(LinearModel base, boolean[] diffuse) {
    int n = base.stateDim();
    double[] mean = base.initialMean();
    double[] cov = base.initialCov();
    int[] proper = DiffusePrior.properIndices(diffuse);
    double[][] prior = DiffusePrior.assemble(diffuse, DiffusePrior.restrict(mean, proper), DiffusePrior.restrict(cov, n, proper));
    return new LinearModel(n, base.obsDim(), base.inputDim(), prior[0], prior[1], base.dynamicsWeights(),
        base.dynamicsBias(), base.dynamicsInputWeights(), base.dynamicsCov(), base.emissionsWeights(), base.emissionsBias(),
        base.emissionsInputWeights(), base.emissionsCov());
  }

  static List<Trajectory> block(SplittableRandom rng, StateSpaceModel simulateFrom, int count, int minSteps, int maxSteps) {
    RandomModels.DataShape shape = new RandomModels.DataShape();
    shape.missingStepFraction = 0.15;
    shape.partialFraction = 0.15;
    List<Trajectory> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(RandomModels.trajectory(rng, simulateFrom, "tr" + i, rng.nextInt(minSteps, maxSteps + 1), shape));
    }
    return out;
  }

  static double compare(String label, StateSpaceModel model, List<Trajectory> block, Outputs outputs) {
    Posterior[] batched = new BatchedEngine().smooth(model, block, outputs);
    SequentialEngine sequential = new SequentialEngine();
    double worst = 0.0;
    for (int i = 0; i < block.size(); i++) {
      Posterior expected = sequential.smooth(model, block.get(i), outputs);
      assertEquals(block.get(i).length(), batched[i].length());
      worst = Math.max(worst, ElementwiseComparison.assertClose(label + " " + block.get(i).id(), batched[i], expected, TOL));
    }
    System.out.printf(Locale.ROOT, "%s: %d trajectories, worst element %.2e%n", label, block.size(), worst);
    return worst;
  }

  @Test
  void randomFullyAndPartlyDiffuseLinearModelsMatchTheSequentialEngine() {
    SplittableRandom rng = new SplittableRandom(42);
    for (int trial = 0; trial < 4; trial++) {
      LinearModel base = RandomModels.linear(rng, 3, 2, 1);
      boolean[] diffuse = trial % 2 == 0 ? new boolean[] {true, true, true} : new boolean[] {true, false, true};
      LinearModel model = diffuseVersion(base, diffuse);
      List<Trajectory> block = block(rng, base, 30, 4, 60);
      compare("linear trial " + trial + " (lockstep)", model, block, Outputs.of(true, false));
      compare("linear trial " + trial + " (lone)", model, block.subList(0, 1), Outputs.of(true, false));
    }
  }

  @Test
  void constantVelocityWithTimeGapsFromTheDataMatchesTheSequentialEngine() {
    StateSpaceModel proper = ModelSpec.parse("{\"family\": \"constant-velocity\", \"spatial_dims\": 2, \"noise\": \"continuous\","
        + " \"q\": 0.5, \"measurement_std\": [0.4, 0.9], \"columns\": {\"observations\": [\"x\", \"y\"]},"
        + " \"initial\": {\"mean\": [0, 0, 1, 1], \"cov\": [[1,0,0,0],[0,1,0,0],[0,0,1,0],[0,0,0,1]]}}").model();
    StateSpaceModel diffuse = ModelSpec.parse("{\"family\": \"constant-velocity\", \"spatial_dims\": 2, \"noise\": \"continuous\","
        + " \"q\": 0.5, \"measurement_std\": [0.4, 0.9], \"columns\": {\"observations\": [\"x\", \"y\"]},"
        + " \"initial\": {\"diffuse\": true}}").model();
    List<Trajectory> block = block(new SplittableRandom(9), proper, 40, 6, 50);
    double worst = compare("constant velocity, dt from the data", diffuse, block, Outputs.of(true, false));
    assertTrue(worst <= TOL);
  }

  /** The first step observed, so that every diffuse period is one step and the cross-covariances exist. */
  @Test
  void crossCovariancesAcrossTheHandOverMatchWhenThePeriodIsOneStep() {
    StateSpaceModel proper = ModelSpec.parse("{\"family\": \"local-level\", \"level_std\": 0.4, \"measurement_std\": 0.6,"
        + " \"initial\": {\"mean\": [0], \"cov\": [[1]]}}").model();
    StateSpaceModel diffuse = ModelSpec.parse("{\"family\": \"local-level\", \"level_std\": 0.4, \"measurement_std\": 0.6,"
        + " \"initial\": {\"diffuse\": true}}").model();
    SplittableRandom rng = new SplittableRandom(3);
    List<Trajectory> block = block(rng, proper, 20, 2, 30);
    for (Trajectory tr : block) {
      if (Double.isNaN(tr.observations()[0])) tr.observations()[0] = rng.nextDouble(-1, 1);
    }
    compare("local level with cross-covariances", diffuse, block, Outputs.ALL);
  }
}
