package io.statespace.inference.parallel;

import io.statespace.data.Trajectory;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.LinearModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.testing.RandomModels;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * dynamax's object-tracking notebook case: a 2-D constant-velocity model with dt = 0.1, positions observed
 * with unit noise and a nonzero initial mean [8, 10, 1, 0], T = 100 simulated steps. Parallel and
 * sequential must agree to 1e-9, both for our constant-velocity family (continuous white-noise
 * acceleration, q = 1) and for the notebook's explicit matrices (Q = 0.001 I).
 */
class ConstantVelocityTrackingTest {
  private static final double[] INITIAL_MEAN = {8.0, 10.0, 1.0, 0.0};
  private static final int STEPS = 100;

  private static EngineComparison engines;

  @BeforeAll
  static void start() {
    engines = new EngineComparison();
  }

  @AfterAll
  static void stop() {
    engines.close();
  }

  @Test
  void constantVelocityFamily() {
    StateSpaceModel model = new ConstantVelocityModel(2, 0.1, ConstantVelocityModel.Noise.CONTINUOUS, 1.0,
        new double[] {1.0, 1.0}, INITIAL_MEAN, identity(4));
    run("constant-velocity family q=1", model, 2);
  }

  @Test
  void notebookMatrices() {
    double dt = 0.1;
    double[] f = identity(4);
    f[2] = dt;
    f[7] = dt;
    double[] q = identity(4);
    for (int i = 0; i < q.length; i++) q[i] *= 1e-3;
    double[] h = {1, 0, 0, 0, 0, 1, 0, 0};
    StateSpaceModel model = new LinearModel(4, 2, 0, INITIAL_MEAN, identity(4), f, null, null, q, h, null, null,
        identity(2));
    run("notebook matrices Q=1e-3 I", model, 3);
  }

  private static void run(String label, StateSpaceModel model, int threads) {
    Trajectory trajectory = RandomModels.trajectory(new SplittableRandom(2024), model, "tracking", STEPS,
        RandomModels.DataShape.complete());
    engines.check("tracking " + label + " T=" + STEPS, model, trajectory, threads);
  }

  private static double[] identity(int n) {
    double[] a = new double[n * n];
    for (int i = 0; i < n; i++) a[i * n + i] = 1.0;
    return a;
  }
}
