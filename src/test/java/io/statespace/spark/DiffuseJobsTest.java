package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.statespace.execution.EngineChoice;
import io.statespace.learn.StopRules;
import io.statespace.model.spec.ModelSpec;
import io.statespace.testing.SparkTestSession;
import io.statespace.testing.WrittenRows;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A diffuse model file end to end on a real local SparkSession: {@code smooth} of the Nile with missing years
 * (rows counted in the written files, the smoothed level and variance per year against statsmodels' exact diffuse
 * smoother, on the batched engine and, asked for the parallel engine, routed to the sequential one) and {@code fit}
 * of the diffuse local level recovering statsmodels' maximum-likelihood estimate (reference values:
 * src/test/resources/io/statespace/diffuse/make_reference.py).
 */
class DiffuseJobsTest {
  private static SparkSession spark;
  @TempDir static Path dir;
  private static JsonNode reference;

  @BeforeAll
  static void start() throws IOException {
    spark = SparkTestSession.start("DiffuseJobsTest");
    try (InputStream in = DiffuseJobsTest.class.getResourceAsStream("/io/statespace/diffuse/reference.json")) {
      reference = new ObjectMapper().readTree(in);
    }
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  static JsonNode nileCase(String name) {
    for (JsonNode c : reference.get("cases")) {
      if (c.get("name").asText().equals(name)) return c;
    }
    throw new IllegalArgumentException(name);
  }

  /** The case's series as a CSV file (year, flow; a missing year an empty cell). */
  static Path nileCsv(String name) throws IOException {
    JsonNode y = nileCase(name).get("y");
    StringBuilder csv = new StringBuilder("year,flow\n");
    for (int t = 0; t < y.size(); t++) {
      JsonNode v = y.get(t).get(0);
      csv.append(1871 + t).append(',').append(v.isNull() ? "" : Double.toString(v.asDouble())).append('\n');
    }
    Path file = dir.resolve(name + ".csv");
    Files.writeString(file, csv.toString());
    return file;
  }

  static ModelSpec nileSpec(double levelStd, double measurementStd) {
    return ModelSpec.parse(String.format(Locale.ROOT, "{\"family\": \"local-level\", \"level_std\": %.17g,"
        + " \"measurement_std\": %.17g, \"initial\": {\"diffuse\": true},"
        + " \"columns\": {\"id\": \"\", \"time\": \"year\", \"observations\": [\"flow\"]},"
        + " \"fit\": {\"free\": [\"level_std\", \"measurement_std\"]}}", levelStd, measurementStd));
  }

  @Test
  void smoothWritesStatsmodelsDiffuseSmootherPerYear() throws IOException {
    Path input = nileCsv("nile_missing");
    JsonNode c = nileCase("nile_missing");
    ModelSpec spec = nileSpec(Math.sqrt(1469.1), Math.sqrt(15099.0));
    for (EngineChoice engine : new EngineChoice[] {EngineChoice.BATCHED, EngineChoice.PARALLEL}) {
      String out = dir.resolve("smooth-" + engine.name().toLowerCase(Locale.ROOT)).toString();
      SmoothJob.run(spark, new SmoothSettings(input.toString(), "csv", out, "parquet", spec, engine, 2, 3, false));
      assertEquals(100L, WrittenRows.count(spark, Path.of(out, "states"), "parquet"), "one state row per input row");
      assertEquals(0L, WrittenRows.count(spark, Path.of(out, "quarantine"), "parquet"));
      String report = Files.readString(Path.of(out, "report.json"));
      String producedBy = engine == EngineChoice.BATCHED ? "batched" : "sequential";
      assertTrue(report.replace(" ", "").replace("\n", "").contains("\"trajectories_by_engine\":{\"" + producedBy + "\":1}"),
          report);
      List<Row> rows = spark.read().parquet(out + "/states").orderBy("year").collectAsList();
      double worst = 0.0;
      double levelScale = 1000.0;
      double varianceScale = 3000.0;
      for (int t = 0; t < rows.size(); t++) {
        Row r = rows.get(t);
        assertEquals(1871 + t, ((Number) r.getAs("year")).intValue());
        double mean = r.<Double>getList(r.fieldIndex("smoothed_mean")).get(0);
        double var = r.<Double>getList(r.fieldIndex("smoothed_cov")).get(0);
        double expectedMean = c.get("smoothed_mean").get(t).get(0).asDouble();
        double expectedVar = c.get("smoothed_cov").get(t).get(0).asDouble();
        worst = Math.max(worst, Math.abs(mean - expectedMean) / Math.max(Math.abs(expectedMean), levelScale));
        worst = Math.max(worst, Math.abs(var - expectedVar) / Math.max(Math.abs(expectedVar), varianceScale));
      }
      double figure = worst;
      assertTrue(figure < 1e-9, engine + ": worst relative difference to statsmodels " + figure);
      Row summary = spark.read().parquet(out + "/summary").collectAsList().get(0);
      double logLik = ((Number) summary.getAs("loglik")).doubleValue();
      assertEquals(c.get("loglik").asDouble(), logLik, 1e-9 * Math.abs(logLik));
      System.out.printf(Locale.ROOT, "[DiffuseJobs] smooth %s: worst %.2e, loglik %.12f%n", engine, figure, logLik);
    }
  }

  /**
   * The opt-in outputs and a forecast of a diffuse model (statsmodels' values: extras_reference.py): nothing is
   * quarantined (the prior's infinite variance never reaches a row), the standardised innovation is null inside the
   * diffuse period and statsmodels' after it, the residual diagnostics leave the diffuse period out as statsmodels'
   * test_serial_correlation does, and the forecast rows are get_forecast(5).
   */
  @Test
  void extrasAndForecastsOfADiffuseModel() throws IOException {
    JsonNode ref;
    try (InputStream in = DiffuseJobsTest.class.getResourceAsStream("/io/statespace/diffuse/extras_reference.json")) {
      ref = new ObjectMapper().readTree(in);
    }
    StringBuilder csv = new StringBuilder("year,flow\n");
    JsonNode y = ref.get("y");
    for (int t = 0; t < y.size(); t++) csv.append(1871 + t).append(',').append(y.get(t).asDouble()).append('\n');
    Path input = dir.resolve("nile-extras.csv");
    Files.writeString(input, csv.toString());
    ModelSpec spec = nileSpec(Math.sqrt(1469.1), Math.sqrt(15099.0));
    String out = dir.resolve("smooth-extras").toString();
    SmoothSettings s = new SmoothSettings(input.toString(), "csv", out, "parquet", spec, EngineChoice.AUTO, 2, 3, false)
        .withOutputs(OutputChoice.FULL.withOutputs("diagnostics"))
        .withForecast(ForecastTimes.of(5, "1", spec, "--forecast-steps", "--forecast-dt"));
    SmoothJob.run(spark, s);
    assertEquals(0L, WrittenRows.count(spark, Path.of(out, "quarantine"), "parquet"));
    List<Row> rows = spark.read().parquet(out + "/states").orderBy("year").collectAsList();
    assertEquals(105, rows.size(), "100 input rows and 5 forecast rows");
    int d = ref.get("nobs_diffuse").asInt();
    for (int t = 0; t < 100; t++) {
      List<Double> e = rows.get(t).getList(rows.get(t).fieldIndex("standardized_innovation"));
      if (t < d) {
        assertEquals(null, e.get(0), "year " + (1871 + t) + " lies in the diffuse period");
      } else {
        assertEquals(ref.get("standardized_innovation").get(t).asDouble(), e.get(0), 1e-9, "year " + (1871 + t));
      }
    }
    for (int h = 0; h < 5; h++) {
      Row r = rows.get(100 + h);
      assertTrue(r.<Boolean>getAs("forecast"));
      double mean = r.<Double>getList(r.fieldIndex("predicted_obs_mean")).get(0);
      double var = r.<Double>getList(r.fieldIndex("predicted_obs_cov")).get(0);
      assertEquals(ref.get("forecast_mean").get(h).asDouble(), mean, 1e-9 * Math.abs(mean), "forecast " + h);
      assertEquals(ref.get("forecast_var").get(h).asDouble(), var, 1e-9 * Math.abs(var), "forecast variance " + h);
    }
    Row summary = spark.read().parquet(out + "/summary").collectAsList().get(0);
    assertEquals(ref.get("ljung_box").asDouble(), ((Number) summary.getAs("ljung_box")).doubleValue(), 1e-9);
    assertEquals(ref.get("ljung_box_pvalue").asDouble(), ((Number) summary.getAs("ljung_box_pvalue")).doubleValue(),
        1e-9);
    assertEquals(ref.get("ljung_box_lag").asInt(), ((Number) summary.getAs("ljung_box_lag")).intValue());
    assertEquals(ref.get("mean_nis_after_diffuse").asDouble(), ((Number) summary.getAs("mean_nis")).doubleValue(),
        1e-9);
  }

  /** A trajectory longer than --segment-steps stays in one task with a diffuse model, and is still exact. */
  @Test
  void segmentedPathKeepsADiffuseTrajectoryInOneTask() throws IOException {
    Path input = nileCsv("nile_missing");
    JsonNode c = nileCase("nile_missing");
    String out = dir.resolve("smooth-segments").toString();
    try (io.statespace.testing.LogCapture log = io.statespace.testing.LogCapture.of(SegmentedSmoothing.class)) {
      SmoothJob.run(spark, new SmoothSettings(input.toString(), "csv", out, "parquet",
          nileSpec(Math.sqrt(1469.1), Math.sqrt(15099.0)), EngineChoice.SEQUENTIAL, 2, 3, false), SegmentSteps.parse("30"));
      assertEquals(1, log.lines(org.apache.logging.log4j.Level.INFO, "initial state is diffuse").size(), log.lines().toString());
      assertTrue(log.lines(org.apache.logging.log4j.Level.INFO, "cut into about").isEmpty(), "no segment passes: " + log.lines());
    }
    assertEquals(100L, WrittenRows.count(spark, Path.of(out, "states"), "parquet"));
    String report = Files.readString(Path.of(out, "report.json")).replace(" ", "").replace("\n", "");
    assertTrue(report.contains("\"trajectories_by_engine\":{\"sequential\":1}"), report);
    Row summary = spark.read().parquet(out + "/summary").collectAsList().get(0);
    assertEquals(c.get("loglik").asDouble(), ((Number) summary.getAs("loglik")).doubleValue(), 1e-9 * 600);
    List<Row> rows = spark.read().parquet(out + "/states").orderBy("year").collectAsList();
    for (int t = 0; t < rows.size(); t++) {
      double mean = rows.get(t).<Double>getList(rows.get(t).fieldIndex("smoothed_mean")).get(0);
      assertEquals(c.get("smoothed_mean").get(t).get(0).asDouble(), mean, 1e-9 * 1000, "year " + (1871 + t));
    }
  }

  @Test
  void fitRecoversStatsmodelsMaximumLikelihoodEstimate() throws IOException {
    Path input = nileCsv("nile");
    JsonNode mle = reference.get("mle");
    String out = dir.resolve("fit").toString();
    FitReport report = FitJob.run(spark, FitSettings.of(new FitSettings.Paths(input.toString(), "csv", out, "csv", 2, false),
        nileSpec(30.0, 100.0), new StopRules(200, 1e-9, 0.0)).with(new FitSettings.Extras(false, false, false)));
    double level = 0.0;
    double measurement = 0.0;
    for (FitReport.Parameter p : report.parameters) {
      if (p.name().equals("level_std")) level = p.fitted();
      if (p.name().equals("measurement_std")) measurement = p.fitted();
    }
    double levelVar = level * level;
    double measurementVar = measurement * measurement;
    System.out.printf(Locale.ROOT, "[DiffuseJobs] fit: level var %.4f (statsmodels %.4f), measurement var %.4f (%.4f),"
        + " loss %.10f (statsmodels -llf %.10f)%n", levelVar, mle.get("level_var").asDouble(), measurementVar,
        mle.get("measurement_var").asDouble(), report.finalLoss, -mle.get("loglik").asDouble());
    assertEquals(mle.get("level_var").asDouble(), levelVar, 1e-5 * mle.get("level_var").asDouble());
    assertEquals(mle.get("measurement_var").asDouble(), measurementVar, 1e-5 * mle.get("measurement_var").asDouble());
    assertEquals(-mle.get("loglik").asDouble(), report.finalLoss, 1e-9 * report.finalLoss);
    ModelSpec fitted = ModelSpec.read(Path.of(out, "model.json"));
    assertTrue(io.statespace.model.DiffusePrior.isDiffuse(fitted.model()), "the fitted model file keeps initial.diffuse");
  }
}
