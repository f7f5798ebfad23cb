package io.statespace.gpu.check;

import io.statespace.data.Trajectory;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.LinearModel;
import io.statespace.model.Simulator;
import io.statespace.model.StateSpaceModel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random models and data for {@link GpuCheck} and the tests (the test tree's {@code RandomModels} and the GPU
 * tests draw from here, so the harness and the tests exercise the same cases): stable linear models with
 * every optional block nonzero (initial mean, biases, inputs: where published implementations went wrong),
 * constant-velocity models with irregular gaps including zero, and whole and partial missing observations.
 */
public final class CheckCases {
  private CheckCases() {}

  /** Random entries amplitude · U(-1, 1). */
  public static double[] uniform(SplittableRandom rng, int size, double amplitude) {
    double[] a = new double[size];
    for (int i = 0; i < size; i++) a[i] = amplitude * rng.nextDouble(-1, 1);
    return a;
  }

  /** A random symmetric positive-definite matrix with eigenvalues roughly in [floor, floor + scale]. */
  public static double[] spd(SplittableRandom rng, int k, double scale, double floor) {
    double[] a = uniform(rng, k * k, 1.0);
    double[] s = new double[k * k];
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < k; j++) {
        double v = 0.0;
        for (int p = 0; p < k; p++) v += a[i * k + p] * a[j * k + p];
        s[i * k + j] = scale * v / k + (i == j ? floor : 0.0);
      }
    }
    return s;
  }

  /** A random matrix with Frobenius (hence spectral) norm {@code radius}. */
  public static double[] stable(SplittableRandom rng, int n, double radius) {
    double[] f = uniform(rng, n * n, 1.0);
    double frob = 0.0;
    for (double v : f) frob += v * v;
    for (int i = 0; i < f.length; i++) f[i] *= radius / Math.sqrt(frob);
    return f;
  }

  /** A random explicit linear model with every optional block nonzero. */
  public static LinearModel linear(SplittableRandom rng, int n, int m, int p) {
    return new LinearModel(n, m, p, uniform(rng, n, 2.0), spd(rng, n, 1.0, 0.2), stable(rng, n, 0.95),
        uniform(rng, n, 0.5), p == 0 ? null : uniform(rng, n * p, 0.5), spd(rng, n, 0.3, 0.05),
        uniform(rng, m * n, 1.0), uniform(rng, m, 1.0), p == 0 ? null : uniform(rng, m * p, 0.5),
        spd(rng, m, 0.5, 0.1));
  }

  /** A constant-velocity model in {@code axes} axes, either noise form, with or without a fixed dt. */
  public static ConstantVelocityModel constantVelocity(SplittableRandom rng, int axes, boolean fixedDt) {
    double[] std = new double[axes];
    for (int a = 0; a < axes; a++) std[a] = rng.nextDouble(0.2, 1.0);
    ConstantVelocityModel.Noise noise = rng.nextBoolean() ? ConstantVelocityModel.Noise.CONTINUOUS
        : ConstantVelocityModel.Noise.PIECEWISE;
    return new ConstantVelocityModel(axes, fixedDt ? rng.nextDouble(0.05, 1.0) : Double.NaN, noise,
        rng.nextDouble(0.3, 2.0), std, uniform(rng, 2 * axes, 3.0), spd(rng, 2 * axes, 1.0, 0.3));
  }

  /** The dynamax notebook's car-tracking model: 2-D constant velocity, dt = 0.1, positions observed. */
  public static ConstantVelocityModel tracking() {
    return new ConstantVelocityModel(2, 0.1, ConstantVelocityModel.Noise.CONTINUOUS, 1.0, new double[] {1.0, 1.0},
        new double[] {0, 0, 1, -1}, new double[] {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1});
  }

  /**
   * Simulates {@code steps} steps, then blanks 10% of the steps entirely and a component of another 10%
   * (when m > 1). Gaps are irregular in [0.05, 1.5) with 5% zero gaps unless {@code regular}.
   */
  public static Trajectory trajectory(SplittableRandom rng, StateSpaceModel model, String id, int steps, boolean regular) {
    return trajectory(rng, model, id, steps, 0.1, 0.1, !regular, 0.05);
  }

  /**
   * Simulates {@code steps} steps from times starting in [-5, 5) with gaps 1 (regular) or, when
   * {@code irregular}, 0 with probability {@code zeroGaps} and U[0.05, 1.5) otherwise; then blanks a fraction
   * {@code missingSteps} of the steps entirely and one component of a further fraction {@code partialSteps}
   * (when m > 1).
   */
  public static Trajectory trajectory(SplittableRandom rng, StateSpaceModel model, String id, int steps,
      double missingSteps, double partialSteps, boolean irregular, double zeroGaps) {
    int m = model.obsDim();
    int p = model.inputDim();
    double[] times = new double[steps];
    double t = rng.nextDouble(-5, 5);
    for (int i = 0; i < steps; i++) {
      times[i] = t;
      t += irregular ? (rng.nextDouble() < zeroGaps ? 0.0 : rng.nextDouble(0.05, 1.5)) : 1.0;
    }
    double[] inputs = p == 0 ? null : uniform(rng, steps * p, 1.0);
    double[] obs = new double[steps * m];
    Trajectory shell = new Trajectory(id, times, obs, m, inputs, p);
    new Simulator(model.stateDim(), m).sample(model.bind(shell), steps, rng, null, obs);
    for (int i = 0; i < steps; i++) {
      double u = rng.nextDouble();
      if (u < missingSteps) {
        for (int j = 0; j < m; j++) obs[i * m + j] = Double.NaN;
      } else if (u < missingSteps + partialSteps && m > 1) {
        obs[i * m + rng.nextInt(m)] = Double.NaN;
      }
    }
    return shell;
  }

  /** {@code count} trajectories with lengths uniform in [minSteps, maxSteps]. */
  public static List<Trajectory> block(SplittableRandom rng, StateSpaceModel model, int count, int minSteps, int maxSteps) {
    List<Trajectory> out = new ArrayList<>(count);
    for (int k = 0; k < count; k++) {
      int steps = minSteps + (maxSteps > minSteps ? rng.nextInt(maxSteps - minSteps + 1) : 0);
      out.add(trajectory(rng, model, "trj-" + k, steps, false));
    }
    return out;
  }

  /**
   * {@code count} ragged trajectories for the GPU tests: a quarter of them {@code maxSteps} long, the others
   * uniform in [1, maxSteps], with the default missing data and irregular gaps.
   */
  public static List<Trajectory> ragged(SplittableRandom rng, StateSpaceModel model, int count, int maxSteps) {
    List<Trajectory> out = new ArrayList<>(count);
    for (int k = 0; k < count; k++) {
      int steps = rng.nextInt(4) == 0 ? maxSteps : 1 + rng.nextInt(maxSteps);
      out.add(trajectory(rng, model, "trj-" + k, steps, false));
    }
    return out;
  }
}
