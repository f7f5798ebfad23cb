package io.statespace.spark;

import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.InPlaceSmoother;
import io.statespace.model.spec.Columns;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;

/**
 * The output rows of one trajectory, made on demand so that only the row being written exists: either its
 * state rows (one per step) then its summary row, or, when the engine failed on it, one quarantine row per
 * step. Holding the posterior rather than the rows keeps a long trajectory's output at the size of its arrays.
 * A state row carries only the arrays of the {@link OutputChoice}: a standard deviation array is computed
 * from the covariance's diagonal, and an array not written is never copied.
 */
abstract class TrajectoryRows implements Iterator<InternalRow> {
  final AssembledTrajectory source;
  final UnionRows union;
  int step;

  TrajectoryRows(AssembledTrajectory source, UnionRows union) {
    this.source = source;
    this.union = union;
  }

  /**
   * Sets the state arrays of {@code row} from the moments at one step: each mean of n values and each
   * covariance of n×n values starting at the given offsets of the flat arrays.
   */
  static void setArrays(GenericInternalRow row, UnionRows union, List<OutputChoice.StateArray> arrays, int n,
      double[] filteredMean, int filteredMeanFrom, double[] filteredCov, int filteredCovFrom,
      double[] smoothedMean, int smoothedMeanFrom, double[] smoothedCov, int smoothedCovFrom) {
    for (int k = 0; k < arrays.size(); k++) {
      OutputChoice.StateArray a = arrays.get(k);
      boolean filtered = a.moment() == OutputChoice.Moment.FILTERED;
      if (a.mean()) {
        union.setArray(row, k, filtered ? filteredMean : smoothedMean, filtered ? filteredMeanFrom : smoothedMeanFrom, n);
      } else if (a.matrix()) {
        union.setArray(row, k, filtered ? filteredCov : smoothedCov, filtered ? filteredCovFrom : smoothedCovFrom, n * n);
      } else {
        double[] cov = filtered ? filteredCov : smoothedCov;
        int from = filtered ? filteredCovFrom : smoothedCovFrom;
        double[] std = new double[n];
        for (int i = 0; i < n; i++) std[i] = Math.sqrt(cov[from + i * n + i]);
        union.setArray(row, k, std, 0, n);
      }
    }
  }

  /**
   * State rows (forecast steps' rows marked, {@link UnionRows#markForecast}) and the summary row (counting the
   * input steps only) of a trajectory smoothed by {@code engine} on {@code backend} (labels for
   * the report).
   */
  static TrajectoryRows smoothed(AssembledTrajectory source, UnionRows union, List<OutputChoice.StateArray> arrays,
      Posterior posterior, String backend, String engine) {
    return new Smoothed(source, union, arrays, posterior, backend, engine);
  }

  /**
   * State rows and the summary row of a trajectory smoothed in place on the CPU (filtered moments replayed in
   * order).
   */
  static TrajectoryRows lean(AssembledTrajectory source, UnionRows union, List<OutputChoice.StateArray> arrays,
      InPlaceSmoother.Result result, String backend, String engine) {
    return new Lean(source, union, arrays, result, backend, engine);
  }

  /**
   * Skips the state rows of a smoothed trajectory, leaving its summary row (for the pass that writes only
   * summary and quarantine rows; a lean trajectory's filtered moments are then not replayed either).
   */
  TrajectoryRows summaryOnly() {
    step = source.length();
    return this;
  }

  /** One inference_failed quarantine row per input step (its forecast steps have no input row to quarantine). */
  static TrajectoryRows failed(AssembledTrajectory source, UnionRows union, Columns columns, String message) {
    return new Failed(source, union, columns, message);
  }

  private static final class Smoothed extends TrajectoryRows {
    private final List<OutputChoice.StateArray> arrays;
    private final Posterior posterior;
    private final String backend;
    private final String engine;

    Smoothed(AssembledTrajectory source, UnionRows union, List<OutputChoice.StateArray> arrays, Posterior posterior,
        String backend, String engine) {
      super(source, union);
      this.arrays = arrays;
      this.posterior = posterior;
      this.backend = backend;
      this.engine = engine;
    }

    @Override
    public boolean hasNext() {
      return step <= source.length();
    }

    @Override
    public InternalRow next() {
      if (!hasNext()) throw new NoSuchElementException();
      int t = step++;
      int steps = source.length();
      if (t == steps) {
        return union.summary(source.id, source.inputSteps(), source.missingSteps(), source.missingValues(),
            posterior.logLikelihood(), backend, engine);
      }
      int n = posterior.stateDim();
      int nn = n * n;
      GenericInternalRow row = union.state(source.id, source.timeValues[t], source.trajectory.observations(),
          source.trajectory.inputs(), t);
      if (source.isForecast(t)) union.markForecast(row);
      setArrays(row, union, arrays, n, posterior.filteredMeans(), t * n, posterior.filteredCovariances(), t * nn,
          posterior.smoothedMeans(), t * n, posterior.smoothedCovariances(), t * nn);
      return row;
    }
  }

  private static final class Lean extends TrajectoryRows {
    private final List<OutputChoice.StateArray> arrays;
    private final InPlaceSmoother.Result result;
    /** False when no filtered moment is written: the forward replay is then skipped. */
    private final boolean replayFiltered;
    private final String backend;
    private final String engine;

    Lean(AssembledTrajectory source, UnionRows union, List<OutputChoice.StateArray> arrays,
        InPlaceSmoother.Result result, String backend, String engine) {
      super(source, union);
      this.arrays = arrays;
      this.result = result;
      this.replayFiltered = arrays.stream().anyMatch(a -> a.moment() == OutputChoice.Moment.FILTERED);
      this.backend = backend;
      this.engine = engine;
    }

    @Override
    public boolean hasNext() {
      return step <= source.length();
    }

    @Override
    public InternalRow next() {
      if (!hasNext()) throw new NoSuchElementException();
      int t = step++;
      int steps = source.length();
      if (t == steps) {
        return union.summary(source.id, source.inputSteps(), source.missingSteps(), source.missingValues(),
            result.logLikelihood(), backend, engine);
      }
      int n = result.smoothedMeans().length / steps;
      int nn = n * n;
      GenericInternalRow row = union.state(source.id, source.timeValues[t], source.trajectory.observations(),
          source.trajectory.inputs(), t);
      if (source.isForecast(t)) union.markForecast(row);
      setArrays(row, union, arrays, n, replayFiltered ? result.filteredMean(t) : null, 0,
          replayFiltered ? result.filteredCovariance(t) : null, 0,
          result.smoothedMeans(), t * n, result.smoothedCovariances(), t * nn);
      return row;
    }
  }

  private static final class Failed extends TrajectoryRows {
    private final Columns columns;
    private final String message;

    Failed(AssembledTrajectory source, UnionRows union, Columns columns, String message) {
      super(source, union);
      this.columns = columns;
      this.message = message;
    }

    @Override
    public boolean hasNext() {
      return step < source.inputSteps();
    }

    @Override
    public InternalRow next() {
      if (!hasNext()) throw new NoSuchElementException();
      int t = step++;
      return union.quarantine(source.id, source.timeValues[t], RejectReason.INFERENCE_FAILED,
          "inference failed: " + message, source.render(columns, t));
    }
  }
}
