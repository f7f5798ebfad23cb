package io.statespace.inference.parallel;

import io.statespace.data.Trajectory;
import io.statespace.inference.InferenceException;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.SmoothingEngine;
import io.statespace.linalg.Products;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepParameters;
import java.util.Arrays;

/**
 * Parallel-in-time Kalman filter and RTS smoother (Särkkä &amp; García-Fernández 2021, "Temporal
 * parallelization of Bayesian smoothers", in dynamax's convention; notes §1): build the filtering elements
 * in parallel, forward-scan them, read off m_t = b and P_t = C; compute the predictions and the
 * log-likelihood post hoc in parallel (notes §1.1, option 2); build the smoothing elements, reverse-scan
 * them, read off m^s_t = g and P^s_t = L; and form the lag-one cross-covariances P^s_{t+1} E_tᵀ. Same
 * {@link Posterior} as the sequential engine, up to rounding. One run at a time per instance.
 */
public final class ParallelEngine implements SmoothingEngine, AutoCloseable {
  /** Steps per worker below which an element-wise pass uses fewer workers. */
  private static final int GRAIN = 64;

  private final AssociativeScan scan;
  private final WorkerPool pool;
  private final boolean ownsPool;

  /** An engine on its own {@code threads} workers with the chunked scan; {@link #close} stops them. */
  public ParallelEngine(int threads) {
    this.pool = new WorkerPool(threads);
    this.scan = new ChunkedScan(pool);
    this.ownsPool = true;
  }

  /** An engine that evaluates with {@code scan} on the scan's workers, which the caller owns. */
  public ParallelEngine(AssociativeScan scan) {
    this.scan = scan;
    this.pool = scan.pool();
    this.ownsPool = false;
  }

  @Override
  public Posterior filter(StateSpaceModel model, Trajectory trajectory, Outputs outputs) {
    return run(model, trajectory, outputs, false);
  }

  @Override
  public Posterior smooth(StateSpaceModel model, Trajectory trajectory, Outputs outputs) {
    return run(model, trajectory, outputs, true);
  }

  private Posterior run(StateSpaceModel model, Trajectory trajectory, Outputs outputs, boolean smooth) {
    StepParameters params = model.bind(trajectory);
    String id = trajectory.id();
    int steps = trajectory.length();
    if (steps == 0) {
      throw new IllegalArgumentException("trajectory '" + id + "' has no steps");
    }
    int n = model.stateDim();
    int nn = n * n;
    double[] fm = new double[steps * n];
    double[] fc = new double[steps * nn];
    FilterConsistency consistency = filterPass(params, id, trajectory.observations(), steps, fm, fc);
    double[] pm = outputs.predictions() ? new double[steps * n] : null;
    double[] pc = outputs.predictions() ? new double[steps * nn] : null;
    double logLik = likelihoodPass(params, id, trajectory.observations(), steps, fm, fc, pm, pc, consistency);
    if (!smooth) {
      return new Posterior(steps, n, logLik, fm, fc, pm, pc, null, null, null);
    }
    double[] sm = new double[steps * n];
    double[] sc = new double[steps * nn];
    double[] cross = outputs.crossCovariances() ? new double[(steps - 1) * nn] : null;
    smootherPass(params, id, steps, fm, fc, sm, sc, cross);
    return new Posterior(steps, n, logLik, fm, fc, pm, pc, sm, sc, cross);
  }

  /**
   * Filtering elements, forward scan, read-off m_t = b, P_t = C of a_0 ⊗ … ⊗ a_t; returns the self-check
   * scaled by the read-off moments' per-component sums of squares (summed per worker range, then over ranges).
   */
  private FilterConsistency filterPass(StepParameters params, String id, double[] y, int steps, double[] fm,
      double[] fc) {
    int n = params.stateDim();
    int nn = n * n;
    FilterOperator op = new FilterOperator(n);
    int width = op.width();
    FilterElements elements = new FilterElements(op, params, id, y);
    double[] buf = new double[steps * width];
    pool.forEachRange(steps, GRAIN, (w, lo, hi) -> {
      FilterElements.Workspace ws = elements.newWorkspace();
      for (int k = lo; k < hi; k++) elements.build(k, buf, k * width, ws);
    });
    scan.forward(op, buf, steps);
    double[][] squares = new double[pool.threads()][];
    pool.forEachRange(steps, GRAIN, (w, lo, hi) -> {
      double[] sq = new double[n + nn];
      for (int t = lo; t < hi; t++) {
        System.arraycopy(buf, t * width + op.offsetB(), fm, t * n, n);
        System.arraycopy(buf, t * width + op.offsetC(), fc, t * nn, nn);
        requireFinite(fm, t * n, n, id, t, "filtered mean");
        requireFinite(fc, t * nn, nn, id, t, "filtered covariance");
        for (int i = 0; i < n; i++) sq[i] += fm[t * n + i] * fm[t * n + i];
        for (int i = 0; i < nn; i++) sq[n + i] += fc[t * nn + i] * fc[t * nn + i];
      }
      squares[w] = sq;
    });
    double[] meanSquares = new double[n];
    double[] covSquares = new double[nn];
    for (double[] sq : squares) {
      if (sq == null) continue;
      for (int i = 0; i < n; i++) meanSquares[i] += sq[i];
      for (int i = 0; i < nn; i++) covSquares[i] += sq[n + i];
    }
    return new FilterConsistency(n, steps, meanSquares, covSquares);
  }

