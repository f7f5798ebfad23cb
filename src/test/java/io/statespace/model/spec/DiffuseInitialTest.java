package io.statespace.model.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.family.Families;
import io.statespace.family.Family;
import io.statespace.model.DiffusePrior;
import io.statespace.model.StateSpaceModel;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code initial.diffuse} in the model file: parsing for every family, writing back, and the refusals. */
class DiffuseInitialTest {
  static final String CV = "{\"family\": \"constant-velocity\", \"spatial_dims\": 2, \"dt\": 0.5, \"noise\": \"continuous\","
      + " \"q\": 0.8, \"measurement_std\": [1.5, 0.7], \"columns\": {\"observations\": [\"x\", \"y\"]}, \"initial\": INITIAL}";
  static final String LEVEL = "{\"family\": \"local-level\", \"level_std\": 38.3, \"measurement_std\": 122.9,"
      + " \"columns\": {\"observations\": [\"y\"]}, \"initial\": INITIAL}";
  static final String TREND = "{\"family\": \"local-linear-trend\", \"dt\": 1.0, \"level_std\": 0.4, \"slope_std\": 0.1,"
      + " \"measurement_std\": 0.6, \"columns\": {\"observations\": [\"y\"]}, \"initial\": INITIAL}";
  static final String LINEAR = "{\"family\": \"linear\", \"state_dim\": 2, \"obs_dim\": 1, \"columns\": {\"observations\": [\"y\"]},"
      + " \"initial\": INITIAL, \"dynamics\": {\"weights\": [[1, 1], [0, 1]], \"cov\": [[0.01, 0], [0, 0.01]]},"
      + " \"emissions\": {\"weights\": [[1, 0]], \"cov\": [[0.25]]}}";

  static StateSpaceModel parse(String template, String initial) {
    return ModelSpec.parse(template.replace("INITIAL", initial)).model();
  }

  @Test
  void everyFamilyTakesTheCommonDiffuseBlock() {
    for (String template : new String[] {CV, LEVEL, TREND, LINEAR}) {
      StateSpaceModel model = parse(template, "{\"diffuse\": true}");
      boolean[] diffuse = DiffusePrior.of(model);
      for (boolean d : diffuse) assertTrue(d, template);
      assertTrue(DiffusePrior.isDiffuse(model));
      ModelSpec back = ModelSpec.parse(ModelSpec.parse(template.replace("INITIAL", "{\"diffuse\": true}")).toJson());
      assertArrayEquals(diffuse, DiffusePrior.of(back.model()));
      assertTrue(back.toJson().contains("\"diffuse\" : true"), back.toJson());
      assertFalse(back.toJson().contains("\"mean\""), back.toJson());
    }
    assertFalse(DiffusePrior.isDiffuse(parse(LEVEL, "{\"mean\": [0], \"cov\": [[1]]}")));
    assertFalse(DiffusePrior.isDiffuse(parse(LEVEL, "{\"diffuse\": false, \"mean\": [0], \"cov\": [[1]]}")));
  }

  @Test
  void partlyDiffuseMeanAndCovAreSizedForTheRestAndWrittenBack() {
    String initial = "{\"diffuse\": [0, 1], \"mean\": [1.0, -1.0], \"cov\": [[0.5, 0.1], [0.1, 0.3]]}";
    ModelSpec spec = ModelSpec.parse(CV.replace("INITIAL", initial));
    assertArrayEquals(new boolean[] {true, true, false, false}, DiffusePrior.of(spec.model()));
    double[] mean = new double[4];
    double[] cov = new double[16];
    bindPrior(spec.model(), mean, cov);
    assertArrayEquals(new double[] {0, 0, 1.0, -1.0}, mean);
    assertEquals(0.5, cov[2 * 4 + 2]);
    assertEquals(0.1, cov[2 * 4 + 3]);
    assertEquals(0.3, cov[3 * 4 + 3]);
    assertEquals(0.0, cov[0 * 4 + 2]);
    assertEquals(Double.POSITIVE_INFINITY, cov[1 * 4 + 1]);
    String written = spec.toJson();
    ModelSpec back = ModelSpec.parse(written);
    double[] mean2 = new double[4];
    double[] cov2 = new double[16];
    bindPrior(back.model(), mean2, cov2);
    assertArrayEquals(mean, mean2);
    assertArrayEquals(cov, cov2);
    assertTrue(written.replace(" ", "").contains("\"diffuse\":[0,1]"), written);
  }

