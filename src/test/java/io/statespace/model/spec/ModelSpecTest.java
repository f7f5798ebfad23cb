package io.statespace.model.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.LinearModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Model files: every family parses and round-trips; every kind of mistake is named by its key. */
class ModelSpecTest {
  static final String LINEAR = "{\"family\": \"linear\", \"state_dim\": 2, \"obs_dim\": 1,"
      + " \"columns\": {\"id\": \"sid\", \"time\": \"ts\", \"observations\": [\"y\"], \"inputs\": [\"u\"]},"
      + " \"initial\": {\"mean\": [1, -1], \"cov\": [[1, 0.1], [0.1, 2]]},"
      + " \"dynamics\": {\"weights\": [[0.9, 0.1], [0, 0.8]], \"bias\": [0.1, 0.2], \"cov\": [[0.1, 0], [0, 0.2]],"
      + "   \"input_weights\": [[0.5], [0.0]]},"
      + " \"emissions\": {\"weights\": [[1, 0.5]], \"bias\": [0.3], \"cov\": [[0.25]], \"input_weights\": [[0.2]]},"
      + " \"fit\": {\"free\": [\"dynamics.weights\", \"emissions.cov\"]} }";

  static final String TREND = "{\"family\": \"local-linear-trend\", \"level_std\": 0.4, \"slope_std\": 0.1,"
      + " \"measurement_std\": 0.6, \"initial\": {\"mean\": [0.5, -0.2], \"cov\": [[2, 0.3], [0.3, 1]]},"
      + " \"columns\": {\"observations\": [\"y\"]}}";

  static final String LEVEL = "{\"family\": \"local-level\", \"level_std\": 0.4, \"measurement_std\": 0.6,"
      + " \"initial\": {\"mean\": [0.5], \"cov\": [[2]]}, \"columns\": {\"observations\": [\"y\"]}}";

  @Test
  void linearFamilyParsesAndRoundTrips() {
    ModelSpec spec = ModelSpec.parse(LINEAR);
    LinearModel m = (LinearModel) spec.model();
    assertEquals(2, m.stateDim());
    assertEquals(1, m.inputDim());
    assertArrayEquals(new double[] {0.9, 0.1, 0, 0.8}, m.dynamicsWeights());
    assertArrayEquals(new double[] {0.5, 0.0}, m.dynamicsInputWeights());
    assertEquals(List.of("u"), spec.columns().inputs());
    assertEquals(List.of("dynamics.weights", "emissions.cov"), spec.fit().free());
    ModelSpec again = ModelSpec.parse(spec.toJson());
    LinearModel m2 = (LinearModel) again.model();
    assertArrayEquals(m.dynamicsWeights(), m2.dynamicsWeights());
    assertArrayEquals(m.dynamicsCov(), m2.dynamicsCov());
    assertArrayEquals(m.emissionsInputWeights(), m2.emissionsInputWeights());
    assertArrayEquals(m.initialCov(), m2.initialCov());
    assertEquals(spec.columns().all(), again.columns().all());
    assertEquals(spec.fit().free(), again.fit().free());
  }

  @Test
  void shippedModelFilesParseAndRoundTrip() throws Exception {
    try (Stream<Path> files = Files.list(Path.of("conf")).filter(p -> p.toString().endsWith(".json"))) {
      List<Path> all = files.toList();
      assertTrue(all.size() >= 2, "conf/ should hold the sample models");
      for (Path file : all) {
        ModelSpec spec = ModelSpec.read(file);
        ModelSpec again = ModelSpec.parse(spec.toJson());
        assertEquals(spec.toJson(), again.toJson(), file.toString());
      }
    }
  }

  /**
   * The model-file keys are a public contract: every file under golden/ is written exactly as the
   * {@code .written} file next to it. Those of the linear and constant-velocity families were produced by the
   * writer before families moved to one home each (commit 2283010), so the move changed no byte.
   */
  @Test
  void filesAreWrittenExactlyAsTheGoldenCopies() throws Exception {
    Path dir = Path.of("src/test/resources/io/statespace/model/spec/golden");
    try (Stream<Path> files = Files.list(dir).filter(p -> p.toString().endsWith(".json"))) {
      List<Path> all = files.sorted().toList();
      assertTrue(all.size() >= 6, "golden/ should hold every family's files: " + all);
      for (Path file : all) {
        String expected = Files.readString(Path.of(file.toString().replace(".json", ".written")));
        assertEquals(expected, ModelSpec.read(file).toJson(), file.toString());
      }
    }
  }

