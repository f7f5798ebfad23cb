package io.statespace.simulate;

import io.statespace.data.Trajectory;
import io.statespace.model.Simulator;
import io.statespace.model.StateSpaceModel;
import java.util.SplittableRandom;

/**
 * Data drawn from the model itself. Times advance by {@code dt}; with {@code gap} > 0 (only for models
 * that read dt from the time column) steps are skipped at random, so the sampling is irregular. Inputs,
 * when the model has them, are smooth random signals.
 */
public final class ModelScenario {
  private final StateSpaceModel model;
  private final double dt;
  private final double gap;
  private final MissingPattern missing;

  public ModelScenario(StateSpaceModel model, double dt, double gap, MissingPattern missing) {
    if (gap > 0 && !model.usesTimeGaps()) {
      throw new IllegalArgumentException("--gap: the model does not read dt from the time column, so skipped steps would not match it");
    }
    if (!(dt > 0)) throw new IllegalArgumentException("--dt: must be positive");
    if (gap < 0 || gap >= 1) throw new IllegalArgumentException("--gap: must be in [0, 1)");
    this.model = model;
    this.dt = dt;
    this.gap = gap;
    this.missing = missing;
  }

  public SimulatedTrajectory generate(String id, int steps, SplittableRandom rng) {
    int n = model.stateDim();
    int m = model.obsDim();
    int p = model.inputDim();
    double[] times = new double[steps];
    double t = 0.0;
    for (int k = 0; k < steps; k++) {
      times[k] = Math.round(t * 1e9) / 1e9;
      t += dt;
      while (gap > 0 && rng.nextDouble() < gap) t += dt;
    }
    double[] inputs = p == 0 ? null : new double[steps * p];
    for (int j = 0; j < p; j++) {
      double phase = rng.nextDouble(0, 2 * Math.PI);
      double freq = rng.nextDouble(0.05, 0.5);
      for (int k = 0; k < steps; k++) inputs[k * p + j] = Math.sin(phase + freq * times[k]);
    }
    double[] obs = new double[steps * m];
    double[] states = new double[steps * n];
    Trajectory shell = new Trajectory(id, times, obs, m, inputs, p);
    new Simulator(n, m).sample(model.bind(shell), steps, rng, states, obs);
    missing.apply(obs, steps, m, rng);
    return new SimulatedTrajectory(id, times, obs, inputs, states);
  }
}
