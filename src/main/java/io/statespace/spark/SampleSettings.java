package io.statespace.spark;

import io.statespace.model.DiffusePrior;
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
    String refusal = refusal(spec);
    if (refusal != null) throw new IllegalArgumentException(refusal);
    format = InputSource.normalizeFormat(format);
    outputFormat = InputSource.normalizeFormat(outputFormat);
  }

  /**
   * Why {@code spec} cannot be sampled (one line naming the key), or null: backward sampling needs a proper prior,
   * so an exact diffuse initial state ({@code initial.diffuse}) is refused.
   */
  public static String refusal(ModelSpec spec) {
    return spec != null && DiffusePrior.isDiffuse(spec.model())
        ? "initial.diffuse: sample needs a proper prior (initial.mean and initial.cov); draws from a diffuse initial"
            + " state are not defined"
        : null;
  }

  /** Settings for rows that arrive as a Dataset and leave as one (the library API). */
  public static SampleSettings forDataset(ModelSpec spec, int partitions, int draws, long seed) {
    return new SampleSettings(null, SmoothSettings.DATASET, null, SmoothSettings.DATASET, spec, partitions, false, draws,
        seed);
  }
}
