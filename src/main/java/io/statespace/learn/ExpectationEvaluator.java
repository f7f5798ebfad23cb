package io.statespace.learn;

import io.statespace.data.Trajectory;
import io.statespace.execution.BlockRunner;
import io.statespace.execution.Engine;
import io.statespace.execution.EngineChoice;
import io.statespace.execution.Outcome;
import io.statespace.inference.InferenceException;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.linalg.Cholesky;
import io.statespace.model.LinearModel;
import io.statespace.model.StepParameters;
import java.util.Arrays;
import java.util.List;

/**
 * EM's E-step for one trajectory at a time at one θ: the RTS smoother (with lag-one cross-covariances),
 * then the expected sufficient statistics ({@link EmStatistics}) and, optionally, the log-likelihood
 * gradient by Fisher's identity from the same moments. One instance per partition and thread.
 *
 * <p>Partly missing y_t (Shumway &amp; Stoffer's modified E-step): given x_t and the observed rows y_O,
 * y_M = H_M x + e_M + G (y_O − H_O x − e_O) + η with G = R_MO R_OO⁻¹ and Cov η = R_MM − G R_OM. So
 * y_t = J x_t + j + η with J_O = 0, j_O = y_O, J_M = H_M − G H_O, j_M = e_M + G (y_O − e_O), and
 * E[y] = J m + j, E[y xᵀ] = J (P + m mᵀ) + j mᵀ, E[y yᵀ] = J P Jᵀ + E[y] E[y]ᵀ + Cov η.
 */
public final class ExpectationEvaluator {
  private final LinearModel model;
  private final GradientChain chain;
  private final boolean withGradient;
  private final SequentialEngine engine = new SequentialEngine();
  private final BlockRunner batched = BlockRunner.cpu(EngineChoice.BATCHED, 1);
  private final FisherGradient fisher;
  private final int n;
  private final int m;
  private final int p;
  private final int q;
  private final double[] h;
  private final double[] e;
  private final double[] r;
  private final double[] z;
  private final double[] jm;
  private final double[] jv;
  private final double[] ey;
  private final double[] jp;
  private final double[] roo;
  private final double[] gt;
  private final int[] obs;
  private final int[] mis;

  /**
   * @param withGradient also compute the Fisher-identity gradient (needs positive-definite Q, R, Sigma0)
   */
  public ExpectationEvaluator(LinearParameterization parameterization, double[] theta, boolean withGradient) {
    this.model = parameterization.model(theta);
    this.chain = parameterization.chain(theta);
    this.withGradient = withGradient;
    n = model.stateDim();
    m = model.obsDim();
    p = model.inputDim();
    q = n + p + 1;
    fisher = new FisherGradient(n, m);
    h = new double[m * n];
    e = new double[m];
    r = new double[m * m];
    z = new double[q];
    jm = new double[m * n];
    jv = new double[m];
    ey = new double[m];
    jp = new double[m * n];
    roo = new double[m * m];
    gt = new double[m * m];
    obs = new int[m];
    mis = new int[m];
  }

  public LinearModel model() {
    return model;
  }

  /** Adds one trajectory's statistics. A numerical failure is recorded in the statistics, not thrown. */
  public void add(Trajectory trajectory, EmStatistics stats) {
    Posterior post;
    try {
      post = engine.smooth(model, trajectory, Outputs.of(false, true));
    } catch (InferenceException ex) {
      stats.failures++;
      stats.trajectories++;
      if (stats.firstFailure == null) stats.firstFailure = ex.getMessage();
      return;
    }
    add(trajectory, post, stats);
    stats.trajectoriesByEngine.merge(Engine.SEQUENTIAL.label(), 1L, Long::sum);
  }

  /**
   * Adds the statistics of a block of trajectories smoothed together by the batched engine (many
   * trajectories in lockstep, several times the sequential engine's speed: docs/BENCHMARKS.md). Should the
   * batched engine fail numerically, {@link BlockRunner} smooths the trajectories it did not finish with the
   * sequential reference engine, logs each and labels it; the statistics count trajectories by engine.
   */
  public void addAll(List<Trajectory> block, EmStatistics stats) {
    for (Outcome o : batched.runBlock(model, block, Outputs.of(false, true))) {
      if (!o.ok()) {
        stats.failures++;
        stats.trajectories++;
        if (stats.firstFailure == null) stats.firstFailure = o.failure();
        continue;
      }
      add(o.trajectory(), o.posterior(), stats);
      stats.trajectoriesByEngine.merge(o.engineLabel(), 1L, Long::sum);
    }
  }

  private void add(Trajectory trajectory, Posterior post, EmStatistics stats) {
    add(trajectory, post, stats, true);
  }

  /**
   * Adds one segment's share of a long trajectory's statistics (docs/ARCHITECTURE.md §7.5): {@code local} is
   * the segment's rows followed by the first row of the next segment (none for the last segment), and
   * {@code post} the segmented smoother's moments over those rows (the last from the next segment), with the
   * lag-one cross-covariances and the segment's share of the log-likelihood. The segment owns its
   * observations and the transitions out of its rows (the last across the cut); only the first segment owns
   * the initial moments and counts the trajectory. The following row's observations are never used.
   */
  public void addSegment(Trajectory local, Posterior post, boolean first, EmStatistics stats) {
    add(local, post, stats, first);
  }

