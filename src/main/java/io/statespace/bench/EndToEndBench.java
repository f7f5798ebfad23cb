package io.statespace.bench;

import io.statespace.execution.EngineChoice;
import io.statespace.model.spec.ModelSpec;
import io.statespace.spark.IoOnlyJob;
import io.statespace.spark.OutputChoice;
import io.statespace.spark.SmoothJob;
import io.statespace.spark.SmoothReport;
import io.statespace.spark.SmoothSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * {@code bench --end-to-end}: on the same input, session and machine, alternating, {@code runs} times each, the
 * {@code smooth} job with its full output and with {@code --covariances none}, and two {@link IoOnlyJob}s (read,
 * the same grouping, write): one writing the input's own columns, one writing rows of the schema and size of
 * {@code smooth}'s full states. Prints the median seconds of each and the two ratios the goals are set on
 * (docs/BENCHMARKS.md, "End to end"). A CSV input is also copied to Parquet once and measured again, so that
 * both input formats are reported.
 */
public final class EndToEndBench {
  private final String input;
  private final String format;
  private final ModelSpec spec;
  private final String workDir;
  private final String outputFormat;
  private final EngineChoice engine;
  private final int threads;
  private final int partitions;
  private final int runs;

  public EndToEndBench(String input, String format, ModelSpec spec, String workDir, String outputFormat,
      EngineChoice engine, int threads, int partitions, int runs) {
    this.input = input;
    this.format = format;
    this.spec = spec;
    this.workDir = workDir;
    this.outputFormat = outputFormat;
    this.engine = engine;
    this.threads = threads;
    this.partitions = partitions;
    this.runs = runs;
  }

  public void run(SparkSession spark, PrintStream out) throws IOException {
    FileSystem fs = new Path(workDir).getFileSystem(spark.sparkContext().hadoopConfiguration());
    String inFormat = format == null ? "csv" : format.toLowerCase(Locale.ROOT);
    measure(spark, fs, input, inFormat, out);
    if (inFormat.equals("csv")) {
      String parquet = workDir + "/input-parquet";
      fs.delete(new Path(parquet), true);
      IoOnlyJob.run(spark, input, "csv", parquet, "parquet", spec.columns(), partitions);
      out.println();
      measure(spark, fs, parquet, "parquet", out);
    }
  }

