package io.statespace.spark;

import io.statespace.learn.StopRules;
import io.statespace.model.spec.ModelSpec;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Everything a {@code fit} run needs, validated before Spark starts. */
public final class FitSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The loss to minimise. */
  public enum Loss {
    NLL("nll"),
    PREDICTION("prediction");

    public final String key;

    Loss(String key) {
      this.key = key;
    }
  }

  /** The optimiser. */
  public enum Method {
    LBFGS("lbfgs"),
    ADAM("adam"),
    EM("em");

    public final String key;

    Method(String key) {
      this.key = key;
    }
  }

  final String input;
  final String format;
  final String output;
  final String outputFormat;
  final ModelSpec spec;
  final Loss loss;
  final Method method;
  final StopRules stopRules;
  final long seed;
  final double dropout;
  final boolean feedback;
  final double learningRate;
  final boolean resume;
  final boolean standardErrors;
  final int partitions;
  final boolean overwrite;
  final boolean curvature;

  /**
   * @param spec the model file with {@code fit.free} naming the free parameters
   * @param partitions trajectory partitions, or 0 for Spark's default parallelism
   * @param curvature also report the eigen-decomposition of the loss's Hessian at the optimum
   */
  public FitSettings(String input, String format, String output, String outputFormat, ModelSpec spec, Loss loss,
      Method method, StopRules stopRules, long seed, double dropout, boolean feedback, double learningRate,
      boolean resume, boolean standardErrors, int partitions, boolean overwrite, boolean curvature) {
    this.input = input;
    this.format = InputSource.normalizeFormat(format);
    this.output = output;
    this.outputFormat = InputSource.normalizeFormat(outputFormat);
    this.spec = spec;
    this.loss = loss;
    this.method = method;
    this.stopRules = stopRules;
    this.seed = seed;
    this.dropout = dropout;
    this.feedback = feedback;
    this.learningRate = learningRate;
    this.resume = resume;
    this.standardErrors = standardErrors;
    this.partitions = partitions;
    this.overwrite = overwrite;
    this.curvature = curvature;
  }

  /**
   * A hash of everything that determines the fit's path (not the stop rules, which a resumed run may
   * extend, nor the partitioning, which changes sums only by rounding): a checkpoint is only resumed into
   * the fit that wrote it.
   */
  String fingerprint() {
    String text = String.join("\n", spec.toJson(), loss.key, method.key, Long.toString(seed),
        Double.toString(dropout), Boolean.toString(feedback), Double.toString(learningRate), input, format);
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
