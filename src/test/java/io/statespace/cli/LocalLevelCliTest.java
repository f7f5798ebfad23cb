package io.statespace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.ModelSpec;
import io.statespace.testing.CsvColumns;
import io.statespace.testing.LevelModels;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code local-level} family through the command line: simulate from it (missing values), smooth and read
 * the written CSV back against the sequential filter, fit its named parameters back with L-BFGS, and the
 * refusals (EM; simulate --gap, as the family has no dt) exit 2 with one line before Spark starts.
 */
class LocalLevelCliTest {
  @TempDir Path dir;

  private static String[] run(String... args) {
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(err, true), args);
    return new String[] {String.valueOf(code), err.toString()};
  }

  private Path modelFile(String name, double level, double measurement) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, LevelModels.file(level, measurement).replace("\"time\": \"time\"", "\"time\": \"t\""));
    return file;
  }

  private Path simulate(Path model, int trajectories, int steps) {
    Path data = dir.resolve("sim-" + trajectories + ".csv");
    String[] sim = run("simulate", "--model", model.toString(), "--output", data.toString(), "--trajectories",
        String.valueOf(trajectories), "--steps", String.valueOf(steps), "--dt", "0.5",
        "--missing", "0.1", "--seed", "5");
    assertEquals("0", sim[0], sim[1]);
    return data;
  }

  @Test
  void simulateSmoothWritesTheSequentialSmoother() throws Exception {
    Path model = modelFile("level.json", 0.3, 0.5);
    Path data = simulate(model, 12, 30);
    Map<String, List<double[]>> input = CsvColumns.rowsById(data, "t", "y");
    assertEquals(12, input.size());
    long missing = input.values().stream().flatMap(List::stream).filter(r -> Double.isNaN(r[1])).count();
    assertTrue(missing > 0, "the simulation left some values missing");
    Path out = dir.resolve("smoothed");
    String[] r = run("smooth", "--input", data.toString(), "--model", model.toString(), "--output", out.toString());
    assertEquals("0", r[0], r[1]);
    Map<String, Double> level = CsvColumns.written(out.resolve("states"), "smoothed_mean_0");
    assertEquals(12 * 30, level.size(), "rows in = rows out, counted in the written files");
    StateSpaceModel m = ModelSpec.read(model).model();
    SequentialEngine engine = new SequentialEngine();
    for (Map.Entry<String, List<double[]>> e : input.entrySet()) {
      List<double[]> rows = e.getValue();
      double[] times = rows.stream().mapToDouble(x -> x[0]).toArray();
      double[] y = rows.stream().mapToDouble(x -> x[1]).toArray();
      Posterior p = engine.smooth(m, new Trajectory(e.getKey(), times, y, 1), Outputs.MOMENTS);
      for (int t = 0; t < times.length; t++) {
        String key = e.getKey() + "@" + times[t];
        assertEquals(p.smoothedMeans()[t], level.get(key), 1e-9 * Math.max(1, Math.abs(level.get(key))), key);
      }
    }
  }

  @Test
  void fitWithLbfgsRecoversTheNamedParameters() throws Exception {
    Path truth = modelFile("truth.json", 0.3, 0.5);
    Path data = simulate(truth, 40, 60);
    Path start = modelFile("start.json", 0.8, 1.2);
    Path out = dir.resolve("fit");
    String[] r = run("fit", "--input", data.toString(), "--model", start.toString(), "--output", out.toString(),
        "--free", "level_std,measurement_std", "--optimizer", "lbfgs", "--no-standard-errors");
    assertEquals("0", r[0], r[1]);
    ModelSpec fitted = ModelSpec.read(out.resolve("model.json"));
    assertEquals("local-level", fitted.family());
    String json = fitted.toJson();
    assertClose(json, "level_std", 0.3, 0.15);
    assertClose(json, "measurement_std", 0.5, 0.1);
  }

  private static void assertClose(String json, String key, double truth, double relative) {
    String marker = "\"" + key + "\" : ";
    int at = json.indexOf(marker);
    assertTrue(at >= 0, json);
    int end = json.indexOf(',', at);
    double value = Double.parseDouble(json.substring(at + marker.length(), end).strip());
    assertTrue(Math.abs(value - truth) <= relative * truth, key + " = " + value + ", simulated with " + truth);
  }

  @Test
  void refusalsExitTwoWithOneLineBeforeSpark() throws Exception {
    Path model = modelFile("level.json", 0.3, 0.5);
    Path data = dir.resolve("in.csv");
    Files.writeString(data, "id,t,y\na,0,1\na,1,1.5\n");
    String[] em = run("fit", "--input", data.toString(), "--model", model.toString(), "--output",
        dir.resolve("o").toString(), "--free", "level_std", "--optimizer", "em");
    assertEquals("2", em[0], em[1]);
    assertEquals("error: --optimizer em: needs the linear family (closed-form M-steps); local-level has none",
        em[1].strip());
    String[] gap = run("simulate", "--model", model.toString(), "--output", dir.resolve("g.csv").toString(),
        "--gap", "0.2");
    assertEquals("2", gap[0], gap[1]);
    assertEquals("error: --gap: the model does not read dt from the time column, so skipped steps would not match it",
        gap[1].strip());
    assertFalse(Files.exists(dir.resolve("g.csv")), "nothing written for a refused run");
    assertFalse(SparkSession.getActiveSession().isDefined(), "no Spark session may start for a config error");
  }
}
