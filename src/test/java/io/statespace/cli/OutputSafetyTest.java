package io.statespace.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through the command line: an output that overlaps an input is refused (exit 2, one line naming both
 * paths) before anything is deleted, with or without --overwrite; --overwrite replaces only an output
 * statespace wrote; the staging directories of killed runs are swept; a fit quarantines a trajectory that
 * overflows instead of dying.
 */
@Timeout(600)
class OutputSafetyTest {
  @TempDir Path dir;

  private record Result(int code, String err) {}

  private static Result run(String... args) {
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(err, true), args);
    return new Result(code, err.toString());
  }

  private static List<String> with(List<String> args, String... more) {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of(more));
    return all;
  }

  private Path data() throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.writeString(data.resolve("in.csv"), "id,t,x,y\na,0,1,2\na,1,1.5,2.5\n");
    return data;
  }

  /** Every case refused with exit 2 and one line naming both paths, the input unchanged byte for byte, no Spark. */
  private void assertRefused(String command, String input, String output, String relation, Path relationInput)
      throws IOException {
    byte[] before = Files.readAllBytes(dir.resolve("data").resolve("in.csv"));
    for (boolean overwrite : new boolean[] {false, true}) {
      List<String> args = List.of(command, "--input", input, "--model", "conf/tracking.json", "--output", output);
      Result r = run((overwrite ? with(args, "--overwrite") : args).toArray(new String[0]));
      String why = command + " --output " + output + " --input " + input + (overwrite ? " --overwrite" : "") + ": " + r.err;
      assertEquals(2, r.code, why);
      assertEquals(1, r.err.strip().lines().count(), "one line: " + why);
      assertTrue(r.err.startsWith("error: output "), why);
      assertTrue(r.err.contains(" " + relation + " the input "), why);
      assertTrue(r.err.contains(relationInput.toAbsolutePath().normalize().toString()), "names the input: " + why);
      assertFalse(SparkSession.getActiveSession().isDefined(), "refused before Spark starts: " + why);
      assertArrayEquals(before, Files.readAllBytes(dir.resolve("data").resolve("in.csv")), "input changed: " + why);
    }
  }

  @Test
  void outputsOverlappingTheInputAreRefusedBeforeAnythingIsDeleted() throws IOException {
    Path data = data();
    Path file = data.resolve("in.csv");
    for (String command : List.of("smooth", "fit")) {
      assertRefused(command, data.toString(), data.toString(), "is", data);
      assertRefused(command, file.toString(), file.toString(), "is", file);
      assertRefused(command, data.toString(), data.resolve("out").toString(), "lies inside", data);
      assertRefused(command, file.toString(), data.toString(), "contains", file);
      assertRefused(command, file.toString(), dir.toString(), "contains", file);
      assertRefused(command, data.toString(), dir.resolve("data/../data/").toString(), "is", data);
    }
    Path link = Files.createSymbolicLink(dir.resolve("link"), data);
    assertRefused("smooth", data.toString(), link.toString(), "is", data);
    assertRefused("smooth", link.resolve("in.csv").toString(), data.toString(), "contains", link.resolve("in.csv"));
    assertRefused("smooth", dir.resolve("data/*.csv").toString(), data.toString(), "contains", file);
  }

  @Test
  void simulateNeverWritesOverItsModelFile() throws IOException {
    Path model = Files.copy(Path.of("conf/tracking.json"), dir.resolve("model.json"));
    byte[] before = Files.readAllBytes(model);
    Result r = run("simulate", "--model", model.toString(), "--output", dir.resolve("./model.json").toString(), "--overwrite");
    assertEquals(2, r.code, r.err);
    assertEquals(1, r.err.strip().lines().count(), r.err);
    assertTrue(r.err.contains("is the input") && r.err.contains(model.toString()), r.err);
    assertArrayEquals(before, Files.readAllBytes(model));
  }

  @Test
  void overwriteRefusesADirectoryStatespaceDidNotWrite() throws IOException {
    Path data = data();
    Path foreign = Files.createDirectories(dir.resolve("photos"));
    Files.writeString(foreign.resolve("holiday.jpg"), "not ours");
    for (String command : List.of("smooth", "fit")) {
      Result r = run(command, "--input", data.toString(), "--model", "conf/tracking.json", "--output", foreign.toString(),
          "--overwrite");
      assertEquals(2, r.code, r.err);
      assertEquals(1, r.err.strip().lines().count(), r.err);
      assertTrue(r.err.contains("was not written by statespace") && r.err.contains(foreign.toString()), r.err);
      assertEquals("not ours", Files.readString(foreign.resolve("holiday.jpg")));
    }
  }

  @Test
  void overwriteReplacesAPreviousOutputAndSweepsStaleStagingDirectories() throws IOException {
    Path data = data();
    Path out = dir.resolve("smoothed");
    Result first = run("smooth", "--input", data.toString(), "--model", "conf/tracking.json", "--output", out.toString());
    assertEquals(0, first.code, first.err);
    assertTrue(Files.isRegularFile(out.resolve("_STATESPACE")), "the marker is committed");

    long now = System.currentTimeMillis();
    Path stale = staging(".smoothed.tmp-killed", "host=elsewhere\npid=1\nprocess_start=1\nheartbeat=" + (now - 3_600_000L) + "\n");
    Path live = staging(".smoothed.tmp-running", "host=elsewhere\npid=1\nprocess_start=1\nheartbeat=" + now + "\n");
    Path unknown = staging(".smoothed.tmp-older-version", null);
    Result second = run("smooth", "--input", data.toString(), "--model", "conf/tracking.json", "--output", out.toString(),
        "--overwrite", "--engine", "sequential");
    assertEquals(0, second.code, second.err);
    assertFalse(Files.exists(stale), "a staging directory without a heartbeat for an hour is removed");
    assertTrue(Files.exists(live), "a concurrent run's staging directory is left alone");
    assertTrue(Files.exists(unknown), "one without a heartbeat file is left alone");
    assertTrue(Files.isRegularFile(out.resolve("_STATESPACE")));
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(2, s.filter(p -> p.getFileName().toString().startsWith(".smoothed.tmp-")).count(), "no staging of our own left");
    }
    assertEquals(2, textRows(out.resolve("states")).size(), "the replaced output holds the input's rows");
  }

  @Test
  void fitQuarantinesATrajectoryThatOverflowsAndFitsTheRest() throws IOException {
    Path good = dir.resolve("good.csv");
    Result sim = run("simulate", "--model", "conf/tracking.json", "--output", good.toString(), "--trajectories", "12",
        "--steps", "25", "--dt", "0.1", "--missing", "0.1", "--seed", "5", "--id-prefix", "trk-");
    assertEquals(0, sim.code, sim.err);
    Path all = dir.resolve("all.csv");
    StringBuilder text = new StringBuilder(Files.readString(good));
    int badRows = 7;
    for (int k = 0; k < badRows; k++) text.append("trk-05x,").append(0.1 * k).append(",1e200,-1e200\n");
    Files.writeString(all, text.toString());
    long rowsIn = Files.readAllLines(all).size() - 1;

    Path withBad = dir.resolve("fit-all");
    Path without = dir.resolve("fit-good");
    String[] common = {"--model", "conf/tracking.json", "--partitions", "1", "--tolerance", "1e-10", "--relative-tolerance", "0",
        "--max-iter", "200", "--no-standard-errors"};
    Result a = run(with(List.of("fit", "--input", all.toString(), "--output", withBad.toString()), common).toArray(new String[0]));
    assertEquals(0, a.code, a.err);
    Result b = run(with(List.of("fit", "--input", good.toString(), "--output", without.toString()), common).toArray(new String[0]));
    assertEquals(0, b.code, b.err);

    List<String[]> quarantine = textRows(withBad.resolve("quarantine"));
    assertEquals(badRows, quarantine.size(), "all the trajectory's rows, and nothing else, in quarantine/");
    for (String[] row : quarantine) {
      assertEquals("trk-05x", row[0]);
      assertEquals("nonfinite_loss", row[2]);
    }
    JsonNode report = new ObjectMapper().readTree(withBad.resolve("report.json").toFile());
    assertEquals(rowsIn, report.get("rows_in").asLong());
    assertEquals(rowsIn - badRows, report.get("rows_used").asLong());
    assertEquals(badRows, report.get("rows_quarantined").asLong());
    assertEquals(badRows, report.get("quarantine_by_reason").get("nonfinite_loss").asLong());
    assertEquals(12, report.get("trajectories").asLong());
    assertEquals(1, report.get("left_out_at_start").get("trajectories").asLong());
    assertEquals("trk-05x (nonfinite_loss)", report.get("left_out_at_start").get("ids").get(0).asText(), "named in report.json");

    JsonNode reference = new ObjectMapper().readTree(without.resolve("report.json").toFile());
    for (int i = 0; i < reference.get("parameters").size(); i++) {
      JsonNode p = report.get("parameters").get(i);
      double expected = reference.get("parameters").get(i).get("fitted").asDouble();
      assertEquals(expected, p.get("fitted").asDouble(), 1e-8 * Math.abs(expected), p.get("name").asText());
    }
  }

  @Test
  void fitRefusesACheckpointDirectoryOverTheInput() throws IOException {
    Path checkpoint = Files.createDirectories(dir.resolve(".fitted.checkpoint"));
    Path input = Files.writeString(checkpoint.resolve("in.csv"), "id,t,x,y\na,0,1,2\na,1,1.5,2.5\n");
    Result r = run("fit", "--input", input.toString(), "--model", "conf/tracking.json", "--output", dir.resolve("fitted").toString());
    assertEquals(2, r.code, r.err);
    assertTrue(r.err.contains("error: checkpoint directory ") && r.err.contains("contains the input " ), r.err);
    assertEquals("id,t,x,y\na,0,1,2\na,1,1.5,2.5\n", Files.readString(input));
  }

  @Test
  void fitEngineRefusesAnEngineTheOptimiserCannotUse() throws IOException {
    Path data = data();
    String out = dir.resolve("fitted").toString();
    Result r = run("fit", "--input", data.toString(), "--model", "conf/tracking.json", "--output", out, "--engine", "parallel");
    assertEquals(2, r.code, r.err);
    assertEquals("error: --engine: --optimizer lbfgs evaluates the loss and its exact gradient with the batched or the "
        + "sequential adjoint filter (auto = batched), got 'parallel'", r.err.strip());
    Path linear = dir.resolve("linear.json");
    Files.writeString(linear, "{\"family\": \"linear\", \"state_dim\": 1, \"obs_dim\": 1,"
        + " \"columns\": {\"id\": \"id\", \"time\": \"t\", \"observations\": [\"x\"]},"
        + " \"initial\": {\"mean\": [0], \"cov\": [[1]]}, \"dynamics\": {\"weights\": [[1]], \"cov\": [[0.1]]},"
        + " \"emissions\": {\"weights\": [[1]], \"cov\": [[0.5]]}, \"fit\": {\"free\": [\"dynamics.cov\"]}}");
    r = run("fit", "--input", data.toString(), "--model", linear.toString(), "--output", out, "--optimizer", "em", "--engine", "parallel");
    assertEquals(2, r.code, r.err);
    assertTrue(r.err.startsWith("error: --engine: EM's E-step runs batched or sequential"), r.err);
    assertFalse(SparkSession.getActiveSession().isDefined());
  }

  private Path staging(String name, String heartbeat) throws IOException {
    Path p = Files.createDirectories(dir.resolve(name));
    Files.writeString(p.resolve("part-00000.csv"), "left by a killed run");
    if (heartbeat != null) Files.writeString(p.resolve("_RUNNING"), heartbeat);
    return p;
  }

  /** The data rows of every CSV part under a written directory, split into id, time, reason_code and the rest. */
  private static List<String[]> textRows(Path written) throws IOException {
    List<String[]> rows = new ArrayList<>();
    try (Stream<Path> files = Files.list(written)) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList()) {
        List<String> lines = Files.readAllLines(f);
        for (String line : lines.subList(1, lines.size())) rows.add(line.split(",", 4));
      }
    }
    return rows;
  }
}
