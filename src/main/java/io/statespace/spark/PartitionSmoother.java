package io.statespace.spark;

import io.statespace.data.Trajectory;
import io.statespace.inference.EngineChoice;
import io.statespace.inference.InferenceException;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.Columns;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.util.TaskCompletionListener;
import org.apache.spark.sql.Row;

/**
 * The engine stage of {@code smooth}: consumes one partition's parsed rows sorted by (trajectory key,
 * time), assembles one trajectory at a time, and lazily emits its state rows and summary row. Rows that
 * share a time within a trajectory, and every row of a trajectory the engine cannot process, go to
 * quarantine with the reason. Rejected rows pass straight through to quarantine. Memory is one
 * trajectory, never the partition.
 */
final class PartitionSmoother implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;

  private final StateSpaceModel model;
  private final Columns columns;
  private final EngineChoice engine;
  private final int threads;

  PartitionSmoother(StateSpaceModel model, Columns columns, EngineChoice engine, int threads) {
    this.model = model;
    this.columns = columns;
    this.engine = engine;
    this.threads = threads;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    return new Emitter(rows);
  }

  /** Pulls input rows trajectory by trajectory and queues that trajectory's output rows. */
  private final class Emitter implements Iterator<Row> {
    private final Iterator<Row> in;
    private final ArrayDeque<Row> out = new ArrayDeque<>();
    private final UnionRows union = new UnionRows(model.obsDim(), model.inputDim());
    private final TrajectoryBuffer buffer = new TrajectoryBuffer(model.obsDim(), model.inputDim());
    private final EngineChoice.Selector selector = engine.selector(threads);
    private Row pending;

    Emitter(Iterator<Row> in) {
      this.in = in;
      TaskContext task = TaskContext.get();
      if (task != null) task.addTaskCompletionListener((TaskCompletionListener) context -> selector.close());
    }

    @Override
    public boolean hasNext() {
      while (out.isEmpty() && (pending != null || in.hasNext())) fill();
      return !out.isEmpty();
    }

    @Override
    public Row next() {
      if (!hasNext()) throw new NoSuchElementException();
      return out.poll();
    }

    /** Reads rows until one trajectory is complete (or one rejected row), queueing their outputs. */
    private void fill() {
      Row row = pending != null ? pending : in.next();
      pending = null;
      if (!row.getBoolean(ParsedRows.VALID_INDEX)) {
        out.add(union.quarantine(row.get(ParsedRows.ID_INDEX), row.get(ParsedRows.TIME_VALUE_INDEX), RejectReason.fromCode(row.getString(ParsedRows.CODE_INDEX)),
            row.getString(ParsedRows.REASON_INDEX), row.getString(ParsedRows.RAW_INDEX)));
        return;
      }
      String key = row.getString(ParsedRows.KEY_INDEX);
      buffer.reset(key, row.get(ParsedRows.ID_INDEX));
      addRow(row);
      while (in.hasNext()) {
        Row next = in.next();
        if (!next.getBoolean(ParsedRows.VALID_INDEX) || !key.equals(next.getString(ParsedRows.KEY_INDEX))) {
          pending = next;
          break;
        }
        addRow(next);
      }
      flush();
    }

    private void addRow(Row row) {
      List<Double> obs = row.getList(ParsedRows.OBS_INDEX);
      List<Double> inputs = row.getList(ParsedRows.INPUTS_INDEX);
      double[] y = new double[obs.size()];
      for (int i = 0; i < y.length; i++) y[i] = obs.get(i);
      double[] u = new double[inputs.size()];
      for (int i = 0; i < u.length; i++) u[i] = inputs.get(i);
      buffer.add(row.getDouble(ParsedRows.TIME_INDEX), row.get(ParsedRows.TIME_VALUE_INDEX), y, u);
    }

    private void flush() {
      int kept = dropDuplicateTimes();
      if (kept == 0) return;
      int m = model.obsDim();
      int p = model.inputDim();
      Trajectory trajectory = new Trajectory(buffer.key, Arrays.copyOf(buffer.times, kept),
          Arrays.copyOf(buffer.obs, kept * m), m, p == 0 ? null : Arrays.copyOf(buffer.inputs, kept * p), p);
      Posterior posterior;
      try {
        posterior = selector.smooth(model, trajectory, Outputs.MOMENTS);
        requireFinite(posterior, trajectory.id());
      } catch (InferenceException | IllegalArgumentException e) {
        for (int t = 0; t < kept; t++) {
          out.add(union.quarantine(buffer.id, buffer.timeValues[t], RejectReason.INFERENCE_FAILED,
              "inference failed: " + e.getMessage(), renderStep(trajectory, t)));
        }
        buffer.release();
        return;
      }
      int n = model.stateDim();
      for (int t = 0; t < kept; t++) {
        out.add(union.state(buffer.id, buffer.timeValues[t], trajectory.observations(), trajectory.inputs(), t,
            Arrays.copyOfRange(posterior.filteredMeans(), t * n, (t + 1) * n),
            Arrays.copyOfRange(posterior.filteredCovariances(), t * n * n, (t + 1) * n * n),
            Arrays.copyOfRange(posterior.smoothedMeans(), t * n, (t + 1) * n),
            Arrays.copyOfRange(posterior.smoothedCovariances(), t * n * n, (t + 1) * n * n)));
      }
      out.add(union.summary(buffer.id, kept, trajectory.missingSteps(), trajectory.missingValues(),
          posterior.logLikelihood()));
      buffer.release();
    }

    /** Outputs are always finite: a NaN or infinity anywhere (overflow) fails the trajectory. */
    private void requireFinite(Posterior p, String id) {
      if (!Double.isFinite(p.logLikelihood())) {
        throw new InferenceException(id, p.length() - 1, "non-finite log-likelihood " + p.logLikelihood()
            + " (observations too large for float64?)");
      }
      for (double[] a : new double[][] {p.filteredMeans(), p.filteredCovariances(), p.smoothedMeans(), p.smoothedCovariances()}) {
        for (int i = 0; i < a.length; i++) {
          if (!Double.isFinite(a[i])) {
            int step = i / (a.length / p.length());
            throw new InferenceException(id, step, "non-finite posterior moment " + a[i] + " (overflow)");
          }
        }
      }
    }

    /** Quarantines every row whose time another row of the trajectory shares; compacts the rest. */
    private int dropDuplicateTimes() {
      int kept = 0;
      int i = 0;
      while (i < buffer.size) {
        int j = i + 1;
        while (j < buffer.size && buffer.times[j] == buffer.times[i]) j++;
        if (j - i > 1) {
          for (int r = i; r < j; r++) {
            out.add(union.quarantine(buffer.id, buffer.timeValues[r], RejectReason.DUPLICATE_TIME,
                "duplicate time " + buffer.timeValues[r] + " in trajectory '" + buffer.key + "' (" + (j - i)
                    + " rows share it; none is kept)", renderBuffered(r)));
          }
        } else {
          if (kept != i) buffer.move(i, kept);
          kept++;
        }
        i = j;
      }
      return kept;
    }

    private String renderBuffered(int r) {
      return render(buffer.timeValues[r], buffer.obs, buffer.inputs, r);
    }

    private String renderStep(Trajectory trajectory, int t) {
      return render(buffer.timeValues[t], trajectory.observations(), trajectory.inputs(), t);
    }

    private String render(Object timeValue, double[] obs, double[] inputs, int t) {
      StringBuilder s = new StringBuilder();
      s.append(columns.id()).append('=').append(buffer.id).append(", ").append(columns.time()).append('=').append(timeValue);
      int m = model.obsDim();
      for (int i = 0; i < m; i++) {
        double y = obs[t * m + i];
        s.append(", ").append(columns.observations().get(i)).append('=').append(Double.isNaN(y) ? "null" : Double.toString(y));
      }
      int p = model.inputDim();
      for (int i = 0; i < p; i++) s.append(", ").append(columns.inputs().get(i)).append('=').append(inputs[t * p + i]);
      return s.toString();
    }
  }
}
