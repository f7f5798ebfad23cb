package io.statespace.spark;

import io.statespace.data.Trajectory;
import io.statespace.gpu.Backend;
import io.statespace.gpu.BatchInferenceException;
import io.statespace.inference.EngineChoice;
import io.statespace.inference.InferenceException;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.InPlaceSmoother;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.Columns;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.TaskCompletionListener;

/**
 * The engine stage of {@code smooth}: consumes one partition's parsed rows sorted by (trajectory key,
 * time), assembles one trajectory at a time ({@link TrajectoryAssembler}), and emits its state rows and
 * summary row lazily. Trajectories the engine choice batches are buffered into a block (at most
 * {@link EngineChoice#BLOCK_MAX_ROWS} rows and {@link EngineChoice#BLOCK_MAX_TRAJECTORIES} trajectories) and
 * smoothed together; the others go alone. Rows that share a time within a trajectory, and every row of a
 * trajectory the engine cannot process or whose result is not finite, go to quarantine with the reason (a
 * block that fails is rerun trajectory by trajectory on the sequential engine, so that only the failing
 * trajectory is quarantined). Each block or lone trajectory runs where {@link BackendRouter} decides: the
 * CPU engines, or a CUDA device's batched kernel or parallel scan. Rejected rows pass straight through to quarantine. Memory is one block or one
 * trajectory and its posterior (for a very long one, only its smoothed moments:
 * {@link EngineChoice#LEAN_MIN_STEPS}), never the partition, and output rows exist one at a time.
 */
