package io.statespace.model;

import io.statespace.data.Trajectory;

/**
 * The {@code constant-velocity} family in 1, 2 or 3 spatial dimensions. State order: all positions, then
 * all velocities ([px, py, vx, vy]); the positions are observed with per-axis standard deviations.
 * Per axis, F = [[1, dt], [0, 1]] and Q is either the continuous white-noise acceleration form
 * q [[dt³/3, dt²/2], [dt²/2, dt]] (Särkkä 2013, Example 3.6) or the piecewise-constant acceleration form
 * std_acc² [[dt⁴/4, dt³/2], [dt³/2, dt²]]. With no fixed dt, dt_t = time[t+1] - time[t] (0 is legal:
 * F = I, Q = 0).
 */
public final class ConstantVelocityModel implements StateSpaceModel {
  private static final long serialVersionUID = 1L;

  /** Process-noise form. */
  public enum Noise {
    CONTINUOUS("continuous"),
    PIECEWISE("piecewise");

    private final String key;

    Noise(String key) {
      this.key = key;
    }

    /** The model-file spelling. */
    public String key() {
      return key;
    }

    /** The model-file key of the noise level: {@code q} (continuous) or {@code std_acc} (piecewise). */
    public String levelKey() {
      return this == CONTINUOUS ? "q" : "std_acc";
    }

    /** The noise form whose level is spelled {@code key}, or null. */
    public static Noise ofLevelKey(String key) {
      for (Noise n : values()) {
        if (n.levelKey().equals(key)) return n;
      }
      return null;
    }
  }

  private final int axes;
  private final double fixedDt;
  private final Noise noise;
  private final double noiseLevel;
  private final double[] measurementStd;
  private final double[] initialMean;
  private final double[] initialCov;

  /**
   * @param fixedDt the step, or NaN to take dt from the time column
   * @param noiseLevel q for {@link Noise#CONTINUOUS}, std_acc for {@link Noise#PIECEWISE}
   */
  public ConstantVelocityModel(int spatialDims, double fixedDt, Noise noise, double noiseLevel,
      double[] measurementStd, double[] initialMean, double[] initialCov) {
    if (spatialDims < 1 || spatialDims > 3) {
      throw new IllegalArgumentException("spatial_dims: must be 1, 2 or 3, got " + spatialDims);
    }
    this.axes = spatialDims;
    this.fixedDt = fixedDt;
    this.noise = noise;
    this.noiseLevel = noiseLevel;
    int n = 2 * spatialDims;
    if (measurementStd.length != spatialDims) {
      throw new IllegalArgumentException("measurement_std: expected " + spatialDims + " values, got "
          + measurementStd.length);
    }
    if (initialMean.length != n || initialCov.length != n * n) {
      throw new IllegalArgumentException("initial: expected a mean of " + n + " and a " + n + "x" + n + " cov");
    }
    this.measurementStd = measurementStd.clone();
    this.initialMean = initialMean.clone();
    this.initialCov = initialCov.clone();
  }

  public int spatialDims() {
    return axes;
  }

  /** The fixed step, or NaN when dt comes from the time column. */
  public double fixedDt() {
    return fixedDt;
  }

  public boolean hasFixedDt() {
    return !Double.isNaN(fixedDt);
  }

  public Noise noise() {
    return noise;
  }

  /** q (continuous) or std_acc (piecewise). */
  public double noiseLevel() {
    return noiseLevel;
  }

  public double[] measurementStd() {
    return measurementStd.clone();
  }

  public double[] initialMean() {
    return initialMean.clone();
  }

  public double[] initialCov() {
    return initialCov.clone();
  }

  @Override
  public int stateDim() {
    return 2 * axes;
  }

  @Override
  public int obsDim() {
    return axes;
  }

  @Override
  public int inputDim() {
    return 0;
  }

  @Override
  public boolean usesTimeGaps() {
    return !hasFixedDt();
  }

  /** Q's position variance per axis for a step dt: q dt³/3 (continuous) or std_acc² dt⁴/4 (piecewise). */
  public static double positionVariance(Noise noise, double level, double dt) {
    return noise == Noise.CONTINUOUS ? level * dt * dt * dt / 3.0 : level * level * dt * dt * dt * dt / 4.0;
  }

  /** Q's position-velocity covariance per axis: q dt²/2 (continuous) or std_acc² dt³/2 (piecewise). */
  public static double positionVelocityCovariance(Noise noise, double level, double dt) {
    return noise == Noise.CONTINUOUS ? level * dt * dt / 2.0 : level * level * dt * dt * dt / 2.0;
  }

  /** Q's velocity variance per axis: q dt (continuous) or std_acc² dt² (piecewise). */
  public static double velocityVariance(Noise noise, double level, double dt) {
    return noise == Noise.CONTINUOUS ? level * dt : level * level * dt * dt;
  }

