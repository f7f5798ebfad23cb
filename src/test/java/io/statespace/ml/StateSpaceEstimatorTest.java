package io.statespace.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.statespace.cli.Main;
import io.statespace.testing.SparkTestSession;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * StateSpaceEstimator and StateSpaceFitModel on a real local SparkSession: the fitted parameters equal the fit
 * command's (jobs/fit.sh's entry point) to 1e-12; a Pipeline holding the estimator, and the fitted model on its
 * own, save and load in a fresh session with identical results; and an application's own session survives
 * smooth and fit runs through the CLI's Main.execute and through the API.
 */
class StateSpaceEstimatorTest {
  private static SparkSession spark;
  @TempDir static Path dir;
  private static Path input;

  @BeforeAll
  static void start() throws Exception {
    spark = SparkTestSession.start("StateSpaceEstimatorTest");
    input = dir.resolve("tracking-5.csv");
    try (Stream<String> lines = Files.lines(Path.of("data-samples/tracking.csv"))) {
      Files.writeString(input, lines.limit(501).collect(Collectors.joining("\n", "", "\n")));
    }
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static Dataset<Row> df() {
    return spark.read().option("header", "true").csv(input.toString());
  }

  private static StateSpaceEstimator estimator() throws Exception {
    return new StateSpaceEstimator().setModelJson(Files.readString(Path.of("conf/tracking.json")))
        .setMaxIter(8).setStandardErrors(false).setCheckpointDir(dir.resolve("work").toString());
  }

  private static int cli(String... args) {
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(err, true), args);
    assertEquals(0, code, err.toString());
    return code;
  }

  @Test
  void parametersEqualTheFitCommandsAndTheApplicationsSessionSurvives() throws Exception {
    Path out = dir.resolve("cli-fit");
    cli("fit", "--input", input.toString(), "--model", "conf/tracking.json", "--output", out.toString(),
        "--max-iter", "8", "--no-standard-errors");
    assertFalse(spark.sparkContext().isStopped(), "Main.execute stopped the application's session");
    JsonNode written = new ObjectMapper().readTree(out.resolve("report.json").toFile());

    StateSpaceFitModel model = estimator().fit(df());
    FitSummary summary = model.summary();
    assertEquals(written.get("parameters").size(), summary.parameters().size());
    for (JsonNode p : written.get("parameters")) {
      double expected = p.get("fitted").asDouble();
      double got = summary.parameters().get(p.get("name").asText());
      assertEquals(expected, got, 1e-12 * Math.max(1, Math.abs(expected)), p.get("name").asText());
      assertNotEquals(p.get("initial").asDouble(), got, "the parameter moved");
    }
    assertEquals(written.get("stop_reason").asText(), summary.stopReason());
    assertEquals(written.get("rows_in").asLong(), summary.report().rowsIn);
    assertEquals(Files.readAllLines(out.resolve("history.csv")).size(), summary.history().size() + 1);
    assertEquals(new ObjectMapper().readTree(Files.readString(out.resolve("model.json"))).get("q").asDouble(),
        new ObjectMapper().readTree(model.modelJson()).get("q").asDouble(), 1e-12);
    try (Stream<Path> left = Files.list(dir.resolve("work"))) {
      assertEquals(List.of(), left.collect(Collectors.toList()), "the work files are deleted");
    }

    Path smoothed = dir.resolve("cli-smooth");
    cli("smooth", "--input", input.toString(), "--model", "conf/tracking.json", "--output", smoothed.toString());
    assertEquals(500, new KalmanSmoother().setModelFile("conf/tracking.json").transform(df()).count());
    assertFalse(spark.sparkContext().isStopped(), "a run stopped the application's session");
    assertSame(spark, SparkSession.getActiveSession().get());
    assertEquals(7, spark.range(7).count(), "the application's session still runs jobs");
  }

  @Test
  void pipelineAndFittedModelSaveAndLoadInAFreshSession() throws Exception {
    Dataset<Row> df = df();
    PipelineModel pipeline = new Pipeline().setStages(new PipelineStage[] {estimator().setMaxIter(3)}).fit(df);
    StateSpaceFitModel fitted = (StateSpaceFitModel) pipeline.stages()[0];
    assertTrue(fitted.hasSummary());
    List<String> before = KalmanSmootherTest.sorted(pipeline.transform(df));
    assertEquals(500, before.size());
    String pipePath = dir.resolve("pipeline").toString();
    String modelPath = dir.resolve("model").toString();
    pipeline.write().save(pipePath);
    fitted.write().save(modelPath);
    new Pipeline().setStages(new PipelineStage[] {estimator()}).write().save(dir.resolve("unfitted").toString());

    spark.stop();
    spark = SparkTestSession.start("StateSpaceEstimatorTest fresh");
    Dataset<Row> again = df();
    PipelineModel loaded = PipelineModel.load(pipePath);
    assertEquals(before, KalmanSmootherTest.sorted(loaded.transform(again)));
    StateSpaceFitModel alone = StateSpaceFitModel.load(modelPath);
    assertEquals(fitted.modelJson(), alone.modelJson());
    assertFalse(alone.hasSummary());
    assertEquals(before, KalmanSmootherTest.sorted(alone.transform(again)));
    Pipeline unfitted = Pipeline.load(dir.resolve("unfitted").toString());
    StateSpaceEstimator e = (StateSpaceEstimator) unfitted.getStages()[0];
    assertEquals(8, e.getMaxIter());
    assertEquals(dir.resolve("work").toString(), e.getCheckpointDir());
  }

  @Test
  void refusesWhatTheFitCommandRefusesBeforeAnyJob() throws Exception {
    String fixedDt = Files.readString(Path.of("conf/tracking.json")).replace("\"spatial_dims\": 2,", "\"spatial_dims\": 2, \"dt\": 0.1,");
    IllegalArgumentException em = assertThrows(IllegalArgumentException.class,
        () -> estimator().setModelJson(fixedDt).setFree(new String[] {"q", "dt"}).setOptimizer("em").fit(df()));
    assertTrue(em.getMessage().startsWith("optimizer em: EM for constant-velocity: dt has no closed-form M-step"), em.getMessage());
    IllegalArgumentException dropout = assertThrows(IllegalArgumentException.class, () -> estimator().setDropout(0.2).fit(df()));
    assertEquals("dropout: only with loss prediction", dropout.getMessage());
    IllegalArgumentException free = assertThrows(IllegalArgumentException.class,
        () -> estimator().setFree(new String[] {"nope"}).fit(df()));
    assertTrue(free.getMessage().startsWith("free: "), free.getMessage());
  }
}
