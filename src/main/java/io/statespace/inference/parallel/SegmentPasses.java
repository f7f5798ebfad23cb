package io.statespace.inference.parallel;

import io.statespace.data.Trajectory;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.KalmanFilter;
import io.statespace.inference.sequential.RtsSmoother;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepParameters;
import java.util.Arrays;

/**
 * The work one task does on one segment of a long trajectory (docs/ARCHITECTURE.md §7.5), in three passes
 * between which the driver scans the segments' elements ({@link SegmentScan}):
 * <ol>
 *   <li>{@link #filterElement}: the segment's filtering element a_start ⊗ … ⊗ a_{end−1}, folded from the
 *       per-step elements of {@link FilterElements} with {@link FilterOperator} (the first segment's first
 *       element carries the prior);</li>
 *   <li>{@link #filter}: the sequential Kalman filter over the segment from the filtered moments of the step
 *       before it (the driver's exclusive prefix), its log-likelihood, and {@link #smootherElement}, the
 *       segment's smoothing element s_start ⊗ … ⊗ s_{end−1} folded from {@link SmootherElements};</li>
 *   <li>{@link #smooth}: the RTS smoother over the segment from the smoothed moments of the step after it
 *       (the driver's exclusive suffix).</li>
 * </ol>
 * Every per-step number is therefore the sequential engine's arithmetic, continued across the cuts by the
 * moments the driver sends; only those moments come from the element algebra. Memory is O(1) in pass 1
 * and the segment's moments in passes 2 and 3.
 */
public final class SegmentPasses {
  private final StateSpaceModel model;
  private final int n;

  public SegmentPasses(StateSpaceModel model) {
    this.model = model;
    this.n = model.stateDim();
  }

  /** The segment's filtering element (width {@code new FilterOperator(n).width()}). */
  public double[] filterElement(SegmentWindow w) {
    Trajectory window = w.window();
    StepParameters params = model.bind(window);
    FilterOperator op = new FilterOperator(n);
    FilterElements elements = new FilterElements(op, params, window.id(), window.observations());
    FilterElements.Workspace ws = elements.newWorkspace();
    FilterOperator.Workspace cws = op.newWorkspace();
    double[] acc = new double[op.width()];
    double[] next = new double[op.width()];
    elements.build(w.lead(), acc, 0, ws);
    for (int k = w.lead() + 1; k < w.lead() + w.length(); k++) {
      elements.build(k, next, 0, ws);
      op.combine(acc, 0, next, 0, acc, 0, cws);
    }
    return acc;
  }

  /**
   * The sequential filter over the segment from {@code before}, the filtered moments of the step before it
   * (null for the first segment, which starts from the prior). The arrays have room for one more step,
   * which {@link #smooth} fills with the moments after the segment.
   */
  public Forward filter(SegmentWindow w, Moments before) {
    if (w.first() != (before == null)) {
      throw new IllegalArgumentException("the first segment starts from the prior, every other from the moments before it");
    }
    Trajectory window = w.window();
    ShiftedParameters params = new ShiftedParameters(model.bind(window), w.lead(), before);
    int m = window.obsDim();
    int len = w.length();
    int room = w.last() ? len : len + 1;
    double[] y = Arrays.copyOfRange(window.observations(), w.lead() * m, (w.lead() + len) * m);
    double[] fm = new double[room * n];
    double[] fc = new double[room * n * n];
    double logLik = new KalmanFilter(n, m).run(params, window.id(), y, len, fm, fc, null, null);
    return new Forward(w, params, fm, fc, logLik);
  }

  /** The segment's smoothing element from its filtered moments (width {@code new SmootherOperator(n).width()}). */
  public double[] smootherElement(Forward f) {
    SegmentWindow w = f.window();
    int len = w.length();
    SmootherOperator op = new SmootherOperator(n);
    SmootherElements elements = new SmootherElements(op, f.params, w.window().id(), w.last() ? len : len + 1);
    SmootherElements.Workspace ws = elements.newWorkspace();
    SmootherOperator.Workspace cws = op.newWorkspace();
    double[] acc = new double[op.width()];
    double[] next = new double[op.width()];
    elements.build(len - 1, f.means, f.covs, acc, 0, null, ws);
    for (int t = len - 2; t >= 0; t--) {
      elements.build(t, f.means, f.covs, next, 0, null, ws);
      op.combine(next, 0, acc, 0, acc, 0, cws);
    }
    return acc;
  }

  /**
   * The RTS smoother over the segment from {@code after}, the smoothed moments of the step after it (null
   * for the last segment). The posterior has the segment's {@code length} steps and its log-likelihood; its
   * lag-one cross-covariances, when asked, Cov(x_{t+1}, x_t | Y) for the segment's steps t that have a
   * successor: {@code length} of them, the last across the cut, or {@code length − 1} for the last segment.
   */
  public Posterior smooth(Forward f, Moments after, boolean crossCovariances) {
    SegmentWindow w = f.window();
    if (w.last() != (after == null)) {
      throw new IllegalArgumentException("the last segment ends at its own filtered moments, every other at the moments after it");
    }
    int len = w.length();
    int steps = w.last() ? len : len + 1;
    int nn = n * n;
    if (after != null) {
      System.arraycopy(after.mean(), 0, f.means, len * n, n);
      System.arraycopy(after.cov(), 0, f.covs, len * nn, nn);
    }
    double[] sm = new double[steps * n];
    double[] sc = new double[steps * nn];
    double[] cross = crossCovariances ? new double[(steps - 1) * nn] : null;
    new RtsSmoother(n).run(f.params, w.window().id(), steps, f.means, f.covs, sm, sc, cross);
    return new Posterior(len, n, f.logLikelihood, f.means, f.covs, null, null, sm, sc, cross);
  }

  /** A segment's filtered moments (with room for one more step) and log-likelihood, from {@link #filter}. */
  public static final class Forward {
    private final SegmentWindow window;
    private final StepParameters params;
    private final double[] means;
    private final double[] covs;
    private final double logLikelihood;

    Forward(SegmentWindow window, StepParameters params, double[] means, double[] covs, double logLikelihood) {
      this.window = window;
      this.params = params;
      this.means = means;
      this.covs = covs;
      this.logLikelihood = logLikelihood;
    }

    public SegmentWindow window() {
      return window;
    }

    /** The segment's share of the log-likelihood, Σ ℓ_t over its steps. */
    public double logLikelihood() {
      return logLikelihood;
    }

    /** The filtered moments of the segment's last step (copies). */
    public Moments end() {
      int last = window.length() - 1;
      int n = means.length / (window.last() ? window.length() : window.length() + 1);
      return new Moments(Arrays.copyOfRange(means, last * n, (last + 1) * n),
          Arrays.copyOfRange(covs, last * n * n, (last + 1) * n * n));
    }
  }
}