  /**
   * The derivatives of Q's per-axis entries (position variance, position-velocity covariance, velocity
   * variance) for one step: out[0..2] by the level, out[3..5] by dt. Continuous: dQ/dq = [dt³/3, dt²/2, dt],
   * dQ/d(dt) = q [dt², dt, 1]; piecewise: dQ/ds = 2s [dt⁴/4, dt³/2, dt²], dQ/d(dt) = s² [dt³, 3dt²/2, 2dt].
   */
  public static void noiseDerivatives(Noise noise, double level, double dt, double[] out) {
    double dt2 = dt * dt;
    double dt3 = dt2 * dt;
    if (noise == Noise.CONTINUOUS) {
      out[0] = dt3 / 3.0;
      out[1] = dt2 / 2.0;
      out[2] = dt;
      out[3] = level * dt2;
      out[4] = level * dt;
      out[5] = level;
    } else {
      out[0] = 2.0 * level * dt3 * dt / 4.0;
      out[1] = 2.0 * level * dt3 / 2.0;
      out[2] = 2.0 * level * dt2;
      out[3] = level * level * dt3;
      out[4] = level * level * 1.5 * dt2;
      out[5] = level * level * 2.0 * dt;
    }
  }

  /** Writes F(dt) and Q(dt) (both n×n) for one step of length dt. */
  public void transition(double dt, double[] weights, double[] cov) {
    int n = 2 * axes;
    java.util.Arrays.fill(weights, 0, n * n, 0.0);
    java.util.Arrays.fill(cov, 0, n * n, 0.0);
    double qpp = positionVariance(noise, noiseLevel, dt);
    double qpv = positionVelocityCovariance(noise, noiseLevel, dt);
    double qvv = velocityVariance(noise, noiseLevel, dt);
    for (int a = 0; a < axes; a++) {
      int pos = a;
      int vel = axes + a;
      weights[pos * n + pos] = 1.0;
      weights[vel * n + vel] = 1.0;
      weights[pos * n + vel] = dt;
      cov[pos * n + pos] = qpp;
      cov[pos * n + vel] = qpv;
      cov[vel * n + pos] = qpv;
      cov[vel * n + vel] = qvv;
    }
  }

  /**
   * With a fixed dt, the explicit linear model of the same F, Q, H, R; with dt from the time column, F's
   * (position, velocity) entries are the term dt and Q's per-axis entries the terms qpp, qpv, qvv.
   */
  @Override
  public StepForm stepForm() {
    int n = 2 * axes;
    double[] f = new double[n * n];
    double[] q = new double[n * n];
    transition(hasFixedDt() ? fixedDt : 1.0, f, q);
    double[] h = new double[axes * n];
    double[] r = new double[axes * axes];
    for (int a = 0; a < axes; a++) {
      h[a * n + a] = 1.0;
      r[a * axes + a] = measurementStd[a] * measurementStd[a];
    }
    LinearModel linear = new LinearModel(n, axes, 0, initialMean, initialCov, f, null, null, q, h, null, null, r);
    if (hasFixedDt()) return new StepForm.Constant(linear);
    int[] weightTerm = new int[n * n];
    int[] covTerm = new int[n * n];
    java.util.Arrays.fill(weightTerm, -1);
    java.util.Arrays.fill(covTerm, -1);
    for (int a = 0; a < axes; a++) {
      int pos = a;
      int vel = axes + a;
      weightTerm[pos * n + vel] = 0;
      covTerm[pos * n + pos] = 1;
      covTerm[pos * n + vel] = 2;
      covTerm[vel * n + pos] = 2;
      covTerm[vel * n + vel] = 3;
    }
    Noise form = noise;
    double level = noiseLevel;
    StepForm.GapTerms terms = (dt, out, lane) -> {
      out[0][lane] = dt;
      out[1][lane] = positionVariance(form, level, dt);
      out[2][lane] = positionVelocityCovariance(form, level, dt);
      out[3][lane] = velocityVariance(form, level, dt);
    };
    return new StepForm.TimeGaps(linear, 4, terms, weightTerm, covTerm,
        new double[] {noise == Noise.PIECEWISE ? 1.0 : 0.0, noiseLevel});
  }

  @Override
  public StepParameters bind(Trajectory trajectory) {
    if (trajectory.obsDim() != axes) {
      throw new IllegalArgumentException("trajectory '" + trajectory.id() + "' has " + trajectory.obsDim()
          + " observation columns, the model expects " + axes);
    }
    final int n = 2 * axes;
    final double[] times = trajectory.times();
    return new BoundParameters(n, axes, initialMean, initialCov) {
      @Override
      public void dynamics(int t, double[] weights, double[] bias, double[] cov) {
        double dt = hasFixedDt() ? fixedDt : times[t + 1] - times[t];
        transition(dt, weights, cov);
        java.util.Arrays.fill(bias, 0, n, 0.0);
      }

      @Override
      public void emissions(int t, double[] weights, double[] bias, double[] cov) {
        java.util.Arrays.fill(weights, 0, axes * n, 0.0);
        java.util.Arrays.fill(cov, 0, axes * axes, 0.0);
        for (int a = 0; a < axes; a++) {
          weights[a * n + a] = 1.0;
          cov[a * axes + a] = measurementStd[a] * measurementStd[a];
          bias[a] = 0.0;
        }
      }

      @Override
      public boolean timeInvariant() {
        return hasFixedDt();
      }
    };
  }
}