  private void add(Trajectory trajectory, Posterior post, EmStatistics stats, boolean first) {
    StepParameters params = model.bind(trajectory);
    stats.logLikelihood += post.logLikelihood();
    if (first) stats.trajectories++;
    if (withGradient) {
      try {
        chain.begin(trajectory);
        fisher.run(params, trajectory.id(), trajectory.observations(), post, chain, first);
        chain.end(stats.gradient);
      } catch (InferenceException ex) {
        stats.gradientFailures++;
      }
    } else {
      stats.gradientFailures++;
    }
    double[] sm = post.smoothedMeans();
    double[] sc = post.smoothedCovariances();
    double[] cross = post.smoothedCrossCovariances();
    double[] u = trajectory.inputs();
    double[] y = trajectory.observations();
    int steps = trajectory.length();
    int n2 = n * n;
    for (int i = 0; first && i < n; i++) {
      stats.initMean[i] += sm[i];
      for (int j = 0; j < n; j++) stats.initSecond[i * n + j] += sc[i * n + j] + sm[i] * sm[j];
    }
    for (int t = 0; t + 1 < steps; t++) {
      addSecondMoment(stats.dynZZ, sm, sc, u, t);
      int a = t * n;
      int b = (t + 1) * n;
      for (int i = 0; i < n; i++) {
        double xi = sm[b + i];
        for (int j = 0; j < n; j++) {
          stats.dynXZ[i * q + j] += cross[t * n2 + i * n + j] + xi * sm[a + j];
          stats.dynXX[i * n + j] += sc[(t + 1) * n2 + i * n + j] + xi * sm[b + j];
        }
        for (int j = 0; j < p; j++) stats.dynXZ[i * q + n + j] += xi * u[t * p + j];
        stats.dynXZ[i * q + n + p] += xi;
      }
    }
    stats.transitions += Math.max(0, steps - 1);
    for (int t = 0; t < steps; t++) {
      int k = 0;
      int km = 0;
      for (int i = 0; i < m; i++) {
        if (Double.isNaN(y[t * m + i])) mis[km++] = i;
        else obs[k++] = i;
      }
      if (k == 0) continue;
      params.emissions(t, h, e, r);
      addSecondMoment(stats.emZZ, sm, sc, u, t);
      emission(stats, t, k, km, y, sm, sc, u);
      stats.emissionSteps++;
    }
  }

  /** zz += E[z_t z_tᵀ] with z_t = [x_t; u_t; 1]. */
  private void addSecondMoment(double[] zz, double[] sm, double[] sc, double[] u, int t) {
    for (int i = 0; i < n; i++) z[i] = sm[t * n + i];
    for (int j = 0; j < p; j++) z[n + j] = u[t * p + j];
    z[n + p] = 1.0;
    for (int i = 0; i < q; i++) {
      for (int j = 0; j < q; j++) zz[i * q + j] += z[i] * z[j];
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) zz[i * q + j] += sc[t * n * n + i * n + j];
    }
  }

  /** Builds (J, j, Cov η) for step t and adds E[y zᵀ] and E[y yᵀ]. */
  private void emission(EmStatistics stats, int t, int k, int km, double[] y, double[] sm, double[] sc, double[] u) {
    Arrays.fill(jm, 0.0);
    for (int a = 0; a < k; a++) jv[obs[a]] = y[t * m + obs[a]];
    double[] yy = stats.emYY;
    if (km > 0) {
      // gt = R_OO⁻¹ R_OM (k×km) = Gᵀ
      for (int a = 0; a < k; a++) {
        for (int b = 0; b < k; b++) roo[a * k + b] = r[obs[a] * m + obs[b]];
        for (int b = 0; b < km; b++) gt[a * km + b] = r[obs[a] * m + mis[b]];
      }
      if (!Cholesky.decompose(roo, 0, k)) {
        throw new IllegalStateException("emissions.cov is not positive definite");
      }
      Cholesky.solve(roo, 0, k, gt, 0, km);
      for (int b = 0; b < km; b++) {
        int row = mis[b];
        double v = e[row];
        for (int a = 0; a < k; a++) v += gt[a * km + b] * (y[t * m + obs[a]] - e[obs[a]]);
        jv[row] = v;
        for (int j = 0; j < n; j++) {
          double s = h[row * n + j];
          for (int a = 0; a < k; a++) s -= gt[a * km + b] * h[obs[a] * n + j];
          jm[row * n + j] = s;
        }
        // Cov η = R_MM − G R_OM
        for (int c = 0; c < km; c++) {
          double s = r[row * m + mis[c]];
          for (int a = 0; a < k; a++) s -= gt[a * km + b] * r[obs[a] * m + mis[c]];
          yy[row * m + mis[c]] += s;
        }
      }
    }
    int mo = t * n;
    int po = t * n * n;
    // ey = J m + j ; jp = J P
    for (int i = 0; i < m; i++) {
      double v = jv[i];
      for (int j = 0; j < n; j++) v += jm[i * n + j] * sm[mo + j];
      ey[i] = v;
      for (int j = 0; j < n; j++) {
        double s = 0.0;
        for (int l = 0; l < n; l++) s += jm[i * n + l] * sc[po + l * n + j];
        jp[i * n + j] = s;
      }
    }
    double[] yz = stats.emYZ;
    for (int i = 0; i < m; i++) {
      // E[y xᵀ] = J P + E[y] mᵀ   (since J (P + m mᵀ) + j mᵀ = J P + (J m + j) mᵀ)
      for (int j = 0; j < n; j++) yz[i * q + j] += jp[i * n + j] + ey[i] * sm[mo + j];
      for (int j = 0; j < p; j++) yz[i * q + n + j] += ey[i] * u[t * p + j];
      yz[i * q + n + p] += ey[i];
      for (int c = 0; c < m; c++) {
        double s = ey[i] * ey[c];
        for (int j = 0; j < n; j++) s += jp[i * n + j] * jm[c * n + j];
        yy[i * m + c] += s;
      }
    }
  }
}
