package io.statespace.family;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.batched.BatchedEngine;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.ModelSpec;
import io.statespace.testing.LevelModels;
import io.statespace.testing.RandomModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The {@code local-level} family end to end below Spark: the registry finds it, its smoother agrees with
 * statsmodels, time gaps do not change it, the batched engine equals the sequential one element by element,
 * and the engines' capabilities are what the family says.
 */
class LocalLevelFamilyTest {
  /** The series of src/test/resources/io/statespace/family/local_level_statsmodels.py (NaN: missing). */
  private static final double[] Y = {1.2, 0.7, 1.9, 2.4, Double.NaN, 3.1, 4.0, 3.6, 5.2, 5.9, 6.1, 7.4};
  /** That script's output (statsmodels 0.13.5 UnobservedComponents, known initial state). */
  private static final double STATSMODELS_LOGLIKE = -20.201923762202291;
  private static final double[] STATSMODELS_LEVEL = {1.3286876303804198, 1.4521771432021511, 1.9099676085581718,
      2.3721881221622692, 2.8220478011718191, 3.271907480181369, 3.798170483715972, 4.2347314800132292,
      4.9533953563163653, 5.5624571687601083, 6.0214999450972329, 6.4456538081442378};
  private static final double[] STATSMODELS_LEVEL_VAR = {0.15975871456002388, 0.12735709647945181,
      0.12121172555335068, 0.12918359748324912, 0.1670196197849958, 0.12821863607115322, 0.11780457785138242,
      0.11520646592613616, 0.11529222735665644, 0.11823126743779813, 0.12982909744095225, 0.17299501119950966};

  private static Trajectory series(double step) {
    double[] times = new double[Y.length];
    for (int t = 0; t < Y.length; t++) times[t] = t * step * (1 + t);
    return new Trajectory("series", times, Y.clone(), 1);
  }

  @Test
  void registryFindsTheFamilyByNameAndByModel() {
    StateSpaceModel model = LevelModels.model(0.4, 0.6);
    assertSame(Families.named("local-level"), Families.of(model));
    assertEquals("local-level", ModelSpec.parse(LevelModels.file(0.4, 0.6)).family());
    assertEquals(1, model.stateDim());
    assertFalse(model.usesTimeGaps(), "a random walk per step: no dt");
  }

  @Test
  void logLikelihoodAndSmoothedLevelsEqualStatsmodels() {
    SequentialEngine engine = new SequentialEngine();
    for (double step : new double[] {1.0, 0.37}) {
      Posterior p = engine.smooth(LevelModels.model(0.4, 0.6), series(step), Outputs.MOMENTS);
      assertEquals(STATSMODELS_LOGLIKE, p.logLikelihood(), 1e-9, "gaps scaled by " + step);
      for (int t = 0; t < Y.length; t++) {
        assertEquals(STATSMODELS_LEVEL[t], p.smoothedMeans()[t], 1e-9, "level at " + t);
        assertEquals(STATSMODELS_LEVEL_VAR[t], p.smoothedCovariances()[t], 1e-9, "level variance at " + t);
      }
    }
  }

  private static void assertElementwise(String what, double[] actual, double[] expected) {
    assertEquals(expected.length, actual.length, what + ": lengths");
    for (int i = 0; i < expected.length; i++) {
      double tol = 1e-10 * Math.max(Math.abs(expected[i]), 1.0);
      assertEquals(expected[i], actual[i], tol, what + "[" + i + "]");
    }
  }

  @Test
  void batchedEngineEqualsSequentialElementByElement() {
    StateSpaceModel model = LevelModels.model(0.5, 0.4);
    SplittableRandom rng = new SplittableRandom(41);
    RandomModels.DataShape shape = new RandomModels.DataShape();
    shape.missingStepFraction = 0.15;
    shape.irregular = true;
    List<Trajectory> block = new ArrayList<>();
    for (int i = 0; i < 21; i++) block.add(RandomModels.trajectory(rng, model, "t" + i, 5 + rng.nextInt(40), shape));
    Posterior[] batched = new BatchedEngine(8).smooth(model, block, Outputs.ALL);
    SequentialEngine sequential = new SequentialEngine();
    for (int k = 0; k < block.size(); k++) {
      Posterior expected = sequential.smooth(model, block.get(k), Outputs.ALL);
      String id = block.get(k).id();
      assertEquals(expected.logLikelihood(), batched[k].logLikelihood(),
          1e-10 * Math.max(1.0, Math.abs(expected.logLikelihood())), id + " log-likelihood");
      assertElementwise(id + " filtered means", batched[k].filteredMeans(), expected.filteredMeans());
      assertElementwise(id + " filtered covs", batched[k].filteredCovariances(), expected.filteredCovariances());
      assertElementwise(id + " predicted means", batched[k].predictedMeans(), expected.predictedMeans());
      assertElementwise(id + " smoothed means", batched[k].smoothedMeans(), expected.smoothedMeans());
      assertElementwise(id + " smoothed covs", batched[k].smoothedCovariances(), expected.smoothedCovariances());
    }
  }

  @Test
  void capabilitiesAreTheFamilysAnswer() {
    StateSpaceModel model = LevelModels.model(0.5, 0.4);
    assertEquals(Optional.empty(), Families.refusal(model, Family.Capability.BATCHED));
    assertEquals(Optional.empty(), Families.refusal(model, Family.Capability.GPU), "constant steps pack as linear 1x1");
    assertEquals("needs the linear family (closed-form M-steps); local-level has none",
        Families.refusal(model, Family.Capability.EM).orElseThrow());
  }

  @Test
  void fittedParametersWriteBackIntoTheModelFile() {
    ModelSpec spec = ModelSpec.parse(LevelModels.file(0.4, 0.6));
    assertEquals(List.of("initial.mean", "initial.cov", "level_std", "measurement_std"),
        ModelSpec.parameterNames(spec.model()));
    var p = Families.parameterization(spec.model(), List.of("measurement_std", "initial.cov", "level_std", "initial.mean"));
    assertEquals(List.of("log measurement_std", "initial.cov.log_chol[0][0]", "log level_std", "initial.mean[0]"),
        p.names());
    assertArrayEquals(new double[] {0.6, 2.0, 0.4, 0.5}, p.natural(p.initial()), 1e-14);
    double[] theta = {Math.log(0.9), 0.3, Math.log(0.2), -1.5};
    ModelSpec fitted = ModelSpec.parse(p.fittedSpec(spec, theta).toJson());
    assertArrayEquals(theta, p.theta(fitted.model()), 1e-12);
    String json = fitted.toJson();
    assertTrue(json.contains("\"level_std\" : 0.2") && json.contains("\"measurement_std\" : 0.9"), json);
  }
}
