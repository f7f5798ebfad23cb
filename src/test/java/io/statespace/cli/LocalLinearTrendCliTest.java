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
import io.statespace.testing.TrendModels;
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
 * The {@code local-linear-trend} family through the command line: simulate from it (irregular times, missing
 * values), smooth with the batched engine and read the written CSV back against the sequential filter, fit its
 * named parameters back, and the refusals (EM, the GPU with dt from the data) exit 2 before Spark starts.
 */
class LocalLinearTrendCliTest {
  @TempDir Path dir;

  private static String[] run(String... args) {
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(err, true), args);
    return new String[] {String.valueOf(code), err.toString()};
  }

  private Path modelFile(String name, double dt, double level, double slope, double measurement) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, TrendModels.file(dt, level, slope, measurement).replace("\"time\": \"time\"", "\"time\": \"t\""));
    return file;
  }

  private Path simulate(Path model, int trajectories, int steps) {
    Path data = dir.resolve("sim-" + trajectories + ".csv");
    String[] sim = run("simulate", "--model", model.toString(), "--output", data.toString(), "--trajectories",
        String.valueOf(trajectories), "--steps", String.valueOf(steps), "--dt", "0.5", "--gap", "0.2",
        "--missing", "0.1", "--seed", "5");
    assertEquals("0", sim[0], sim[1]);
    return data;
  }

  @Test
  void simulateSmoothWithTheBatchedEngineMatchesTheSequentialFilter() throws Exception {
    Path model = modelFile("trend.json", Double.NaN, 0.3, 0.1, 0.5);
    Path data = simulate(model, 12, 30);
    Map<String, List<double[]>> input = CsvColumns.rowsById(data, "t", "y");
    assertEquals(12, input.size());
    Path out = dir.resolve("smoothed");
    String[] r = run("smooth", "--input", data.toString(), "--model", model.toString(), "--output", out.toString(),
        "--engine", "batched");
    assertEquals("0", r[0], r[1]);
    Map<String, Double> level = CsvColumns.written(out.resolve("states"), "smoothed_mean_0");
    Map<String, Double> slope = CsvColumns.written(out.resolve("states"), "smoothed_mean_1");
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
        assertEquals(p.smoothedMeans()[2 * t], level.get(key), 1e-9 * Math.max(1, Math.abs(level.get(key))), key);
        assertEquals(p.smoothedMeans()[2 * t + 1], slope.get(key), 1e-9 * Math.max(1, Math.abs(slope.get(key))), key);
      }
    }
  }

  @Test
  void fitRecoversTheNamedParametersOfSimulatedData() throws Exception {
    Path truth = modelFile("truth.json", Double.NaN, 0.3, 0.1, 0.5);
    Path data = simulate(truth, 40, 60);
    Path start = modelFile("start.json", Double.NaN, 0.6, 0.05, 1.0);
    Path out = dir.resolve("fit");
    String[] r = run("fit", "--input", data.toString(), "--model", start.toString(), "--output", out.toString(),
        "--free", "level_std,slope_std,measurement_std", "--no-standard-errors");
    assertEquals("0", r[0], r[1]);
    ModelSpec fitted = ModelSpec.read(out.resolve("model.json"));
    assertEquals("local-linear-trend", fitted.family());
    String json = fitted.toJson();
    assertClose(json, "level_std", 0.3, 0.25);
    assertClose(json, "slope_std", 0.1, 0.4);
    assertClose(json, "measurement_std", 0.5, 0.1);

    Path adam = dir.resolve("fit-adam");
    r = run("fit", "--input", data.toString(), "--model", start.toString(), "--output", adam.toString(),
        "--free", "level_std,measurement_std", "--loss", "prediction", "--optimizer", "adam", "--dropout", "0.1",
        "--max-iter", "3");
    assertEquals("0", r[0], r[1]);
    assertEquals("local-linear-trend", ModelSpec.read(adam.resolve("model.json")).family());
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
  void projectileScenarioNeedsAPlanarConstantVelocityModel() throws Exception {
    Path trend = modelFile("trend.json", 0.1, 0.3, 0.1, 0.5);
    String[] refused = run("simulate", "--model", trend.toString(), "--output", dir.resolve("p.csv").toString(),
        "--scenario", "projectile");
    assertEquals("2", refused[0], refused[1]);
    assertEquals("error: --scenario projectile: needs a 2-D constant-velocity model file (for dt, measurement_std and"
        + " columns)", refused[1].strip());
    Path data = dir.resolve("projectile.csv");
    String[] ok = run("simulate", "--model", "conf/projectile.json", "--output", data.toString(), "--scenario",
        "projectile", "--trajectories", "3", "--steps", "10");
    assertEquals("0", ok[0], ok[1]);
    assertEquals(1 + 3 * 10, Files.readAllLines(data).size());
  }

  @Test
  void refusalsExitTwoWithOneLineBeforeSpark() throws Exception {
    Path model = modelFile("trend.json", Double.NaN, 0.3, 0.1, 0.5);
    Path data = dir.resolve("in.csv");
    Files.writeString(data, "id,t,y\na,0,1\na,1,1.5\n");
    String[] em = run("fit", "--input", data.toString(), "--model", model.toString(), "--output",
        dir.resolve("o").toString(), "--free", "level_std", "--optimizer", "em");
    assertEquals("2", em[0], em[1]);
    assertEquals("error: --optimizer em: needs the linear family (closed-form M-steps); local-linear-trend has none",
        em[1].strip());
    String[] gpu = run("smooth", "--input", data.toString(), "--model", model.toString(), "--output",
        dir.resolve("o").toString(), "--backend", "gpu");
    assertEquals("2", gpu[0], gpu[1]);
    assertTrue(gpu[1].startsWith("error: --backend gpu: the local-linear-trend family: the GPU kernels cover constant step parameters"), gpu[1]);
    assertEquals(1, gpu[1].strip().lines().count(), gpu[1]);
    assertFalse(SparkSession.getActiveSession().isDefined(), "no Spark session may start for a config error");
  }
}
