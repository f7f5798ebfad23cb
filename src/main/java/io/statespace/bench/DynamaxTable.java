package io.statespace.bench;

import io.statespace.data.Trajectory;
import io.statespace.inference.Outputs;
import io.statespace.inference.batched.BatchedEngine;
import io.statespace.inference.parallel.ParallelEngine;
import io.statespace.inference.sequential.SequentialEngine;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The timing table of dynamax's "Parallel filtering and smoothing in an LG-SSM" notebook, on CPU: the serial
 * smoother (our sequential engine) against the parallel-in-time smoother (our parallel engine on every core)
 * for one trajectory of T = 100, 1,000, 10,000 and 100,000 steps of the same tracking model, with the speed-up
 * serial / parallel, and our fastest serial path (the batched engine's scalar lane) beside them; written as a
 * table, a CSV and (with XChart on the classpath) a PNG of the speed-up curve.
 */
public final class DynamaxTable {
  static final int[] LENGTHS = {100, 1_000, 10_000, 100_000};

  private final int threads;
  private final int runs;
  private final double warmupSeconds;

  public DynamaxTable(int threads, int runs, double warmupSeconds) {
    this.threads = threads;
    this.runs = runs;
    this.warmupSeconds = warmupSeconds;
  }

  public void run(PrintStream out, Path directory) throws IOException {
    BenchModel bench = new BenchModel();
    double[] serial = new double[LENGTHS.length];
    double[] parallel = new double[LENGTHS.length];
    double[] batchedSeconds = new double[LENGTHS.length];
    SequentialEngine sequential = new SequentialEngine();
    BatchedEngine batched = new BatchedEngine();
    try (ParallelEngine scan = new ParallelEngine(threads)) {
      for (int i = 0; i < LENGTHS.length; i++) {
        Trajectory tr = bench.simulate(1, LENGTHS[i], 3).get(0);
        out.printf(Locale.ROOT, "  measuring T = %d ...%n", LENGTHS[i]);
        Measurement[] measured = Measurement.interleaved(List.of(
            () -> last(sequential.smooth(bench.model(), tr, Outputs.MOMENTS).smoothedMeans()),
            () -> last(scan.smooth(bench.model(), tr, Outputs.MOMENTS).smoothedMeans()),
            () -> last(batched.smooth(bench.model(), tr, Outputs.MOMENTS).smoothedMeans())), 2, warmupSeconds, runs);
        serial[i] = measured[0].medianSeconds;
        parallel[i] = measured[1].medianSeconds;
        batchedSeconds[i] = measured[2].medianSeconds;
      }
    }
    out.println();
    out.printf(Locale.ROOT, "dynamax notebook table on CPU (%d cores; parallel engine on %d threads), seconds per smoother call%n",
        Runtime.getRuntime().availableProcessors(), threads);
    out.printf(Locale.ROOT, "%8s | %12s | %12s | %8s | %16s%n", "T", "serial s", "parallel s", "speed-up",
        "batched serial s");
    StringBuilder csv = new StringBuilder("steps,serial_seconds,parallel_seconds,speedup,batched_seconds\n");
    double[] x = new double[LENGTHS.length];
    double[] speedup = new double[LENGTHS.length];
    for (int i = 0; i < LENGTHS.length; i++) {
      x[i] = LENGTHS[i];
      speedup[i] = serial[i] / parallel[i];
      out.printf(Locale.ROOT, "%8d | %12.3e | %12.3e | %8.2f | %16.3e%n", LENGTHS[i], serial[i], parallel[i], speedup[i],
          batchedSeconds[i]);
      csv.append(String.format(Locale.ROOT, "%d,%.6e,%.6e,%.4f,%.6e%n", LENGTHS[i], serial[i], parallel[i], speedup[i],
          batchedSeconds[i]));
    }
    Files.createDirectories(directory);
    Files.writeString(directory.resolve("dynamax-table.csv"), csv);
    ChartWriter charts = Peers.charts();
    if (charts == null) {
      out.println("note: XChart is not on the classpath; no PNG (run jobs/bench.sh)");
      return;
    }
    Map<String, double[]> series = new LinkedHashMap<>();
    series.put("serial / parallel (" + threads + " threads)", speedup);
    double[] evens = new double[LENGTHS.length];
    java.util.Arrays.fill(evens, 1.0);
    series.put("break-even", evens);
    Path png = directory.resolve("dynamax-speedup.png");
    charts.writeLines(png, "Parallel vs serial RTS smoother on CPU", "T (steps)", "speed-up", x, series, true, false);
    out.println("wrote " + png + " and " + directory.resolve("dynamax-table.csv"));
  }

  private static double last(double[] a) {
    return a[a.length - 1];
  }
}