  @Test
  void localLevelParsesAndRoundTrips() {
    String text = LEVEL.replace("\"level_std\": 0.4", "\"level_std\": 0").replace("}}",
        "}, \"fit\": {\"free\": [\"measurement_std\", \"initial.mean\"]}}");
    ModelSpec spec = ModelSpec.parse(text);
    assertEquals("local-level", spec.family());
    assertEquals(1, spec.model().stateDim());
    assertEquals(1, spec.model().obsDim());
    assertTrue(!spec.model().usesTimeGaps(), "a random walk per step: no dt");
    assertEquals(List.of("initial.mean", "initial.cov", "level_std", "measurement_std"),
        ModelSpec.parameterNames(spec.model()));
    String json = spec.toJson();
    assertTrue(json.contains("\"level_std\" : 0.0") && json.contains("\"measurement_std\" : 0.6"), json);
    ModelSpec again = ModelSpec.parse(json);
    assertEquals(json, again.toJson());
    assertEquals(List.of("measurement_std", "initial.mean"), again.fit().free());
  }

  @Test
  void localLinearTrendParsesAndRoundTrips() {
    String text = "{\"family\": \"local-linear-trend\", \"level_std\": 0.4, \"slope_std\": 0,"
        + " \"measurement_std\": 0.6, \"initial\": {\"mean\": [1, 2], \"cov\": [[1, 0], [0, 1]]},"
        + " \"columns\": {\"observations\": [\"y\"]}, \"fit\": {\"free\": [\"level_std\", \"initial.mean\"]}}";
    ModelSpec spec = ModelSpec.parse(text);
    assertEquals("local-linear-trend", spec.family());
    assertEquals(2, spec.model().stateDim());
    assertEquals(1, spec.model().obsDim());
    assertTrue(spec.model().usesTimeGaps(), "no dt: dt from the time column");
    assertEquals(List.of("initial.mean", "initial.cov", "level_std", "slope_std", "measurement_std"),
        ModelSpec.parameterNames(spec.model()));
    assertTrue(!spec.toJson().contains("\"dt\""), spec.toJson());
    ModelSpec again = ModelSpec.parse(spec.toJson());
    assertEquals(spec.toJson(), again.toJson());
    assertEquals(List.of("level_std", "initial.mean"), again.fit().free());
  }

  @Test
  void constantVelocityDefaultsAndBroadcastStd() {
    ModelSpec spec = ModelSpec.parse("{\"family\": \"constant-velocity\", \"spatial_dims\": 3, \"q\": 2.0,"
        + " \"measurement_std\": 0.5, \"initial\": {\"mean\": [0,0,0,0,0,0],"
        + " \"cov\": [[1,0,0,0,0,0],[0,1,0,0,0,0],[0,0,1,0,0,0],[0,0,0,1,0,0],[0,0,0,0,1,0],[0,0,0,0,0,1]]}}");
    ConstantVelocityModel cv = (ConstantVelocityModel) spec.model();
    assertEquals(ConstantVelocityModel.Noise.CONTINUOUS, cv.noise());
    assertTrue(!cv.hasFixedDt() && cv.usesTimeGaps());
    assertArrayEquals(new double[] {0.5, 0.5, 0.5}, cv.measurementStd());
    assertEquals("id", spec.columns().id());
  }

