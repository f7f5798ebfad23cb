package io.statespace.cli;

import io.statespace.inference.EngineChoice;
import io.statespace.model.spec.ModelSpec;
import io.statespace.spark.AtomicOutput;
import io.statespace.spark.SmoothJob;
import io.statespace.spark.SmoothReport;
import io.statespace.spark.SmoothSettings;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code smooth}: filtered and smoothed states, covariances and log-likelihoods of every trajectory. */
@Command(name = "smooth", mixinStandardHelpOptions = true,
    description = "Filter and smooth every trajectory; write states/, summary/, quarantine/ and report.json.")
public final class SmoothCommand implements Callable<Integer> {
  @Mixin
  InputOptions in;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Output directory (must not exist unless --overwrite).")
  String output;

  @Option(names = "--output-format", paramLabel = "F", description = "csv, parquet, json or orc (default: the input format).")
  String outputFormat;

  @Option(names = "--engine", defaultValue = "auto", paramLabel = "E", description = "sequential, parallel, batched or auto (default: ${DEFAULT-VALUE}).")
  String engine;

  @Option(names = "--backend", defaultValue = "auto", paramLabel = "B", description = "auto, cpu or gpu (default: ${DEFAULT-VALUE}).")
  String backend;

  @Option(names = "--threads", defaultValue = "0", paramLabel = "N", description = "Threads per task for the parallel engine (default: spark.task.cpus).")
  int threads;

  @Option(names = "--partitions", defaultValue = "0", paramLabel = "N", description = "Trajectory partitions (default: Spark's default parallelism).")
  int partitions;

  @Option(names = "--overwrite", description = "Replace an existing output directory.")
  boolean overwrite;

  @Override
  public Integer call() {
    ModelSpec spec = in.spec();
    String format = in.format();
    InputOptions.checkFormat("--format", format);
    String outFormat = outputFormat != null ? outputFormat.toLowerCase(java.util.Locale.ROOT) : format;
    InputOptions.checkFormat("--output-format", outFormat);
    EngineChoice choice;
    try {
      choice = EngineChoice.parse(engine);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    String backendOption = Backends.forSmooth(backend, spec.model(), in.master);
    if (threads < 0 || partitions < 0) throw new ConfigException("--threads and --partitions must not be negative");
    AtomicOutput.checkTarget(output, overwrite, new Configuration());
    SparkSession spark = SparkSessions.start("statespace smooth", in.master);
    try {
      int taskThreads = threads > 0 ? threads : spark.sparkContext().getConf().getInt("spark.task.cpus", 1);
      SmoothSettings settings = new SmoothSettings(in.input, format, output, outFormat, spec, choice, taskThreads,
          partitions, overwrite, backendOption);
      SmoothReport report = SmoothJob.run(spark, settings);
      System.out.println("smooth: " + report.accountingLine());
      System.out.println("smooth: wrote " + report.output + " in " + String.format("%.1f", report.seconds) + " s");
      return 0;
    } finally {
      spark.stop();
    }
  }
}
