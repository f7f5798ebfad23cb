package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.statespace.BuildInfo;
import io.statespace.data.Trajectory;
import io.statespace.learn.StopRules;
import io.statespace.model.LinearModel;
import io.statespace.model.spec.Columns;
import io.statespace.model.spec.FitSpec;
import io.statespace.model.spec.ModelSpec;
import io.statespace.simulate.CsvSink;
import io.statespace.testing.LogCapture;
import io.statespace.testing.RandomModels;
import io.statespace.testing.SparkTestSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.logging.log4j.Level;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a fit records about itself: EM measures its engine time (the E-steps), the standard errors say how far
 * they are, report.json carries the provenance, and --restart deletes the earlier checkpoint before the fit
 * starts.
 */
@Timeout(600)
class FitRunRecordTest {
  private static SparkSession spark;
  @TempDir static Path dir;
  private static Path data;
  private static ModelSpec spec;

  @BeforeAll
  static void start() throws IOException {
    spark = SparkTestSession.start("FitRunRecordTest");
    SplittableRandom rng = new SplittableRandom(29);
    LinearModel truth = new LinearModel(2, 1, 0, new double[] {0, 0}, new double[] {1, 0, 0, 1},
        new double[] {1, 0.1, 0, 0.9}, new double[] {0, 0}, null, new double[] {0.1, 0, 0, 0.1}, new double[] {1, 0},
        new double[] {0}, null, new double[] {0.3});
    data = dir.resolve("linear.csv");
    RandomModels.DataShape shape = new RandomModels.DataShape();
    shape.irregular = false;
    try (CsvSink sink = new CsvSink(data, "id", "t", List.of("y"), List.of(), List.of())) {
      for (int k = 0; k < 40; k++) {
        Trajectory tr = RandomModels.trajectory(rng, truth, "lin-" + k, 30, shape);
        sink.write(new io.statespace.simulate.SimulatedTrajectory(tr.id(), tr.times(), tr.observations(), null, null));
      }
    }
    LinearModel start = new LinearModel(2, 1, 0, new double[] {0, 0}, new double[] {1, 0, 0, 1},
        new double[] {1, 0.1, 0, 0.9}, new double[] {0, 0}, null, new double[] {0.5, 0, 0, 0.5}, new double[] {1, 0},
        new double[] {0}, null, new double[] {1.0});
    spec = new ModelSpec(start, new Columns("id", "t", List.of("y"), List.of()),
        new FitSpec(List.of("dynamics.cov", "emissions.cov")), null);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static FitSettings settings(String out, FitSettings.Method method, FitSettings.Extras extras) {
    StopRules rules = new StopRules(5, 1e-9, 0.0);
    return FitSettings.of(new FitSettings.Paths(data.toString(), "csv", dir.resolve(out).toString(), "csv", 2, false), spec,
        rules).with(new FitSettings.Search(method, rules, 0.05, FitSettings.Smoother.BATCHED)).with(extras);
  }

  @Test
  void emMeasuresItsEngineTimeAndStandardErrorsReportTheirProgress() throws IOException {
    FitReport em;
    List<String> lines;
    try (LogCapture log = LogCapture.of(FitJob.class)) {
      em = FitJob.run(spark, settings("em", FitSettings.Method.EM, new FitSettings.Extras(false, true, false)));
      lines = log.lines(Level.INFO, "fit: standard errors from 8 gradients in 1 distributed pass(es), ");
      assertEquals(1, log.lines(Level.INFO, "fit: computing standard errors: 8 gradient evaluations (central differences over 4 free parameters) in one distributed pass").size(), log.lines().toString());
    }
    assertTrue(em.engineSeconds > 0, "the E-steps' engine time is measured: " + em.engineSeconds);
    assertTrue(em.sparkOverheadShare() < 1.0, "Spark overhead below 100%: " + em.summaryLine());
    assertEquals(1, lines.size(), "the standard errors say when they are done and what they cost: " + lines);
    JsonNode report = new ObjectMapper().readTree(dir.resolve("em").resolve("report.json").toFile());
    assertTrue(report.get("engine_seconds").asDouble() > 0, report.toString());
    JsonNode prov = report.get("provenance");
    assertEquals("fit", prov.get("job").asText());
    assertEquals(BuildInfo.version(), prov.get("version").asText());
    assertEquals(spark.version(), prov.get("spark_version").asText());
    assertEquals(data.toString(), prov.get("input").asText());
    assertEquals("csv", prov.get("input_format").asText());
    assertEquals(new ObjectMapper().readTree(spec.toJson()), prov.get("model"), "the whole model file the fit started from");
    assertEquals("em", prov.get("options").get("optimizer").asText());
    assertEquals(5, prov.get("options").get("max_iter").asInt());
    assertTrue(prov.get("decisions").get("engine").asText().contains("batched engine"), prov.toString());
    Instant started = Instant.parse(prov.get("started_at").asText());
    Instant ended = Instant.parse(prov.get("ended_at").asText());
    assertFalse(ended.isBefore(started), prov.toString());
    assertTrue(prov.get("started_at").asText().endsWith("Z"), "UTC: " + prov);
  }

  @Test
  void restartDeletesOnlyTheCheckpointBeforeTheFitStarts() throws IOException {
    FitSettings first = settings("restarted", FitSettings.Method.LBFGS, FitSettings.Extras.none());
    CheckpointStore store = new CheckpointStore(first.paths().output(), spark.sparkContext().hadoopConfiguration());
    store.save(40, "{\"fingerprint\": \"an earlier run\", \"fit\": {}}");
    Path checkpointDir = dir.resolve(".restarted.checkpoint");
    Path notes = Files.writeString(checkpointDir.resolve("notes.txt"), "the user's own file");
    byte[] before = Files.readAllBytes(checkpointDir.resolve("checkpoint-40.json"));

    FitJob.CheckpointMismatch refused = org.junit.jupiter.api.Assertions.assertThrows(FitJob.CheckpointMismatch.class,
        () -> FitJob.run(spark, first));
    assertTrue(refused.getMessage().contains(store.location()) && refused.getMessage().contains("--restart"), refused.getMessage());
    assertEquals(1, refused.getMessage().lines().count());
    assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(checkpointDir.resolve("checkpoint-40.json"))),
        "a rerun without --resume or --restart leaves the checkpoint as it was");

    // A restart that stops before its first iteration (here: refused by the quarantine limit after the rows are
    // read) has already deleted the old checkpoint, so that a later --resume can never pick up the earlier run.
    Files.writeString(dir.resolve("with-bad-row.csv"), Files.readString(data) + "lin-0,999,abc\n");
    FitSettings restart = FitSettings.of(new FitSettings.Paths(dir.resolve("with-bad-row.csv").toString(), "csv",
        first.paths().output(), "csv", 2, false), spec, new StopRules(5, 1e-9, 0.0))
        .with(new FitSettings.Extras(false, false, false, true, new QuarantineLimit(0.0)));
    QuarantineLimit.Exceeded exceeded = org.junit.jupiter.api.Assertions.assertThrows(QuarantineLimit.Exceeded.class,
        () -> FitJob.run(spark, restart));
    assertTrue(exceeded.getMessage().contains("bad_value 1"), exceeded.getMessage());
    assertFalse(store.exists(), "--restart deleted the earlier checkpoint");
    assertEquals("the user's own file", Files.readString(notes), "and nothing else");
    assertFalse(Files.exists(dir.resolve("restarted")), "nothing committed");
  }
}
