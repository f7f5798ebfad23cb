package io.statespace.inference;

import io.statespace.inference.batched.BatchedEngine;
import io.statespace.inference.parallel.ParallelEngine;
import io.statespace.inference.sequential.InPlaceSmoother;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.data.Trajectory;
import io.statespace.model.StateSpaceModel;
import java.io.Serializable;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which engine smooths a trajectory ({@code --engine}). AUTO uses the batched engine, the fastest per core
 * (docs/BENCHMARKS.md): trajectories shorter than {@link #AUTO_BATCH_MAX_STEPS} go in blocks through its
 * lockstep lanes, longer ones alone through its scalar lane (about twice the sequential engine's speed), and
 * trajectories of {@link #LEAN_MIN_STEPS} steps or more take the lean in-place path for memory. The
 * parallel-in-time scan does 2-4 times the work of a sequential pass and on 2 cores ran at half the
 * sequential speed even at T = 10^5, so AUTO uses it only with {@link #AUTO_PARALLEL_MIN_THREADS} threads or
 * more per task, for trajectories of at least {@link #AUTO_PARALLEL_MIN_STEPS} steps (DESIGN.md section 5).
 */
public enum EngineChoice {
  SEQUENTIAL,
  PARALLEL,
  BATCHED,
  AUTO;

  private static final Logger LOG = LoggerFactory.getLogger(EngineChoice.class);

  /** Trajectories at least this long may go to the parallel engine under AUTO. */
  public static final int AUTO_PARALLEL_MIN_STEPS = 100_000;
  /** Threads per task from which AUTO gives long trajectories to the parallel engine. */
  public static final int AUTO_PARALLEL_MIN_THREADS = 8;
  /** A block holds at most this many rows (steps), so the memory of a block stays bounded. */
  public static final int BLOCK_MAX_ROWS = 1 << 20;
  /** A block holds at most this many trajectories. */
  public static final int BLOCK_MAX_TRAJECTORIES = 4096;
  /** Under AUTO, trajectories at least this long are not batched: they go alone (a block would hold few). */
  public static final int AUTO_BATCH_MAX_STEPS = 1 << 16;
  /**
   * Trajectories at least this long take the lean in-place path ({@link InPlaceSmoother}: half the memory of
   * a full posterior) unless the parallel engine was asked for by name.
   */
  public static final int LEAN_MIN_STEPS = 1 << 20;

  public static EngineChoice parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--engine: must be sequential, parallel, batched or auto, got '" + text + "'");
    }
  }

  /** Creates the engines one task needs; not thread-safe, one per task. */
  public Selector selector(int threads) {
    return new Selector(this, threads);
  }

  /**
   * Picks and reuses engine instances: whether a trajectory joins a block, the engine for blocks, and the engine
   * for a trajectory that goes alone; closing it stops the parallel engine's threads.
   */
  public static final class Selector implements Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;
    private final EngineChoice choice;
    private final int threads;
    private transient SmoothingEngine sequential;
    private transient ParallelEngine parallel;
    private transient BatchedEngine batched;
    private transient InPlaceSmoother inPlace;

    Selector(EngineChoice choice, int threads) {
      this.choice = choice;
      this.threads = Math.max(1, threads);
    }

    /** True when a trajectory of this many steps joins a block rather than going alone. */
    public boolean batches(int steps) {
      switch (choice) {
        case BATCHED:
          return steps <= BLOCK_MAX_ROWS;
        case AUTO:
          return steps < AUTO_BATCH_MAX_STEPS;
        default:
          return false;
      }
    }

    /** The engine for a block of trajectories that {@link #batches} accepted. */
    public BatchSmoothingEngine blockEngine() {
      return batched();
    }

    /** True when a trajectory of this many steps that goes alone takes the lean path ({@link #inPlace}). */
    public boolean lean(int steps) {
      return choice != PARALLEL && steps >= LEAN_MIN_STEPS;
    }

    /** The lean engine for very long trajectories. */
    public InPlaceSmoother inPlace() {
      if (inPlace == null) inPlace = new InPlaceSmoother();
      return inPlace;
    }

    /**
     * Smooths a trajectory that goes alone (not on the lean path) with {@link #engineFor}. The sequential
     * engine (Joseph-form updates) is the numerical reference: should a faster engine fail numerically (the
     * parallel scan's covariance-form elements, or the batched engine's P⁻ − WᵀW update, cancel
     * catastrophically over time gaps of 10^6 s), the trajectory is smoothed by the sequential engine instead
     * and the switch is logged.
     */
    public Posterior smooth(StateSpaceModel model, Trajectory trajectory, Outputs outputs) {
      SmoothingEngine engine = engineFor(trajectory.length());
      try {
        return engine.smooth(model, trajectory, outputs);
      } catch (InferenceException e) {
        if (engine == sequential) throw e;
        LOG.warn("trajectory '{}': the {} engine failed ({}); using the sequential engine", trajectory.id(),
            engine == parallel ? "parallel" : "batched", e.getMessage());
        return sequential().smooth(model, trajectory, outputs);
      }
    }

    /** The engine for a trajectory that goes alone and not on the lean path. */
    public SmoothingEngine engineFor(int steps) {
      switch (choice) {
        case SEQUENTIAL:
          return sequential();
        case BATCHED:
          return batched();
        case PARALLEL:
          return parallel();
        default:
          return threads >= AUTO_PARALLEL_MIN_THREADS && steps >= AUTO_PARALLEL_MIN_STEPS ? parallel() : batched();
      }
    }

    /** The sequential reference engine, which also reruns a block that failed, trajectory by trajectory. */
    public SmoothingEngine sequential() {
      if (sequential == null) sequential = new SequentialEngine();
      return sequential;
    }

    private ParallelEngine parallel() {
      if (parallel == null) parallel = new ParallelEngine(threads);
      return parallel;
    }

    private BatchedEngine batched() {
      if (batched == null) batched = new BatchedEngine();
      return batched;
    }

    @Override
    public void close() {
      if (parallel != null) {
        parallel.close();
        parallel = null;
      }
    }

    /** A sentence for the job log saying what this selector does and why. */
    public String describe() {
      String blocks = "blocks of up to " + BLOCK_MAX_TRAJECTORIES + " trajectories / " + BLOCK_MAX_ROWS + " rows";
      String lean = ", in place from " + LEAN_MIN_STEPS + " steps (half the memory)";
      switch (choice) {
        case SEQUENTIAL:
          return "sequential Kalman filter + RTS smoother for every trajectory" + lean + " (--engine sequential)";
        case PARALLEL:
          return "parallel-in-time (Särkkä) smoother on " + threads + " thread(s) for every trajectory (--engine parallel)";
        case BATCHED:
          return "batched engine: lockstep lanes in " + blocks + ", longer trajectories alone in its scalar lane"
              + lean + " (--engine batched)";
        default:
          String parallelPart = threads >= AUTO_PARALLEL_MIN_THREADS
              ? ", parallel-in-time on " + threads + " threads from " + AUTO_PARALLEL_MIN_STEPS + " steps"
              : "; no parallel-in-time scan with " + threads + " thread(s) per task (it needs "
                  + AUTO_PARALLEL_MIN_THREADS + " to beat a sequential pass)";
          return "auto: batched engine, lockstep lanes below " + AUTO_BATCH_MAX_STEPS + " steps in " + blocks
              + " (SIMD over trajectories), its scalar lane above" + parallelPart + lean;
      }
    }
  }
}
