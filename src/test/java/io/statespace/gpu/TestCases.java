package io.statespace.gpu;

import io.statespace.data.Trajectory;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.testing.RandomModels;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Random models and ragged blocks for the GPU-side tests (the CPU engines are the reference). */
final class TestCases {
  private TestCases() {}

  /** A constant-velocity model in 1-3 axes, either noise form, with or without a fixed dt. */
  static ConstantVelocityModel constantVelocity(SplittableRandom rng, int axes, boolean fixedDt) {
    int n = 2 * axes;
    double[] std = new double[axes];
    for (int a = 0; a < axes; a++) std[a] = rng.nextDouble(0.2, 1.0);
    ConstantVelocityModel.Noise noise = rng.nextBoolean() ? ConstantVelocityModel.Noise.CONTINUOUS
        : ConstantVelocityModel.Noise.PIECEWISE;
    return new ConstantVelocityModel(axes, fixedDt ? rng.nextDouble(0.05, 1.0) : Double.NaN, noise,
        rng.nextDouble(0.3, 2.0), std, RandomModels.uniform(rng, n, 3.0), RandomModels.spd(rng, n, 1.0, 0.3));
  }

  /** A block of {@code count} trajectories of random lengths in [1, maxSteps], with missing data and irregular dt. */
  static List<Trajectory> block(SplittableRandom rng, StateSpaceModel model, int count, int maxSteps) {
    List<Trajectory> out = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      int steps = rng.nextInt(4) == 0 ? maxSteps : 1 + rng.nextInt(maxSteps);
      out.add(RandomModels.trajectory(rng, model, "trj-" + k, steps, new RandomModels.DataShape()));
    }
    return out;
  }
}
