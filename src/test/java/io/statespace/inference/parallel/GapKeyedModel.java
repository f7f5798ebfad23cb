package io.statespace.inference.parallel;

import io.statespace.data.Trajectory;
import io.statespace.model.BoundParameters;
import io.statespace.model.LinearModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepParameters;
import io.statespace.testing.RandomModels;
import java.util.SplittableRandom;

/**
 * A random time-varying model whose every step differs, keyed (as {@link StateSpaceModel#bind} requires)
 * by the trajectory's times and inputs, never by the step's index: F_t = I + dt (D + noise(time_t)),
 * Q_t = dt Q_c, H_t and R_t perturbed by noise(time_t), on top of a random explicit linear model with
 * inputs. RandomModels' time-varying model keys its noise by the index, which a segment, being a
 * trajectory of its own, cannot reproduce.
 */
final class GapKeyedModel implements StateSpaceModel {
  private static final long serialVersionUID = 1L;
  private final long seed;
  private final LinearModel base;
  private final double[] drift;
  private final double[] qc;

  GapKeyedModel(long seed, int n, int m, int p) {
    SplittableRandom rng = new SplittableRandom(seed);
    this.seed = seed;
    this.base = RandomModels.linear(rng, n, m, p);
    this.drift = RandomModels.stable(rng, n, 0.3);
    for (int i = 0; i < n; i++) drift[i * n + i] -= 0.6;
    this.qc = RandomModels.spd(rng, n, 0.5, 0.05);
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
        SplittableRandom r = new SplittableRandom(seed * 1_000_003L + Double.doubleToLongBits(times[t]));
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
        SplittableRandom r = new SplittableRandom(seed * 7_000_003L + Double.doubleToLongBits(times[t]));
        for (int i = 0; i < m * n; i++) weights[i] += 0.2 * r.nextDouble(-1, 1);
        for (int i = 0; i < m; i++) cov[i * m + i] *= 1.0 + r.nextDouble();
      }
    };
  }
}
