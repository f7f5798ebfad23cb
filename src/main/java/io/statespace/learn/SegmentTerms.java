package io.statespace.learn;

import io.statespace.data.Trajectory;
import io.statespace.inference.InferenceException;
import io.statespace.inference.Posterior;
import io.statespace.inference.parallel.Moments;
import io.statespace.inference.parallel.SegmentPasses;
import io.statespace.inference.parallel.SegmentWindow;
import io.statespace.inference.parallel.SegmentedSmoother;
import io.statespace.model.StateSpaceModel;
import java.util.Arrays;
import java.util.List;

/**
 * The fit's local terms of one segment of a long trajectory (docs/ARCHITECTURE.md §7.5): pass 3 of the
 * segmented smoother (the RTS smoother over the segment from the smoothed moments after it, with the lag-one
 * cross-covariances), then the segment's share of the negative log-likelihood and of its Fisher-identity
 * gradient ({@link FisherGradient}), or of EM's sufficient statistics ({@link ExpectationEvaluator}). A
 * segment owns its observations and the transitions out of its rows, the last one across the cut into the
 * next segment; the first segment also owns the initial moments. Summed over the segments, the terms are
 * the one-task terms of the whole trajectory up to rounding (tested at 1e-9 per component).
 *
 * <p>The gradient is Fisher's, whatever {@link LossFunction#gradientMethod()} says: the adjoint needs the whole
 * trajectory's tape in one task, and Fisher's identity on the segmented smoother is the exact gradient of the
 * same log-likelihood. Worker-side scratch at one θ: one instance per task, never serialised.
 */
public final class SegmentTerms {
  /** The engine label of a trajectory evaluated in segments (report.json's trajectories by engine). */
  public static final String ENGINE = "segmented";

  private final StateSpaceModel model;
  private final SegmentPasses passes;
  private final GradientChain chain;
  private final FisherGradient fisher;
  private final ExpectationEvaluator expectation;

  private SegmentTerms(StateSpaceModel model, GradientChain chain, ExpectationEvaluator expectation) {
    this.model = model;
    this.passes = new SegmentPasses(model);
    this.chain = chain;
    this.fisher = chain == null ? null : new FisherGradient(model.stateDim(), model.obsDim());
    this.expectation = expectation;
  }

  /** True for the losses a long trajectory can be evaluated in segments for: the negative log-likelihood. */
  public static boolean supports(LossFunction loss) {
    return loss.kind() == LossFunction.Kind.NEGATIVE_LOG_LIKELIHOOD;
  }

  /** The negative log-likelihood and its gradient at θ. */
  public static SegmentTerms ofLoss(LossFunction loss, double[] theta) {
    if (!supports(loss)) throw new IllegalArgumentException("only the negative log-likelihood is evaluated in segments");
    Parameterization p = loss.parameterization();
    return new SegmentTerms(p.model(theta), p.chain(theta), null);
  }

  /** EM's sufficient statistics (with the Fisher-identity gradient) at θ. */
  public static SegmentTerms ofExpectation(LinearParameterization parameterization, double[] theta) {
    ExpectationEvaluator e = new ExpectationEvaluator(parameterization, theta, true);
    return new SegmentTerms(e.model(), null, e);
  }

  /** The model at θ. */
  public StateSpaceModel model() {
    return model;
  }

  /** Passes 1 and 2 of the segmented smoother under the model at θ. */
  public SegmentPasses passes() {
    return passes;
  }

  /** Adds the segment's loss and gradient; a numerical failure is recorded (the loss is then +∞), not thrown. */
  public void addLoss(SegmentPasses.Forward f, Moments after, LossAccumulator accumulator) {
    SegmentWindow w = f.window();
    try {
      Posterior post = spanning(f, after);
      Trajectory local = local(w);
      chain.begin(local);
      fisher.run(model.bind(local), local.id(), local.observations(), post, chain, w.first());
      chain.end(accumulator.gradientSums());
      accumulator.addSegment(-f.logLikelihood(), w.length(), observed(local), w.first());
    } catch (InferenceException e) {
      accumulator.addSegmentFailure(e.getMessage(), w.first());
    }
  }

