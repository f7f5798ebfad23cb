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
  }
}
