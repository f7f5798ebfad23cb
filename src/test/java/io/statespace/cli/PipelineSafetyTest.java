package io.statespace.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.statespace.BuildInfo;
import io.statespace.model.spec.ModelSpec;
import io.statespace.spark.QuarantineLimit;
import io.statespace.testing.WrittenRows;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through the command line, what a pipeline relies on: --max-quarantined-fraction refuses to commit a mostly-bad
 * run (exit 3, one line with the fraction and the top reasons, nothing at the output path, no staging left); a fit
 * whose checkpoint exists refuses to start without --resume or --restart and leaves the checkpoint as it was;
 * report.json records the provenance; smooth copies its model into the output, so plot needs no --model and refuses
 * a different one.
 */
@Timeout(600)
class PipelineSafetyTest {
  @TempDir Path dir;

  private record Result(int code, String err) {}

  private static Result run(String... args) {
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(err, true), args);
    return new Result(code, err.toString());
  }

  /** 10 rows: 7 good ones in two trajectories, 2 unparsable observations and 1 row without an id (30% bad). */
  private Path data() throws IOException {
    return Files.writeString(dir.resolve("in.csv"), "id,t,x,y\n"
        + "a,0,1,2\na,1,1.5,2.5\na,2,2,3\na,3,abc,3.5\n"
        + "b,0,0,0\nb,1,0.1,0.2\nb,2,0.2,0.4\nb,3,0.3,zz\n"
        + ",4,1,1\n"
        + "b,4,0.4,0.8\n");
  }

  private static void assertNothingCommitted(Path out) throws IOException {
    assertFalse(Files.exists(out), "nothing at the output path");
    try (Stream<Path> s = Files.list(out.getParent())) {
      assertEquals(0, s.filter(p -> p.getFileName().toString().startsWith("." + out.getFileName() + ".tmp-")).count(),
          "the staging directory is removed");
    }
  }

  @Test
  void aRunAboveTheQuarantineLimitCommitsNothingAndExitsWithItsOwnCode() throws IOException {
    Path in = data();
    for (String job : new String[] {"smooth", "fit"}) {
      Path out = dir.resolve(job + "-refused");
      Result r = job.equals("smooth")
          ? run(job, "--input", in.toString(), "--model", "conf/tracking.json", "--output", out.toString(),
              "--max-quarantined-fraction", "0.25")
          : run(job, "--input", in.toString(), "--model", "conf/tracking.json", "--output", out.toString(),
              "--max-quarantined-fraction", "0.25", "--max-iter", "2", "--no-standard-errors");
      assertEquals(QuarantineLimit.EXIT_CODE, r.code, job + ": " + r.err);
      assertEquals(1, r.err.strip().lines().count(), "one line: " + r.err);
      assertTrue(r.err.startsWith("error: " + job + ": 3 of 10 input rows quarantined (fraction 0.3000), above "
          + "--max-quarantined-fraction 0.25; nothing written. Top reasons: bad_value 2, null_id 1"), r.err);
      assertNothingCommitted(out);
      assertFalse(Files.exists(dir.resolve("." + out.getFileName() + ".checkpoint")), "no checkpoint either");
    }

    Path out = dir.resolve("smooth-allowed");
    Result ok = run("smooth", "--input", in.toString(), "--model", "conf/tracking.json", "--output", out.toString(),
        "--max-quarantined-fraction", "0.3");
    assertEquals(0, ok.code, "a fraction equal to the limit is allowed: " + ok.err);
    assertEquals(7, WrittenRows.count(null, out.resolve("states"), "csv"));
    assertEquals(3, WrittenRows.count(null, out.resolve("quarantine"), "csv"));

    Result bad = run("smooth", "--input", in.toString(), "--model", "conf/tracking.json", "--output", dir.resolve("x").toString(),
        "--max-quarantined-fraction", "1.5");
    assertEquals(2, bad.code, bad.err);
    assertEquals("error: --max-quarantined-fraction: must be between 0 and 1, got 1.5", bad.err.strip());
  }

  @Test
  void aFitWhoseCheckpointExistsRefusesToStartWithoutResumeOrRestart() throws IOException {
    Path in = data();
    Path out = dir.resolve("fitted");
    Path checkpoints = Files.createDirectories(dir.resolve(".fitted.checkpoint"));
    Path latest = Files.writeString(checkpoints.resolve("checkpoint-57.json"), "{\"fingerprint\": \"a long run\", \"fit\": {}}");
    byte[] before = Files.readAllBytes(latest);
    String[] fit = {"fit", "--input", in.toString(), "--model", "conf/tracking.json", "--output", out.toString(), "--max-iter", "2",
        "--no-standard-errors"};

    Result r = run(fit);
    assertEquals(2, r.code, r.err);
    assertEquals(1, r.err.strip().lines().count(), r.err);
    assertTrue(r.err.startsWith("error: checkpoint ") && r.err.contains(checkpoints.toString())
        && r.err.contains("of a different fit") && r.err.contains("--resume") && r.err.contains("--restart"), r.err);
    assertFalse(SparkSession.getActiveSession().isDefined(), "refused before Spark starts");
    assertArrayEquals(before, Files.readAllBytes(latest), "a rerun without --resume leaves the checkpoint as it was");
    assertFalse(Files.exists(out));

    String[] both = java.util.Arrays.copyOf(fit, fit.length + 2);
    both[fit.length] = "--resume";
    both[fit.length + 1] = "--restart";
    Result b = run(both);
    assertEquals(2, b.code, b.err);
    assertTrue(b.err.startsWith("error: --resume and --restart exclude each other"), b.err);
    assertArrayEquals(before, Files.readAllBytes(latest));

    String[] restart = java.util.Arrays.copyOf(fit, fit.length + 1);
    restart[fit.length] = "--restart";
    Result ok = run(restart);
    assertEquals(0, ok.code, ok.err);
    assertFalse(Files.exists(checkpoints), "the earlier run's checkpoint is deleted, as asked");
    assertFalse(new ObjectMapper().readTree(out.resolve("report.json").toFile()).get("resumed").asBoolean());
  }

  @Test
  void smoothRecordsItsProvenanceAndPlotUsesTheCopiedModel() throws IOException {
    Path in = data();
    Path out = dir.resolve("smoothed");
    Path killed = Files.createDirectories(dir.resolve(".smoothed.tmp-killed"));
    Files.writeString(killed.resolve("part-00000.csv"), "left by a killed run");
    Files.writeString(killed.resolve("_RUNNING"), "host=elsewhere\npid=1\nprocess_start=1\nheartbeat="
        + (System.currentTimeMillis() - 3_600_000L) + "\n");
    Result r = run("smooth", "--input", in.toString(), "--model", "conf/tracking.json", "--output", out.toString(),
        "--engine", "sequential", "--partitions", "3");
    assertEquals(0, r.code, r.err);

    JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    JsonNode prov = report.get("provenance");
    assertEquals("smooth", prov.get("job").asText());
    assertEquals(BuildInfo.version(), prov.get("version").asText());
    assertTrue(prov.get("version").asText().matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), prov.get("version").asText());
    assertEquals(org.apache.spark.package$.MODULE$.SPARK_VERSION(), prov.get("spark_version").asText());
    assertEquals(in.toString(), prov.get("input").asText());
    assertEquals("csv", prov.get("input_format").asText());
    assertEquals("sequential", prov.get("options").get("engine").asText());
    assertEquals(3, prov.get("options").get("partitions").asInt());
    assertEquals(1.0, prov.get("options").get("max_quarantined_fraction").asDouble());
    assertTrue(prov.get("decisions").get("engine").asText().contains("sequential"), prov.toString());
    assertTrue(prov.get("decisions").get("backend").asText().startsWith("--backend auto"), prov.toString());
    Instant started = Instant.parse(prov.get("started_at").asText());
    Instant ended = Instant.parse(prov.get("ended_at").asText());
    assertFalse(ended.isBefore(started));
    assertFalse(Files.exists(killed), "the staging directory of a killed run is removed by the next run");
    assertEquals(1, report.get("stale_staging").get("removed").size(), report.toString());
    assertTrue(report.get("stale_staging").get("removed").get(0).asText().contains(".smoothed.tmp-killed (no heartbeat for "),
        "and reported: " + report.get("stale_staging"));

    ModelSpec conf = ModelSpec.read(Path.of("conf/tracking.json"));
    ModelSpec copy = ModelSpec.read(out.resolve("model.json"));
    assertEquals(conf.toJson(), copy.toJson(), "model.json is the model the run used");
    assertEquals(new ObjectMapper().readTree(conf.toJson()), prov.get("model"), "report.json holds the whole model file");

    Path png = dir.resolve("a.png");
    Result plot = run("plot", "--smoothed", out.toString(), "--id", "a", "--output", png.toString());
    assertEquals(0, plot.code, "no --model needed: " + plot.err);
    assertTrue(Files.size(png) > 0);

    Path other = dir.resolve("other.json");
    Files.writeString(other, Files.readString(Path.of("conf/tracking.json")).replace("\"q\": 1.0", "\"q\": 2.0"));
    assertTrue(Files.readString(other).contains("\"q\": 2.0"), "the test's model differs");
    Result refused = run("plot", "--smoothed", out.toString(), "--id", "a", "--model", other.toString(), "--output",
        dir.resolve("b.png").toString());
    assertEquals(2, refused.code, refused.err);
    assertEquals(1, refused.err.strip().lines().count(), refused.err);
    assertTrue(refused.err.contains(other.toString()) && refused.err.contains(out.resolve("model.json").toString()), refused.err);
    assertFalse(Files.exists(dir.resolve("b.png")));

    Result same = run("plot", "--smoothed", out.toString(), "--id", "a", "--model", "conf/tracking.json", "--output",
        dir.resolve("c.png").toString());
    assertEquals(0, same.code, "the same model is accepted: " + same.err);
  }
}
