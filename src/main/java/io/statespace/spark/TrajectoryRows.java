package io.statespace.spark;

import io.statespace.data.Trajectory;
import io.statespace.inference.InnovationDiagnostics;
import io.statespace.inference.Posterior;
import io.statespace.inference.PredictiveMoments;
import io.statespace.inference.sequential.InPlaceSmoother;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepParameters;
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
 * from the covariance's diagonal, and an array not written is never copied. The extras of {@code --outputs}
 * (one-step predictions, innovations, smoothed observations) are derived per row from the posterior and the
 * model's parameters ({@link PredictiveMoments}), only when asked for.
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
   * What the extras of one trajectory need: its bound parameters, and the summary's diagnostics (computed by one
   * pass over every step before any row is made, which also checks every step's predicted observation
   * covariance, so that a trajectory that fails there is quarantined whole rather than half written).
   */
  record Extras(StepParameters params, InnovationDiagnostics.Result diagnostics) {}

  /**
   * The extras of a smoothed trajectory (exactly one of {@code posterior} and {@code lean} non-null), or null
   * when {@code choice} asks for none.
   *
   * @throws io.statespace.inference.InferenceException when a step's predicted observation covariance is not
   *     positive definite on its observed block
   */
  static Extras extras(StateSpaceModel model, OutputChoice choice, Trajectory trajectory, Posterior posterior,
      InPlaceSmoother.Result lean) {
    if (!choice.hasExtras()) return null;
    StepParameters params = model.bind(trajectory);
    if (!choice.needsPredictions()) return new Extras(params, null);
    if (posterior != null) {
      return new Extras(params, InnovationDiagnostics.of(params, trajectory, posterior.filteredMeans(),
          posterior.filteredCovariances(), posterior.diffuseSteps()));
    }
    PredictiveMoments moments = new PredictiveMoments(params, trajectory);
    InnovationDiagnostics d = new InnovationDiagnostics(params.obsDim(), trajectory.length());
    for (int t = 0; t < trajectory.length(); t++) {
      if (t == 0) {
        moments.predict(0, null, 0, null, 0);
      } else {
        moments.predict(t, lean.filteredMean(t - 1), 0, lean.filteredCovariance(t - 1), 0);
      }
      d.add(moments);
    }
    return new Extras(params, d.result());
  }

  /**
   * Sets the arrays of the extras in {@code row} from {@code moments}, on which {@link PredictiveMoments#predict}
   * (when predicted arrays are written) and {@link PredictiveMoments#smoothObservation} (when smoothed
   * observations are) were called for the row's step.
   */
  static void setDerived(GenericInternalRow row, UnionRows union, List<OutputChoice.StateArray> arrays,
      PredictiveMoments moments, int n, int p) {
    for (int k = 0; k < arrays.size(); k++) {
      OutputChoice.StateArray a = arrays.get(k);
      switch (a.moment()) {
        case PREDICTED -> set(row, union, k, a, a.mean() ? moments.predictedMean() : moments.predictedCovariance(), n);
        case PREDICTED_OBS -> set(row, union, k, a,
            a.mean() ? moments.predictedObservationMean() : moments.predictedObservationCovariance(), p);
        case INNOVATION -> union.setNullableArray(row, k, moments.innovation(), p);
        case STANDARDIZED_INNOVATION -> union.setNullableArray(row, k, moments.standardizedInnovation(), p);
        case SMOOTHED_OBS -> union.setArray(row, k,
            a.mean() ? moments.smoothedObservationMean() : moments.smoothedObservationStd(), 0, p);
        case SMOOTHED_OBS_PREDICTIVE -> union.setArray(row, k, moments.smoothedObservationPredictiveStd(), 0, p);
        default -> {
        }
      }
    }
  }

  /** A d-vector, a d×d matrix, or the square roots of a d×d matrix's diagonal, per the array's part. */
  private static void set(GenericInternalRow row, UnionRows union, int k, OutputChoice.StateArray a, double[] values,
      int d) {
    if (a.mean()) {
      union.setArray(row, k, values, 0, d);
    } else if (a.matrix()) {
      union.setArray(row, k, values, 0, d * d);
    } else {
      double[] std = new double[d];
      for (int i = 0; i < d; i++) std[i] = Math.sqrt(values[i * d + i]);
      union.setArray(row, k, std, 0, d);
    }
  }

  /**
   * Sets the state arrays of {@code row} from the moments at one step: each mean of n values and each
   * covariance of n×n values starting at the given offsets of the flat arrays (the filtered and smoothed ones
   * only; {@link #setDerived} sets the others).
   */
  static void setArrays(GenericInternalRow row, UnionRows union, List<OutputChoice.StateArray> arrays, int n,
      double[] filteredMean, int filteredMeanFrom, double[] filteredCov, int filteredCovFrom,
      double[] smoothedMean, int smoothedMeanFrom, double[] smoothedCov, int smoothedCovFrom) {
    for (int k = 0; k < arrays.size(); k++) {
      OutputChoice.StateArray a = arrays.get(k);
      if (a.moment() != OutputChoice.Moment.FILTERED && a.moment() != OutputChoice.Moment.SMOOTHED) continue;
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
    return smoothed(source, union, arrays, posterior, null, backend, engine);
  }

  /** As above, with the extras of {@link #extras} (null: none). */
  static TrajectoryRows smoothed(AssembledTrajectory source, UnionRows union, List<OutputChoice.StateArray> arrays,
      Posterior posterior, Extras extras, String backend, String engine) {
    return new Smoothed(source, union, arrays, posterior, extras, backend, engine);
  }

  /**
   * State rows and the summary row of a trajectory smoothed in place on the CPU (filtered moments replayed in
   * order).
   */
  static TrajectoryRows lean(AssembledTrajectory source, UnionRows union, List<OutputChoice.StateArray> arrays,
      InPlaceSmoother.Result result, String backend, String engine) {
    return lean(source, union, arrays, result, null, backend, engine);
  }

  /** As above, with the extras of {@link #extras} (null: none). */
  static TrajectoryRows lean(AssembledTrajectory source, UnionRows union, List<OutputChoice.StateArray> arrays,
      InPlaceSmoother.Result result, Extras extras, String backend, String engine) {
    return new Lean(source, union, arrays, result, extras, backend, engine);
  }

  /** The arrays' needs: which of predict and smoothObservation a row calls. */
  private static boolean any(List<OutputChoice.StateArray> arrays, OutputChoice.Moment... moments) {
    for (OutputChoice.StateArray a : arrays) {
      for (OutputChoice.Moment m : moments) if (a.moment() == m) return true;
    }
    return false;
  }

  private static PredictiveMoments moments(Extras extras, AssembledTrajectory source) {
    return extras == null ? null : new PredictiveMoments(extras.params(), source.trajectory);
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
    private final Extras extras;
    private final PredictiveMoments moments;
    private final boolean predicted;
    private final boolean smoothedObs;
    private final String backend;
    private final String engine;

    Smoothed(AssembledTrajectory source, UnionRows union, List<OutputChoice.StateArray> arrays, Posterior posterior,
        Extras extras, String backend, String engine) {
      super(source, union);
      this.arrays = arrays;
      this.posterior = posterior;
      this.extras = extras;
      this.moments = moments(extras, source);
      this.predicted = any(arrays, OutputChoice.Moment.PREDICTED, OutputChoice.Moment.PREDICTED_OBS,
          OutputChoice.Moment.INNOVATION, OutputChoice.Moment.STANDARDIZED_INNOVATION);
      this.smoothedObs = any(arrays, OutputChoice.Moment.SMOOTHED_OBS, OutputChoice.Moment.SMOOTHED_OBS_PREDICTIVE);
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
            posterior.logLikelihood(), extras == null ? null : extras.diagnostics(), backend, engine);
      }
      int n = posterior.stateDim();
      int nn = n * n;
      GenericInternalRow row = union.state(source.id, source.timeValues[t], source.trajectory.observations(),
          source.trajectory.inputs(), t);
      if (source.isForecast(t)) union.markForecast(row);
      setArrays(row, union, arrays, n, posterior.filteredMeans(), t * n, posterior.filteredCovariances(), t * nn,
          posterior.smoothedMeans(), t * n, posterior.smoothedCovariances(), t * nn);
      if (moments != null) {
        int before = Math.max(0, t - 1);
        if (predicted) {
          moments.predict(t, posterior.filteredMeans(), before * n, posterior.filteredCovariances(), before * nn);
          if (t < posterior.diffuseSteps()) moments.markDiffuse();
        }
        if (smoothedObs) moments.smoothObservation(t, posterior.smoothedMeans(), t * n, posterior.smoothedCovariances(), t * nn);
        setDerived(row, union, arrays, moments, n, source.trajectory.obsDim());
      }
      return row;
    }
  }

  private static final class Lean extends TrajectoryRows {
    private final List<OutputChoice.StateArray> arrays;
    private final InPlaceSmoother.Result result;
    /** False when no filtered moment is written: the forward replay is then skipped. */
    private final boolean replayFiltered;
    private final Extras extras;
    private final PredictiveMoments moments;
    private final boolean predicted;
    private final boolean smoothedObs;
    private final String backend;
    private final String engine;

    Lean(AssembledTrajectory source, UnionRows union, List<OutputChoice.StateArray> arrays,
        InPlaceSmoother.Result result, Extras extras, String backend, String engine) {
      super(source, union);
      this.arrays = arrays;
      this.result = result;
      this.replayFiltered = arrays.stream().anyMatch(a -> a.moment() == OutputChoice.Moment.FILTERED);
      this.extras = extras;
      this.moments = moments(extras, source);
      this.predicted = any(arrays, OutputChoice.Moment.PREDICTED, OutputChoice.Moment.PREDICTED_OBS,
          OutputChoice.Moment.INNOVATION, OutputChoice.Moment.STANDARDIZED_INNOVATION);
      this.smoothedObs = any(arrays, OutputChoice.Moment.SMOOTHED_OBS, OutputChoice.Moment.SMOOTHED_OBS_PREDICTIVE);
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
            result.logLikelihood(), extras == null ? null : extras.diagnostics(), backend, engine);
      }
      int n = result.stateDim();
      GenericInternalRow row = union.state(source.id, source.timeValues[t], source.trajectory.observations(),
          source.trajectory.inputs(), t);
      if (source.isForecast(t)) union.markForecast(row);
      if (moments != null && predicted) {
        if (t == 0) {
          moments.predict(0, null, 0, null, 0);
        } else {
          moments.predict(t, result.filteredMean(t - 1), 0, result.filteredCovariance(t - 1), 0);
        }
      }
      setArrays(row, union, arrays, n, replayFiltered ? result.filteredMean(t) : null, 0,
          replayFiltered ? result.filteredCovariance(t) : null, 0,
          result.smoothedMeans(t), result.meanOffset(t), result.smoothedCovariances(t), result.covarianceOffset(t));
      if (moments != null) {
        if (smoothedObs) {
          moments.smoothObservation(t, result.smoothedMeans(t), result.meanOffset(t), result.smoothedCovariances(t),
              result.covarianceOffset(t));
        }
        setDerived(row, union, arrays, moments, n, source.trajectory.obsDim());
      }
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