  private static void bindPrior(StateSpaceModel model, double[] mean, double[] cov) {
    double[] y = {Double.NaN, Double.NaN};
    model.bind(new io.statespace.data.Trajectory("t", new double[] {0}, y, 2)).initial(mean, cov);
  }

  @Test
  void diffuseModelsAreRefusedOnTheGpuAndByEmButNotByTheBatchedEngine() {
    StateSpaceModel model = parse(LINEAR, "{\"diffuse\": true}");
    assertTrue(Families.refusal(model, Family.Capability.GPU).orElseThrow().contains("diffuse"));
    assertTrue(Families.refusal(model, Family.Capability.EM).orElseThrow().contains("EM has no diffuse M-step"));
    assertTrue(Families.refusal(model, Family.Capability.BATCHED).isEmpty());
    assertTrue(Families.refusal(parse(LINEAR, "{\"mean\": [0, 0], \"cov\": [[1, 0], [0, 1]]}"), Family.Capability.EM).isEmpty());
  }

  static Stream<Arguments> broken() {
    return Stream.of(
        Arguments.of(LEVEL.replace("INITIAL", "{\"diffuse\": true, \"mean\": [0]}"), "initial.mean", "every component is diffuse"),
        Arguments.of(LEVEL.replace("INITIAL", "{\"diffuse\": [0], \"cov\": [[1]]}"), "initial.cov", "every component is diffuse"),
        Arguments.of(CV.replace("INITIAL", "{\"diffuse\": [0, 4]}"), "initial.diffuse[1]", "out of range"),
        Arguments.of(CV.replace("INITIAL", "{\"diffuse\": [1, 1]}"), "initial.diffuse[1]", "listed twice"),
        Arguments.of(CV.replace("INITIAL", "{\"diffuse\": [0.5]}"), "initial.diffuse[0]", "expected a state component index"),
        Arguments.of(CV.replace("INITIAL", "{\"diffuse\": []}"), "initial.diffuse", "non-empty array"),
        Arguments.of(CV.replace("INITIAL", "{\"diffuse\": \"yes\"}"), "initial.diffuse", "expected true, false"),
        Arguments.of(CV.replace("INITIAL", "{\"diffuse\": [0, 1], \"mean\": [0, 0, 0, 0], \"cov\": [[1, 0], [0, 1]]}"),
            "initial.mean", "expected 2 numbers"),
        Arguments.of(CV.replace("INITIAL", "{\"diffuse\": [0, 1], \"mean\": [0, 0]}"), "initial.cov", "missing"),
        Arguments.of(CV.replace("INITIAL", "{\"diffuse\": [0, 1], \"mean\": [0, 0], \"cov\": [[1, 0], [0, -1]]}"),
            "initial.cov", ""),
        Arguments.of(CV.replace("INITIAL", "{\"diffuse\": true, \"std\": 1}"), "initial.std", "unknown key"),
        Arguments.of(LEVEL.replace("INITIAL", "{\"diffuse\": true}").replace("}}", "}, \"fit\": {\"free\": [\"level_std\", \"initial.mean\"]}}"),
            "fit.free[1]", "cannot be fitted with a diffuse initial state"));
  }

  @ParameterizedTest(name = "[{index}] {1}: {2}")
  @MethodSource("broken")
  void everyMistakeIsOneLineNamingItsKey(String json, String key, String words) {
    ModelSpecException e = assertThrows(ModelSpecException.class, () -> ModelSpec.parse(json));
    assertEquals(key, e.key(), e.getMessage());
    assertTrue(e.getMessage().contains(words), "message '" + e.getMessage() + "' should say '" + words + "'");
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }
}
