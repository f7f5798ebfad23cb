package io.statespace.simulate;

import io.statespace.model.Simulator;
import java.util.SplittableRandom;

/**
 * Objects thrown from the origin with random initial velocities under gravity, their 2-D positions
 * observed with Gaussian noise every dt: x = vx t, y = vy t - g t²/2. A constant-velocity filter
 * models this only approximately (gravity is unmodelled acceleration), which is what makes fitting its
 * noise levels interesting.
 */
public final class ProjectileScenario {
  private final double dt;
  private final double gravity;
  private final double[] measurementStd;
  private final double[] vxRange;
  private final double[] vyRange;
  private final MissingPattern missing;

  public ProjectileScenario(double dt, double gravity, double[] measurementStd, double[] vxRange, double[] vyRange,
      MissingPattern missing) {
    this.dt = dt;
    this.gravity = gravity;
    this.measurementStd = measurementStd.clone();
    this.vxRange = vxRange.clone();
    this.vyRange = vyRange.clone();
    this.missing = missing;
  }

  /** One throw with velocities drawn uniformly from the ranges. */
  public SimulatedTrajectory generate(String id, int steps, SplittableRandom rng) {
    double vx = rng.nextDouble(vxRange[0], vxRange[1]);
    double vy = rng.nextDouble(vyRange[0], vyRange[1]);
    return generate(id, steps, vx, vy, rng);
  }

  /** One throw with the given initial velocity. */
  public SimulatedTrajectory generate(String id, int steps, double vx, double vy, SplittableRandom rng) {
    double[] times = new double[steps];
    double[] obs = new double[steps * 2];
    double[] states = new double[steps * 4];
    for (int k = 0; k < steps; k++) {
      double t = k * dt;
      times[k] = Math.round(t * 1e9) / 1e9;
      double x = vx * t;
      double y = vy * t - 0.5 * gravity * t * t;
      states[k * 4] = x;
      states[k * 4 + 1] = y;
      states[k * 4 + 2] = vx;
      states[k * 4 + 3] = vy - gravity * t;
      obs[k * 2] = x + measurementStd[0] * Simulator.gaussian(rng);
      obs[k * 2 + 1] = y + measurementStd[1] * Simulator.gaussian(rng);
    }
    missing.apply(obs, steps, 2, rng);
    return new SimulatedTrajectory(id, times, obs, null, states);
  }
}
