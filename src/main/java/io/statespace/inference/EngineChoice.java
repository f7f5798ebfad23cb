package io.statespace.inference;

import io.statespace.inference.batched.BatchedEngine;
import io.statespace.inference.parallel.ParallelEngine;
import io.statespace.inference.sequential.InPlaceSmoother;
import io.statespace.inference.sequential.SequentialEngine;
import java.io.Serializable;
import java.util.Locale;

/**
 * Which engine smooths a trajectory ({@code --engine}). AUTO batches short and medium trajectories into
 * blocks for the batched lockstep engine (several times the sequential engine's speed per core once a block
 * holds a few trajectories; docs/BENCHMARKS.md), keeps the sequential engine for trajectories too long to
 * batch and for blocks too small to pay, and switches to the parallel-in-time engine only for very long
 * trajectories when the task has spare cores (DESIGN.md section 5).
 */
public enum EngineChoice {
  SEQUENTIAL,
  PARALLEL,
  BATCHED,
  AUTO;

  /** Trajectories at least this long go to the parallel engine under AUTO when threads > 1. */
  public static final int AUTO_PARALLEL_MIN_STEPS = 100_000;
  /** A block holds at most this many rows (steps), so the memory of a block stays bounded. */
  public static final int BLOCK_MAX_ROWS = 1 << 20;
  /** A block holds at most this many trajectories. */
  public static final int BLOCK_MAX_TRAJECTORIES = 4096;
  /** Trajectories at least this long are not batched under AUTO: they go alone (batching buys nothing). */
  public static final int AUTO_BATCH_MAX_STEPS = 1 << 16;
  /** Under AUTO a block smaller than this runs trajectory by trajectory (measured crossover: 2-3 lanes). */
  public static final int AUTO_MIN_BLOCK = 4;
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
   * Picks and reuses engine instances: per trajectory length for trajectories that go alone, per block size for
   * blocks; closing it stops the parallel engine's threads.
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

    /** The engine for a block of {@code trajectories} trajectories that {@link #batches} accepted. */
    public BatchSmoothingEngine blockEngine(int trajectories) {
      if (choice == AUTO && trajectories < AUTO_MIN_BLOCK) return new PerTrajectory(sequential());
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

    /** The engine for a trajectory that goes alone and not on the lean path. */
    public SmoothingEngine engineFor(int steps) {
      if (choice == BATCHED) return batched();
      boolean useParallel = choice == PARALLEL
          || (choice == AUTO && threads > 1 && steps >= AUTO_PARALLEL_MIN_STEPS);
      if (useParallel) {
        if (parallel == null) parallel = new ParallelEngine(threads);
        return parallel;
      }
      return sequential();
    }

    /** The sequential reference engine, which also reruns a block that failed, trajectory by trajectory. */
    public SmoothingEngine sequential() {
      if (sequential == null) sequential = new SequentialEngine();
      return sequential;
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
      switch (choice) {
        case SEQUENTIAL:
          return "sequential Kalman filter + RTS smoother for every trajectory, in place from " + LEAN_MIN_STEPS
              + " steps (--engine sequential)";
        case PARALLEL:
          return "parallel-in-time (Särkkä) smoother on " + threads + " thread(s) for every trajectory (--engine parallel)";
        case BATCHED:
          return "batched lockstep filter + smoother in " + blocks + "; longer trajectories alone, from "
              + LEAN_MIN_STEPS + " steps on the lean in-place sequential path (--engine batched)";
        default:
          String longOnes = threads > 1
              ? "sequential from " + AUTO_BATCH_MAX_STEPS + " steps, parallel-in-time on " + threads + " threads from "
                  + AUTO_PARALLEL_MIN_STEPS + " (long trajectories only pay for the scan's extra work when cores are"
                  + " spare), lean in-place sequential from " + LEAN_MIN_STEPS + " (memory)"
              : "sequential from " + AUTO_BATCH_MAX_STEPS + " steps (one core per task, where the parallel scan's"
                  + " extra work never pays), in place from " + LEAN_MIN_STEPS + " (memory)";
          return "auto: batched lockstep engine below " + AUTO_BATCH_MAX_STEPS + " steps in " + blocks
              + " (SIMD over trajectories; a block of fewer than " + AUTO_MIN_BLOCK
              + " runs sequentially, where lockstep does not pay), " + longOnes;
      }
    }
  }
}
