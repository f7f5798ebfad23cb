package io.statespace.learn;

import java.io.Serializable;
import java.util.Objects;

/**
 * A loss over trajectories as a function of θ, with its exact gradient: the serialisable description that
 * the Spark driver broadcasts. Workers turn it into a {@link LossEvaluator} per partition
 * ({@link #evaluator}), fold their trajectories into a {@link LossAccumulator} and the driver merges them.
 *
 * <ul>
 *   <li>{@link Kind#NEGATIVE_LOG_LIKELIHOOD}: −Σ_trajectories log p(Y | θ).
 *   <li>{@link Kind#PREDICTION}: one-step-ahead prediction error, Σ (H_t m_{t|t−1} + e_t − y_t)² over the
 *       observed components of every step (t = 0 included, predicted from the prior), divided by the
 *       number of such components over all trajectories. With dropout rate ρ each step is dropped with
 *       probability ρ ({@link DropoutMask}, keyed by (seed, id, step, epoch)): a dropped step is still
 *       scored against its true value but the filter does not see it, either predicting only
 *       (missing) or, with {@code feedback}, updating with its own prediction as the observation
 *       (y_O := ŷ: the covariance shrinks, the mean does not move).
 * </ul>
 *
 * <p>Gradients ({@link GradientMethod}): {@code ADJOINT} (the default) differentiates the filter in
 * reverse mode ({@link AdjointFilter}); {@code FISHER} (negative log-likelihood only) takes
 * E[∇ log p(X, Y) | Y] from the RTS smoother's moments and lag-one cross-covariances
 * ({@link FisherGradient}). Both are exact and agree to rounding (tested), at about the same cost (a
 * forward and a backward sweep). The adjoint is the default because it is the derivative of exactly the
 * function evaluated (the line search sees a consistent pair), it needs no inverse of Q_t, R_t or Sigma0
 * (singular Q_t at dt = 0 or a rank-deficient frozen Q are fine), and the same code serves both losses;
 * the Fisher form needs positive-definite noise covariances and serves as an independent check, and EM
 * uses it for its progress lines because it comes free with the E-step's smoother pass.
 */
public final class LossFunction implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Which loss; {@link #key()} is its name on the command line ({@code fit --loss}) and in report.json. */
  public enum Kind {
    NEGATIVE_LOG_LIKELIHOOD("nll"),
    PREDICTION("prediction");

    private final String key;

    Kind(String key) {
      this.key = key;
    }

    public String key() {
      return key;
    }
  }

  /** How the gradient is computed. */
  public enum GradientMethod {
    ADJOINT,
    FISHER
  }

  /**
   * Which filter evaluates a block: {@code SEQUENTIAL}, one trajectory at a time (the reference), or
   * {@code BATCHED}, the block's trajectories in lockstep lanes ({@link BlockLossEvaluator}), with the
   * covariance half run once per group of trajectories that share it; the same numbers to rounding (tested
   * at 1e-12 per component).
   */
  public enum Engine {
    SEQUENTIAL("sequential"),
    BATCHED("batched"),
    /** BATCHED without sharing the covariance half among trajectories that share it: for comparisons. */
    BATCHED_PER_LANE("batched_per_lane");

    private final String key;

    Engine(String key) {
      this.key = key;
    }

    /** The name in logs and report.json's {@code gradient_trajectories_by_engine}. */
    public String key() {
      return key;
    }
  }

  private final Parameterization parameterization;
  private final Kind kind;
  private final GradientMethod method;
  private final DropoutMask dropout;
  private final boolean feedback;
  private final Engine engine;

  private LossFunction(Parameterization parameterization, Kind kind, GradientMethod method, DropoutMask dropout,
      boolean feedback, Engine engine) {
    this.parameterization = Objects.requireNonNull(parameterization);
    this.kind = kind;
    this.method = method;
    this.dropout = dropout;
    this.feedback = feedback;
    this.engine = Objects.requireNonNull(engine);
  }

  /** The negative log-likelihood with the adjoint gradient. */
  public static LossFunction negativeLogLikelihood(Parameterization parameterization) {
    return negativeLogLikelihood(parameterization, GradientMethod.ADJOINT);
  }

  public static LossFunction negativeLogLikelihood(Parameterization parameterization, GradientMethod method) {
    return new LossFunction(parameterization, Kind.NEGATIVE_LOG_LIKELIHOOD, method, new DropoutMask(0.0, 0L), false,
        Engine.SEQUENTIAL);
  }

  /**
   * The one-step prediction loss.
   *
   * @param dropoutRate probability that a step is hidden from the filter, in [0, 1)
   * @param seed the run seed of the dropout masks
   * @param feedback true to update with the prediction at dropped steps, false to treat them as missing
   */
  public static LossFunction prediction(Parameterization parameterization, double dropoutRate, long seed,
      boolean feedback) {
    if (io.statespace.model.DiffusePrior.isDiffuse(parameterization.model(parameterization.initial()))) {
      throw new io.statespace.model.spec.ModelSpecException("initial.diffuse", "a model with a diffuse initial state is "
          + "fitted by its likelihood only (--loss nll): the prediction loss needs a proper initial state");
    }
    return new LossFunction(parameterization, Kind.PREDICTION, GradientMethod.ADJOINT,
        new DropoutMask(dropoutRate, seed), feedback, Engine.SEQUENTIAL);
  }

  public Parameterization parameterization() {
    return parameterization;
  }

  public Kind kind() {
    return kind;
  }

  public GradientMethod gradientMethod() {
    return method;
  }

  public DropoutMask dropout() {
    return dropout;
  }

  public boolean feedback() {
    return feedback;
  }

  /** The engine that evaluates blocks ({@link LossEvaluator#addAll}); SEQUENTIAL unless chosen. */
  public Engine engine() {
    return engine;
  }

  /** This loss evaluated by the given engine (the same function and gradient, to rounding). */
  public LossFunction withEngine(Engine chosen) {
    return new LossFunction(parameterization, kind, method, dropout, feedback, chosen);
  }

  /** True when the value depends on the epoch (dropout masks): optimisers that need a fixed function use epoch 0. */
  public boolean isStochastic() {
    return kind == Kind.PREDICTION && dropout.rate() > 0.0;
  }

  /** The zero value of the aggregation (cheap: no arrays until the first trajectory). */
  public LossAccumulator zero() {
    return new LossAccumulator(kind == Kind.PREDICTION, parameterization.size());
  }

  /**
   * A worker-side evaluator at θ: holds scratch space, so one per partition and thread.
   *
   * @param epoch selects the dropout masks (ignored without dropout)
   */
  public LossEvaluator evaluator(double[] theta, long epoch) {
    return new LossEvaluator(this, theta, epoch);
  }
}
