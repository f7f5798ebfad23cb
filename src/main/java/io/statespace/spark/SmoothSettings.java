package io.statespace.spark;

import io.statespace.execution.EngineChoice;
import io.statespace.model.spec.ModelSpec;
import java.io.Serializable;

/** Everything a {@code smooth} run needs, validated before Spark starts. */
public final class SmoothSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  final String input;
  final String format;
  final String output;
  final String outputFormat;
  final ModelSpec spec;
  final EngineChoice engine;
  final int threads;
  final int partitions;
  final boolean overwrite;
  final BackendRouter backend;
  /** What each state row carries ({@code --covariances}, {@code --no-filtered}); {@link OutputChoice#FULL} by default. */
  final OutputChoice outputs;
  /** Forecast rows appended to every trajectory ({@code --forecast-steps}, {@code --forecast-dt}); none by default. */
  final ForecastTimes forecast;

  /**
   * @param threads threads per task for the parallel engine (1 = none beyond the task's own)
   * @param partitions trajectory partitions, or 0 for Spark's default parallelism
   */
  public SmoothSettings(String input, String format, String output, String outputFormat, ModelSpec spec,
      EngineChoice engine, int threads, int partitions, boolean overwrite) {
    this(input, format, output, outputFormat, spec, engine, threads, partitions, overwrite, BackendRouter.of("auto"));
  }

  /**
   * @param backend {@code --backend}: auto, cpu or gpu
   */
  public SmoothSettings(String input, String format, String output, String outputFormat, ModelSpec spec,
      EngineChoice engine, int threads, int partitions, boolean overwrite, String backend) {
    this(input, format, output, outputFormat, spec, engine, threads, partitions, overwrite, BackendRouter.of(backend));
  }

  /**
   * Settings for rows that arrive as a Dataset and leave as Datasets (the library API): no input path or
   * output directory, whose fields stay null.
   *
   * @param backend auto, cpu or gpu
   */
  public static SmoothSettings forDataset(ModelSpec spec, EngineChoice engine, int threads, int partitions, String backend) {
    return new SmoothSettings(null, DATASET, null, DATASET, spec, engine, threads, partitions, false, BackendRouter.of(backend));
  }

  /** The format name of rows that were not read from files. */
  static final String DATASET = "dataset";

  SmoothSettings(String input, String format, String output, String outputFormat, ModelSpec spec,
      EngineChoice engine, int threads, int partitions, boolean overwrite, BackendRouter backend) {
    this.input = input;
    this.format = InputSource.normalizeFormat(format);
    this.output = output;
    this.outputFormat = InputSource.normalizeFormat(outputFormat);
    this.spec = spec;
    this.engine = engine;
    this.threads = threads;
    this.partitions = partitions;
    this.overwrite = overwrite;
    this.backend = backend;
    this.outputs = OutputChoice.FULL;
    this.forecast = ForecastTimes.NONE;
  }

  private SmoothSettings(SmoothSettings base, OutputChoice outputs) {
    this(base, outputs, base.forecast);
  }

  private SmoothSettings(SmoothSettings base, OutputChoice outputs, ForecastTimes forecast) {
    this.input = base.input;
    this.format = base.format;
    this.output = base.output;
    this.outputFormat = base.outputFormat;
    this.spec = base.spec;
    this.engine = base.engine;
    this.threads = base.threads;
    this.partitions = base.partitions;
    this.overwrite = base.overwrite;
    this.backend = base.backend;
    this.outputs = outputs;
    this.forecast = forecast;
  }

  /** These settings, writing {@code outputs} instead. */
  public SmoothSettings withOutputs(OutputChoice outputs) {
    return new SmoothSettings(this, java.util.Objects.requireNonNull(outputs, "outputs"));
  }

  public OutputChoice outputs() {
    return outputs;
  }

  /**
   * These settings, appending {@code forecast}'s rows to every trajectory. A forecast implies the predicted
   * outputs: on forecast rows {@code predicted_obs_mean}/{@code predicted_obs_cov} are the forecast.
   */
  public SmoothSettings withForecast(ForecastTimes forecast) {
    java.util.Objects.requireNonNull(forecast, "forecast");
    return new SmoothSettings(this, forecast.active() ? outputs.with(OutputChoice.Extra.PREDICTED) : outputs,
        forecast);
  }

  public ForecastTimes forecast() {
    return forecast;
  }
}
