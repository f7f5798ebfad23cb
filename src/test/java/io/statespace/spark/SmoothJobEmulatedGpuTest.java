package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.cli.Main;
import io.statespace.execution.ExecutionPolicy;
import io.statespace.testing.ElementwiseComparison;
import io.statespace.testing.SparkTestSession;
import io.statespace.testing.TestGpu;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * the parallel scan, with missing observations and irregular time steps. Numbers are compared per
 * element within each trajectory ({@link ElementwiseComparison}).
 */
class SmoothJobEmulatedGpuTest {
  private static final double TOLERANCE = 1e-9;
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
        Map<String, Map<String, List<double[][]>>> numeric = new TreeMap<>();
        StructField[] fields = cpu.get(0).schema().fields();
        for (int r = 0; r < cpu.size(); r++) {
          String id = String.valueOf(cpu.get(r).get(0));
          assertEquals(id, String.valueOf(gpu.get(r).get(0)), table + " row " + r + " id");
          for (StructField f : fields) {
            String where = table + " row " + r + " (" + id + ") column " + f.name();
            double[] c = numbers(cpu.get(r).getAs(f.name()));
            double[] g = numbers(gpu.get(r).getAs(f.name()));
            if (c == null || g == null) {
              assertEquals((Object) cpu.get(r).getAs(f.name()), gpu.get(r).getAs(f.name()), where);
              continue;
            }
            assertEquals(c.length, g.length, where + " length");
            for (int i = 0; i < c.length; i++) {
              assertEquals(Double.isNaN(c[i]), Double.isNaN(g[i]), where + "[" + i + "]: cpu " + c[i] + ", gpu " + g[i]);
              if (Double.isNaN(c[i])) c[i] = g[i] = 0.0;
            }
            numeric.computeIfAbsent(id, k -> new TreeMap<>()).computeIfAbsent(f.name(), k -> new ArrayList<>())
                .add(new double[][] {c, g});
          }
        }
        double worst = 0.0;
        for (Map.Entry<String, Map<String, List<double[][]>>> trajectory : numeric.entrySet()) {
          for (Map.Entry<String, List<double[][]>> column : trajectory.getValue().entrySet()) {
            worst = Math.max(worst, assertColumnClose(table + " '" + trajectory.getKey() + "' " + column.getKey(),
                column.getKey(), column.getValue()));
          }
        }
        System.out.printf("[SmoothJobEmulatedGpuTest] %s: worst per-element difference %.2e%n", table, worst);
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
   * One column of one trajectory, gpu against cpu per element: each array position (a state coordinate,
   * a covariance entry) is held to max(|cpu|, the RMS of that position over this trajectory's rows), a
   * covariance entry (j, k) at least to √(s_jj s_kk) ({@link ElementwiseComparison}). The scale never
   * crosses trajectories: the 10^5-step trajectory does not set it for the 100 short ones.
   */
  private static double assertColumnClose(String what, String column, List<double[][]> rows) {
    int width = rows.get(0)[0].length;
    double[] cpu = new double[rows.size() * width];
    double[] gpu = new double[rows.size() * width];
    for (int r = 0; r < rows.size(); r++) {
      System.arraycopy(rows.get(r)[0], 0, cpu, r * width, width);
      System.arraycopy(rows.get(r)[1], 0, gpu, r * width, width);
    }
    int n = (int) Math.round(Math.sqrt(width));
    double[] scales = column.endsWith("_cov") && n * n == width ? ElementwiseComparison.matrixScales(cpu, cpu, n)
        : ElementwiseComparison.rmsScales(cpu, width);
    return ElementwiseComparison.assertClose(what, gpu, cpu, scales, TOLERANCE);
  }

  /** A double or an array of doubles as an array (NaN kept); null for anything else. */
  private static double[] numbers(Object value) {
    if (value instanceof Double) return new double[] {(Double) value};
    if (!(value instanceof Seq)) return null;
    Seq<?> seq = (Seq<?>) value;
    double[] out = new double[seq.size()];
    for (int i = 0; i < out.length; i++) {
      Object v = seq.apply(i);
      if (!(v instanceof Double)) return null;
      out[i] = (Double) v;
    }
    return out;
  }
}
