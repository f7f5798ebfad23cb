package io.statespace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.statespace.ml.KalmanSmoother;
import io.statespace.ml.SmoothResult;
import io.statespace.testing.SparkTestSession;
import io.statespace.testing.WrittenRows;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code smooth --outputs predicted,smoothed_obs,diagnostics} end to end against statsmodels 0.13.5
 * (src/test/resources/io/statespace/outputs/reference.py wrote the inputs and the expected values): per step
 * the predicted state, forecasts (predicted observation mean and covariance), forecast errors and
 * standardized_forecasts_error, smoothed forecasts and their state-only and predictive standard deviations; per
 * trajectory the observed components, the mean NIS and the Ljung-Box test of acorr_ljungbox, all to 1e-9 per
 * element (relative, with a floor of 1). The cases: a {@code linear} model with inputs and fully and partly missing
 * steps, a 2-D constant-velocity model with dt from irregular times, and a local level with and without missing
 * steps, on every CPU engine; rows are counted in the written files; CSV writes each element as a column and a
 * missing component's innovation as an empty cell; the ML API gives the CLI's values; an unknown value is refused
 * with exit 2 and one line.
 */
class ExtraOutputsCliTest {
  private static final String ALL = "predicted,smoothed_obs,diagnostics";
  private static final String[] STEP_ARRAYS = {"predicted_mean", "predicted_cov", "predicted_obs_mean",
      "predicted_obs_cov", "innovation", "standardized_innovation", "smoothed_obs_mean", "smoothed_obs_std",
      "smoothed_obs_predictive_std"};
  private static final double TOL = 1e-9;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static SparkSession spark;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws IOException {
    spark = SparkTestSession.start("ExtraOutputsCliTest");
    for (String c : List.of("linear", "cv", "level", "level-full")) {
      for (String f : List.of(c + ".csv", c + ".json", c + "-expected.json")) {
        try (InputStream in = ExtraOutputsCliTest.class.getResourceAsStream("/io/statespace/outputs/" + f)) {
          Files.copy(in, dir.resolve(f));
        }
      }
    }
  }

  /** The largest difference to statsmodels seen, relative with a floor of 1 (printed for the record). */
  private static double worst;

  @AfterAll
  static void stop() {
    System.out.printf(java.util.Locale.ROOT, "[ExtraOutputs] worst difference to statsmodels: %.2e%n", worst);
    spark.stop();
  }

