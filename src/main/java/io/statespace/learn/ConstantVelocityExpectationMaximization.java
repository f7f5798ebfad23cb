package io.statespace.learn;

import io.statespace.data.Trajectory;
import io.statespace.inference.Posterior;
import io.statespace.linalg.Symmetric;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepParameters;

/**
 * EM for the {@code constant-velocity} family with any of {@code q} (continuous noise) or {@code std_acc}
 * (piecewise), the per-axis {@code measurement_std}, {@code initial.mean}, {@code initial.cov} free (not
 * {@code dt}: it enters F and Q together and has no closed-form M-step). Every M-step is closed form
 * (docs/ARCHITECTURE.md §7.4). Per axis a and transition t with dt_t > 0, w = [pos_a, vel_a]_{t+1} − F(dt_t)
 * [pos_a, vel_a]_t has E[w wᵀ] = Cov(w) + E[w] E[w]ᵀ from the smoothed moments and the lag-one cross-covariance:
 * <pre>
 *   continuous, Q = q Qc(dt), Qc⁻¹ = [[12/dt³, −6/dt²], [−6/dt², 4/dt]]:
 *     q̂ = Σ_t Σ_a tr(Qc(dt_t)⁻¹ E[w wᵀ]) / (2 · axes · transitions)
 *   piecewise, Q = s² g gᵀ with g = [dt²/2, dt] (rank one): on its support w = g α with α ~ N(0, s²), the
 *     pseudo-determinant is s² |g|² and wᵀ Q⁺ w = (gᵀ w)² / (s² |g|⁴), so the expected log-density is
 *     −½ log s² − E[(gᵀ w)²] / (2 s² |g|⁴) + const and
 *     ŝ² = Σ_t Σ_a gᵀ E[w wᵀ] g / |g|⁴ / (axes · transitions)
 *   measurement_std_a² = Σ_{t: y_ta observed} E[(y_ta − pos_a,t)²] / (observed steps of axis a)
 *   initial: as the linear family's (mean of the smoothed first moments; Σ0 about the new μ0)
 * </pre>
 * A transition with dt = 0 (F = I, Q = 0: x_{t+1} = x_t) has a density that does not depend on the level and
 * contributes nothing. The expected complete-data log-likelihood separates into the transition terms (the level
 * only), the emission terms (the stds only) and the initial terms, so maximising each is the joint maximum and
 * EM is monotone.
 */
public final class ConstantVelocityExpectationMaximization implements ExpectationMaximization {
  private static final long serialVersionUID = 1L;

  private final ConstantVelocityParameterization parameterization;
  private final int axes;

  /** @throws IllegalArgumentException when dt is free */
  public ConstantVelocityExpectationMaximization(ConstantVelocityParameterization parameterization) {
    if (parameterization.dtFree()) throw new IllegalArgumentException(REFUSAL_DT);
    this.parameterization = parameterization;
    this.axes = parameterization.base().spatialDims();
  }

  /** Why EM refuses a free dt (one line). */
  public static final String REFUSAL_DT = "EM for constant-velocity: dt has no closed-form M-step (it moves F and Q together);"
      + " free q or std_acc, measurement_std and initial.* only, or fit dt with --optimizer lbfgs";

  @Override
  public ConstantVelocityParameterization parameterization() {
    return parameterization;
  }

  @Override
  public EmStatistics zero() {
    return new EmStatistics(2 * axes, axes, 0, parameterization.size(), 2 + 2 * axes);
  }

  @Override
  public MomentSums sums(StateSpaceModel model) {
    return new Sums((ConstantVelocityModel) model);
  }

