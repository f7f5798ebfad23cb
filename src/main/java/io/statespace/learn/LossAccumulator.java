package io.statespace.learn;

import java.io.Serializable;

/**
 * Sums of one loss over trajectories, the Spark aggregator's value (in the manner of MLlib's
 * DifferentiableLossAggregator): the loss sum, its gradient in θ, and counts. {@link #merge} is
 * associative and commutative up to floating-point rounding, and the zero value holds no arrays, so
 * {@code treeAggregate(zero)(add, merge)} over any partitioning equals a local fold.
 *
 * <p>For the prediction loss the sum is the squared error and the total loss is SSE / scored components
 * over all trajectories; both parts are summed here, so the division happens once, after merging. For the
 * negative log-likelihood the total loss is the sum itself. A trajectory whose filter failed numerically
 * is counted and makes the total loss +∞ (an infeasible θ), with the first message kept for the report.
 *
 * <p>With {@link #withScores()} the accumulator also sums the outer products s_i s_iᵀ of the per-trajectory
 * gradients (the scores of the robust standard errors): each trajectory's gradient is added into a scratch
 * vector ({@link #gradientSums()}) and folded into the sum and the outer product when the trajectory is
 * counted ({@link #addTrajectory}), so the scores are exact, not differences of running sums.
 */
public final class LossAccumulator implements Serializable {
  private static final long serialVersionUID = 1L;

  private final boolean mean;
  private final int dimension;
  private double sum;
  private double[] gradient;
  private long trajectories;
  private long steps;
  private long components;
  private long failures;
  private String firstFailure;
  private long batchedTrajectories;
  private long sequentialTrajectories;
  private long fallbackTrajectories;
  private boolean scoring;
  private double[] score;
  private double[] outer;
  private long segmentedTrajectories;

  /**
   * @param meanOverComponents true for a loss divided by the scored components (prediction loss)
   * @param dimension p, the length of θ
   */
  public LossAccumulator(boolean meanOverComponents, int dimension) {
    this.mean = meanOverComponents;
    this.dimension = dimension;
  }

  /**
   * Makes this (empty) accumulator also sum the outer products of per-trajectory gradients; returns this.
   *
   * @throws IllegalStateException when something was added already
   */
  public LossAccumulator withScores() {
    if (trajectories > 0) throw new IllegalStateException("withScores() on an accumulator that holds trajectories");
    scoring = true;
    return this;
  }

  /** True when this accumulator sums per-trajectory scores ({@link #withScores()}). */
  boolean scoring() {
    return scoring;
  }

  /**
   * Adds one trajectory's loss; its gradient was added through {@link #gradientSums()} just before (with
   * scores, that gradient is this trajectory's score).
   */
  void addTrajectory(double loss, long stepCount, long componentCount) {
    if (scoring) foldScore();
    sum += loss;
    trajectories++;
    steps += stepCount;
    components += componentCount;
  }

  /**
   * Adds one segment's share of a long trajectory's loss (docs/ARCHITECTURE.md §7.5); only its first segment
   * counts the trajectory, under the engine label {@code segmented}.
   */
  void addSegment(double loss, long stepCount, long componentCount, boolean first) {
    sum += loss;
    steps += stepCount;
    components += componentCount;
    if (first) {
      trajectories++;
      segmentedTrajectories++;
    }
  }

  /** Records a segment of a long trajectory that failed numerically (the loss is then +∞). */
  public void addSegmentFailure(String message, boolean first) {
    failures++;
    if (first) trajectories++;
    if (firstFailure == null) firstFailure = message;
  }

  /** Records a trajectory that failed numerically. */
  void addFailure(String message) {
    if (score != null) java.util.Arrays.fill(score, 0.0);
    failures++;
    trajectories++;
    if (firstFailure == null) firstFailure = message;
  }

  /**
   * Where an evaluator adds the gradient of the trajectory it is about to count with {@link #addTrajectory}:
   * the gradient sum, allocated on first use; with scores, a scratch vector holding that one trajectory's
   * gradient.
   */
  double[] gradientSums() {
    if (scoring) {
      if (score == null) score = new double[dimension];
      return score;
    }
    return totals();
  }

  private double[] totals() {
    if (gradient == null) gradient = new double[dimension];
    return gradient;
  }