  private static String[] run(String... args) {
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(err, true), args);
    return new String[] {String.valueOf(code), err.toString()};
  }

  private static Path smooth(String c, String name, String... extra) {
    Path out = dir.resolve("out-" + c + "-" + name);
    List<String> args = new ArrayList<>(List.of("smooth", "--input", dir.resolve(c + ".csv").toString(), "--model",
        dir.resolve(c + ".json").toString(), "--output", out.toString(), "--partitions", "2"));
    args.addAll(Arrays.asList(extra));
    String[] r = run(args.toArray(new String[0]));
    assertEquals("0", r[0], r[1]);
    return out;
  }

  static Stream<Arguments> cases() {
    List<Arguments> all = new ArrayList<>();
    for (String c : List.of("linear", "cv", "level", "level-full")) all.add(Arguments.of(c, "sequential"));
    for (String c : List.of("linear", "cv")) {
      all.add(Arguments.of(c, "parallel"));
      all.add(Arguments.of(c, "batched"));
    }
    return all.stream();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void everyEngineMatchesStatsmodels(String c, String engine) throws IOException {
    Path out = smooth(c, engine, "--output-format", "parquet", "--engine", engine, "--outputs", ALL);
    JsonNode expected = JSON.readTree(dir.resolve(c + "-expected.json").toFile());
    String time = c.startsWith("level") ? "year" : "t";
    List<Row> states = spark.read().parquet(out.resolve("states").toString()).collectAsList();
    assertEquals(WrittenRows.csvDataLines(dir.resolve(c + ".csv")), states.size()
        + WrittenRows.count(spark, out.resolve("quarantine"), "parquet"), "rows in = state rows + quarantined rows");
    int seen = 0;
    for (Row r : states) {
      JsonNode step = expected.get(r.<String>getAs("id")).get("steps").get(stepIndex(c, r, time));
      for (String a : STEP_ARRAYS) assertArray(step.get(a), r.getList(r.fieldIndex(a)), c + " " + a + " at " + r.get(1));
      seen++;
    }
    int total = 0;
    for (JsonNode t : iterable(expected)) total += t.get("steps").size();
    assertEquals(total, seen);
    List<Row> summary = spark.read().parquet(out.resolve("summary").toString()).collectAsList();
    assertEquals(expected.size(), summary.size());
    for (Row s : summary) assertSummary(expected.get(s.<String>getAs("id")).get("summary"), s, c);
    Map<?, ?> outputs = (Map<?, ?>) JSON.readValue(out.resolve("report.json").toFile(), Map.class).get("outputs");
    assertEquals(List.of("predicted", "smoothed_obs", "diagnostics"), outputs.get("extra"));
    assertEquals("full", outputs.get("covariances"));
  }

  /** The step of row r: its position in the trajectory (times are 0, 1, ... for linear, years from 1871, else looked up). */
  private static int stepIndex(String c, Row r, String time) throws IOException {
    double t = Double.parseDouble(String.valueOf(r.<Object>getAs(time)));
    if (c.equals("linear")) return (int) t;
    if (c.startsWith("level")) return (int) t - 1871;
    List<String> lines = Files.readAllLines(dir.resolve(c + ".csv"));
    for (int i = 1; i < lines.size(); i++) {
      if (Double.parseDouble(lines.get(i).split(",")[1]) == t) return i - 1;
    }
    throw new AssertionError("no input row at time " + t);
  }

  private static Iterable<JsonNode> iterable(JsonNode node) {
    List<JsonNode> all = new ArrayList<>();
    node.elements().forEachRemaining(all::add);
    return all;
  }

  private static void assertArray(JsonNode expected, List<Object> actual, String what) {
    assertNotNull(actual, what);
    assertEquals(expected.size(), actual.size(), what + " length");
    for (int i = 0; i < expected.size(); i++) {
      if (expected.get(i).isNull()) {
        assertNull(actual.get(i), what + "[" + i + "] of a missing component");
      } else {
        assertNotNull(actual.get(i), what + "[" + i + "]");
        assertClose(expected.get(i).asDouble(), (Double) actual.get(i), what + "[" + i + "]");
      }
    }
  }

  private static void assertClose(double expected, double actual, String what) {
    worst = Math.max(worst, Math.abs(expected - actual) / Math.max(1.0, Math.abs(expected)));
    assertTrue(Math.abs(expected - actual) <= TOL * Math.max(1.0, Math.abs(expected)),
        what + ": " + actual + " vs statsmodels " + expected);
  }

  private static void assertSummary(JsonNode e, Row s, String c) {
    assertEquals(e.get("observed").asLong(), s.<Long>getAs("observed"), c + " observed");
    assertClose(e.get("mean_nis").asDouble(), s.<Double>getAs("mean_nis"), c + " mean_nis");
    assertClose(e.get("ljung_box").asDouble(), s.<Double>getAs("ljung_box"), c + " ljung_box");
    assertClose(e.get("ljung_box_pvalue").asDouble(), s.<Double>getAs("ljung_box_pvalue"), c + " ljung_box_pvalue");
    assertEquals(e.get("ljung_box_lag").asInt(), s.<Integer>getAs("ljung_box_lag"), c + " ljung_box_lag");
    assertClose(e.get("loglik").asDouble(), s.<Double>getAs("loglik"), c + " loglik");
  }

  /**
   * CSV with --covariances std on the constant-velocity case (n = 4 states, p = 2 observations): each element its own
   * column in the documented order (predicted_std_3, predicted_obs_std_1, innovation_0, ...), standard deviations the
   * square roots of statsmodels' diagonals, a missing component's innovation and standardized innovation empty
   * cells; the summary's diagnostics columns after loglik.
   */
  @Test
  void csvWritesEachElementAsAColumn() throws IOException {
    Path out = smooth("cv", "csv", "--output-format", "csv", "--covariances", "std", "--no-filtered", "--outputs",
        "diagnostics,smoothed_obs,predicted");
    List<Row> rows = spark.read().option("header", "true").csv(out.resolve("states").toString()).collectAsList();
    List<String> columns = new ArrayList<>(List.of("id", "t", "x", "y"));
    String[][] arrays = {{"smoothed_mean", "4"}, {"smoothed_std", "4"}, {"predicted_mean", "4"}, {"predicted_std", "4"},
        {"predicted_obs_mean", "2"}, {"predicted_obs_std", "2"}, {"innovation", "2"}, {"standardized_innovation", "2"},
        {"smoothed_obs_mean", "2"}, {"smoothed_obs_std", "2"}, {"smoothed_obs_predictive_std", "2"}};
    for (String[] a : arrays) {
      for (int i = 0; i < Integer.parseInt(a[1]); i++) columns.add(a[0] + "_" + i);
    }
    assertFalse(rows.isEmpty());
    assertEquals(columns, Arrays.asList(rows.get(0).schema().fieldNames()));
    assertEquals(WrittenRows.csvDataLines(dir.resolve("cv.csv")), WrittenRows.count(spark, out.resolve("states"), "csv")
        + WrittenRows.count(spark, out.resolve("quarantine"), "csv"));
    JsonNode expected = JSON.readTree(dir.resolve("cv-expected.json").toFile());
    int emptyCells = 0;
    for (Row r : rows) {
      JsonNode step = expected.get(r.<String>getAs("id")).get("steps").get(stepIndex("cv", r, "t"));
      for (int i = 0; i < 4; i++) {
        assertClose(Math.sqrt(step.get("predicted_cov").get(i * 5).asDouble()), cell(r, "predicted_std_" + i), "predicted_std");
        assertClose(step.get("predicted_mean").get(i).asDouble(), cell(r, "predicted_mean_" + i), "predicted_mean");
      }
      for (int i = 0; i < 2; i++) {
        assertClose(Math.sqrt(step.get("predicted_obs_cov").get(i * 3).asDouble()), cell(r, "predicted_obs_std_" + i),
            "predicted_obs_std");
        assertClose(step.get("smoothed_obs_std").get(i).asDouble(), cell(r, "smoothed_obs_std_" + i), "smoothed_obs_std");
        assertClose(step.get("smoothed_obs_predictive_std").get(i).asDouble(), cell(r, "smoothed_obs_predictive_std_" + i),
            "smoothed_obs_predictive_std");
        for (String a : List.of("innovation", "standardized_innovation")) {
          if (step.get(a).get(i).isNull()) {
            assertNull(r.getAs(a + "_" + i), a + " of a missing component is an empty cell");
            emptyCells++;
          } else {
            assertClose(step.get(a).get(i).asDouble(), cell(r, a + "_" + i), a);
          }
        }
      }
    }
    assertEquals(20, emptyCells, "3 fully and 4 partly missing steps, two arrays");
    List<Row> summary = spark.read().option("header", "true").csv(out.resolve("summary").toString()).collectAsList();
    assertEquals(List.of("id", "steps", "missing", "missing_values", "loglik", "observed", "mean_nis", "ljung_box",
        "ljung_box_pvalue", "ljung_box_lag"), Arrays.asList(summary.get(0).schema().fieldNames()));
    for (Row s : summary) {
      JsonNode e = expected.get(s.<String>getAs("id")).get("summary");
      assertEquals(e.get("ljung_box_lag").asText(), s.getAs("ljung_box_lag"));
      assertEquals(e.get("observed").asText(), s.getAs("observed"));
      assertClose(e.get("mean_nis").asDouble(), Double.parseDouble(s.getAs("mean_nis")), "mean_nis");
      assertClose(e.get("ljung_box_pvalue").asDouble(), Double.parseDouble(s.getAs("ljung_box_pvalue")), "p-value");
    }
  }

  private static double cell(Row r, String column) {
    String v = r.getAs(column);
    assertNotNull(v, column);
    return Double.parseDouble(v);
  }

  /**
   * A trajectory longer than --segment-steps is smoothed in one task when extras are asked (the segmented path makes
   * none), with statsmodels' values; without extras the same input does take the segmented path.
   */
  @Test
  void longTrajectoriesStayInOneTaskWhenExtrasAreAsked() throws IOException {
    Path out = smooth("level", "segments", "--output-format", "parquet", "--segment-steps", "30", "--outputs", "predicted");
    Map<?, ?> report = JSON.readValue(out.resolve("report.json").toFile(), Map.class);
    Map<?, ?> byEngine = (Map<?, ?>) report.get("trajectories_by_engine");
    assertFalse(byEngine.containsKey("segmented"), byEngine.toString());
    assertEquals(1, ((Number) report.get("trajectories")).intValue());
    JsonNode expected = JSON.readTree(dir.resolve("level-expected.json").toFile()).get("nile").get("steps");
    List<Row> states = spark.read().parquet(out.resolve("states").toString()).collectAsList();
    assertEquals(expected.size(), states.size());
    for (Row r : states) {
      JsonNode step = expected.get(((Number) r.getAs("year")).intValue() - 1871);
      assertArray(step.get("standardized_innovation"), r.getList(r.fieldIndex("standardized_innovation")), "segments");
    }
    Path plain = smooth("level", "segments-plain", "--output-format", "parquet", "--segment-steps", "30");
    Map<?, ?> plainEngines = (Map<?, ?>) JSON.readValue(plain.resolve("report.json").toFile(), Map.class)
        .get("trajectories_by_engine");
    assertEquals(1, ((Number) plainEngines.get("segmented")).intValue(), plainEngines.toString());
  }

  @Test
  void theDefaultOutputIsUnchangedAndRecordsNoExtra() throws IOException {
    Path out = smooth("level", "default", "--output-format", "parquet");
    assertEquals(List.of("id", "year", "flow", "filtered_mean", "filtered_cov", "smoothed_mean", "smoothed_cov"),
        Arrays.asList(spark.read().parquet(out.resolve("states").toString()).columns()));
    assertEquals(List.of("id", "steps", "missing", "missing_values", "loglik"),
        Arrays.asList(spark.read().parquet(out.resolve("summary").toString()).columns()));
    Map<?, ?> outputs = (Map<?, ?>) JSON.readValue(out.resolve("report.json").toFile(), Map.class).get("outputs");
    assertEquals(List.of(), outputs.get("extra"));
  }

  @Test
  void anUnknownValueIsRefusedWithOneLine() {
    String[] r = run("smooth", "--input", dir.resolve("level.csv").toString(), "--model", dir.resolve("level.json").toString(),
        "--output", dir.resolve("refused").toString(), "--outputs", "predicted,residuals");
    assertEquals("2", r[0], r[1]);
    assertEquals(1, r[1].strip().lines().count(), r[1]);
    assertTrue(r[1].contains("--outputs") && r[1].contains("'residuals'"), r[1]);
    assertFalse(Files.exists(dir.resolve("refused")));
  }

  private static String key(Row r) {
    return r.getAs("id") + "|" + Double.parseDouble(String.valueOf(r.<Object>getAs("t")));
  }

  /**
   * The ML API with outputs set gives the CLI's state and summary values, and transform carries the same arrays (the
   * DataFrame reads the same text, so that the times' differences are the same exact numbers).
   */
  @Test
  void theApiEqualsTheCli() throws IOException {
    Path out = smooth("cv", "for-api", "--output-format", "parquet", "--covariances", "std", "--outputs", ALL);
    Map<String, Row> cli = new HashMap<>();
    for (Row r : spark.read().parquet(out.resolve("states").toString()).collectAsList()) cli.put(key(r), r);
    Dataset<Row> df = spark.read().option("header", "true").csv(dir.resolve("cv.csv").toString());
    KalmanSmoother k = new KalmanSmoother().setModelFile(dir.resolve("cv.json").toString()).setCovariances("std")
        .setOutputs(new String[] {"predicted", "smoothed_obs", "diagnostics"});
    String[] names = spark.read().parquet(out.resolve("states").toString()).columns();
    try (SmoothResult result = k.smooth(df)) {
      assertEquals(List.of(names), List.of(result.states().columns()));
      List<Row> got = result.states().collectAsList();
      assertEquals(cli.size(), got.size());
      for (Row g : got) {
        Row e = cli.get(key(g));
        assertNotNull(e, key(g));
        for (String c : names) {
          if (!c.equals("t")) assertEquals(String.valueOf(e.<Object>getAs(c)), String.valueOf(g.<Object>getAs(c)), c);
        }
      }
      Row cliSummary = spark.read().parquet(out.resolve("summary").toString()).collectAsList().get(0);
      Row apiSummary = result.summary().collectAsList().get(0);
      assertEquals(List.of(cliSummary.schema().fieldNames()), List.of(apiSummary.schema().fieldNames()));
      assertEquals(cliSummary.toString(), apiSummary.toString());
    }
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> new KalmanSmoother().setOutputs(new String[] {"predicted", "residuals"}));
    assertTrue(refused.getMessage().contains("outputs") && refused.getMessage().contains("residuals"), refused.getMessage());
    Dataset<Row> transformed = k.transform(df);
    assertEquals(k.transformSchema(df.schema()), transformed.schema());
    for (Row t : transformed.collectAsList()) {
      Row e = cli.get(key(t));
      for (String c : names) {
        if (c.endsWith("_mean") || c.endsWith("_std") || c.contains("innovation")) {
          assertEquals(String.valueOf(e.<Object>getAs(c)), String.valueOf(t.<Object>getAs(c)), c);
        }
      }
    }
  }
}
