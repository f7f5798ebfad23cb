package io.statespace.cli;

import io.statespace.spark.AtomicOutput;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Option;

/** Options shared by jobs that write an output directory and partition trajectories (smooth, fit). */
public final class OutputOptions {
  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Output directory (must not exist unless --overwrite).")
  String output;

  @Option(names = "--output-format", paramLabel = "F", description = "csv, parquet, json or orc (default: the input format).")
  String outputFormat;

  @Option(names = "--partitions", defaultValue = "0", paramLabel = "N", description = "Trajectory partitions (default: Spark's default parallelism).")
  int partitions;

  @Option(names = "--overwrite", description = "Replace an existing output directory that statespace wrote (never an input, nor any other directory).")
  boolean overwrite;

  /** The output format, validated: --output-format or else the input's. */
  String format(String inputFormat) {
    String f = outputFormat != null ? outputFormat.toLowerCase(Locale.ROOT) : inputFormat;
    InputOptions.checkFormat("--output-format", f);
    return f;
  }

  /**
   * Fails before Spark starts when --partitions is negative, the output overlaps one of the
   * {@code inputs}, or it exists and may not be replaced (see {@link AtomicOutput#checkTarget}).
   */
  void check(String... inputs) {
    if (partitions < 0) throw new ConfigException("--partitions must not be negative");
    AtomicOutput.checkTarget(output, overwrite, new Configuration(), inputs);
  }
}