  /** Adds the scratch score into the gradient sum and its outer product into the score sum; clears it. */
  private void foldScore() {
    double[] g = totals();
    if (outer == null) outer = new double[dimension * dimension];
    if (score == null) return;
    for (int i = 0; i < dimension; i++) {
      double si = score[i];
      g[i] += si;
      if (si == 0.0) continue;
      for (int j = 0; j < dimension; j++) outer[i * dimension + j] += si * score[j];
    }
    java.util.Arrays.fill(score, 0.0);
  }

  /**
   * Σ_i s_i s_iᵀ over the trajectories counted (p×p, a fresh array; zeros when none), the scores being the
   * gradients of each trajectory's unnormalised loss.
   *
   * @throws IllegalStateException without {@link #withScores()}
   */
  public double[][] scoreOuterProducts() {
    if (!scoring) throw new IllegalStateException("scores were not summed (withScores() not called)");
    double[][] out = new double[dimension][dimension];
    if (outer != null) {
      for (int i = 0; i < dimension; i++) System.arraycopy(outer, i * dimension, out[i], 0, dimension);
    }
    return out;
  }

  /**
   * Counts trajectories by the engine that evaluated them: in lockstep lanes, one at a time with the
   * sequential adjoint (a tile too small for lockstep, or the sequential engine chosen), or sequentially
   * after the lockstep tile they were in failed numerically.
   */
  void countEngine(boolean batched, boolean afterBatchedFailure) {
    if (batched) {
      batchedTrajectories++;
    } else if (afterBatchedFailure) {
      fallbackTrajectories++;
    } else {
      sequentialTrajectories++;
    }
  }

  /**
   * Trajectories by the engine that evaluated them ({@code batched}, {@code sequential},
   * {@code sequential_after_batched_failure}, and {@code segmented}: a long trajectory in segments across
   * tasks), nonzero counts only, in that order.
   */
  public java.util.Map<String, Long> trajectoriesByEngine() {
    java.util.Map<String, Long> out = new java.util.LinkedHashMap<>();
    if (batchedTrajectories > 0) out.put("batched", batchedTrajectories);
    if (sequentialTrajectories > 0) out.put("sequential", sequentialTrajectories);
    if (fallbackTrajectories > 0) out.put("sequential_after_batched_failure", fallbackTrajectories);
    if (segmentedTrajectories > 0) out.put("segmented", segmentedTrajectories);
    return out;
  }

  /** Adds other into this; returns this. */
  public LossAccumulator merge(LossAccumulator other) {
    if (other.mean != mean || other.dimension != dimension || other.scoring != scoring) {
      throw new IllegalArgumentException("cannot merge accumulators of different losses");
    }
    sum += other.sum;
    if (other.gradient != null) {
      double[] g = totals();
      for (int i = 0; i < dimension; i++) g[i] += other.gradient[i];
    }
    if (other.outer != null) {
      if (outer == null) outer = new double[dimension * dimension];
      for (int i = 0; i < outer.length; i++) outer[i] += other.outer[i];
    }
    trajectories += other.trajectories;
    steps += other.steps;
    components += other.components;
    failures += other.failures;
    batchedTrajectories += other.batchedTrajectories;
    sequentialTrajectories += other.sequentialTrajectories;
    fallbackTrajectories += other.fallbackTrajectories;
    segmentedTrajectories += other.segmentedTrajectories;
    if (firstFailure == null) firstFailure = other.firstFailure;
    return this;
  }

  /** The total loss: the sum, or SSE / components for the prediction loss; +∞ after a failure. */
  public double loss() {
    if (failures > 0) return Double.POSITIVE_INFINITY;
    return mean ? sum / components : sum;
  }

  /** The gradient of {@link #loss()} in θ (a fresh array). */
  public double[] gradient() {
    double[] g = new double[dimension];
    if (gradient != null) {
      double scale = mean ? 1.0 / components : 1.0;
      for (int i = 0; i < dimension; i++) g[i] = gradient[i] * scale;
    }
    return g;
  }

  public Evaluation evaluation() {
    return new Evaluation(loss(), gradient());
  }

  /** The unnormalised sum (NLL, or SSE). */
  public double sum() {
    return sum;
  }

  public long trajectories() {
    return trajectories;
  }

  public long steps() {
    return steps;
  }

  /** Observed components (NLL) or scored components (prediction loss). */
  public long components() {
    return components;
  }

  public long failures() {
    return failures;
  }

  /** The first failure's message, or null. */
  public String firstFailure() {
    return firstFailure;
  }

  public int dimension() {
    return dimension;
  }
}
