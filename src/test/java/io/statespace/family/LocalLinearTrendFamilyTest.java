package io.statespace.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.batched.BatchedEngine;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.ModelSpec;
import io.statespace.model.spec.ModelSpecException;
import io.statespace.testing.RandomModels;
import io.statespace.testing.TrendModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The {@code local-linear-trend} family end to end below Spark: the registry finds it, its filter agrees with
 * statsmodels, the batched engine with the sequential one element by element, and the engines' capabilities
 * are what the family says.
 */
class LocalLinearTrendFamilyTest {
  /** The series of src/test/resources/io/statespace/family/local_linear_trend_statsmodels.py (NaN: missing). */
  private static final double[] Y = {1.2, 0.7, 1.9, 2.4, Double.NaN, 3.1, 4.0, 3.6, 5.2, 5.9, 6.1, 7.4};
  /** That script's output (statsmodels UnobservedComponents, known initial state). */
  private static final double STATSMODELS_LOGLIKE = -13.541489043442295;
  private static final double[] STATSMODELS_LEVEL = {0.87825387473690786, 1.1877116452048018, 1.7454995163942446,
      2.2536115343413874, 2.7127309794222749, 3.19414661009949, 3.7459285823648947, 4.2136563833750946,
      4.9992093322199116, 5.7184799563991611, 6.370451389186444, 7.157763237072869};
  private static final double[] STATSMODELS_SLOPE = {0.43677252009380446, 0.46834188961321882, 0.48733291797347694,
      0.50340188539993802, 0.52569807099626575, 0.55422147476245986, 0.58308793356730226, 0.62817691101298723,
      0.65113488313857126, 0.66451126668031002, 0.67965106436325562, 0.67965106436325562};

  private static Trajectory series(double step) {
    double[] times = new double[Y.length];
    for (int t = 0; t < Y.length; t++) times[t] = t * step;
    return new Trajectory("series", times, Y.clone(), 1);
  }

  @Test
  void registryFindsTheFamilyByNameAndByModel() {
    StateSpaceModel model = TrendModels.model(1.0, 0.4, 0.15, 0.6);
    assertSame(Families.named("local-linear-trend"), Families.of(model));
    assertEquals("local-linear-trend", ModelSpec.parse(TrendModels.file(1.0, 0.4, 0.15, 0.6)).family());
    ModelSpecException e = assertThrows(ModelSpecException.class, () -> Families.named("local-level-trend"));
    assertEquals("family", e.key());
  }

  @Test
  void logLikelihoodAndSmoothedStatesEqualStatsmodels() {
    SequentialEngine engine = new SequentialEngine();
    for (StateSpaceModel model : List.of(TrendModels.model(1.0, 0.4, 0.15, 0.6),
        TrendModels.model(Double.NaN, 0.4, 0.15, 0.6))) {
      Posterior p = engine.smooth(model, series(1.0), Outputs.MOMENTS);
      assertEquals(STATSMODELS_LOGLIKE, p.logLikelihood(), 1e-9);
      double[] means = p.smoothedMeans();
      for (int t = 0; t < Y.length; t++) {
        assertEquals(STATSMODELS_LEVEL[t], means[2 * t], 1e-9, "level at " + t);
        assertEquals(STATSMODELS_SLOPE[t], means[2 * t + 1], 1e-9, "slope at " + t);
      }
    }
  }

  @Test
  void dtScalesOnlyTheSlopeTermOfTheLevel() {
    StateSpaceModel halfStep = TrendModels.model(Double.NaN, 0.4, 0.15, 0.6);
    Posterior p = new SequentialEngine().filter(halfStep, series(0.5), Outputs.MOMENTS);
    assertTrue(Math.abs(p.logLikelihood() - STATSMODELS_LOGLIKE) > 1e-3,
        "with dt = 0.5 the transition differs, so the likelihood must too: " + p.logLikelihood());
    Posterior fixed = new SequentialEngine().filter(TrendModels.model(0.5, 0.4, 0.15, 0.6), series(1.0), Outputs.MOMENTS);
    assertEquals(p.logLikelihood(), fixed.logLikelihood(), 1e-12, "a fixed dt of 0.5 equals gaps of 0.5");
  }

  private static List<Trajectory> data(StateSpaceModel model, int count, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    RandomModels.DataShape shape = new RandomModels.DataShape();
    shape.zeroGapFraction = 0.1;
    List<Trajectory> out = new ArrayList<>();
    for (int i = 0; i < count; i++) out.add(RandomModels.trajectory(rng, model, "t" + i, 5 + rng.nextInt(40), shape));
    return out;
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
    for (StateSpaceModel model : List.of(TrendModels.model(Double.NaN, 0.5, 0.2, 0.4),
        TrendModels.model(0.3, 0.5, 0.2, 0.4))) {
      List<Trajectory> block = data(model, 21, 31);
      Posterior[] batched = new BatchedEngine(8).smooth(model, block, Outputs.ALL);
      SequentialEngine sequential = new SequentialEngine();
      for (int k = 0; k < block.size(); k++) {
        Posterior expected = sequential.smooth(model, block.get(k), Outputs.ALL);
        String id = (model.usesTimeGaps() ? "gaps " : "fixed dt ") + block.get(k).id();
        assertEquals(expected.logLikelihood(), batched[k].logLikelihood(),
            1e-10 * Math.max(1.0, Math.abs(expected.logLikelihood())), id + " log-likelihood");
        assertElementwise(id + " filtered means", batched[k].filteredMeans(), expected.filteredMeans());
        assertElementwise(id + " filtered covs", batched[k].filteredCovariances(), expected.filteredCovariances());
        assertElementwise(id + " predicted means", batched[k].predictedMeans(), expected.predictedMeans());
        assertElementwise(id + " smoothed means", batched[k].smoothedMeans(), expected.smoothedMeans());
        assertElementwise(id + " smoothed covs", batched[k].smoothedCovariances(), expected.smoothedCovariances());
      }
    }
  }

  @Test
  void capabilitiesAreTheFamilysAnswer() {
    StateSpaceModel gaps = TrendModels.model(Double.NaN, 0.5, 0.2, 0.4);
    StateSpaceModel fixed = TrendModels.model(0.3, 0.5, 0.2, 0.4);
    assertEquals(Optional.empty(), Families.refusal(gaps, Family.Capability.BATCHED));
    assertEquals(Optional.empty(), Families.refusal(fixed, Family.Capability.GPU), "a fixed dt packs as linear");
    String gpu = Families.refusal(gaps, Family.Capability.GPU).orElseThrow();
    assertTrue(gpu.startsWith("the local-linear-trend family: the GPU kernels cover"), gpu);
    assertTrue(!gpu.contains("\n"), gpu);
    String em = Families.refusal(fixed, Family.Capability.EM).orElseThrow();
    assertEquals("needs the linear family (closed-form M-steps); local-linear-trend has none", em);
  }
}
