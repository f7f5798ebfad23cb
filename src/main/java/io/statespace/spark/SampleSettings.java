package io.statespace.spark;

import io.statespace.model.spec.ModelSpec;
import java.io.Serializable;

/**
 * Everything a {@code sample} run needs, validated before Spark starts. The input, format, partition and output
 * fields mean what {@link SmoothSettings}' do.
 *
 * @param input the input path (null for a Dataset)
 * @param output the output directory (null for a Dataset)
 * @param partitions trajectory partitions, 0 for Spark's default parallelism
 * @param draws K, the draws per trajectory (at least 1)
 * @param seed the run's seed: draw d of trajectory k depends on (seed, k's key, d) only
 */
public record SampleSettings(String input, String format, String output, String outputFormat, ModelSpec spec,
    int partitions, boolean overwrite, int draws, long seed) implements Serializable {
  public SampleSettings {
    if (draws < 1) throw new IllegalArgumentException("--draws must be at least 1, got " + draws);
    if (partitions < 0) throw new IllegalArgumentException("--partitions must not be negative");
    format = InputSource.normalizeFormat(format);
    outputFormat = InputSource.normalizeFormat(outputFormat);
  }

  /** Settings for rows that arrive as a Dataset and leave as one (the library API). */
  public static SampleSettings forDataset(ModelSpec spec, int partitions, int draws, long seed) {
    return new SampleSettings(null, SmoothSettings.DATASET, null, SmoothSettings.DATASET, spec, partitions, false, draws,
        seed);
  }
}
