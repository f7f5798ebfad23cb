package io.statespace.testing;

import io.statespace.data.Trajectory;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.SmoothingEngine;
import io.statespace.inference.batched.BatchedEngine;
import io.statespace.inference.parallel.ParallelEngine;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.StateSpaceModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every CPU engine by name, for tests that hold them all to the same standard: the sequential reference,
 * the parallel scan on two threads (so its chunked scan really splits), the batched engine on a lone
 * trajectory (its scalar lane) and the batched engine on a block of copies (its lockstep lanes).
 */
public final class AllEngines implements AutoCloseable {
  private final ParallelEngine parallel = new ParallelEngine(2);
  private final Map<String, SmoothingEngine> engines = new LinkedHashMap<>();

  public AllEngines() {
    engines.put("sequential", new SequentialEngine());
    engines.put("parallel", parallel);
    engines.put("batched", new BatchedEngine());
    engines.put("batched lockstep", new Lockstep(new BatchedEngine()));
  }

  public Map<String, SmoothingEngine> byName() {
    return Collections.unmodifiableMap(engines);
  }

  @Override
  public void close() {
    parallel.close();
  }

  /** Runs the trajectory as lane 0 of a block of copies, wide enough for the lockstep path. */
  private static final class Lockstep implements SmoothingEngine {
    private final BatchedEngine engine;

    Lockstep(BatchedEngine engine) {
      this.engine = engine;
    }

    private static List<Trajectory> block(Trajectory t) {
      List<Trajectory> copies = new ArrayList<>();
      for (int i = 0; i <= BatchedEngine.MIN_LOCKSTEP_LANES; i++) copies.add(t);
      return copies;
    }

    @Override
    public Posterior filter(StateSpaceModel model, Trajectory trajectory, Outputs outputs) {
      return engine.filter(model, block(trajectory), outputs)[0];
    }

    @Override
    public Posterior smooth(StateSpaceModel model, Trajectory trajectory, Outputs outputs) {
      return engine.smooth(model, block(trajectory), outputs)[0];
    }
  }
}
