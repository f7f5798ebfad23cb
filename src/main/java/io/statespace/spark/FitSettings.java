package io.statespace.spark;

import io.statespace.learn.LossFunction;
import io.statespace.learn.Parameterization;
import io.statespace.learn.StandardErrors;
import io.statespace.learn.StopRules;
import io.statespace.model.spec.ModelSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Everything a {@code fit} run needs, validated before Spark starts and built once: where it reads and
 * writes ({@link Paths}), the model file, the loss ({@link Objective}), the optimiser ({@link Search}) and
 * what else to compute ({@link Extras}). Immutable; {@code with...} methods give modified copies.
 */
public record FitSettings(Paths paths, ModelSpec spec, Objective objective, Search search, Extras extras) {
  public FitSettings {
    Objects.requireNonNull(paths);
    Objects.requireNonNull(spec);
    Objects.requireNonNull(objective);
    Objects.requireNonNull(search);
    Objects.requireNonNull(extras);
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

  /**
   * Where the fit reads and writes.
   *
   * @param partitions trajectory partitions, or 0 for Spark's default parallelism
   */
  public record Paths(String input, String format, String output, String outputFormat, int partitions, boolean overwrite) {
    public Paths {
      format = InputSource.normalizeFormat(format);
      outputFormat = InputSource.normalizeFormat(outputFormat);
    }
  }

  /**
   * The loss to minimise; dropout, seed and feedback shape the prediction loss only.
   *
   * @param dropout probability that a step is hidden from the filter, in [0, 1)
   * @param seed the run seed of the dropout masks
   */
  public record Objective(LossFunction.Kind loss, double dropout, long seed, boolean feedback) {
    /** The negative log-likelihood. */
    public static Objective likelihood() {
      return new Objective(LossFunction.Kind.NEGATIVE_LOG_LIKELIHOOD, 0.0, 0L, false);
    }

    /** The loss over θ of this parameterisation. */
    LossFunction function(Parameterization param) {
      return loss == LossFunction.Kind.NEGATIVE_LOG_LIKELIHOOD ? LossFunction.negativeLogLikelihood(param)
          : LossFunction.prediction(param, dropout, seed, feedback);
    }
  }

  /**
   * The optimiser, its stop rules and step size.
   *
   * @param learningRate Adam's step size in θ (ignored by the others)
   * @param smoother how a block is evaluated: {@link Smoother#BATCHED} (all its trajectories in lockstep: EM's
   *     E-step smoother, or the gradient-based optimisers' batched adjoint filter) or {@link Smoother#SEQUENTIAL}
   *     (one by one with the reference engine, or the sequential adjoint filter)
   */
  public record Search(Method method, StopRules stopRules, double learningRate, Smoother smoother) {
    public static Search lbfgs(StopRules stopRules) {
      return new Search(Method.LBFGS, stopRules, 0.05, Smoother.BATCHED);
    }
  }

  /** The engine behind each evaluation: what {@code fit --engine} chooses. */
  public enum Smoother {
    SEQUENTIAL,
    BATCHED
  }

  /**
   * What else to do besides the fit.
   *
   * @param resume continue from the checkpoint of a killed run
   * @param standardErrors compute standard errors from the observed information (likelihood only)
   * @param curvature report the eigen-decomposition of the loss's Hessian at the optimum
   * @param restart delete the checkpoint of an earlier run and start from the model file (without resume or
   *     restart, an existing checkpoint refuses the fit)
   * @param quarantineLimit the largest share of input rows the fit may quarantine and still run
   * @param standardErrorsKind the observed information ({@code oim}) or the cluster sandwich ({@code robust})
   */
  public record Extras(boolean resume, boolean standardErrors, boolean curvature, boolean restart,
      QuarantineLimit quarantineLimit, StandardErrors.Kind standardErrorsKind) {
    public Extras {
      Objects.requireNonNull(quarantineLimit);
      Objects.requireNonNull(standardErrorsKind);
      if (resume && restart) throw new IllegalArgumentException("--resume and --restart exclude each other");
    }

    /** With standard errors from the observed information. */
    public Extras(boolean resume, boolean standardErrors, boolean curvature, boolean restart, QuarantineLimit quarantineLimit) {
      this(resume, standardErrors, curvature, restart, quarantineLimit, StandardErrors.Kind.OIM);
    }

    /** These extras with the given kind of standard errors. */
    public Extras with(StandardErrors.Kind kind) {
      return new Extras(resume, standardErrors, curvature, restart, quarantineLimit, kind);
    }

    /** Neither restart nor a quarantine limit. */
    public Extras(boolean resume, boolean standardErrors, boolean curvature) {
      this(resume, standardErrors, curvature, false, QuarantineLimit.NONE);
    }

    public static Extras none() {
      return new Extras(false, false, false);
    }
  }

  /** A maximum-likelihood L-BFGS fit with the given stop rules, nothing extra: the starting point of {@code with...}. */
  public static FitSettings of(Paths paths, ModelSpec spec, StopRules stopRules) {
    return new FitSettings(paths, spec, Objective.likelihood(), Search.lbfgs(stopRules), Extras.none());
  }

  public FitSettings with(Objective o) {
    return new FitSettings(paths, spec, o, search, extras);
  }

  public FitSettings with(Search s) {
    return new FitSettings(paths, spec, objective, s, extras);
  }

  public FitSettings with(Extras e) {
    return new FitSettings(paths, spec, objective, search, e);
  }

  /**
   * A hash of everything that determines the fit's path (not the stop rules, which a resumed run may
   * extend, nor the partitioning, which changes sums only by rounding, nor EM's smoother, which agrees with
   * the other to rounding): a checkpoint is only resumed into the fit that wrote it.
   */
  String fingerprint() {
    String text = String.join("\n", spec.toJson(), objective.loss().key(), search.method().key, Long.toString(objective.seed()),
        Double.toString(objective.dropout()), Boolean.toString(objective.feedback()), Double.toString(search.learningRate()),
        paths.input(), paths.format());
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