  /** Adds the segment's sufficient statistics; a numerical failure is recorded in them, not thrown. */
  public void addStatistics(SegmentPasses.Forward f, Moments after, EmStatistics stats) {
    SegmentWindow w = f.window();
    Posterior post;
    try {
      post = spanning(f, after);
    } catch (InferenceException e) {
      fail(stats, e.getMessage(), w.first());
      return;
    }
    expectation.addSegment(local(w), post, w.first(), stats);
    if (w.first()) stats.trajectoriesByEngine.merge(ENGINE, 1L, Long::sum);
  }

  /** Records a long trajectory whose segments failed on the driver (a scan or the forward check). */
  public static void fail(EmStatistics stats, String message) {
    fail(stats, message, true);
  }

  private static void fail(EmStatistics stats, String message, boolean first) {
    stats.failures++;
    if (first) stats.trajectories++;
    if (stats.firstFailure == null) stats.firstFailure = message;
  }

  /**
   * The loss of {@code trajectory} cut at {@code cuts}, evaluated segment by segment in this process: the
   * reference the distributed fit is held to. A failed scan or check is recorded as a failure.
   */
  public static LossAccumulator loss(LossFunction loss, double[] theta, Trajectory trajectory, int[] cuts) {
    SegmentTerms terms = ofLoss(loss, theta);
    LossAccumulator acc = loss.zero();
    SegmentedSmoother.Scanned scanned;
    try {
      scanned = SegmentedSmoother.scan(terms.model, trajectory, cuts);
    } catch (InferenceException e) {
      acc.addSegmentFailure(e.getMessage(), true);
      return acc;
    }
    List<SegmentPasses.Forward> forwards = scanned.forwards();
    for (int j = 0; j < forwards.size(); j++) terms.addLoss(forwards.get(j), scanned.after()[j], acc);
    return acc;
  }

  /** EM's statistics of {@code trajectory} cut at {@code cuts}, segment by segment in this process. */
  public static EmStatistics expectation(LinearParameterization parameterization, double[] theta, Trajectory trajectory,
      int[] cuts) {
    SegmentTerms terms = ofExpectation(parameterization, theta);
    EmStatistics stats = EmStatistics.zero(parameterization);
    SegmentedSmoother.Scanned scanned;
    try {
      scanned = SegmentedSmoother.scan(terms.model, trajectory, cuts);
    } catch (InferenceException e) {
      fail(stats, e.getMessage());
      return stats;
    }
    List<SegmentPasses.Forward> forwards = scanned.forwards();
    for (int j = 0; j < forwards.size(); j++) terms.addStatistics(forwards.get(j), scanned.after()[j], stats);
    return stats;
  }

  /**
   * Pass 3 as a posterior over the segment's rows and, except for the last segment, the next segment's first
   * row: the smoothed moments, the lag-one cross-covariances between consecutive rows, and the segment's
   * share of the log-likelihood.
   */
  private Posterior spanning(SegmentPasses.Forward f, Moments after) {
    Posterior p = passes.smooth(f, after, true);
    int steps = f.window().last() ? p.length() : p.length() + 1;
    return new Posterior(steps, model.stateDim(), f.logLikelihood(), p.filteredMeans(), p.filteredCovariances(), null,
        null, p.smoothedMeans(), p.smoothedCovariances(), p.smoothedCrossCovariances());
  }

  /** The window's rows from the segment's first on: the segment, then the next segment's first row (if any). */
  static Trajectory local(SegmentWindow w) {
    Trajectory win = w.window();
    int from = w.lead();
    int to = win.length();
    int m = win.obsDim();
    int p = win.inputDim();
    double[] y = Arrays.copyOfRange(win.observations(), from * m, to * m);
    if (!w.last()) Arrays.fill(y, (to - from - 1) * m, (to - from) * m, Double.NaN);
    return new Trajectory(win.id(), Arrays.copyOfRange(win.times(), from, to), y, m,
        p == 0 ? null : Arrays.copyOfRange(win.inputs(), from * p, to * p), p);
  }

  private static long observed(Trajectory local) {
    long k = 0;
    for (double v : local.observations()) if (!Double.isNaN(v)) k++;
    return k;
  }
}
