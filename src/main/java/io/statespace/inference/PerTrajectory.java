package io.statespace.inference;

import io.statespace.data.Trajectory;
import io.statespace.model.StateSpaceModel;
import java.util.List;

/** A block run trajectory by trajectory through a single-trajectory engine (for blocks too small to batch). */
public final class PerTrajectory implements BatchSmoothingEngine {
  private final SmoothingEngine engine;

  public PerTrajectory(SmoothingEngine engine) {
    this.engine = engine;
  }

  @Override
  public Posterior[] filter(StateSpaceModel model, List<Trajectory> block, Outputs outputs) {
    Posterior[] out = new Posterior[block.size()];
    for (int i = 0; i < out.length; i++) out[i] = engine.filter(model, block.get(i), outputs);
    return out;
  }

  @Override
  public Posterior[] smooth(StateSpaceModel model, List<Trajectory> block, Outputs outputs) {
    Posterior[] out = new Posterior[block.size()];
    for (int i = 0; i < out.length; i++) out[i] = engine.smooth(model, block.get(i), outputs);
    return out;
  }
}
