package io.statespace.cli;

import io.statespace.execution.EngineChoice;
import io.statespace.model.spec.ModelSpec;
import io.statespace.spark.ForecastTimes;
import io.statespace.spark.OutputChoice;
import io.statespace.spark.SegmentSteps;
import io.statespace.spark.SmoothJob;
import io.statespace.spark.SmoothReport;
import io.statespace.spark.SmoothSettings;
import java.util.concurrent.Callable;
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

  @Mixin
  OutputOptions out;

  @Mixin
  QuarantineOption quarantine;

  @Option(names = "--engine", defaultValue = "auto", paramLabel = "E", description = "sequential, parallel, batched or auto (default: ${DEFAULT-VALUE}).")
  String engine;

  @Option(names = "--backend", defaultValue = "auto", paramLabel = "B", description = "auto, cpu or gpu (default: ${DEFAULT-VALUE}).")
  String backend;

  @Option(names = "--threads", defaultValue = "0", paramLabel = "N", description = "Threads per task for the parallel engine (default: spark.task.cpus).")
  int threads;

  @Option(names = "--segment-steps", defaultValue = "auto", paramLabel = "S", description = "Longest trajectory smoothed in one task; longer ones are cut into segments across tasks: a number of steps, or auto (from executor memory; default: ${DEFAULT-VALUE}).")
  String segmentSteps;

  @Option(names = "--covariances", defaultValue = "full", paramLabel = "C", description = "With each mean: full (n×n covariance), std (square roots of its diagonal) or none (default: ${DEFAULT-VALUE}).")
  String covariances;

  @Option(names = "--no-filtered", description = "Write the smoothed moments only, not the filtered ones.")
  boolean noFiltered;

  @Option(names = "--forecast-steps", defaultValue = "0", paramLabel = "H", description = "Append H forecast rows per trajectory after its last time (column forecast = true; default: ${DEFAULT-VALUE}).")
  int forecastSteps;

  @Option(names = "--forecast-dt", paramLabel = "SECONDS", description = "Seconds between forecast rows (default: the model's fixed dt; required without one).")
  String forecastDt;

  @Option(names = "--outputs", defaultValue = "", paramLabel = "LIST", description = "Opt-in outputs, a comma list of: predicted (one-step predicted state and observation, innovation, standardized_innovation), smoothed_obs (smoothed observation mean and standard deviations), diagnostics (summary: observed, mean_nis, ljung_box, ljung_box_pvalue, ljung_box_lag).")
  String extraOutputs;

  @Override
  public Integer call() {
    ModelSpec spec = in.spec();
    String format = in.format();
    InputOptions.checkFormat("--format", format);
    String outFormat = out.format(format);
    EngineChoice choice;
    try {
      choice = EngineChoice.parse(engine);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    String backendOption = Backends.forSmooth(backend, spec.model(), in.master);
    if (threads < 0) throw new ConfigException("--threads must not be negative");
    io.statespace.spark.QuarantineLimit limit = quarantine.limit();
    SegmentSteps segments;
    OutputChoice outputs;
    ForecastTimes forecast;
    try {
      segments = SegmentSteps.parse(segmentSteps);
      forecast = ForecastTimes.of(forecastSteps, forecastDt, spec, "--forecast-steps", "--forecast-dt");
      outputs = OutputChoice.parse(covariances, noFiltered).withOutputs(extraOutputs);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    out.check(in.input, in.modelUri());
    SparkSession spark = SparkSessions.start("statespace smooth", in.master);
    try {
      int taskThreads = threads > 0 ? threads : spark.sparkContext().getConf().getInt("spark.task.cpus", 1);
      SmoothSettings settings = new SmoothSettings(in.input, format, out.output, outFormat, spec, choice, taskThreads,
          out.partitions, out.overwrite, backendOption).withOutputs(outputs).withForecast(forecast);
      SmoothReport report = SmoothJob.run(spark, settings, limit, segments);
      System.out.println("smooth: " + report.accountingLine());
      System.out.println("smooth: wrote " + report.output + " in " + String.format("%.1f", report.seconds) + " s");
      return 0;
    } finally {
      SparkSessions.stop(spark);
    }
  }
}
