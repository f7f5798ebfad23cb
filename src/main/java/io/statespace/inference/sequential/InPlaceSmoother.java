package io.statespace.inference.sequential;

import io.statespace.data.Trajectory;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepParameters;

/**
 * The lean path for very long trajectories: the same filter and RTS smoother as {@link SequentialEngine} in
 * half the memory of a {@link io.statespace.inference.Posterior}. The forward pass writes the filtered moments
 * into one set of means and covariances, the backward pass overwrites them with the smoothed moments in place,
 * and the filtered moments are replayed step by step by a second forward pass (bit for bit the first) when the
 * caller reads them in time order. For n = 4 and T = 10^7 that is 1.6 GB instead of 3.2 GB, held in chunks of
 * at most 8 MiB ({@link MomentChunks}) so that a fragmented heap can hold it. One instance per thread.
 */
public final class InPlaceSmoother {
  private final int chunkSteps;
  private KalmanFilter filter;
  private RtsSmoother smoother;
  private int n = -1;
  private int m = -1;

  /** Chunks of at most 8 MiB of covariances ({@link MomentChunks#chunkSteps}). */
  public InPlaceSmoother() {
    this.chunkSteps = 0;
  }

  /** Chunks of {@code chunkSteps} steps (at least 1), so that tests can cross chunk boundaries at small T. */
  public InPlaceSmoother(int chunkSteps) {
    this.chunkSteps = MomentChunks.requirePositive(chunkSteps);
  }

  /** Filters and smooths; the result holds the smoothed moments and replays the filtered ones. */
  public Result smooth(StateSpaceModel model, Trajectory trajectory) {
    if (model.stateDim() != n || model.obsDim() != m) {
      n = model.stateDim();
      m = model.obsDim();
      filter = new KalmanFilter(n, m);
      smoother = new RtsSmoother(n);
    }
    int steps = trajectory.length();
    if (steps == 0) throw new IllegalArgumentException("trajectory '" + trajectory.id() + "' has no steps");
    StepParameters params = model.bind(trajectory);
    String id = trajectory.id();
    MomentChunks moments = new MomentChunks(steps, n, chunkSteps > 0 ? chunkSteps : MomentChunks.chunkSteps(n));
    double[] y = trajectory.observations();
    double logLik = 0.0;
    filter.start(params);
    int t = 0;
    for (int c = 0; c < moments.chunks(); c++) {
      double[] means = moments.meanChunk(c);
      double[] covs = moments.covChunk(c);
      for (int slot = 0; slot < means.length / n; slot++, t++) {
        logLik += filter.advance(params, id, y, t, null, null);
        System.arraycopy(filter.mean(), 0, means, slot * n, n);
        System.arraycopy(filter.covariance(), 0, covs, slot * n * n, n * n);
      }
    }
    int c = (steps - 1) / moments.chunkSteps();
    int slot = (steps - 1) % moments.chunkSteps();
    for (t = steps - 2; t >= 0; t--) {
      int nextChunk = c;
      int nextSlot = slot;
      if (slot == 0) {
        c--;
        slot = moments.chunkSteps() - 1;
      } else {
        slot--;
      }
      smoother.step(params, id, t, moments.meanChunk(c), moments.covChunk(c), slot, moments.meanChunk(nextChunk),
          moments.covChunk(nextChunk), nextSlot, moments.meanChunk(c), moments.covChunk(c), slot);
    }
    return new Result(new KalmanFilter(n, m), params, trajectory, logLik, moments);
  }

  /** Smoothed moments of every step (in chunks), the log-likelihood, and the filtered moments on replay. */
  public static final class Result {
    private final KalmanFilter replay;
    private final StepParameters params;
    private final Trajectory trajectory;
    private final double logLikelihood;
    private final MomentChunks smoothed;
    private int replayed = -1;

    Result(KalmanFilter replay, StepParameters params, Trajectory trajectory, double logLikelihood,
        MomentChunks smoothed) {
      this.replay = replay;
      this.params = params;
      this.trajectory = trajectory;
      this.logLikelihood = logLikelihood;
      this.smoothed = smoothed;
    }

    public int length() {
      return trajectory.length();
    }

    public int stateDim() {
      return smoothed.stateDim();
    }

    public double logLikelihood() {
      return logLikelihood;
    }

    /** The chunk that holds E[x_t | y_{0:T-1}], at {@link #meanOffset}(t). */
    public double[] smoothedMeans(int t) {
      return smoothed.means(t);
    }

    /** Where E[x_t | y_{0:T-1}] (n values) starts in {@link #smoothedMeans}(t). */
    public int meanOffset(int t) {
      return smoothed.slot(t) * smoothed.stateDim();
    }

    /** The chunk that holds Cov[x_t | y_{0:T-1}], at {@link #covarianceOffset}(t). */
    public double[] smoothedCovariances(int t) {
      return smoothed.covs(t);
    }

    /** Where Cov[x_t | y_{0:T-1}] (n×n values) starts in {@link #smoothedCovariances}(t). */
    public int covarianceOffset(int t) {
      int n = smoothed.stateDim();
      return smoothed.slot(t) * n * n;
    }

    /** The largest array the smoothed moments occupy, in doubles (what must fit in one free run of heap). */
    public int largestChunk() {
      return smoothed.largestChunk();
    }

    /**
     * Replays the filter to step t and returns E[x_t | y_{0:t}] (n values, scratch: valid until the replay
     * moves on). Steps must be read in time order, 0, 1, 2, ...; the current step may be read again, and reading
     * step 0 starts the replay over.
     */
    public double[] filteredMean(int t) {
      replayTo(t);
      return replay.mean();
    }

    /** Cov[x_t | y_{0:t}], replaying like {@link #filteredMean} (n×n values, scratch). */
    public double[] filteredCovariance(int t) {
      replayTo(t);
      return replay.covariance();
    }

    private void replayTo(int t) {
      if (t == replayed) return;
      if (t != replayed + 1 && t != 0) {
        throw new IllegalStateException("filtered moments replay in time order: step " + t + " after " + replayed);
      }
      if (t == 0) replay.start(params);
      replay.advance(params, trajectory.id(), trajectory.observations(), t, null, null);
      replayed = t;
    }
  }
}
