package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.statespace.cli.Main;
import io.statespace.execution.EngineChoice;
import io.statespace.ml.KalmanSmoother;
import io.statespace.ml.SmoothResult;
import io.statespace.model.spec.ModelSpec;
import io.statespace.testing.SparkTestSession;
import io.statespace.testing.WrittenRows;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code smooth --forecast-steps H} end to end, read back from the WRITTEN files: the forecast (H m + d and
 * H P H' + R from the forecast rows' state) equals statsmodels' {@code get_forecast(H)} to 1e-9 for the local
 * level on the Nile flows (some years missing, the last one too) and a 2-D constant-velocity model with a fixed
 * dt (whole and partly missing steps), on every CPU engine; forecast rows are counted in the written files (rows
 * out = rows in − quarantined + H × trajectories) and in report.json's {@code rows_forecast}; summary's steps,
 * missing counts and log-likelihood are those of the input rows; forecast times are exact in each time type;
 * the API ({@link KalmanSmoother}) gives the CLI's rows; the segmented path keeps forecast trajectories in one
 * task; refusals are one line with exit code 2. Reference values: src/test/resources/io/statespace/forecast/.
 */
class ForecastJobTest {
  private static final double TOL = 1e-9;
  private static final Path REFERENCE = Path.of("src/test/resources/io/statespace/forecast/forecast_reference.json");
  private static SparkSession spark;
  @TempDir static Path dir;
  private static JsonNode nile;
  private static JsonNode cv;
  private static Path nileCsv;
  private static Path cvCsv;
  private static Path nileModel;
  private static Path cvModel;

  @BeforeAll
  static void start() throws IOException {
    spark = SparkTestSession.start("ForecastJobTest");
    JsonNode ref = new ObjectMapper().readTree(REFERENCE.toFile());
    nile = ref.get("local_level_nile");
    cv = ref.get("constant_velocity");
    StringBuilder s = new StringBuilder("year,flow\n");
    for (int i = 0; i < nile.get("years").size(); i++) {
      JsonNode flow = nile.get("flow").get(i);
      s.append(nile.get("years").get(i).asLong()).append(',').append(flow.isNull() ? "" : flow.asText()).append('\n');
    }
    nileCsv = Files.writeString(dir.resolve("nile.csv"), s.toString());
    nileModel = Files.writeString(dir.resolve("nile.json"), "{\"family\": \"local-level\", \"level_std\": "
        + nile.get("level_std") + ", \"measurement_std\": " + nile.get("measurement_std") + ", \"initial\": {\"mean\": "
        + nile.get("mean") + ", \"cov\": " + nile.get("cov") + "}, \"columns\": {\"time\": \"year\", \"observations\": [\"flow\"]}}");
    s = new StringBuilder("id,t,x,y\n");
    for (String id : new String[] {"a", "b"}) {
      for (int i = 0; i < cv.get("t").size(); i++) {
        s.append(id).append(',').append(BigDecimal.valueOf(cv.get("t").get(i).asDouble()).toPlainString()).append(',')
            .append(cell(cv.get("x").get(i))).append(',').append(cell(cv.get("y").get(i))).append('\n');
      }
    }
    // c: two rows share 0.5; d: an unparsable time; e: its last time is shared, so its forecast starts after 0.0
    // and its first forecast row has the time of its two quarantined rows.
    s.append("c,0.0,1.0,2.0\nc,0.5,1.1,2.1\nc,0.5,1.2,2.2\nc,1.0,1.3,2.3\nd,abc,1.0,1.0\n");
    s.append("e,0.0,1.0,1.0\ne,0.5,2.0,2.0\ne,0.5,3.0,3.0\n");
    cvCsv = Files.writeString(dir.resolve("cv.csv"), s.toString());
    cvModel = Files.writeString(dir.resolve("cv.json"), "{\"family\": \"constant-velocity\", \"spatial_dims\": 2, \"dt\": "
        + cv.get("dt") + ", \"noise\": \"continuous\", \"q\": " + cv.get("q") + ", \"measurement_std\": "
        + cv.get("measurement_std") + ", \"initial\": {\"mean\": " + cv.get("mean") + ", \"cov\": " + cv.get("cov") + "},"
        + " \"columns\": {\"id\": \"id\", \"time\": \"t\", \"observations\": [\"x\", \"y\"]}}");
  }