  /**
   * Predicted moments (kept when pm is not null), ell_t and the {@link FilterConsistency} residual for every
   * step in parallel; returns Σ ell_t, summed per worker range and then over ranges.
   *
   * @throws InferenceException naming the first step whose residual exceeds the tolerance
   */
  private double likelihoodPass(StepParameters params, String id, double[] y, int steps, double[] fm, double[] fc,
      double[] pm, double[] pc, FilterConsistency consistency) {
    int n = params.stateDim();
    int nn = n * n;
    OneStepPrediction prediction = new OneStepPrediction(params);
    ObservationLikelihood likelihood = new ObservationLikelihood(params, id, y, fm, fc, consistency);
    double[] partial = new double[pool.threads()];
    int[] firstBad = new int[pool.threads()];
    double[] badResidual = new double[pool.threads()];
    Arrays.fill(firstBad, Integer.MAX_VALUE);
    pool.forEachRange(steps, GRAIN, (w, lo, hi) -> {
      OneStepPrediction.Workspace pws = prediction.newWorkspace();
      ObservationLikelihood.Workspace lws = likelihood.newWorkspace();
      double[] mean = pm != null ? pm : new double[n];
      double[] cov = pc != null ? pc : new double[nn];
      double sum = 0.0;
      for (int t = lo; t < hi; t++) {
        int mo = pm != null ? t * n : 0;
        int co = pc != null ? t * nn : 0;
        prediction.predict(t, fm, fc, mean, mo, cov, co, pws);
        sum += likelihood.logLikelihood(t, mean, mo, cov, co, lws);
        if (lws.residual > FilterConsistency.TOLERANCE && t < firstBad[w]) {
          firstBad[w] = t;
          badResidual[w] = lws.residual;
        }
      }
      partial[w] = sum;
    });
    int worker = 0;
    for (int w = 1; w < firstBad.length; w++) {
      if (firstBad[w] < firstBad[worker]) worker = w;
    }
    if (firstBad[worker] != Integer.MAX_VALUE) {
      throw new InferenceException(id, firstBad[worker], FilterConsistency.describe(badResidual[worker]));
    }
    double total = 0.0;
    for (double v : partial) total += v;
    return total;
  }

  /** Smoothing elements, reverse scan, read-off m^s_t = g, P^s_t = L, then P^s_{t+1} E_tᵀ if asked. */
  private void smootherPass(StepParameters params, String id, int steps, double[] fm, double[] fc,
      double[] sm, double[] sc, double[] cross) {
    int n = params.stateDim();
    int nn = n * n;
    SmootherOperator op = new SmootherOperator(n);
    int width = op.width();
    SmootherElements elements = new SmootherElements(op, params, id, steps);
    double[] buf = new double[steps * width];
    double[] gainsT = cross != null ? new double[(steps - 1) * nn] : null;
    pool.forEachRange(steps, GRAIN, (w, lo, hi) -> {
      SmootherElements.Workspace ws = elements.newWorkspace();
      for (int t = lo; t < hi; t++) elements.build(t, fm, fc, buf, t * width, gainsT, ws);
    });
    scan.reverse(op, buf, steps);
    pool.forEachRange(steps, GRAIN, (w, lo, hi) -> {
      for (int t = lo; t < hi; t++) {
        System.arraycopy(buf, t * width + op.offsetG(), sm, t * n, n);
        System.arraycopy(buf, t * width + op.offsetL(), sc, t * nn, nn);
        requireFinite(sm, t * n, n, id, t, "smoothed mean");
        requireFinite(sc, t * nn, nn, id, t, "smoothed covariance");
      }
    });
    if (cross != null) {
      pool.forEachRange(steps - 1, GRAIN, (w, lo, hi) -> {
        for (int t = lo; t < hi; t++) {
          Products.mult(sc, (t + 1) * nn, gainsT, t * nn, cross, t * nn, n, n, n);
        }
      });
    }
  }

  private static void requireFinite(double[] a, int off, int len, String id, int t, String what) {
    for (int i = off; i < off + len; i++) {
      if (!Double.isFinite(a[i])) throw new InferenceException(id, t, what + " is not finite");
    }
  }

  /** Stops the workers if this engine created them. */
  @Override
  public void close() {
    if (ownsPool) pool.close();
  }
}