  @Override
  public double[] maximize(double[] theta, EmStatistics s) {
    if (s.failures > 0) throw new IllegalStateException("E-step failed: " + s.firstFailure);
    ConstantVelocityModel current = parameterization.model(theta);
    int n = 2 * axes;
    double level = current.noiseLevel();
    if (parameterization.levelFree() && s.extra[1] > 0) {
      double perDim = s.extra[0] / (s.extra[1] * axes * (current.noise() == ConstantVelocityModel.Noise.CONTINUOUS ? 2 : 1));
      level = current.noise() == ConstantVelocityModel.Noise.CONTINUOUS ? perDim : Math.sqrt(perDim);
    }
    double[] std = current.measurementStd();
    for (int a = 0; a < axes; a++) {
      double count = s.extra[3 + 2 * a];
      if (parameterization.measurementStdFree(a) && count > 0) std[a] = Math.sqrt(s.extra[2 + 2 * a] / count);
    }
    double[] mu0 = current.initialMean();
    double[] sigma0 = current.initialCov();
    if (parameterization.initialMeanFree()) {
      for (int i = 0; i < n; i++) mu0[i] = s.initMean[i] / s.trajectories;
    }
    if (parameterization.initialCovFree()) {
      double count = s.trajectories;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          sigma0[i * n + j] = (s.initSecond[i * n + j] - mu0[i] * s.initMean[j] - s.initMean[i] * mu0[j]
              + count * mu0[i] * mu0[j]) / count;
        }
      }
      Symmetric.symmetrize(sigma0, 0, n);
    }
    return parameterization.theta(new ConstantVelocityModel(axes, current.fixedDt(), current.noise(), level, std, mu0, sigma0));
  }

  /** The per-trajectory sums: [level numerator, transitions with dt > 0, then per axis Σ E[(y − pos)²], observed steps]. */
  private static final class Sums implements MomentSums {
    private final ConstantVelocityModel model;
    private final int axes;
    private final int n;

    Sums(ConstantVelocityModel model) {
      this.model = model;
      this.axes = model.spatialDims();
      this.n = 2 * axes;
    }

    @Override
    public void add(Trajectory trajectory, StepParameters params, Posterior post, EmStatistics stats) {
      double[] sm = post.smoothedMeans();
      double[] sc = post.smoothedCovariances();
      double[] cross = post.smoothedCrossCovariances();
      double[] times = trajectory.times();
      double[] y = trajectory.observations();
      int steps = trajectory.length();
      int n2 = n * n;
      boolean continuous = model.noise() == ConstantVelocityModel.Noise.CONTINUOUS;
      for (int t = 0; t + 1 < steps; t++) {
        double dt = model.hasFixedDt() ? model.fixedDt() : times[t + 1] - times[t];
        if (!(dt > 0)) continue;
        stats.extra[1]++;
        for (int a = 0; a < axes; a++) {
          int p = a;
          int v = axes + a;
          int c0 = t * n2;
          int c1 = (t + 1) * n2;
          // E[w] = m1 − F m0
          double ep = sm[(t + 1) * n + p] - sm[t * n + p] - dt * sm[t * n + v];
          double ev = sm[(t + 1) * n + v] - sm[t * n + v];
          // Cov(x1) − C Fᵀ − F Cᵀ + F P0 Fᵀ on the (p, v) block, C = Cov(x_{t+1}, x_t) = cross[t]
          double p1pp = sc[c1 + p * n + p];
          double p1pv = sc[c1 + p * n + v];
          double p1vv = sc[c1 + v * n + v];
          double cpp = cross[c0 + p * n + p];
          double cpv = cross[c0 + p * n + v];
          double cvp = cross[c0 + v * n + p];
          double cvv = cross[c0 + v * n + v];
          double p0pp = sc[c0 + p * n + p];
          double p0pv = sc[c0 + p * n + v];
          double p0vv = sc[c0 + v * n + v];
          // (C Fᵀ): rows of C times F's rows: F = [[1, dt], [0, 1]] → (C Fᵀ)_{i0} = C_i p + dt C_i v, (C Fᵀ)_{i1} = C_i v
          double cfPP = cpp + dt * cpv;
          double cfPV = cpv;
          double cfVP = cvp + dt * cvv;
          double cfVV = cvv;
          // F P0 Fᵀ
          double fpfPP = p0pp + 2 * dt * p0pv + dt * dt * p0vv;
          double fpfPV = p0pv + dt * p0vv;
          double fpfVV = p0vv;
          double wpp = p1pp - 2 * cfPP + fpfPP + ep * ep;
          double wpv = p1pv - cfPV - cfVP + fpfPV + ep * ev;
          double wvv = p1vv - 2 * cfVV + fpfVV + ev * ev;
          if (continuous) {
            stats.extra[0] += 12.0 / (dt * dt * dt) * wpp - 12.0 / (dt * dt) * wpv + 4.0 / dt * wvv;
          } else {
            double g0 = dt * dt / 2.0;
            double g1 = dt;
            double gg = g0 * g0 + g1 * g1;
            stats.extra[0] += (g0 * g0 * wpp + 2 * g0 * g1 * wpv + g1 * g1 * wvv) / (gg * gg);
          }
        }
      }
      for (int t = 0; t < steps; t++) {
        for (int a = 0; a < axes; a++) {
          double obs = y[t * axes + a];
          if (Double.isNaN(obs)) continue;
          double r = obs - sm[t * n + a];
          stats.extra[2 + 2 * a] += r * r + sc[t * n2 + a * n + a];
          stats.extra[3 + 2 * a]++;
        }
      }
    }
  }
}
