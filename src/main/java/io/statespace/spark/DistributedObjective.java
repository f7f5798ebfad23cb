package io.statespace.spark;

import io.statespace.data.Trajectory;
import io.statespace.learn.Evaluation;
import io.statespace.learn.LossAccumulator;
import io.statespace.learn.LossEvaluator;
import io.statespace.learn.LossFunction;
import io.statespace.learn.Objective;
import io.statespace.learn.StandardErrors;
import java.util.Arrays;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loss and its exact gradient over every cached trajectory, as one Spark job per evaluation (Spark
 * MLlib's pattern): broadcast θ, treeAggregate a {@link LossAccumulator} over the blocks (one evaluator
 * per block), destroy the broadcast. Only serialisable locals go into the closures. The time spent
 * inside evaluators is summed in an accumulator so that the driver can tell engine time from Spark
 * overhead.
 */
final class DistributedObjective implements Objective, StandardErrors.ScoredPoints {
  private static final Logger LOG = LoggerFactory.getLogger(DistributedObjective.class);

  private final JavaSparkContext jsc;
  private final JavaRDD<TrajectoryBlock> blocks;
  private final Broadcast<LossFunction> loss;
  private final int depth;
  private final LongAccumulator engineNanos;
  private long evaluations;
  private long passes;
  private Map<String, Long> lastByEngine = Map.of();

  DistributedObjective(JavaSparkContext jsc, JavaRDD<TrajectoryBlock> blocks, LossFunction loss, int depth) {
    this.jsc = jsc;
    this.blocks = blocks;
    this.loss = jsc.broadcast(loss);
    this.depth = depth;
    this.engineNanos = jsc.sc().longAccumulator("statespace engine nanos");
  }

  @Override
  public Evaluation evaluate(double[] theta) {
    return evaluate(theta, 0L);
  }

  @Override
  public Evaluation evaluate(double[] theta, long epoch) {
    return accumulate(theta, epoch).evaluation();
  }

  /** The merged accumulator at θ (loss sums, gradient sums, counts, failures). */
  LossAccumulator accumulate(double[] theta, long epoch) {
    Broadcast<double[]> at = jsc.broadcast(theta.clone());
    Broadcast<LossFunction> lossFunction = loss;
    LongAccumulator nanos = engineNanos;
    try {
      LossAccumulator total = blocks.treeAggregate(lossFunction.value().zero(), (acc, block) -> {
        long start = System.nanoTime();
        LossEvaluator evaluator = lossFunction.value().evaluator(at.value(), epoch);
        evaluator.addAll(Arrays.asList(block.trajectories), acc);
        nanos.add(System.nanoTime() - start);
        return acc;
      }, LossAccumulator::merge, depth);
      evaluations++;
      passes++;
      lastByEngine = total.trajectoriesByEngine();
      if (total.failures() > 0) {
        LOG.warn("{} trajectory evaluation(s) failed at this point (loss taken as +inf); first: {}", total.failures(),
            total.firstFailure());
      }
      return total;
    } finally {
      at.destroy();
    }
  }

  /**
   * The loss and gradient at several points in one distributed pass: each task evaluates its blocks at every
   * point (the blocks are read once, one Spark job instead of one per point). The standard errors' Hessian
   * takes all its 2p points this way.
   */
  @Override
  public Evaluation[] evaluateAll(double[][] thetas) {
    return evaluateAll(thetas, -1).evaluations();
  }

  /**
   * As {@link #evaluateAll(double[][])}, the accumulator of point {@code scored} also summing the outer products
   * of per-trajectory gradients ({@link LossAccumulator#withScores}) in the same treeAggregate; -1: none.
   */
  @Override
  public StandardErrors.Scored evaluateAll(double[][] thetas, int scored) {
    double[][] copy = new double[thetas.length][];
    for (int i = 0; i < thetas.length; i++) copy[i] = thetas[i].clone();
    Broadcast<double[][]> at = jsc.broadcast(copy);
    Broadcast<LossFunction> lossFunction = loss;
    LongAccumulator nanos = engineNanos;
    int count = thetas.length;
    LossAccumulator[] zero = new LossAccumulator[count];
    for (int i = 0; i < count; i++) zero[i] = i == scored ? lossFunction.value().zero().withScores() : lossFunction.value().zero();
    try {
      LossAccumulator[] total = blocks.treeAggregate(zero, (acc, block) -> {
        long start = System.nanoTime();
        for (int i = 0; i < acc.length; i++) {
          lossFunction.value().evaluator(at.value()[i], 0L).addAll(Arrays.asList(block.trajectories), acc[i]);
        }
        nanos.add(System.nanoTime() - start);
        return acc;
      }, (a, b) -> {
        for (int i = 0; i < a.length; i++) a[i].merge(b[i]);
        return a;
      }, depth);
      evaluations += count;
      passes++;
      Evaluation[] out = new Evaluation[count];
      for (int i = 0; i < count; i++) {
        out[i] = total[i].evaluation();
        if (total[i].failures() > 0) {
          LOG.warn("{} trajectory evaluation(s) failed at point {} of {} (loss taken as +inf); first: {}", total[i].failures(),
              i + 1, count, total[i].firstFailure());
        }
      }
      return new StandardErrors.Scored(out, scored >= 0 ? total[scored].scoreOuterProducts() : null);
    } finally {
      at.destroy();
    }
  }

  /** Distributed passes over the blocks so far (one per evaluation, one per {@link #evaluateAll}). */
  long passes() {
    return passes;
  }

  /** The last single-point evaluation's trajectories by the engine that evaluated them. */
  Map<String, Long> trajectoriesByEngine() {
    return lastByEngine;
  }

  /** Seconds spent inside evaluators, summed over tasks, since the start. */
  double engineSeconds() {
    return engineNanos.value() / 1e9;
  }

  long evaluations() {
    return evaluations;
  }

  void close() {
    loss.destroy();
  }
}