  /** The largest difference to statsmodels seen, relative with a floor of 1 (printed for the record). */
  private static double worst;

  @AfterAll
  static void stop() {
    System.out.printf(java.util.Locale.ROOT, "[Forecast] worst difference to statsmodels: %.2e%n", worst);
    spark.stop();
  }

  private static String cell(JsonNode v) {
    return v.isNull() ? "" : v.asText();
  }

  private static String[] cli(String... args) {
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(err, true), args);
    return new String[] {String.valueOf(code), err.toString()};
  }

  private static SmoothSettings settings(Path model, Path input, String output, String outFormat, String engine,
      int steps, String dt) {
    ModelSpec spec = ModelSpec.read(model);
    return new SmoothSettings(input.toString(), "csv", output, outFormat, spec, EngineChoice.parse(engine), 2, 2, false)
        .withForecast(ForecastTimes.of(steps, dt, spec, "--forecast-steps", "--forecast-dt"));
  }

  private static double[] doubles(Row r, String column) {
    return r.<Double>getList(r.fieldIndex(column)).stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static void close(double expected, double actual, String what) {
    worst = Math.max(worst, Math.abs(expected - actual) / Math.max(1.0, Math.abs(expected)));
    assertTrue(Math.abs(expected - actual) <= TOL * Math.max(1.0, Math.abs(expected)),
        what + ": expected " + expected + " but was " + actual);
  }

  /** The forecast rows of a states output, by id, in time order. */
  private static Map<String, List<Row>> forecastRows(List<Row> states, String time) {
    Map<String, List<Row>> out = new TreeMap<>();
    for (Row r : states) {
      if (r.<Boolean>getAs("forecast")) out.computeIfAbsent(String.valueOf(r.<Object>getAs("id")), k -> new ArrayList<>()).add(r);
    }
    for (List<Row> rows : out.values()) rows.sort(Comparator.comparing(r -> new BigDecimal(String.valueOf(r.<Object>getAs(time)))));
    return out;
  }

  /**
   * The forecast rows' observation forecast against statsmodels: H m + d and H P H' + R from each row's filtered
   * and smoothed state (equal on forecast rows), H selecting the first p state components, d = 0, R diagonal.
   */
  private static void assertForecastEquals(JsonNode ref, List<Row> rows, double[] measurementStd, int n) {
    int p = measurementStd.length;
    assertEquals(ref.get("steps").asInt(), rows.size());
    for (int k = 0; k < rows.size(); k++) {
      Row r = rows.get(k);
      double[] fm = doubles(r, "filtered_mean");
      double[] fc = doubles(r, "filtered_cov");
      double[] sm = doubles(r, "smoothed_mean");
      double[] sc = doubles(r, "smoothed_cov");
      for (int i = 0; i < n; i++) close(fm[i], sm[i], "smoothed = filtered mean on forecast row " + k);
      for (int i = 0; i < n * n; i++) close(fc[i], sc[i], "smoothed = filtered cov on forecast row " + k);
      for (int i = 0; i < p; i++) {
        close(ref.get("forecast_mean").get(k).get(i).asDouble(), fm[i], "forecast mean " + k + "," + i);
        for (int j = 0; j < p; j++) {
          double r2 = i == j ? measurementStd[i] * measurementStd[i] : 0.0;
          close(ref.get("forecast_cov").get(k).get(i).get(j).asDouble(), fc[i * n + j] + r2, "forecast cov " + k + "," + i + "," + j);
        }
      }
    }
  }

  private static double[] measurementStd(JsonNode ref) {
    JsonNode m = ref.get("measurement_std");
    if (!m.isArray()) return new double[] {m.asDouble()};
    double[] out = new double[m.size()];
    for (int i = 0; i < out.length; i++) out[i] = m.get(i).asDouble();
    return out;
  }

  @Test
  void theNileLocalLevelForecastEqualsStatsmodelsThroughTheCli() throws IOException {
    String out = dir.resolve("nile-out").toString();
    String[] r = cli("smooth", "--input", nileCsv.toString(), "--model", nileModel.toString(), "--output", out,
        "--output-format", "parquet", "--forecast-steps", "12", "--forecast-dt", "1");
    assertEquals("0", r[0], r[1]);
    List<Row> states = spark.read().parquet(out + "/states").collectAsList();
    assertEquals(List.of("id", "year", "flow", "filtered_mean", "filtered_cov", "smoothed_mean", "smoothed_cov",
        "predicted_mean", "predicted_cov", "predicted_obs_mean", "predicted_obs_cov", "innovation",
        "standardized_innovation", "forecast"), List.of(spark.read().parquet(out + "/states").columns()),
        "a forecast implies --outputs predicted");
    assertEquals(DataTypes.LongType, spark.read().parquet(out + "/states").schema().apply("year").dataType());
    Map<String, List<Row>> forecast = forecastRows(states, "year");
    assertEquals(List.of("series"), new ArrayList<>(forecast.keySet()));
    List<Row> rows = forecast.get("series");
    for (int k = 0; k < rows.size(); k++) {
      assertEquals(1971L + k, rows.get(k).<Long>getAs("year"));
      assertNull(rows.get(k).getAs("flow"));
    }
    assertForecastEquals(nile, rows, measurementStd(nile), 1);
    for (int k = 0; k < rows.size(); k++) {
      close(nile.get("forecast_mean").get(k).get(0).asDouble(), doubles(rows.get(k), "predicted_obs_mean")[0],
          "predicted_obs_mean on forecast row " + k);
      close(nile.get("forecast_cov").get(k).get(0).get(0).asDouble(), doubles(rows.get(k), "predicted_obs_cov")[0],
          "predicted_obs_cov on forecast row " + k);
    }
    assertEquals(100, states.stream().filter(s -> !s.<Boolean>getAs("forecast")).count());
    Row summary = spark.read().parquet(out + "/summary").first();
    assertEquals(100, summary.<Integer>getAs("steps"), "steps counts the input rows, not the forecast rows");
    assertEquals(6, summary.<Integer>getAs("missing"));
    assertEquals(6, summary.<Integer>getAs("missing_values"));
    close(nile.get("loglik").asDouble(), summary.<Double>getAs("loglik"), "loglik (forecast steps add nothing)");
    long in = WrittenRows.csvDataLines(nileCsv);
    long written = WrittenRows.count(spark, Path.of(out, "states"), "parquet");
    long quarantined = WrittenRows.count(spark, Path.of(out, "quarantine"), "parquet");
    assertEquals(in - quarantined + 12, written, "rows out = rows in - quarantined + H x trajectories");
    Map<?, ?> report = SmoothJobTest.writtenReport(out);
    assertEquals(12, ((Number) report.get("rows_forecast")).intValue());
    assertEquals(written, ((Number) report.get("rows_out")).longValue());
  }

  @Test
  void theConstantVelocityForecastEqualsStatsmodelsOnEveryEngineAndTheRowsAddUp() throws IOException {
    Map<String, Map<String, List<Row>>> byEngine = new LinkedHashMap<>();
    for (String engine : new String[] {"sequential", "parallel", "batched"}) {
      String out = dir.resolve("cv-" + engine).toString();
      SmoothReport report = SmoothJob.run(spark, settings(cvModel, cvCsv, out, "parquet", engine, 8, null));
      List<Row> states = spark.read().parquet(out + "/states").collectAsList();
      assertEquals(DataTypes.DoubleType, spark.read().parquet(out + "/states").schema().apply("t").dataType());
      Map<String, List<Row>> forecast = forecastRows(states, "t");
      assertEquals(List.of("a", "b", "c", "e"), new ArrayList<>(forecast.keySet()), engine);
      for (String id : new String[] {"a", "b"}) {
        assertForecastEquals(cv, forecast.get(id), measurementStd(cv), 4);
        List<Double> times = forecast.get(id).stream().map(r -> r.<Double>getAs("t")).collect(Collectors.toList());
        assertEquals(List.of(15.0, 15.5, 16.0, 16.5, 17.0, 17.5, 18.0, 18.5), times, engine + " " + id);
      }
      assertEquals(List.of(1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0),
          forecast.get("c").stream().map(r -> r.<Double>getAs("t")).collect(Collectors.toList()), "after c's last kept row");
      for (Row f : forecast.values().stream().flatMap(List::stream).collect(Collectors.toList())) {
        assertNull(f.getAs("x"));
        assertNull(f.getAs("y"));
      }
      long in = WrittenRows.csvDataLines(cvCsv);
      long written = WrittenRows.count(spark, Path.of(out, "states"), "parquet");
      long quarantined = WrittenRows.count(spark, Path.of(out, "quarantine"), "parquet");
      assertEquals(68, in);
      assertEquals(5, quarantined, "c's and e's two rows at 0.5 and d's unparsable time");
      assertEquals(in - quarantined + 8 * 4, written, "rows out = rows in - quarantined + H x trajectories");
      assertEquals(32, report.rowsForecast);
      assertEquals("rows in: 68 + forecast rows: 32 = rows out: 95 + rows quarantined: 5 {bad_time=1, duplicate_time=4} "
          + "(balanced); trajectories: 4", report.accountingLine());
      Map<String, Integer> steps = new TreeMap<>();
      for (Row s : spark.read().parquet(out + "/summary").collectAsList()) steps.put(s.getAs("id"), s.<Integer>getAs("steps"));
      assertEquals(Map.of("a", 30, "b", 30, "c", 2, "e", 1), steps);
      byEngine.put(engine, forecast);
    }
    Map<String, List<Row>> reference = byEngine.get("sequential");
    for (Map.Entry<String, Map<String, List<Row>>> e : byEngine.entrySet()) {
      for (String id : reference.keySet()) {
        for (int k = 0; k < 8; k++) {
          for (String array : new String[] {"filtered_mean", "filtered_cov", "smoothed_mean", "smoothed_cov"}) {
            double[] want = doubles(reference.get(id).get(k), array);
            double[] got = doubles(e.getValue().get(id).get(k), array);
            for (int i = 0; i < want.length; i++) close(want[i], got[i], e.getKey() + " " + id + " " + k + " " + array);
          }
        }
      }
    }
  }

  @Test
  void csvOutputWritesForecastTimesAsExactTextAndTheForecastFlag() throws IOException {
    String out = dir.resolve("cv-csv").toString();
    SmoothJob.run(spark, settings(cvModel, cvCsv, out, "csv", "auto", 3, "0.25"));
    List<Row> rows = spark.read().option("header", "true").csv(out + "/states").collectAsList();
    List<String> forecastTimes = rows.stream().filter(r -> r.<String>getAs("forecast").equals("true") && r.getAs("id").equals("a"))
        .map(r -> r.<String>getAs("t")).sorted().collect(Collectors.toList());
    assertEquals(List.of("14.75", "15.00", "15.25"), forecastTimes);
    assertEquals(60 + 2 + 1, rows.stream().filter(r -> r.<String>getAs("forecast").equals("false")).count());
    assertEquals(WrittenRows.csvDataLines(cvCsv) - WrittenRows.count(spark, Path.of(out, "quarantine"), "csv") + 3 * 4,
        WrittenRows.count(spark, Path.of(out, "states"), "csv"));
  }

  @Test
  void theApiGivesTheCliRowsAndTransformAppendsTheForecastRows() throws IOException {
    String out = dir.resolve("cv-cli").toString();
    String[] r = cli("smooth", "--input", cvCsv.toString(), "--model", cvModel.toString(), "--output", out,
        "--output-format", "parquet", "--forecast-steps", "8", "--engine", "sequential");
    assertEquals("0", r[0], r[1]);
    Map<String, Row> written = new TreeMap<>();
    for (Row w : spark.read().parquet(out + "/states").collectAsList()) written.put(w.getAs("id") + "|" + w.getAs("t"), w);
    Dataset<Row> df = spark.read().option("header", "true").csv(cvCsv.toString());
    KalmanSmoother smoother = new KalmanSmoother().setModelFile(cvModel.toString()).setEngine("sequential").setForecastSteps(8);
    Map<String, Row> api = new TreeMap<>();
    try (SmoothResult result = smoother.smooth(df)) {
      for (Row a : result.states().collectAsList()) {
        api.put(a.getAs("id") + "|" + Double.parseDouble(a.getAs("t")), a);
      }
      assertEquals(32, result.report().rowsForecast);
    }
    assertEquals(written.keySet(), api.keySet());
    for (Map.Entry<String, Row> e : written.entrySet()) {
      Row a = api.get(e.getKey());
      assertEquals(e.getValue().<Boolean>getAs("forecast"), a.<Boolean>getAs("forecast"), e.getKey());
      for (String array : new String[] {"filtered_mean", "filtered_cov", "smoothed_mean", "smoothed_cov"}) {
        double[] want = doubles(e.getValue(), array);
        double[] got = doubles(a, array);
        for (int i = 0; i < want.length; i++) close(want[i], got[i], e.getKey() + " " + array);
      }
    }
    StructType schema = smoother.transformSchema(df.schema());
    assertEquals(List.of("id", "t", "x", "y", "filtered_mean", "filtered_cov", "smoothed_mean", "smoothed_cov", "forecast",
        "reason_code", "reason"), List.of(schema.fieldNames()));
    List<Row> transformed = smoother.transform(df).collectAsList();
    assertEquals(68 + 32, transformed.size(), "every input row once, then H forecast rows per trajectory");
    List<Row> forecast = transformed.stream().filter(t -> t.<Boolean>getAs("forecast")).collect(Collectors.toList());
    assertEquals(32, forecast.size());
    for (Row f : forecast) {
      Row w = written.get(f.getAs("id") + "|" + Double.parseDouble(f.getAs("t")));
      assertTrue(w != null && w.<Boolean>getAs("forecast"), "a forecast row of the job: " + f);
      assertNull(f.getAs("x"));
      assertNull(f.getAs("reason_code"));
      double[] want = doubles(w, "smoothed_mean");
      double[] got = doubles(f, "smoothed_mean");
      for (int i = 0; i < want.length; i++) close(want[i], got[i], "transform's forecast row " + f.getAs("t"));
    }
    assertEquals(5, transformed.stream().filter(t -> t.getAs("reason_code") != null).count());
    assertEquals(List.of("0.5", "0.5"), transformed.stream().filter(t -> t.getAs("id").equals("e") && t.getAs("reason_code") != null)
        .map(t -> t.<String>getAs("t")).collect(Collectors.toList()), "e's quarantined rows, once each");
  }

  /** One input row set per time type: the forecast rows' times, in the column's own type. */
  @Test
  void forecastTimesAreExactInEveryTimeType() {
    record Case(DataType type, Object[] times, String dt, Object[] expected) {}
    List<Case> cases = List.of(
        new Case(DataTypes.LongType, new Object[] {1_700_000_000_000_000_000L, 1_700_000_000_000_000_001L}, "2",
            new Object[] {1_700_000_000_000_000_003L, 1_700_000_000_000_000_005L}),
        new Case(DataTypes.IntegerType, new Object[] {10, 20}, "5", new Object[] {25, 30}),
        new Case(DataTypes.DoubleType, new Object[] {0.2, 0.3}, "0.1", new Object[] {0.4, 0.5}),
        new Case(DataTypes.createDecimalType(12, 3), new Object[] {new BigDecimal("1.250"), new BigDecimal("2.500")}, "0.125",
            new Object[] {new BigDecimal("2.625"), new BigDecimal("2.750")}),
        new Case(DataTypes.TimestampType, new Object[] {Timestamp.from(Instant.parse("2024-01-01T00:00:00.000001Z")),
            Timestamp.from(Instant.parse("2024-01-01T00:00:01.000001Z"))}, "0.5",
            new Object[] {Timestamp.from(Instant.parse("2024-01-01T00:00:01.500001Z")),
                Timestamp.from(Instant.parse("2024-01-01T00:00:02.000001Z"))}),
        new Case(DataTypes.TimestampNTZType, new Object[] {LocalDateTime.parse("2024-01-01T00:00:00"),
            LocalDateTime.parse("2024-01-01T00:00:10")}, "0.000001",
            new Object[] {LocalDateTime.parse("2024-01-01T00:00:10.000001"), LocalDateTime.parse("2024-01-01T00:00:10.000002")}),
        new Case(DataTypes.DateType, new Object[] {Date.valueOf("2024-02-28"), Date.valueOf("2024-02-29")}, "86400",
            new Object[] {Date.valueOf("2024-03-01"), Date.valueOf("2024-03-02")}),
        new Case(DataTypes.StringType, new Object[] {"2024-01-01T00:00:00+01:00", "2024-01-01T00:00:30+01:00"}, "30",
            new Object[] {"2024-01-01T00:01:00+01:00", "2024-01-01T00:01:30+01:00"}));
    String model = "{\"family\": \"local-level\", \"level_std\": 0.4, \"measurement_std\": 0.6, \"initial\": {\"mean\": [0],"
        + " \"cov\": [[1]]}, \"columns\": {\"id\": \"id\", \"time\": \"t\", \"observations\": [\"y\"]}}";
    for (Case c : cases) {
      StructType schema = new StructType().add("id", DataTypes.StringType).add("t", c.type()).add("y", DataTypes.DoubleType);
      Dataset<Row> df = spark.createDataFrame(List.of(RowFactory.create("a", c.times()[0], 1.0),
          RowFactory.create("a", c.times()[1], 2.0)), schema);
      KalmanSmoother smoother = new KalmanSmoother().setModelJson(model).setForecastSteps(2)
          .setForecastDt(Double.parseDouble(c.dt()));
      try (SmoothResult result = smoother.smooth(df)) {
        Dataset<Row> states = result.states();
        assertEquals(c.type(), states.schema().apply("t").dataType(), c.type().simpleString());
        List<Object> got = states.filter("forecast").orderBy("t").collectAsList().stream().map(r -> r.get(r.fieldIndex("t")))
            .collect(Collectors.toList());
        assertEquals(List.of(c.expected()), got, c.type().simpleString());
        List<Row> kept = states.filter("not forecast").collectAsList();
        assertEquals(2, kept.size(), c.type().simpleString());
      }
    }
  }

  @Test
  void theSegmentedPathKeepsForecastTrajectoriesInOneTask() throws IOException {
    String out = dir.resolve("nile-segments").toString();
    SmoothReport report = SmoothJob.run(spark, settings(nileModel, nileCsv, out, "parquet", "auto", 5, "1"),
        SegmentSteps.parse("10"));
    assertFalse(report.trajectoriesByEngine.containsKey("segmented"), report.trajectoriesByEngine.toString());
    assertEquals(105, WrittenRows.count(spark, Path.of(out, "states"), "parquet"));
    assertEquals(5, spark.read().parquet(out + "/states").filter("forecast").count());
  }

  @Test
  void refusalsAreOneLineWithExitCode2() throws IOException {
    String[] noDt = cli("smooth", "--input", nileCsv.toString(), "--model", nileModel.toString(), "--output",
        dir.resolve("refused-1").toString(), "--forecast-steps", "3");
    assertEquals("2", noDt[0]);
    assertEquals("error: --forecast-steps: the local-level model has no fixed dt, so give --forecast-dt (the seconds "
        + "between forecast rows)\n", noDt[1]);
    Path parquet = dir.resolve("nile-parquet");
    spark.read().option("header", "true").csv(nileCsv.toString()).selectExpr("cast(year as bigint) as year",
        "cast(flow as double) as flow").write().parquet(parquet.toString());
    String[] fraction = cli("smooth", "--input", parquet.toString(), "--model", nileModel.toString(), "--output",
        dir.resolve("refused-2").toString(), "--forecast-steps", "3", "--forecast-dt", "0.5");
    assertEquals("2", fraction[0]);
    assertEquals("error: --forecast-dt 0.5: time column 'year' holds integers (bigint), so the step must be a whole "
        + "number; give --forecast-dt (forecastDt) in the column's precision\n", fraction[1]);
    assertFalse(Files.exists(dir.resolve("refused-2")));
    KalmanSmoother api = new KalmanSmoother().setModelFile(nileModel.toString()).setForecastSteps(2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> api.transformSchema(spark.read().parquet(parquet.toString()).schema()));
    assertEquals(api.uid() + ": forecastSteps: the local-level model has no fixed dt, so give forecastDt (the seconds "
        + "between forecast rows)", e.getMessage());
  }

  @Test
  void theJobRefusesToCommitWhenTheForecastRowsDoNotAddUp() {
    SmoothReport short1 = new SmoothReport(10, 14, 0, 4, 2, Map.of(), "e", Map.of(), Map.of(), 0, null, 1);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> SmoothJob.refuseUnlessBalanced(short1, 2, 0, 3));
    assertEquals("row accounting failed, output not committed: 4 forecast rows written for 2 trajectories of 3 forecast "
        + "steps each", e.getMessage());
    SmoothReport lost = new SmoothReport(10, 15, 0, 6, 2, Map.of(), "e", Map.of(), Map.of(), 0, null, 1);
    IllegalStateException l = assertThrows(IllegalStateException.class, () -> SmoothJob.refuseUnlessBalanced(lost, 2, 0, 3));
    assertTrue(l.getMessage().startsWith("row accounting failed, output not committed: rows in: 10 + forecast rows: 6 = "
        + "rows out: 15 + rows quarantined: 0 (NOT BALANCED)"), l.getMessage());
    SmoothJob.refuseUnlessBalanced(new SmoothReport(10, 16, 0, 6, 2, Map.of(), "e", Map.of(), Map.of(), 0, null, 1), 2, 0, 3);
  }

  @Test
  void aTrajectoryTheEnginesCannotProcessGetsNoForecastRows() throws IOException {
    Path input = Files.writeString(dir.resolve("huge.csv"), "id,t,x,y\nok,0.0,1.0,2.0\nok,0.5,1.1,2.1\n"
        + "huge,0.0,1e300,1e300\nhuge,0.5,1e300,1e300\n");
    String out = dir.resolve("huge-out").toString();
    SmoothReport report = SmoothJob.run(spark, settings(cvModel, input, out, "csv", "auto", 3, null));
    assertEquals(Map.of("inference_failed", 2L), report.quarantineByReason);
    assertEquals(2, WrittenRows.count(spark, Path.of(out, "quarantine"), "csv"), "huge's two input rows, no forecast row");
    List<Row> states = spark.read().option("header", "true").csv(out + "/states").collectAsList();
    assertEquals(List.of("ok|0.0|false", "ok|0.5|false", "ok|1.0|true", "ok|1.5|true", "ok|2.0|true"), states.stream()
        .map(r -> r.getAs("id") + "|" + r.getAs("t") + "|" + r.getAs("forecast")).sorted().collect(Collectors.toList()));
    assertEquals(3, report.rowsForecast);
    assertEquals(1, report.trajectories);
  }

  @Test
  void integerTextTimesWithAFractionalStepAreWrittenAsDoublesThatHoldEveryForecastTime() throws IOException {
    String out = dir.resolve("nile-half").toString();
    SmoothJob.run(spark, settings(nileModel, nileCsv, out, "parquet", "auto", 3, "0.5"));
    Dataset<Row> states = spark.read().parquet(out + "/states");
    assertEquals(DataTypes.DoubleType, states.schema().apply("year").dataType());
    assertEquals(List.of(1970.5, 1971.0, 1971.5), states.filter("forecast").orderBy("year").collectAsList().stream()
        .map(r -> r.<Double>getAs("year")).collect(Collectors.toList()));
    assertEquals(1871.0, states.filter("not forecast").orderBy("year").first().<Double>getAs("year"));
  }
}
