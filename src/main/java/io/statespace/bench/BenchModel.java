package io.statespace.bench;

import io.statespace.data.Trajectory;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.simulate.MissingPattern;
import io.statespace.simulate.ModelScenario;
import io.statespace.simulate.SimulatedTrajectory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The benchmark model: dynamax's parallel-inference notebook model, the 2-D constant-velocity model of Särkkä
 * 2013, Example 3.6 (4 states, 2 observations): dt = 0.1, q = 1, measurement std 0.5, and complete data (the
 * peers cannot skip observations). The peers' filters predict before every update, so they start from the
 * state before the first observation, (a, A) = ([0, 0, 1, -1], I); our engines start at the first
 * observation, so our prior is mu0 = F a, Sigma0 = F A Fᵀ + Q. Both then compute the same posterior.
 */
public final class BenchModel {
  public static final double DT = 0.1;
  private static final int N = 4;
  private static final int M = 2;

  private final double[] f = new double[N * N];
  private final double[] q = new double[N * N];
  private final double[] h = new double[M * N];
  private final double[] r = new double[M * M];
  private final double[] before = {0.0, 0.0, 1.0, -1.0};
  private final double[] beforeCov = new double[N * N];
  private final ConstantVelocityModel ours;

  public BenchModel() {
    ConstantVelocityModel shape = new ConstantVelocityModel(2, DT, ConstantVelocityModel.Noise.CONTINUOUS, 1.0,
        new double[] {0.5, 0.5}, new double[N], identity(N));
    shape.transition(DT, f, q);
    for (int i = 0; i < M; i++) {
      h[i * N + i] = 1.0;
      r[i * M + i] = 0.25;
    }
    System.arraycopy(identity(N), 0, beforeCov, 0, N * N);
    double[] mu0 = new double[N];
    double[] sigma0 = new double[N * N];
    for (int i = 0; i < N; i++) {
      for (int k = 0; k < N; k++) mu0[i] += f[i * N + k] * before[k];
      for (int j = 0; j < N; j++) {
        double s = q[i * N + j];
        for (int k = 0; k < N; k++) {
          for (int l = 0; l < N; l++) s += f[i * N + k] * beforeCov[k * N + l] * f[j * N + l];
        }
        sigma0[i * N + j] = s;
      }
    }
    ours = new ConstantVelocityModel(2, DT, ConstantVelocityModel.Noise.CONTINUOUS, 1.0, new double[] {0.5, 0.5},
        mu0, sigma0);
  }

  private static double[] identity(int n) {
    double[] a = new double[n * n];
    for (int i = 0; i < n; i++) a[i * n + i] = 1.0;
    return a;
  }

  /** The model for our engines (prior at the first observation). */
  public ConstantVelocityModel model() {
    return ours;
  }

  public int stateDim() {
    return N;
  }

  public int obsDim() {
    return M;
  }

  /** F, row-major rows (a copy, as a peer's constructor wants it). */
  public double[][] transition() {
    return rows(f, N, N);
  }

  /** Q. */
  public double[][] processNoise() {
    return rows(q, N, N);
  }

  /** H. */
  public double[][] observation() {
    return rows(h, M, N);
  }

  /** R. */
  public double[][] measurementNoise() {
    return rows(r, M, M);
  }

  /** The peers' initial state: the mean before the first observation. */
  public double[] initialState() {
    return before.clone();
  }

  /** The peers' initial covariance. */
  public double[][] initialCovariance() {
    return rows(beforeCov, N, N);
  }

  private static double[][] rows(double[] a, int rows, int cols) {
    double[][] out = new double[rows][cols];
    for (int i = 0; i < rows; i++) System.arraycopy(a, i * cols, out[i], 0, cols);
    return out;
  }

  /**
   * The bundled tracking sample's shape (data-samples/tracking.csv): the same model but with dt read from the
   * time column, 3% of the sampling instants skipped (so dt is 0.1, sometimes 0.2 or 0.3), 7% of the steps fully
   * and 3% partly missing. Only our engines run it: the peers cannot skip an observation.
   */
  public ConstantVelocityModel trackingModel() {
    return new ConstantVelocityModel(2, Double.NaN, ConstantVelocityModel.Noise.CONTINUOUS, 1.0,
        new double[] {0.5, 0.5}, ours.initialMean(), ours.initialCov());
  }

  /** {@code count} trajectories of the tracking sample's shape ({@link #trackingModel}), fixed seed. */
  public List<Trajectory> simulateTracking(int count, int steps, long seed) {
    ModelScenario scenario = new ModelScenario(trackingModel(), DT, 0.03, new MissingPattern(0.07, 0.03));
    SplittableRandom rng = new SplittableRandom(seed);
    List<Trajectory> out = new ArrayList<>(count);
    for (int k = 0; k < count; k++) {
      SimulatedTrajectory s = scenario.generate("t" + k, steps, rng.split());
      out.add(new Trajectory(s.id, s.times, s.observations, M));
    }
    return out;
  }

  /** {@code count} complete trajectories of {@code steps} steps drawn from the model (fixed seed). */
  public List<Trajectory> simulate(int count, int steps, long seed) {
    ModelScenario scenario = new ModelScenario(ours, DT, 0.0, new MissingPattern(0.0, 0.0));
    SplittableRandom rng = new SplittableRandom(seed);
    List<Trajectory> out = new ArrayList<>(count);
    for (int k = 0; k < count; k++) {
      SimulatedTrajectory s = scenario.generate("b" + k, steps, rng.split());
      out.add(new Trajectory(s.id, s.times, s.observations, M));
    }
    return out;
  }
}
