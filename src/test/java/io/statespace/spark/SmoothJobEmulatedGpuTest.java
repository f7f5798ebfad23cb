package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.cli.Main;
import io.statespace.execution.ExecutionPolicy;
import io.statespace.testing.SparkTestSession;
import io.statespace.testing.TestGpu;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.collection.Seq;

/**
 * The user's path on a GPU, end to end: {@code smooth --backend gpu} through the command line, Spark's local
 * mode, the backend router, the JCuda engines and the kernels (on a real GPU, or on the CUDA emulator in
 * the gpu-emulated test run), writing what {@code --backend cpu} writes to 1e-9 relative. The input mixes
 * the bundled sample (100 trajectories: the batched kernel) with one simulated trajectory long enough for
 * the parallel scan, with missing observations and irregular time steps.
 */
class SmoothJobEmulatedGpuTest {
  @TempDir static Path dir;

  private static void run(String... args) {
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(err, true), args);
    assertEquals(0, code, String.join(" ", args) + ": " + err);
  }

  @Test
  void gpuBackendWritesWhatTheCpuBackendWrites() throws Exception {
    TestGpu.require();
    Path in = Files.createDirectories(dir.resolve("in"));
    Files.copy(Path.of("data-samples/tracking.csv"), in.resolve("tracking.csv"));
    run("simulate", "--model", "conf/tracking.json", "--output", in.resolve("long.csv").toString(), "--trajectories", "1",
        "--steps", String.valueOf(ExecutionPolicy.AUTO_MIN_PARALLEL_STEPS + 5), "--missing", "0.1", "--gap", "0.05",
        "--id-prefix", "long-", "--seed", "7");
    for (String backend : List.of("cpu", "gpu")) {
      run("smooth", "--input", in.toString(), "--format", "csv", "--model", "conf/tracking.json", "--output",
          dir.resolve(backend).toString(), "--output-format", "parquet", "--backend", backend, "--master", "local[2]");
    }
    assertEquals(Map.of("cpu", 101), report("cpu").get("trajectories_by_backend"));
    assertEquals(Map.of("gpu_batched", 100, "gpu_parallel", 1), report("gpu").get("trajectories_by_backend"));
    assertEquals(Map.of("batched", 101), report("cpu").get("trajectories_by_engine"));
    assertEquals(Map.of("gpu_batched", 100, "gpu_parallel", 1), report("gpu").get("trajectories_by_engine"));
    SparkSession spark = SparkTestSession.start("SmoothJobEmulatedGpuTest");
    try {
      for (String table : List.of("states", "summary")) {
        String[] order = table.equals("states") ? new String[] {"id", "t"} : new String[] {"id"};
        List<Row> cpu = read(spark, "cpu/" + table, order);
        List<Row> gpu = read(spark, "gpu/" + table, order);
        assertEquals(cpu.size(), gpu.size(), table + " rows");
        assertTrue(cpu.size() > 0, table + " is empty");
        Map<String, double[]> numeric = new TreeMap<>();
        StructField[] fields = cpu.get(0).schema().fields();
        for (int r = 0; r < cpu.size(); r++) {
          for (StructField f : fields) {
            String where = table + " row " + r + " (" + cpu.get(r).get(0) + ") column " + f.name();
            compare(cpu.get(r).getAs(f.name()), gpu.get(r).getAs(f.name()), table + "." + f.name(), where, numeric);
          }
        }
        for (Map.Entry<String, double[]> e : numeric.entrySet()) {
          double[] d = e.getValue();
          assertTrue(d[0] <= 1e-9 * d[1], e.getKey() + ": max |gpu - cpu| " + d[0] + " over max |cpu| " + d[1]);
        }
      }
    } finally {
      spark.stop();
    }
  }

  private static Map<?, ?> report(String backend) throws java.io.IOException {
    return new com.fasterxml.jackson.databind.ObjectMapper().readValue(dir.resolve(backend + "/report.json").toFile(),
        Map.class);
  }

  private static List<Row> read(SparkSession spark, String path, String[] order) {
    String first = order[0];
    String[] rest = java.util.Arrays.copyOfRange(order, 1, order.length);
    return spark.read().parquet(dir.resolve(path).toString()).orderBy(first, rest).collectAsList();
  }

  /**
   * Numbers go into the per-column (per array element) maxima of |gpu - cpu| and |cpu|, the project's measure
   * ‖a − b‖∞ / ‖b‖∞ (io.statespace.gpu.check.Compare): the parallel scan and the sequential filter round
   * differently, and an elementwise test would hold a velocity near zero to the rounding of positions in
   * the thousands. NaN must match NaN; everything else must be equal.
   */
  private static void compare(Object expected, Object actual, String key, String where, Map<String, double[]> numeric) {
    if (expected instanceof Double && actual instanceof Double) {
      double a = (Double) expected;
      double b = (Double) actual;
      assertEquals(Double.isNaN(a), Double.isNaN(b), where + ": cpu " + a + ", gpu " + b);
      if (Double.isNaN(a)) return;
      double[] d = numeric.computeIfAbsent(key, k -> new double[2]);
      d[0] = Math.max(d[0], Math.abs(a - b));
      d[1] = Math.max(d[1], Math.abs(a));
    } else if (expected instanceof Seq && actual instanceof Seq) {
      Seq<?> a = (Seq<?>) expected;
      Seq<?> b = (Seq<?>) actual;
      assertEquals(a.size(), b.size(), where);
      for (int i = 0; i < a.size(); i++) compare(a.apply(i), b.apply(i), key + "[" + i + "]", where + "[" + i + "]", numeric);
    } else {
      assertEquals(expected, actual, where);
    }
  }
}