final class PartitionSmoother implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;

  private final StateSpaceModel model;
  private final Columns columns;
  private final EngineChoice engine;
  private final int threads;
  private final BackendRouter backend;

  /** Backend labels of report.json's trajectories_by_backend: a CPU engine ... */
  static final String CPU = "cpu";
  /** ... or the sequential engine after the GPU failed numerically on the trajectory; else a GPU target's. */
  static final String CPU_AFTER_GPU_FAILURE = "cpu_after_gpu_failure";

  /** cpu, gpu_batched or gpu_parallel. */
  static String backendLabel(Backend.Target target) {
    return target.name().toLowerCase(java.util.Locale.ROOT);
  }

  PartitionSmoother(StateSpaceModel model, Columns columns, EngineChoice engine, int threads, BackendRouter backend) {
    this.model = model;
    this.columns = columns;
    this.engine = engine;
    this.threads = threads;
    this.backend = backend;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    return new Emitter(rows);
  }

  /** Pulls trajectories from the assembler, runs blocks and lone trajectories, and emits their rows. */
  private final class Emitter implements Iterator<Row> {
    private final ArrayDeque<Row> rejected = new ArrayDeque<>();
    private final ArrayDeque<TrajectoryRows> results = new ArrayDeque<>();
    private final UnionRows union = new UnionRows(model.obsDim(), model.inputDim());
    private final TrajectoryAssembler assembler;
    private final EngineChoice.Selector selector = engine.selector(threads);
    private final BackendRouter.Task gpu = backend.task();
    /** Where the trajectories being added to the results were smoothed (a backend label). */
    private String lastBackend = CPU;
    private final List<AssembledTrajectory> block = new ArrayList<>();
    private long blockRows;
    private TrajectoryRows current;

    Emitter(Iterator<Row> in) {
      this.assembler = new TrajectoryAssembler(in, columns, model.obsDim(), model.inputDim(),
          (id, time, reason, message, raw) -> rejected.add(union.quarantine(id, time, reason, message, raw)));
      TaskContext task = TaskContext.get();
      if (task != null) {
        task.addTaskCompletionListener((TaskCompletionListener) context -> {
          selector.close();
          gpu.close();
        });
      }
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

    /** Batches the trajectory or runs it alone, as the engine choice says. */
    private void dispatch(AssembledTrajectory assembled) {
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

    private void runAlone(AssembledTrajectory assembled) {
      String id = assembled.trajectory.id();
      try {
        if (selector.lean(assembled.length())) {
          InPlaceSmoother.Result lean = selector.inPlace().smooth(model, assembled.trajectory);
          FiniteOutputs.check(lean, id);
          results.add(TrajectoryRows.lean(assembled, union, lean));
          return;
        }
        lastBackend = CPU;
        Posterior posterior = onGpu(assembled.trajectory);
        if (posterior == null) posterior = selector.smooth(model, assembled.trajectory, Outputs.MOMENTS);
        FiniteOutputs.check(posterior, id);
        results.add(TrajectoryRows.smoothed(assembled, union, posterior, lastBackend));
      } catch (InferenceException | IllegalArgumentException e) {
        results.add(TrajectoryRows.failed(assembled, union, columns, e.getMessage()));
      }
    }

    /**
     * A lone trajectory on the GPU when the backend decision says so, else null; a numerical failure on the
     * GPU falls back to the sequential reference engine. Sets {@link #lastBackend}.
     */
    private Posterior onGpu(Trajectory trajectory) {
      Backend.Decision d = gpu.decide(model, List.of(trajectory));
      if (!d.gpu()) return null;
      try {
        Posterior p = d.target() == Backend.Target.GPU_PARALLEL
            ? gpu.parallel().smooth(model, trajectory, Outputs.MOMENTS)
            : gpu.batched().smooth(model, List.of(trajectory), Outputs.MOMENTS)[0];
        lastBackend = backendLabel(d.target());
        return p;
      } catch (InferenceException e) {
        lastBackend = CPU_AFTER_GPU_FAILURE;
        return selector.sequential().smooth(model, trajectory, Outputs.MOMENTS);
      }
    }

    /** Smooths the block together; if that fails, reruns its trajectories one by one to isolate the culprit. */
    private void runBlock() {
      List<Trajectory> trajectories = new ArrayList<>(block.size());
      for (AssembledTrajectory a : block) trajectories.add(a.trajectory);
      Posterior[] posteriors;
      try {
        posteriors = smoothBlock(trajectories);
      } catch (BatchInferenceException e) {
        posteriors = e.partial();
      } catch (InferenceException | IllegalArgumentException e) {
        posteriors = null;
      }
      for (int i = 0; i < block.size(); i++) {
        AssembledTrajectory assembled = block.get(i);
        if (posteriors == null || posteriors[i] == null) {
          isolate(assembled);
          continue;
        }
        try {
          FiniteOutputs.check(posteriors[i], assembled.trajectory.id());
          results.add(TrajectoryRows.smoothed(assembled, union, posteriors[i], lastBackend));
        } catch (InferenceException e) {
          results.add(TrajectoryRows.failed(assembled, union, columns, e.getMessage()));
        }
      }
      block.clear();
      blockRows = 0;
    }

    /** The block on the backend its decision names: the GPU's batched kernel or scan, or the CPU block engine. */
    private Posterior[] smoothBlock(List<Trajectory> trajectories) {
      Backend.Decision d = gpu.decide(model, trajectories);
      lastBackend = backendLabel(d.target());
      switch (d.target()) {
        case GPU_BATCHED:
          return gpu.batched().smooth(model, trajectories, Outputs.MOMENTS);
        case GPU_PARALLEL: {
          Posterior[] out = new Posterior[trajectories.size()];
          for (int i = 0; i < out.length; i++) out[i] = gpu.parallel().smooth(model, trajectories.get(i), Outputs.MOMENTS);
          return out;
        }
        default:
          return selector.blockEngine().smooth(model, trajectories, Outputs.MOMENTS);
      }
    }

    private void isolate(AssembledTrajectory assembled) {
      try {
        Posterior posterior = selector.sequential().smooth(model, assembled.trajectory, Outputs.MOMENTS);
        FiniteOutputs.check(posterior, assembled.trajectory.id());
        results.add(TrajectoryRows.smoothed(assembled, union, posterior,
            lastBackend.equals(CPU) ? CPU : CPU_AFTER_GPU_FAILURE));
      } catch (InferenceException | IllegalArgumentException e) {
        results.add(TrajectoryRows.failed(assembled, union, columns, e.getMessage()));
      }
    }
  }
}
