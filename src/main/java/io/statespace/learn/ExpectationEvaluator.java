package io.statespace.learn;

import io.statespace.data.Trajectory;
import io.statespace.execution.BlockRunner;
import io.statespace.execution.Engine;
import io.statespace.execution.EngineChoice;
import io.statespace.execution.Outcome;
import io.statespace.inference.InferenceException;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepParameters;
import java.util.List;

/**
 * EM's E-step for one trajectory at a time at one θ: the RTS smoother (with lag-one cross-covariances),
 * then the expected sufficient statistics ({@link EmStatistics}): the log-likelihood, optionally its gradient
 * by Fisher's identity from the same moments, the initial-state moments, and the family's own sums
 * ({@link ExpectationMaximization.MomentSums}). One instance per partition and thread.
 */
public final class ExpectationEvaluator {
  private final StateSpaceModel model;
  private final GradientChain chain;
  private final boolean withGradient;
  private final SequentialEngine engine = new SequentialEngine();
  private final BlockRunner batched = BlockRunner.cpu(EngineChoice.BATCHED, 1);
  private final FisherGradient fisher;
  private final ExpectationMaximization.MomentSums sums;
  private final int n;

  /** The linear family's E-step. */
  public ExpectationEvaluator(LinearParameterization parameterization, double[] theta, boolean withGradient) {
    this(new LinearExpectationMaximization(parameterization), theta, withGradient);
  }

  /**
   * @param withGradient also compute the Fisher-identity gradient (needs positive-definite Q, R, Sigma0)
   */
  public ExpectationEvaluator(ExpectationMaximization em, double[] theta, boolean withGradient) {
    this.model = em.parameterization().model(theta);
    this.chain = em.parameterization().chain(theta);
    this.withGradient = withGradient;
    this.sums = em.sums(model);
    n = model.stateDim();
    fisher = new FisherGradient(n, model.obsDim());
  }

  public StateSpaceModel model() {
    return model;
  }

  /** Adds one trajectory's statistics. A numerical failure is recorded in the statistics, not thrown. */
  public void add(Trajectory trajectory, EmStatistics stats) {
    Posterior post;
    try {
      post = engine.smooth(model, trajectory, Outputs.of(false, true));
    } catch (InferenceException ex) {
      stats.failures++;
      stats.trajectories++;
      if (stats.firstFailure == null) stats.firstFailure = ex.getMessage();
      return;
    }
    add(trajectory, post, stats);
    stats.trajectoriesByEngine.merge(Engine.SEQUENTIAL.label(), 1L, Long::sum);
  }

  /**
   * Adds the statistics of a block of trajectories smoothed together by the batched engine (many
   * trajectories in lockstep, several times the sequential engine's speed: docs/BENCHMARKS.md). Should the
   * batched engine fail numerically, {@link BlockRunner} smooths the trajectories it did not finish with the
   * sequential reference engine, logs each and labels it; the statistics count trajectories by engine.
   */
  public void addAll(List<Trajectory> block, EmStatistics stats) {
    for (Outcome o : batched.runBlock(model, block, Outputs.of(false, true))) {
      if (!o.ok()) {
        stats.failures++;
        stats.trajectories++;
        if (stats.firstFailure == null) stats.firstFailure = o.failure();
        continue;
      }
      add(o.trajectory(), o.posterior(), stats);
      stats.trajectoriesByEngine.merge(o.engineLabel(), 1L, Long::sum);
    }
  }

  private void add(Trajectory trajectory, Posterior post, EmStatistics stats) {
    add(trajectory, post, stats, true);
  }

  /**
   * Adds one segment's share of a long trajectory's statistics (docs/ARCHITECTURE.md §7.5): {@code local} is
   * the segment's rows followed by the first row of the next segment (none for the last segment), and
   * {@code post} the segmented smoother's moments over those rows (the last from the next segment), with the
   * lag-one cross-covariances and the segment's share of the log-likelihood. The segment owns its
   * observations and the transitions out of its rows (the last across the cut); only the first segment owns
   * the initial moments and counts the trajectory. The following row's observations are never used.
   */
  public void addSegment(Trajectory local, Posterior post, boolean first, EmStatistics stats) {
    add(local, post, stats, first);
  }

  private void add(Trajectory trajectory, Posterior post, EmStatistics stats, boolean first) {
    StepParameters params = model.bind(trajectory);
    stats.logLikelihood += post.logLikelihood();
    if (first) stats.trajectories++;
    if (withGradient) {
      try {
        chain.begin(trajectory);
        fisher.run(params, trajectory.id(), trajectory.observations(), post, chain, first);
        chain.end(stats.gradient);
      } catch (InferenceException ex) {
        stats.gradientFailures++;
      }
    } else {
      stats.gradientFailures++;
    }
    double[] sm = post.smoothedMeans();
    double[] sc = post.smoothedCovariances();
    for (int i = 0; first && i < n; i++) {
      stats.initMean[i] += sm[i];
      for (int j = 0; j < n; j++) stats.initSecond[i * n + j] += sc[i * n + j] + sm[i] * sm[j];
    }
    sums.add(trajectory, params, post, stats);
  }
}
