package io.statespace.testing;

import io.statespace.data.Trajectory;
import io.statespace.model.BoundParameters;
import io.statespace.model.LinearModel;
import io.statespace.model.Simulator;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepParameters;
import java.util.SplittableRandom;

/**
 * Random stable models and data for cross-checking engines: nonzero initial means, biases and inputs
 * (where published implementations went wrong), per-step matrices, irregular time gaps including 0, and
 * whole and partial missing steps.
 */
public final class RandomModels {
  private RandomModels() {}

  /** A random symmetric positive-definite k×k matrix with eigenvalues roughly in [floor, floor + scale]. */
  public static double[] spd(SplittableRandom rng, int k, double scale, double floor) {
    double[] a = new double[k * k];
    for (int i = 0; i < k * k; i++) a[i] = rng.nextDouble(-1, 1);
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

  /** Random entries in [-1, 1]. */
  public static double[] uniform(SplittableRandom rng, int size, double amplitude) {
    double[] a = new double[size];
    for (int i = 0; i < size; i++) a[i] = amplitude * rng.nextDouble(-1, 1);
    return a;
  }

  /** A random matrix scaled to spectral norm bound {@code radius} (so x_t stays bounded). */
  public static double[] stable(SplittableRandom rng, int n, double radius) {
    double[] f = uniform(rng, n * n, 1.0);
    double frob = 0.0;
    for (double v : f) frob += v * v;
    double scale = radius / Math.sqrt(frob);
    for (int i = 0; i < f.length; i++) f[i] *= scale;
    return f;
  }

  /** A random explicit linear model with every optional block nonzero. */
  public static LinearModel linear(SplittableRandom rng, int n, int m, int p) {
    return new LinearModel(n, m, p,
        uniform(rng, n, 2.0), spd(rng, n, 1.0, 0.2),
        stable(rng, n, 0.95), uniform(rng, n, 0.5), p == 0 ? null : uniform(rng, n * p, 0.5), spd(rng, n, 0.3, 0.05),
        uniform(rng, m * n, 1.0), uniform(rng, m, 1.0), p == 0 ? null : uniform(rng, m * p, 0.5),
        spd(rng, m, 0.5, 0.1));
  }

  /**
   * A model whose matrices change at every step: F_t = I + dt_t (A + step-seeded jitter W_t),
   * Q_t = dt_t Qc (singular at dt = 0), H_t and R_t jittered per step, plus inputs. A = S - 0.6 I with
   * ‖S‖₂ ≤ 0.3 and ‖W_t‖₂ ≤ 0.1, so ‖F_t‖₂ ≤ |1 - 0.6 dt| + 0.4 dt < 1 for every gap in (0, 1.5] and F_t = I
   * at dt = 0: the state stays bounded over any number of steps. Deterministic in
   * (seed, t), so safe to call from several threads.
   */
  public static StateSpaceModel timeVarying(long seed, int n, int m, int p) {
    SplittableRandom rng = new SplittableRandom(seed);
    LinearModel base = linear(rng, n, m, p);
    double[] drift = stable(rng, n, 0.3);
    for (int i = 0; i < n; i++) drift[i * n + i] -= 0.6;
    double[] qc = spd(rng, n, 0.5, 0.05);
    return new TimeVaryingModel(seed, base, drift, qc);
  }

  /** Implementation of {@link #timeVarying}. */
  private static final class TimeVaryingModel implements StateSpaceModel {
    private static final long serialVersionUID = 1L;
    private final long seed;
    private final LinearModel base;
    private final double[] drift;
    private final double[] qc;

    TimeVaryingModel(long seed, LinearModel base, double[] drift, double[] qc) {
      this.seed = seed;
      this.base = base;
      this.drift = drift;
      this.qc = qc;
    }

    @Override
    public int stateDim() {
      return base.stateDim();
    }

    @Override
    public int obsDim() {
      return base.obsDim();
    }

    @Override
    public int inputDim() {
      return base.inputDim();
    }

    @Override
    public boolean usesTimeGaps() {
      return true;
    }

    @Override
    public StepParameters bind(Trajectory trajectory) {
      StepParameters inner = base.bind(trajectory);
      int n = stateDim();
      int m = obsDim();
      double[] times = trajectory.times();
      return new BoundParameters(n, m, base.initialMean(), base.initialCov()) {
        @Override
        public void dynamics(int t, double[] weights, double[] bias, double[] cov) {
          inner.dynamics(t, weights, bias, cov);
          double dt = times[t + 1] - times[t];
          SplittableRandom r = new SplittableRandom(seed * 1_000_003L + t);
          for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
              weights[i * n + j] = (i == j ? 1.0 : 0.0) + dt * (drift[i * n + j] + 0.1 / n * r.nextDouble(-1, 1));
              cov[i * n + j] = dt * qc[i * n + j];
            }
          }
        }

        @Override
        public void emissions(int t, double[] weights, double[] bias, double[] cov) {
          inner.emissions(t, weights, bias, cov);
          SplittableRandom r = new SplittableRandom(seed * 7_000_003L + t);
          for (int i = 0; i < m * n; i++) weights[i] += 0.2 * r.nextDouble(-1, 1);
          for (int i = 0; i < m; i++) cov[i * m + i] *= 1.0 + r.nextDouble();
        }
      };
    }
  }

  /** Options for {@link #trajectory}. */
  public static final class DataShape {
    public double missingStepFraction = 0.1;
    public double partialFraction = 0.1;
    public boolean irregular = true;
    public double zeroGapFraction = 0.05;

    public static DataShape complete() {
      DataShape s = new DataShape();
      s.missingStepFraction = 0;
      s.partialFraction = 0;
      s.irregular = false;
      s.zeroGapFraction = 0;
      return s;
    }
  }

  /** Simulates T steps from the model, then blanks out whole and partial observations. */
  public static Trajectory trajectory(SplittableRandom rng, StateSpaceModel model, String id, int steps, DataShape shape) {
    int m = model.obsDim();
    int p = model.inputDim();
    double[] times = new double[steps];
    double t = rng.nextDouble(-5, 5);
    for (int i = 0; i < steps; i++) {
      times[i] = t;
      double gap = shape.irregular ? (rng.nextDouble() < shape.zeroGapFraction ? 0.0 : rng.nextDouble(0.05, 1.5)) : 1.0;
      t += gap;
    }
    double[] inputs = p == 0 ? null : uniform(rng, steps * p, 1.0);
    double[] obs = new double[steps * m];
    Trajectory shell = new Trajectory(id, times, obs, m, inputs, p);
    new Simulator(model.stateDim(), m).sample(model.bind(shell), steps, rng, null, obs);
    for (int i = 0; i < steps; i++) {
      double u = rng.nextDouble();
      if (u < shape.missingStepFraction) {
        for (int j = 0; j < m; j++) obs[i * m + j] = Double.NaN;
      } else if (u < shape.missingStepFraction + shape.partialFraction && m > 1) {
        obs[i * m + rng.nextInt(m)] = Double.NaN;
      }
    }
    return shell;
  }
}
