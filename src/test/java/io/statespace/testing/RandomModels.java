package io.statespace.testing;

import io.statespace.data.Trajectory;
import io.statespace.gpu.check.CheckCases;
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

  /** {@link CheckCases#spd}: a random symmetric positive-definite k×k matrix, eigenvalues roughly in [floor, floor + scale]. */
  public static double[] spd(SplittableRandom rng, int k, double scale, double floor) {
    return CheckCases.spd(rng, k, scale, floor);
  }

  /** {@link CheckCases#uniform}: entries amplitude · U(-1, 1). */
  public static double[] uniform(SplittableRandom rng, int size, double amplitude) {
    return CheckCases.uniform(rng, size, amplitude);
  }

  /** {@link CheckCases#stable}: a random matrix of spectral norm at most {@code radius} (so x_t stays bounded). */
  public static double[] stable(SplittableRandom rng, int n, double radius) {
    return CheckCases.stable(rng, n, radius);
  }

  /** {@link CheckCases#linear}: a random explicit linear model with every optional block nonzero. */
  public static LinearModel linear(SplittableRandom rng, int n, int m, int p) {
    return CheckCases.linear(rng, n, m, p);
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

  /** {@link CheckCases#trajectory}: simulates T steps from the model, then blanks out whole and partial observations. */
  public static Trajectory trajectory(SplittableRandom rng, StateSpaceModel model, String id, int steps, DataShape shape) {
    return CheckCases.trajectory(rng, model, id, steps, shape.missingStepFraction, shape.partialFraction,
        shape.irregular, shape.zeroGapFraction);
  }

  /**
   * The stress case of huge and tiny time gaps: 400 steps of a 2-observation track, gaps of 10^6 s (10%),
   * 10^-9 s (10%), 0 (5%) and 0.1 s, the second component missing every 7th step.
   */
  public static Trajectory hugeAndTinyGaps() {
    SplittableRandom rng = new SplittableRandom(5);
    int steps = 400;
    double[] times = new double[steps];
    double[] obs = new double[steps * 2];
    double t = 0.0;
    for (int k = 0; k < steps; k++) {
      times[k] = t;
      obs[2 * k] = rng.nextDouble(-10, 10);
      obs[2 * k + 1] = k % 7 == 0 ? Double.NaN : rng.nextDouble(-10, 10);
      double u = rng.nextDouble();
      t += u < 0.1 ? 1e6 : u < 0.2 ? 1e-9 : u < 0.25 ? 0.0 : 0.1;
    }
    return new Trajectory("gaps", times, obs, 2);
  }
}