  static Stream<Arguments> broken() {
    return Stream.of(
        Arguments.of("", "", "empty"),
        Arguments.of("{\"family\": ", "", "not valid JSON"),
        Arguments.of("[1, 2]", "", "JSON object"),
        Arguments.of(LINEAR.replace("\"state_dim\": 2,", "\"state_dim\": 2, \"colour\": 1,"), "colour", "unknown key"),
        Arguments.of(LINEAR.replace("\"linear\"", "\"kalman\""), "family", "unknown family"),
        Arguments.of(LINEAR.replace("\"state_dim\": 2", "\"state_dim\": \"two\""), "state_dim", "expected an integer"),
        Arguments.of(LINEAR.replace("[[0.9, 0.1], [0, 0.8]]", "[[0.9, 0.1]]"), "dynamics.weights", "expected 2 rows"),
        Arguments.of(LINEAR.replace("[[0.9, 0.1], [0, 0.8]]", "[[0.9, 0.1], [0]]"), "dynamics.weights[1]", "expected 2 numbers"),
        Arguments.of(LINEAR.replace("[[0.1, 0], [0, 0.2]]", "[[0.1, 0.05], [0, 0.2]]"), "dynamics.cov", "not symmetric"),
        Arguments.of(LINEAR.replace("[[1, 0.1], [0.1, 2]]", "[[1, 3], [3, 2]]"), "initial.cov", "not positive semi-definite"),
        Arguments.of(LINEAR.replace("[[0.25]]", "[[0.0]]"), "emissions.cov", "not positive definite"),
        Arguments.of(LINEAR.replace("\"bias\": [0.3]", "\"bias\": [\"0.3\"]"), "emissions.bias[0]", "expected a number"),
        Arguments.of(LINEAR.replace("\"mean\": [1, -1]", "\"mean\": [1, NaN]"), "", "not valid JSON"),
        Arguments.of(LINEAR.replace("\"mean\": [1, -1]", "\"mean\": [1, 1e999]"), "initial.mean[1]", "finite"),
        Arguments.of(LINEAR.replace(", \"inputs\": [\"u\"]", ""), "dynamics.input_weights", "no input columns"),
        Arguments.of(LINEAR.replace("\"emissions.cov\"", "\"emissions.colour\""), "fit.free[1]", "not a parameter"),
        Arguments.of(LINEAR.replace("\"observations\": [\"y\"]", "\"observations\": [\"y\", \"z\"]"), "columns.observations", "expected 1"),
        Arguments.of(LINEAR.replace("\"time\": \"ts\"", "\"time\": \"u\""), "columns", "used twice"),
        Arguments.of(LINEAR.replace("\"state_dim\": 2,", "\"state_dim\": 2, \"state_dim\": 3,"), "", "Duplicate field"),
        Arguments.of("{\"family\": \"constant-velocity\", \"spatial_dims\": 4}", "spatial_dims", "1, 2 or 3"),
        Arguments.of("{\"family\": \"constant-velocity\", \"spatial_dims\": 1, \"q\": 1, \"std_acc\": 1}", "std_acc", "piecewise"),
        Arguments.of("{\"family\": \"constant-velocity\", \"spatial_dims\": 1, \"noise\": \"white\"}", "noise", "continuous"),
        Arguments.of("{\"family\": \"constant-velocity\", \"spatial_dims\": 1, \"q\": -1}", "q", "negative"),
        Arguments.of("{\"family\": \"constant-velocity\", \"spatial_dims\": 1, \"q\": 1, \"measurement_std\": [0]}",
            "measurement_std[0]", "positive"),
        Arguments.of("{\"family\": \"constant-velocity\", \"spatial_dims\": 1, \"dt\": -0.1}", "dt", "negative"),
        Arguments.of("{\"family\": \"constant-velocity\", \"spatial_dims\": 1, \"q\": 1, \"measurement_std\": 1}", "initial", "missing"),
        Arguments.of(TREND.replace("\"level_std\": 0.4", "\"level_std\": -0.4"), "level_std", "negative"),
        Arguments.of(TREND.replace("\"slope_std\": 0.1,", ""), "slope_std", "missing"),
        Arguments.of(TREND.replace("\"measurement_std\": 0.6", "\"measurement_std\": 0"), "measurement_std", "positive"),
        Arguments.of(TREND.replace("\"measurement_std\": 0.6", "\"measurement_std\": [0.6]"), "measurement_std", "expected a number"),
        Arguments.of(TREND.replace("\"level_std\"", "\"dt\": -1, \"level_std\""), "dt", "negative"),
        Arguments.of(TREND.replace("\"level_std\"", "\"q\": 1, \"level_std\""), "q", "unknown key"),
        Arguments.of(TREND.replace("[0.5, -0.2]", "[0.5]"), "initial.mean", "expected 2"),
        Arguments.of(TREND.replace("[\"y\"]", "[\"y\"], \"inputs\": [\"u\"]"), "columns.inputs", "takes no inputs"),
        Arguments.of(TREND.replace("[\"y\"]", "[\"y\", \"z\"]"), "columns.observations", "expected 1"),
        Arguments.of(TREND.replace("}}", "}, \"fit\": {\"free\": [\"dt\"]}}"), "fit.free[0]", "not a parameter"),
        Arguments.of(LEVEL.replace("\"level_std\": 0.4", "\"level_std\": -0.4"), "level_std", "negative"),
        Arguments.of(LEVEL.replace("\"level_std\": 0.4,", ""), "level_std", "missing"),
        Arguments.of(LEVEL.replace("\"measurement_std\": 0.6", "\"measurement_std\": 0"), "measurement_std", "positive"),
        Arguments.of(LEVEL.replace("\"level_std\"", "\"dt\": 1, \"level_std\""), "dt", "unknown key"),
        Arguments.of(LEVEL.replace("\"level_std\"", "\"slope_std\": 1, \"level_std\""), "slope_std", "unknown key"),
        Arguments.of(LEVEL.replace("[0.5]", "[0.5, 0]"), "initial.mean", "expected 1"),
        Arguments.of(LEVEL.replace("[\"y\"]", "[\"y\"], \"inputs\": [\"u\"]"), "columns.inputs", "takes no inputs"),
        Arguments.of(LEVEL.replace("[\"y\"]", "[\"y\", \"z\"]"), "columns.observations", "expected 1"),
        Arguments.of(LEVEL.replace("}}", "}, \"fit\": {\"free\": [\"slope_std\"]}}"), "fit.free[0]", "not a parameter"));
  }

  @ParameterizedTest(name = "[{index}] {1}: {2}")
  @MethodSource("broken")
  void everyMistakeIsNamedByItsKey(String json, String key, String words) {
    ModelSpecException e = assertThrows(ModelSpecException.class, () -> ModelSpec.parse(json));
    assertEquals(key, e.key(), e.getMessage());
    assertTrue(e.getMessage().contains(words), "message '" + e.getMessage() + "' should say '" + words + "'");
    assertTrue(!e.getMessage().contains("\n") || key.isEmpty(), "one line: " + e.getMessage());
  }
}
