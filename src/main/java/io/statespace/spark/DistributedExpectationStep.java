package io.statespace.spark;

import io.statespace.data.Trajectory;
import io.statespace.learn.EmStatistics;
import io.statespace.learn.ExpectationEvaluator;
import io.statespace.learn.ExpectationMaximization;
import io.statespace.learn.ExpectationStep;
import io.statespace.learn.LinearExpectationMaximization;
import io.statespace.learn.LinearParameterization;
import java.util.Arrays;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;

/**
 * EM's E-step over every cached trajectory as one Spark job: broadcast θ, treeAggregate the sufficient
 * statistics (smoothed moments, lag-one cross-moments, log-likelihood and its Fisher-identity
 * gradient) over the blocks, each block smoothed in lockstep by the batched engine (or, with
 * {@code fit --engine sequential}, trajectory by trajectory by the sequential reference engine); the
 * M-step then runs on the driver.
 */
final class DistributedExpectationStep implements ExpectationStep {
  private final JavaSparkContext jsc;
  private final JavaRDD<TrajectoryBlock> blocks;
  private final Broadcast<ExpectationMaximization> parameterization;
  private final int depth;
  private final boolean lockstep;
  private final LongAccumulator engineNanos;

  DistributedExpectationStep(JavaSparkContext jsc, JavaRDD<TrajectoryBlock> blocks, LinearParameterization parameterization,
      int depth) {
    this(jsc, blocks, parameterization, depth, true);
  }

  /** @param lockstep smooth each block with the batched engine; false: one trajectory at a time, sequentially */
  DistributedExpectationStep(JavaSparkContext jsc, JavaRDD<TrajectoryBlock> blocks, LinearParameterization parameterization,
      int depth, boolean lockstep) {
    this(jsc, blocks, new LinearExpectationMaximization(parameterization), depth, lockstep);
  }

  /** The E-step of any family with EM ({@link io.statespace.family.Families#expectationMaximization}). */
  DistributedExpectationStep(JavaSparkContext jsc, JavaRDD<TrajectoryBlock> blocks, ExpectationMaximization parameterization,
      int depth, boolean lockstep) {
    this.jsc = jsc;
    this.blocks = blocks;
    this.parameterization = jsc.broadcast(parameterization);
    this.depth = depth;
    this.lockstep = lockstep;
    this.engineNanos = jsc.sc().longAccumulator("statespace E-step engine nanos");
  }

  /** Seconds spent smoothing inside the E-steps, summed over tasks, since the start (the fit's engine time under EM). */
  double engineSeconds() {
    return engineNanos.value() / 1e9;
  }

  @Override
  public EmStatistics expectation(double[] theta) {
    Broadcast<double[]> at = jsc.broadcast(theta.clone());
    Broadcast<ExpectationMaximization> param = parameterization;
    boolean batched = lockstep;
    LongAccumulator nanos = engineNanos;
    try {
      return blocks.treeAggregate(param.value().zero(), (stats, block) -> {
        long start = System.nanoTime();
        ExpectationEvaluator evaluator = new ExpectationEvaluator(param.value(), at.value(), true);
        if (batched) {
          evaluator.addAll(Arrays.asList(block.trajectories), stats);
        } else {
          for (Trajectory t : block.trajectories) evaluator.add(t, stats);
        }
        nanos.add(System.nanoTime() - start);
        return stats;
      }, EmStatistics::merge, depth);
    } finally {
      at.destroy();
    }
  }
}
