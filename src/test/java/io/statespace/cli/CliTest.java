package io.statespace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: config errors exit 2 with one line before Spark starts; a full run exits 0. */
class CliTest {
  @TempDir Path dir;

  private static final class Result {
    final int code;
    final String err;

    Result(int code, String err) {
      this.code = code;
      this.err = err;
    }
  }

  private static Result run(String... args) {
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(err, true), args);
    return new Result(code, err.toString());
  }

  private Path csv() throws Exception {
    Path input = dir.resolve("in.csv");
    Files.writeString(input, "id,t,x,y\na,0,1,2\na,1,1.5,2.5\n");
    return input;
  }

  private void assertConfigError(Result r, String words) {
    assertEquals(2, r.code, r.err);
    assertTrue(r.err.contains(words), "stderr should say '" + words + "': " + r.err);
    assertFalse(SparkSession.getActiveSession().isDefined(), "no Spark session may start for a config error");
  }

  @Test
  void brokenModelFileExitsTwoNamingTheKey() throws Exception {
    String model = Files.readString(Path.of("conf/tracking.json")).replace("\"q\": 1.0", "\"q\": -1.0");
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, model);
    Result r = run("smooth", "--input", csv().toString(), "--model", bad.toString(), "--output", dir.resolve("o").toString());
    assertConfigError(r, "error: q: must not be negative");
    assertEquals(1, r.err.strip().lines().count(), "one line: " + r.err);
  }

  @Test
  void emptyModelFileExitsTwo() throws Exception {
    Path empty = Files.createFile(dir.resolve("empty.json"));
    Result r = run("smooth", "--input", csv().toString(), "--model", empty.toString(), "--output", dir.resolve("o").toString());
    assertConfigError(r, "the model file is empty");
  }

  @Test
  void badOptionsExitTwo() throws Exception {
    String in = csv().toString();
    String out = dir.resolve("o").toString();
    assertConfigError(run("smooth", "--input", in, "--model", "conf/tracking.json", "--output", out, "--engine", "warp"), "--engine");
    assertConfigError(run("smooth", "--input", in, "--model", "conf/tracking.json", "--output", out, "--backend", "tpu"), "--backend");
    if (!io.statespace.gpu.DeviceProbe.detect().available()) {
      assertConfigError(run("smooth", "--input", in, "--model", "conf/tracking.json", "--output", out, "--backend", "gpu"),
          "--backend gpu: no usable CUDA device");
    }
    assertConfigError(run("fit", "--input", in, "--model", "conf/tracking.json", "--output", out, "--backend", "gpu"),
        "--backend gpu: fit computes");
    assertConfigError(run("fit", "--input", in, "--model", "conf/projectile.json", "--output", out, "--optimizer", "em"),
        "--optimizer em: EM for constant-velocity: dt has no closed-form M-step");
    assertConfigError(run("fit", "--input", in, "--model", "conf/tracking.json", "--output", out, "--dropout", "0.1"),
        "--dropout: only with --loss prediction");
    assertConfigError(run("fit", "--input", in, "--model", "conf/tracking.json", "--output", out, "--free", "colour"),
        "--free");
    assertConfigError(run("smooth", "--input", in, "--model", "conf/tracking.json", "--output", out, "--format", "xls"), "--format");
    assertConfigError(run("smooth", "--input", in, "--model", "conf/tracking.json", "--output", out, "--covariances",
        "diag"), "error: --covariances must be full, std or none, not 'diag'");
    assertConfigError(run("smooth", "--input", in, "--model", "no/such.json", "--output", out), "no such file");
    assertConfigError(run("smooth", "--model", "conf/tracking.json", "--output", out), "--input");
    assertConfigError(run("smooth", "--input", in, "--model", "conf/tracking.json", "--output", out,
        "--observation-columns", "x"), "columns.observations");
    Files.createDirectories(dir.resolve("exists"));
    assertConfigError(run("smooth", "--input", in, "--model", "conf/tracking.json", "--output", dir.resolve("exists").toString()),
        "already exists");
  }

  @Test
  void simulateThenSmoothRunsEndToEnd() throws Exception {
    Path data = dir.resolve("sim.csv");
    Result sim = run("simulate", "--model", "conf/tracking.json", "--output", data.toString(), "--trajectories", "5",
        "--steps", "20", "--dt", "0.1", "--gap", "0.2", "--missing", "0.1", "--seed", "3");
    assertEquals(0, sim.code, sim.err);
    List<String> lines = Files.readAllLines(data);
    assertEquals(101, lines.size());
    Path out = dir.resolve("smoothed");
    Result r = run("smooth", "--input", data.toString(), "--model", "conf/tracking.json", "--output", out.toString(),
        "--output-format", "parquet", "--engine", "sequential");
    assertEquals(0, r.code, r.err);
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
    String report = Files.readString(out.resolve("report.json"));
    assertTrue(report.contains("\"rows_in\" : 100") && report.contains("\"rows_out\" : 100"), report);

    Path png = dir.resolve("traj.png");
    String id = lines.get(1).split(",")[0];
    Result plot = run("plot", "--smoothed", out.toString(), "--format", "parquet", "--id", id, "--model",
        "conf/tracking.json", "--output", png.toString());
    assertEquals(0, plot.code, plot.err);
    java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
    assertEquals(320 + 320 + 500, image.getHeight(), "two component charts and the path");
    assertConfigError(run("plot", "--smoothed", out.toString(), "--format", "parquet", "--id", "no-such-id", "--model",
        "conf/tracking.json", "--output", png.toString()), "no trajectory 'no-such-id'");
  }

  @Test
  void smoothWritesTheChosenColumns() throws Exception {
    Path out = dir.resolve("std");
    Result r = run("smooth", "--input", csv().toString(), "--model", "conf/tracking.json", "--output", out.toString(),
        "--covariances", "std", "--no-filtered");
    assertEquals(0, r.code, r.err);
    String header;
    try (java.util.stream.Stream<Path> parts = Files.list(out.resolve("states"))) {
      Path part = parts.filter(p -> p.getFileName().toString().startsWith("part-")).findFirst().orElseThrow();
      header = Files.readAllLines(part).get(0);
    }
    assertEquals("id,t,x,y,smoothed_mean_0,smoothed_mean_1,smoothed_mean_2,smoothed_mean_3,smoothed_std_0,"
        + "smoothed_std_1,smoothed_std_2,smoothed_std_3", header);
  }

  @Test
  void plotsAFitHistory() throws Exception {
    Path history = dir.resolve("history.csv");
    Files.writeString(history, "iteration,loss,gradient_norm,step,evaluations,seconds\n0,10,5,0,1,0.1\n1,4,0.5,1,2,0.2\n2,3.9,0.001,0.1,3,0.3\n");
    Path png = dir.resolve("history.png");
    Result r = run("plot", "--history", history.toString(), "--output", png.toString());
    assertEquals(0, r.code, r.err);
    assertEquals(640, javax.imageio.ImageIO.read(png.toFile()).getHeight());
    assertConfigError(run("plot", "--history", dir.resolve("none.csv").toString(), "--output", png.toString()), "no such file");
  }
}
