package io.statespace.inference;

import io.statespace.inference.parallel.ParallelEngine;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.data.Trajectory;
import io.statespace.model.StateSpaceModel;
import java.io.Serializable;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which engine smooths a trajectory ({@code --engine}). AUTO keeps the sequential engine, the fastest
 * per core, and switches to the parallel-in-time engine only for very long trajectories when the task
 * has spare cores (DESIGN.md section 5).
 */
public enum EngineChoice {
  SEQUENTIAL,
  PARALLEL,
  AUTO;

  private static final Logger LOG = LoggerFactory.getLogger(EngineChoice.class);

  /** Trajectories at least this long go to the parallel engine under AUTO when threads > 1. */
  public static final int AUTO_PARALLEL_MIN_STEPS = 100_000;

  public static EngineChoice parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--engine: must be sequential, parallel or auto, got '" + text + "'");
    }
  }

  /** Creates the engines one task needs; not thread-safe, one per task. */
  public Selector selector(int threads) {
    return new Selector(this, threads);
  }

  /** Picks and reuses engine instances per trajectory length; closing it stops the parallel engine's threads. */
  public static final class Selector implements Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;
    private final EngineChoice choice;
    private final int threads;
    private transient SmoothingEngine sequential;
    private transient ParallelEngine parallel;

    Selector(EngineChoice choice, int threads) {
      this.choice = choice;
      this.threads = Math.max(1, threads);
    }

    /**
     * Smooths with the engine chosen for this length. Should the parallel scan fail numerically (its
     * covariance-form elements cancel catastrophically for a rank-deficient Q over huge time gaps), the
     * trajectory is smoothed by the sequential engine instead and the switch is logged.
     */
    public Posterior smooth(StateSpaceModel model, Trajectory trajectory, Outputs outputs) {
      SmoothingEngine engine = engineFor(trajectory.length());
      try {
        return engine.smooth(model, trajectory, outputs);
      } catch (InferenceException e) {
        if (engine == sequential()) throw e;
        LOG.warn("trajectory '{}': the parallel engine failed ({}); using the sequential engine", trajectory.id(),
            e.getMessage());
        return sequential().smooth(model, trajectory, outputs);
      }
    }

    private SmoothingEngine sequential() {
      if (sequential == null) sequential = new SequentialEngine();
      return sequential;
    }

    public SmoothingEngine engineFor(int steps) {
      boolean useParallel = choice == PARALLEL
          || (choice == AUTO && threads > 1 && steps >= AUTO_PARALLEL_MIN_STEPS);
      if (useParallel) {
        if (parallel == null) parallel = new ParallelEngine(threads);
        return parallel;
      }
      return sequential();
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
      switch (choice) {
        case SEQUENTIAL:
          return "sequential Kalman filter + RTS smoother for every trajectory (--engine sequential)";
        case PARALLEL:
          return "parallel-in-time (Särkkä) smoother on " + threads + " thread(s) for every trajectory (--engine parallel)";
        default:
          return threads > 1
              ? "auto: sequential below " + AUTO_PARALLEL_MIN_STEPS + " steps, parallel-in-time on " + threads
                  + " threads above (long trajectories only pay for the scan's extra work when cores are spare)"
              : "auto: sequential for every trajectory (one core per task, where the scan's 2-4x extra work never pays)";
      }
    }
  }
}
