package io.statespace.spark;

import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.InPlaceSmoother;
import io.statespace.model.spec.Columns;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Row;

/**
 * The output rows of one trajectory, made on demand so that only the row being written exists: either its
 * state rows (one per step) then its summary row, or, when the engine failed on it, one quarantine row per
 * step. Holding the posterior rather than the rows keeps a long trajectory's output at the size of its arrays.
 */
abstract class TrajectoryRows implements Iterator<Row> {
  final AssembledTrajectory source;
  final UnionRows union;
  int step;

  TrajectoryRows(AssembledTrajectory source, UnionRows union) {
    this.source = source;
    this.union = union;
  }

  /**
   * State rows and the summary row of a trajectory smoothed by {@code engine} on {@code backend} (labels for
   * the report).
   */
  static TrajectoryRows smoothed(AssembledTrajectory source, UnionRows union, Posterior posterior, String backend,
      String engine) {
    return new Smoothed(source, union, posterior, backend, engine);
  }

  /**
   * State rows and the summary row of a trajectory smoothed in place on the CPU (filtered moments replayed in
   * order).
   */
  static TrajectoryRows lean(AssembledTrajectory source, UnionRows union, InPlaceSmoother.Result result,
      String backend, String engine) {
    return new Lean(source, union, result, backend, engine);
  }

  /** One inference_failed quarantine row per step. */
  static TrajectoryRows failed(AssembledTrajectory source, UnionRows union, Columns columns, String message) {
    return new Failed(source, union, columns, message);
  }

  private static final class Smoothed extends TrajectoryRows {
    private final Posterior posterior;
    private final String backend;
    private final String engine;

    Smoothed(AssembledTrajectory source, UnionRows union, Posterior posterior, String backend, String engine) {
      super(source, union);
      this.posterior = posterior;
      this.backend = backend;
      this.engine = engine;
    }

    @Override
    public boolean hasNext() {
      return step <= source.length();
    }

    @Override
    public Row next() {
      if (!hasNext()) throw new NoSuchElementException();
      int t = step++;
      int steps = source.length();
      if (t == steps) {
        return union.summary(source.id, steps, source.trajectory.missingSteps(), source.trajectory.missingValues(),
            posterior.logLikelihood(), backend, engine);
      }
      int n = posterior.stateDim();
      int nn = n * n;
      return union.state(source.id, source.timeValues[t], source.trajectory.observations(), source.trajectory.inputs(),
          t, Arrays.copyOfRange(posterior.filteredMeans(), t * n, (t + 1) * n),
          Arrays.copyOfRange(posterior.filteredCovariances(), t * nn, (t + 1) * nn),
          Arrays.copyOfRange(posterior.smoothedMeans(), t * n, (t + 1) * n),
          Arrays.copyOfRange(posterior.smoothedCovariances(), t * nn, (t + 1) * nn));
    }
  }

  private static final class Lean extends TrajectoryRows {
    private final InPlaceSmoother.Result result;
    private final String backend;
    private final String engine;

    Lean(AssembledTrajectory source, UnionRows union, InPlaceSmoother.Result result, String backend, String engine) {
      super(source, union);
      this.result = result;
      this.backend = backend;
      this.engine = engine;
    }

    @Override
    public boolean hasNext() {
      return step <= source.length();
    }

    @Override
    public Row next() {
      if (!hasNext()) throw new NoSuchElementException();
      int t = step++;
      int steps = source.length();
      if (t == steps) {
        return union.summary(source.id, steps, source.trajectory.missingSteps(), source.trajectory.missingValues(),
            result.logLikelihood(), backend, engine);
      }
      int n = result.smoothedMeans().length / steps;
      int nn = n * n;
      return union.state(source.id, source.timeValues[t], source.trajectory.observations(), source.trajectory.inputs(),
          t, result.filteredMean(t).clone(), result.filteredCovariance(t).clone(),
          Arrays.copyOfRange(result.smoothedMeans(), t * n, (t + 1) * n),
          Arrays.copyOfRange(result.smoothedCovariances(), t * nn, (t + 1) * nn));
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
      return step < source.length();
    }

    @Override
    public Row next() {
      if (!hasNext()) throw new NoSuchElementException();
      int t = step++;
      return union.quarantine(source.id, source.timeValues[t], RejectReason.INFERENCE_FAILED,
          "inference failed: " + message, source.render(columns, t));
    }
  }
}
