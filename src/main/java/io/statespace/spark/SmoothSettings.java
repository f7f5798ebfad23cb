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
