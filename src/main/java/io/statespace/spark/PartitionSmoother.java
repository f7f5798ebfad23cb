package io.statespace.spark;

import io.statespace.data.Trajectory;
import io.statespace.inference.EngineChoice;
import io.statespace.inference.InferenceException;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.Columns;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.TaskCompletionListener;

/**
 * The engine stage of {@code smooth}: consumes one partition's parsed rows sorted by (trajectory key,
 * time), assembles one trajectory at a time, and emits its state rows and summary row lazily. Trajectories
 * the engine choice batches are buffered into a block (at most {@link EngineChoice#BLOCK_MAX_ROWS} rows and
 * {@link EngineChoice#BLOCK_MAX_TRAJECTORIES} trajectories) and smoothed together; the others go alone. Rows
 * that share a time within a trajectory, and every row of a trajectory the engine cannot process, go to
 * quarantine with the reason (a block that fails is rerun trajectory by trajectory on the sequential engine,
 * so that only the failing trajectory is quarantined). Rejected rows pass straight through to quarantine.
 * Memory is one block or one trajectory and its posterior (for a very long one, only its smoothed moments:
 * {@link EngineChoice#LEAN_MIN_STEPS}), never the partition, and output rows exist one at a time.
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

  /** Pulls input rows trajectory by trajectory, runs blocks and lone trajectories, and emits their rows. */
  private final class Emitter implements Iterator<Row> {
    private final Iterator<Row> in;
    private final ArrayDeque<Row> rejected = new ArrayDeque<>();
    private final ArrayDeque<TrajectoryRows> results = new ArrayDeque<>();
    private final UnionRows union = new UnionRows(model.obsDim(), model.inputDim());
    private final TrajectoryBuffer buffer = new TrajectoryBuffer(model.obsDim(), model.inputDim());
    private final EngineChoice.Selector selector = engine.selector(threads);
    private final List<AssembledTrajectory> block = new ArrayList<>();
    private long blockRows;
    private TrajectoryRows current;
    private Row pending;

    Emitter(Iterator<Row> in) {
      this.in = in;
      TaskContext task = TaskContext.get();
      if (task != null) task.addTaskCompletionListener((TaskCompletionListener) context -> selector.close());
    }

    @Override
    public boolean hasNext() {
      while (true) {
        if (!rejected.isEmpty() || (current != null && current.hasNext())) return true;
        current = results.poll();
        if (current != null) continue;
        if (pending != null || in.hasNext()) {
          fill();
        } else if (!block.isEmpty()) {
          runBlock();
        } else {
          return false;
        }
      }
    }

    @Override
    public Row next() {
      if (!hasNext()) throw new NoSuchElementException();
      return rejected.isEmpty() ? current.next() : rejected.poll();
    }

    /** Reads rows until one trajectory is complete (or one rejected row), then batches or runs it. */
    private void fill() {
      Row row = pending != null ? pending : in.next();
      pending = null;
      if (!row.getBoolean(ParsedRows.VALID_INDEX)) {
        rejected.add(union.quarantine(row.get(ParsedRows.ID_INDEX), row.get(ParsedRows.TIME_VALUE_INDEX),
            RejectReason.fromCode(row.getString(ParsedRows.CODE_INDEX)), row.getString(ParsedRows.REASON_INDEX),
            row.getString(ParsedRows.RAW_INDEX)));
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
      AssembledTrajectory assembled = assemble();
      if (assembled == null) return;
      int steps = assembled.length();
      if (!selector.batches(steps)) {
        runAlone(assembled);
        return;
      }
      if (!block.isEmpty() && blockRows + steps > EngineChoice.BLOCK_MAX_ROWS) runBlock();
      block.add(assembled);
      blockRows += steps;
      if (block.size() >= EngineChoice.BLOCK_MAX_TRAJECTORIES || blockRows >= EngineChoice.BLOCK_MAX_ROWS) {
        runBlock();
      }
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

    /** The buffered trajectory without its duplicate-time rows, or null when none is left. */
    private AssembledTrajectory assemble() {
      int kept = dropDuplicateTimes();
      if (kept == 0) {
        buffer.release();
        return null;
      }
      int m = model.obsDim();
      int p = model.inputDim();
      Trajectory trajectory = new Trajectory(buffer.key, Arrays.copyOf(buffer.times, kept),
          Arrays.copyOf(buffer.obs, kept * m), m, p == 0 ? null : Arrays.copyOf(buffer.inputs, kept * p), p);
      return new AssembledTrajectory(trajectory, buffer.id, buffer.handOverTimeValues());
    }

    private void runAlone(AssembledTrajectory assembled) {
      try {
        if (selector.lean(assembled.length())) {
          results.add(TrajectoryRows.lean(assembled, union, selector.inPlace().smooth(model, assembled.trajectory)));
          return;
        }
        Posterior posterior = selector.engineFor(assembled.length()).smooth(model, assembled.trajectory, Outputs.MOMENTS);
        results.add(TrajectoryRows.smoothed(assembled, union, posterior));
      } catch (InferenceException | IllegalArgumentException e) {
        results.add(TrajectoryRows.failed(assembled, union, columns, e.getMessage()));
      }
    }

    /** Smooths the block together; if any trajectory fails, reruns them one by one to isolate it. */
    private void runBlock() {
      List<Trajectory> trajectories = new ArrayList<>(block.size());
      for (AssembledTrajectory a : block) trajectories.add(a.trajectory);
      Posterior[] posteriors = null;
      try {
        posteriors = selector.blockEngine().smooth(model, trajectories, Outputs.MOMENTS);
      } catch (InferenceException | IllegalArgumentException e) {
        posteriors = null;
      }
      for (int i = 0; i < block.size(); i++) {
        AssembledTrajectory assembled = block.get(i);
        if (posteriors != null) {
          results.add(TrajectoryRows.smoothed(assembled, union, posteriors[i]));
        } else {
          isolate(assembled);
        }
      }
      block.clear();
      blockRows = 0;
    }

    private void isolate(AssembledTrajectory assembled) {
      try {
        results.add(TrajectoryRows.smoothed(assembled, union,
            selector.sequential().smooth(model, assembled.trajectory, Outputs.MOMENTS)));
      } catch (InferenceException | IllegalArgumentException e) {
        results.add(TrajectoryRows.failed(assembled, union, columns, e.getMessage()));
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
            rejected.add(union.quarantine(buffer.id, buffer.timeValues[r], RejectReason.DUPLICATE_TIME,
                "duplicate time " + buffer.timeValues[r] + " in trajectory '" + buffer.key + "' (" + (j - i)
                    + " rows share it; none is kept)", AssembledTrajectory.render(columns, buffer.id,
                    buffer.timeValues[r], buffer.obs, model.obsDim(), buffer.inputs, model.inputDim(), r)));
          }
        } else {
          if (kept != i) buffer.move(i, kept);
          kept++;
        }
        i = j;
      }
      return kept;
    }
  }
}