  private void measure(SparkSession spark, FileSystem fs, String in, String inFormat, PrintStream out)
      throws IOException {
    String outFormat = outputFormat == null ? "parquet" : outputFormat;
    String ioOut = workDir + "/io-only";
    String sameOut = workDir + "/io-only-same-size";
    String fullOut = workDir + "/smooth-full";
    String noneOut = workDir + "/smooth-none";
    int n = spec.model().stateDim();
    Timing io = new Timing(runs);
    Timing same = new Timing(runs);
    Timing full = new Timing(runs);
    Timing none = new Timing(runs);
    SmoothReport report = null;
    long fullBytes = 0;
    long noneBytes = 0;
    for (int r = 0; r < runs; r++) {
      report = full.time(r, () -> SmoothJob.run(spark, settings(in, inFormat, fullOut, outFormat, OutputChoice.FULL)));
      none.time(r, () -> SmoothJob.run(spark, settings(in, inFormat, noneOut, outFormat,
          new OutputChoice(OutputChoice.Covariances.NONE, true))));
      fullBytes = bytes(fs, fullOut + "/states");
      noneBytes = bytes(fs, noneOut + "/states");
      int randomCov = (int) Math.max(0, Math.min(2L * n * n, Math.round((fullBytes - noneBytes) / (8.0 * report.rowsOut))));
      fs.delete(new Path(ioOut), true);
      io.time(r, () -> IoOnlyJob.run(spark, in, inFormat, ioOut, outFormat, spec.columns(), partitions));
      fs.delete(new Path(sameOut), true);
      same.time(r, () -> IoOnlyJob.runSameSize(spark, in, inFormat, sameOut, outFormat, spec.columns(), partitions, n,
          OutputChoice.FULL, randomCov));
      out.printf(Locale.ROOT, "  run %d (wall s / cpu s): io-only %s, io-only same size %s, smooth full %s, smooth "
          + "--covariances none %s (%s)%n", r + 1, io.at(r), same.at(r), full.at(r), none.at(r),
          report.accountingLine());
    }
    out.println();
    out.printf(Locale.ROOT, "end to end, %d rows, %d trajectories, input %s (%s), output %s, %d cores, engine: %s%n",
        report.rowsIn, report.trajectories, in, inFormat, outFormat, Runtime.getRuntime().availableProcessors(),
        report.engine);
    out.printf(Locale.ROOT, "%-56s %9s %9s %11s %10s%n", "job", "wall s", "cpu s", "rows/wall s", "states MB");
    row(out, "io-only (read, group, write the input's columns)", io, report.rowsIn, bytes(fs, ioOut));
    row(out, "io-only, rows of the schema and size of smooth's", same, report.rowsIn, bytes(fs, sameOut));
    row(out, "smooth, full output (filter + RTS smoother)", full, report.rowsIn, fullBytes);
    row(out, "smooth --covariances none", none, report.rowsIn, noneBytes);
    out.printf(Locale.ROOT, "smooth full / io-only same size = %.2f wall, %.2f cpu (goal <= 1.25); smooth none / "
        + "io-only = %.2f wall, %.2f cpu (goal <= 1.5); medians of %d runs each%n", full.wall() / same.wall(),
        full.cpu() / same.cpu(), none.wall() / io.wall(), none.cpu() / io.cpu(), runs);
  }

  private SmoothSettings settings(String in, String inFormat, String output, String outFormat, OutputChoice choice) {
    return new SmoothSettings(in, inFormat, output, outFormat, spec, engine, threads, partitions, true)
        .withOutputs(choice);
  }

  private static void row(PrintStream out, String label, Timing t, long rows, long bytes) {
    out.printf(Locale.ROOT, "%-56s %9.1f %9.1f %11.3g %10.1f%n", label, t.wall(), t.cpu(), rows / t.wall(), bytes / 1e6);
  }

  /**
   * Wall-clock and CPU seconds of each run of one job. In local mode the executors are this JVM, so its
   * process CPU time is the work of the job whatever else loads the machine: the steadier figure on a
   * shared machine.
   */
  private static final class Timing {
    private final double[] wall;
    private final double[] cpu;

    Timing(int runs) {
      wall = new double[runs];
      cpu = new double[runs];
    }

    <T> T time(int run, Supplier<T> job) {
      long cpu0 = processCpuNanos();
      long wall0 = System.nanoTime();
      T result = job.get();
      wall[run] = (System.nanoTime() - wall0) / 1e9;
      cpu[run] = (processCpuNanos() - cpu0) / 1e9;
      return result;
    }

    String at(int run) {
      return String.format(Locale.ROOT, "%.1f / %.1f", wall[run], cpu[run]);
    }

    double wall() {
      return Measurement.median(wall);
    }

    double cpu() {
      return Measurement.median(cpu);
    }

    private static long processCpuNanos() {
      return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
          .getProcessCpuTime();
    }
  }

  /** Bytes of the data files under {@code dir} (Spark's hidden and marker files left out). */
  private static long bytes(FileSystem fs, String dir) throws IOException {
    List<Path> todo = new ArrayList<>(List.of(new Path(dir)));
    long total = 0;
    while (!todo.isEmpty()) {
      for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(todo.remove(todo.size() - 1))) {
        String name = st.getPath().getName();
        if (name.startsWith(".") || name.startsWith("_")) continue;
        if (st.isDirectory()) {
          todo.add(st.getPath());
        } else {
          total += st.getLen();
        }
      }
    }
    return total;
  }
}
