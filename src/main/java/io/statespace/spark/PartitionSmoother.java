package io.statespace.spark;

import io.statespace.data.Trajectory;
import io.statespace.execution.BlockRunner;
import io.statespace.execution.Blocker;
import io.statespace.execution.EngineChoice;
import io.statespace.execution.Outcome;
import io.statespace.inference.InferenceException;
import io.statespace.inference.Outputs;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.Columns;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.util.TaskCompletionListener;

/**
 * The engine stage of {@code smooth}: consumes one partition's parsed rows sorted by (trajectory key,
 * time), in Spark's internal form ({@link SmoothJob#internalRows}, read by {@link InternalRowCursor}),
 * assembles one trajectory at a time ({@link TrajectoryAssembler}), and emits its state rows and summary row
 * lazily. Which trajectories are buffered into blocks ({@link Blocker}), which engine runs each
 * block or lone trajectory, and every fallback to the sequential engine are the execution package's
 * ({@link BlockRunner}); this class only wires them to rows. Each summary row carries the labels of the
 * engine and backend that produced it, for report.json. Rows that share a time within a trajectory, and every
 * row of a trajectory no engine could process or whose result is not finite, go to quarantine with the
 * reason; rejected rows pass straight through. Memory is one block or one trajectory and its posterior (for a
 * very long one, only its smoothed moments), never the partition, and output rows exist one at a time.
 */
final class PartitionSmoother implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
  private static final long serialVersionUID = 3L;

  private final StateSpaceModel model;
  private final Columns columns;
  private final EngineChoice engine;
  private final int threads;
  private final BackendRouter backend;
  private final OutputChoice choice;
  private final DataType idType;
  private final DataType timeType;
  private final boolean states;
  private final ForecastTimes forecast;

  /**
   * @param choice the state arrays to emit
   * @param idType the id column's type, @param timeType the time values' type (for Spark's internal form)
   * @param states false to emit only summary and quarantine rows
   */
  PartitionSmoother(StateSpaceModel model, Columns columns, EngineChoice engine, int threads, BackendRouter backend,
      OutputChoice choice, DataType idType, DataType timeType, boolean states) {
    this(model, columns, engine, threads, backend, choice, idType, timeType, states, ForecastTimes.NONE);
  }

  /** As above, appending {@code forecast}'s steps to every trajectory ({@link TrajectoryAssembler}). */
  PartitionSmoother(StateSpaceModel model, Columns columns, EngineChoice engine, int threads, BackendRouter backend,
      OutputChoice choice, DataType idType, DataType timeType, boolean states, ForecastTimes forecast) {
    this.forecast = forecast;
    this.model = model;
    this.columns = columns;
    this.engine = engine;
    this.threads = threads;
    this.backend = backend;
    this.choice = choice;
    this.idType = idType;
    this.timeType = timeType;
    this.states = states;
  }

  @Override
  public Iterator<InternalRow> call(Iterator<InternalRow> rows) {
    return new Emitter(rows);
  }

  /** Pulls trajectories from the assembler, runs blocks and lone trajectories, and emits their rows. */
  private final class Emitter implements Iterator<InternalRow> {
    private final ArrayDeque<InternalRow> rejected = new ArrayDeque<>();
    private final ArrayDeque<TrajectoryRows> results = new ArrayDeque<>();
    private final List<OutputChoice.StateArray> arrays = choice.stateArrays();
    private final UnionRows union = new UnionRows(model.obsDim(), model.inputDim(), arrays.size(),
        choice.has(OutputChoice.Extra.DIAGNOSTICS), idType, timeType);
    private final TrajectoryAssembler assembler;
    private final BlockRunner runner = backend.runner(engine, threads);
    private final Blocker<AssembledTrajectory> blocker = new Blocker<>();
    private TrajectoryRows current;

    Emitter(Iterator<InternalRow> in) {
      this.assembler = new TrajectoryAssembler(new InternalRowCursor(in, idType, timeType), columns, model.obsDim(),
          model.inputDim(),
          (id, time, reason, message, raw) -> rejected.add(union.quarantine(id, time, reason, message, raw)), forecast);
      TaskContext task = TaskContext.get();
      if (task != null) task.addTaskCompletionListener((TaskCompletionListener) context -> runner.close());
    }

    @Override
    public boolean hasNext() {
      while (true) {
        if (!rejected.isEmpty() || (current != null && current.hasNext())) return true;
        current = results.poll();
        if (current != null) continue;
        if (assembler.hasNext()) {
          AssembledTrajectory next = assembler.next();
          if (next != null) dispatch(next);
        } else {
          List<AssembledTrajectory> last = blocker.flush();
          if (last == null) return false;
          runBlock(last);
        }
      }
    }

    @Override
    public InternalRow next() {
      if (!hasNext()) throw new NoSuchElementException();
      return rejected.isEmpty() ? current.next() : rejected.poll();
    }

    /** Batches the trajectory or runs it alone, as the policy says. */
    private void dispatch(AssembledTrajectory assembled) {
      if (!runner.policy().joinsBlock(assembled.length())) {
        emit(assembled, runner.runAlone(model, assembled.trajectory, Outputs.MOMENTS));
        return;
      }
      for (List<AssembledTrajectory> block : blocker.add(assembled, assembled.length())) runBlock(block);
    }

    private void runBlock(List<AssembledTrajectory> block) {
      List<Trajectory> trajectories = new ArrayList<>(block.size());
      for (AssembledTrajectory a : block) trajectories.add(a.trajectory);
      List<Outcome> outcomes = runner.runBlock(model, trajectories, Outputs.MOMENTS);
      for (int i = 0; i < block.size(); i++) emit(block.get(i), outcomes.get(i));
    }

    /** A smoothed trajectory's rows, or only its summary row when the states are not wanted. */
    private void add(TrajectoryRows rows) {
      results.add(states ? rows : rows.summaryOnly());
    }

    /** The trajectory's rows: smoothed and finite, or quarantined with the reason. */
    private void emit(AssembledTrajectory assembled, Outcome outcome) {
      if (!outcome.ok()) {
        results.add(TrajectoryRows.failed(assembled, union, columns, outcome.failure()));
        return;
      }
      String id = assembled.trajectory.id();
      try {
        if (outcome.lean() != null) {
          FiniteOutputs.check(outcome.lean(), id);
          TrajectoryRows.Extras extras = TrajectoryRows.extras(model, choice, assembled.trajectory, null, outcome.lean());
          add(TrajectoryRows.lean(assembled, union, arrays, outcome.lean(), extras, outcome.backendLabel(),
              outcome.engineLabel()));
        } else {
          FiniteOutputs.check(outcome.posterior(), id);
          TrajectoryRows.Extras extras = TrajectoryRows.extras(model, choice, assembled.trajectory, outcome.posterior(), null);
          add(TrajectoryRows.smoothed(assembled, union, arrays, outcome.posterior(), extras, outcome.backendLabel(),
              outcome.engineLabel()));
        }
      } catch (InferenceException e) {
        results.add(TrajectoryRows.failed(assembled, union, columns, e.getMessage()));
      }
    }
  }
}
