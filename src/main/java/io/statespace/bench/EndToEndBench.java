package io.statespace.bench;

import io.statespace.execution.EngineChoice;
import io.statespace.model.spec.ModelSpec;
import io.statespace.spark.IoOnlyJob;
import io.statespace.spark.SmoothJob;
import io.statespace.spark.SmoothReport;
import io.statespace.spark.SmoothSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * {@code bench --end-to-end}: the {@code smooth} job against {@link IoOnlyJob} (read, the same grouping, write the
 * same rows) on the same input, session and machine, alternating, {@code runs} times each; prints the median
 * seconds of each and their ratio, the cost of everything smooth does beyond moving the rows.
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
    double[] smooth = new double[runs];
    double[] io = new double[runs];
    String ioOut = workDir + "/io-only";
    String smoothOut = workDir + "/smooth";
    FileSystem fs = new Path(workDir).getFileSystem(spark.sparkContext().hadoopConfiguration());
    SmoothReport report = null;
    for (int r = 0; r < runs; r++) {
      fs.delete(new Path(ioOut), true);
      io[r] = IoOnlyJob.run(spark, input, format, ioOut, outputFormat, spec.columns(), partitions);
      out.printf(Locale.ROOT, "  io-only run %d: %.1f s%n", r + 1, io[r]);
      report = SmoothJob.run(spark, new SmoothSettings(input, format, smoothOut, outputFormat, spec, engine, threads,
          partitions, true));
      smooth[r] = report.seconds;
      out.printf(Locale.ROOT, "  smooth run %d: %.1f s (%s)%n", r + 1, smooth[r], report.accountingLine());
    }
    double s = Measurement.median(smooth);
    double i = Measurement.median(io);
    out.println();
    out.printf(Locale.ROOT, "end to end, %d rows, %d trajectories, input %s (%s), output %s, %d cores, engine: %s%n",
        report.rowsIn, report.trajectories, input, format, outputFormat, Runtime.getRuntime().availableProcessors(),
        report.engine);
    out.printf(Locale.ROOT, "%-46s %10s %14s%n", "job", "seconds", "rows/s");
    out.printf(Locale.ROOT, "%-46s %10.1f %14.3g%n", "io-only (read, group, write the same rows)", i, report.rowsIn / i);
    out.printf(Locale.ROOT, "%-46s %10.1f %14.3g%n", "smooth (filter + RTS smoother, 3 outputs)", s, report.rowsIn / s);
    out.printf(Locale.ROOT, "smooth / io-only = %.2f (median of %d runs each)%n", s / i, runs);
  }
}
