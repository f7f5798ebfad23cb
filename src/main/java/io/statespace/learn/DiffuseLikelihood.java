package io.statespace.learn;

import io.statespace.inference.InferenceException;
import io.statespace.inference.diffuse.DiffuseFilter;
import io.statespace.inference.diffuse.DiffusePeriod;
import io.statespace.model.DiffusePrior;
import io.statespace.model.StepParameters;
import io.statespace.model.StepsFrom;
import java.util.Arrays;

/**
 * The negative log-likelihood of a model with a diffuse prior and its exact gradient (docs/ARCHITECTURE.md §7.6):
 * the diffuse period (steps 0..d−1) by the exact diffuse filter, the rest by the {@link AdjointFilter} started from
 * the one-step prediction (a_d, P_d) out of the period. The adjoint gives dL/d(a_d, P_d) as its prior gradient;
 * the period's matrices reach the loss only through ℓ_diffuse and (a_d, P_d), so every entry A of F_t, c_t, Q_t
 * (t &lt; d) and H_t, e_t, R_t (t &lt; d) gets dL/dA = −dℓ_diffuse/dA + dL/da_d · da_d/dA + ⟨dL/dP_d, dP_d/dA⟩
 * from forward-mode tangents of the period's univariate recursions in the direction of A (the branch each
 * component took held fixed, as the derivative of the function evaluated). A period is one or two steps in
 * practice, so the tangents cost about as much as a few filter steps per matrix entry. One instance per thread.
 */
final class DiffuseLikelihood {
  private static final double LOG_2PI = Math.log(2.0 * Math.PI);

  private final int n;
  private final int m;
  private final AdjointFilter adjoint;
  private final DiffuseFilter filter;
  private final Tangent tangent;
  private final PriorGradient prior;
  private long scored;

  DiffuseLikelihood(int stateDim, int obsDim) {
    n = stateDim;
    m = obsDim;
    adjoint = new AdjointFilter(n, m);
    filter = new DiffuseFilter(n, m);
    tangent = new Tangent();
    prior = new PriorGradient();
  }

  /** Observed components of the last evaluation. */
  long scored() {
    return scored;
  }

  /**
   * L = −log p(y) and its gradient fed to {@code sink} per step.
   *
   * @throws InferenceException when the period does not end or an innovation covariance is not positive definite
   */
  double evaluate(StepParameters params, String id, double[] y, int steps, StepGradients sink) {
    int nn = n * n;
    double[] fm = new double[steps * n];
    double[] fc = new double[steps * nn];
    DiffusePeriod period = filter.run(params, id, y, steps, fm, fc, null, null);
    int d = period.length();
    double loss = -period.logLikelihood();
    scored = 0;
    for (int i = 0; i < steps * m; i++) {
      if (!Double.isNaN(y[i])) scored++;
    }
    Arrays.fill(prior.dMean, 0.0);
    Arrays.fill(prior.dCov, 0.0);
    if (d < steps) {
      StepsFrom rest = new StepsFrom(params, d, tangent.predictFrom(params, d, fm, fc));
      loss += adjoint.forward(rest, id, Arrays.copyOfRange(y, d * m, steps * m), steps - d, null, 1.0, 0.0);
      adjoint.backward(new ShiftedSink(sink, d, prior));
    }
    tangent.feed(params, id, y, d, d < steps, sink, prior);
    return loss;
  }

  /** The adjoint's prior gradient dL/d(a_d, P_d), kept for the period's chain. */
  private final class PriorGradient {
    final double[] dMean = new double[n];
    final double[] dCov = new double[n * n];
  }

  /** The adjoint's gradients moved back to the trajectory's steps; its prior gradient kept. */
  private static final class ShiftedSink implements StepGradients {
    private final StepGradients sink;
    private final int d;
    private final DiffuseLikelihood.PriorGradient prior;

    ShiftedSink(StepGradients sink, int d, DiffuseLikelihood.PriorGradient prior) {
      this.sink = sink;
      this.d = d;
      this.prior = prior;
    }

    @Override
    public void initial(double[] dMean, double[] dCov) {
      System.arraycopy(dMean, 0, prior.dMean, 0, dMean.length);
      System.arraycopy(dCov, 0, prior.dCov, 0, dCov.length);
    }

    @Override
    public void dynamics(int t, double[] dWeights, double[] dBias, double[] dCov) {
      sink.dynamics(t + d, dWeights, dBias, dCov);
    }

    @Override
    public void emissions(int t, double[] dWeights, double[] dBias, double[] dCov) {
      sink.emissions(t + d, dWeights, dBias, dCov);
    }
  }

  /**
   * The period's recursions in value and one tangent direction (dF, dc, dQ at one transition or dH, de, dR at one
   * observation); a fresh pass per direction.
   */
  private final class Tangent {
    private final int nn = n * n;
    private final double[] f = new double[nn];
    private final double[] c = new double[n];
    private final double[] q = new double[nn];
    private final double[] h = new double[m * n];
    private final double[] e = new double[m];
    private final double[] r = new double[m * m];
    private final double[] df = new double[nn];
    private final double[] dc = new double[n];
    private final double[] dq = new double[nn];
    private final double[] dh = new double[m * n];
    private final double[] de = new double[m];
    private final double[] dr = new double[m * m];
    private final double[] a = new double[n];
    private final double[] da = new double[n];
    private final double[] ps = new double[nn];
    private final double[] dps = new double[nn];
    private final double[] pi = new double[nn];
    private final double[] dpi = new double[nn];
    private final double[] tmp = new double[nn];
    private final double[] dtmp = new double[nn];
    private final int[] obs = new int[m];
    private final double[] cl = new double[m * m];
    private final double[] dcl = new double[m * m];
    private final double[] yw = new double[m];
    private final double[] dyw = new double[m];
    private final double[] z = new double[m * n];
    private final double[] dz = new double[m * n];
    private final double[] ms = new double[n];
    private final double[] dms = new double[n];
    private final double[] mi = new double[n];
    private final double[] dmi = new double[n];
    private final double[] k0 = new double[n];
    private final double[] dk0 = new double[n];
    private final double[] k1 = new double[n];
    private final double[] dk1 = new double[n];
    private double dLogLik;

    /** (a_d, P_d): the prediction of step d from the filtered moments of step d−1. */
    double[][] predictFrom(StepParameters params, int d, double[] fm, double[] fc) {
      params.dynamics(d - 1, f, c, q);
      double[] mean = new double[n];
      double[] cov = new double[nn];
      for (int i = 0; i < n; i++) {
        double s = c[i];
        for (int j = 0; j < n; j++) s += f[i * n + j] * fm[(d - 1) * n + j];
        mean[i] = s;
      }
      sandwich(f, fc, (d - 1) * nn, cov);
      for (int i = 0; i < nn; i++) cov[i] += q[i];
      symmetrize(cov);
      return new double[][] {mean, cov};
    }

    /** Feeds dL/dA for every entry of the period's matrices to the sink. */
    void feed(StepParameters params, String id, double[] y, int d, boolean predicts, StepGradients sink,
        PriorGradient g) {
      double[] gf = new double[nn];
      double[] gc = new double[n];
      double[] gq = new double[nn];
      double[] gh = new double[m * n];
      double[] ge = new double[m];
      double[] gr = new double[m * m];
      int transitions = predicts ? d : d - 1;
      for (int t = 0; t < transitions; t++) {
        for (int i = 0; i < nn; i++) gf[i] = direction(params, id, y, d, predicts, g, t, -1, Kind.F, i, -1);
        for (int i = 0; i < n; i++) gc[i] = direction(params, id, y, d, predicts, g, t, -1, Kind.C, i, -1);
        covariance(params, id, y, d, predicts, g, t, -1, Kind.Q, n, gq);
        sink.dynamics(t, gf, gc, gq);
      }
      for (int t = 0; t < d; t++) {
        for (int i = 0; i < m * n; i++) gh[i] = direction(params, id, y, d, predicts, g, -1, t, Kind.H, i, -1);
        for (int i = 0; i < m; i++) ge[i] = direction(params, id, y, d, predicts, g, -1, t, Kind.E, i, -1);
        covariance(params, id, y, d, predicts, g, -1, t, Kind.R, m, gr);
        sink.emissions(t, gh, ge, gr);
      }
    }

    /** The symmetric gradient of a k×k covariance: G_ii from E_ii, G_ij = ½ dL/d(E_ij + E_ji). */
    private void covariance(StepParameters params, String id, double[] y, int d, boolean predicts, PriorGradient g,
        int transition, int observation, Kind kind, int k, double[] out) {
      for (int i = 0; i < k; i++) {
        for (int j = i; j < k; j++) {
          double v = direction(params, id, y, d, predicts, g, transition, observation, kind, i * k + j, j * k + i);
          out[i * k + j] = i == j ? v : 0.5 * v;
          out[j * k + i] = out[i * k + j];
        }
      }
    }

    /**
     * dL in the direction of one entry (two symmetric entries for a covariance) of the transition {@code transition}
     * or the observation {@code observation}.
     */
    private double direction(StepParameters params, String id, double[] y, int d, boolean predicts, PriorGradient g,
        int transition, int observation, Kind kind, int entry, int mirror) {
      params.initial(a, ps);
      boolean[] diffuse = DiffusePrior.components(ps, n);
      Arrays.fill(pi, 0.0);
      for (int i = 0; i < n; i++) {
        if (!diffuse[i]) continue;
        a[i] = 0.0;
        for (int j = 0; j < n; j++) {
          ps[i * n + j] = 0.0;
          ps[j * n + i] = 0.0;
        }
        pi[i * n + i] = 1.0;
      }
      Arrays.fill(da, 0.0);
      Arrays.fill(dps, 0.0);
      Arrays.fill(dpi, 0.0);
      dLogLik = 0.0;
      for (int t = 0; t < d; t++) {
        if (t > 0) predict(params, t - 1, transition == t - 1, kind, entry, mirror);
        params.emissions(t, h, e, r);
        Arrays.fill(dh, 0.0);
        Arrays.fill(de, 0.0);
        Arrays.fill(dr, 0.0);
        if (observation == t) seed(kind, entry, mirror);
        update(y, t, id);
      }
      if (!predicts) return -dLogLik;
      predict(params, d - 1, transition == d - 1, kind, entry, mirror);
      double dl = -dLogLik;
      for (int i = 0; i < n; i++) dl += g.dMean[i] * da[i];
      for (int i = 0; i < nn; i++) dl += g.dCov[i] * dps[i];
      return dl;
    }

    private void seed(Kind kind, int entry, int mirror) {
      double[] target = kind == Kind.F ? df : kind == Kind.C ? dc : kind == Kind.Q ? dq : kind == Kind.H ? dh
          : kind == Kind.E ? de : dr;
      target[entry] = 1.0;
      if (mirror >= 0) target[mirror] = 1.0;
    }

    /** a = F a + c, P_* = F P_* Fᵀ + Q, P_∞ = F P_∞ Fᵀ with their tangents. */
    private void predict(StepParameters params, int t, boolean seeded, Kind kind, int entry, int mirror) {
      params.dynamics(t, f, c, q);
      Arrays.fill(df, 0.0);
      Arrays.fill(dc, 0.0);
      Arrays.fill(dq, 0.0);
      if (seeded) seed(kind, entry, mirror);
      double[] an = new double[n];
      double[] dan = new double[n];
      for (int i = 0; i < n; i++) {
        double s = c[i];
        double ds = dc[i];
        for (int j = 0; j < n; j++) {
          s += f[i * n + j] * a[j];
          ds += df[i * n + j] * a[j] + f[i * n + j] * da[j];
        }
        an[i] = s;
        dan[i] = ds;
      }
      System.arraycopy(an, 0, a, 0, n);
      System.arraycopy(dan, 0, da, 0, n);
      propagate(ps, dps, true);
      propagate(pi, dpi, false);
    }

    /** P ← F P Fᵀ (+ Q), dP ← dF P Fᵀ + F dP Fᵀ + F P dFᵀ (+ dQ). */
    private void propagate(double[] p, double[] dp, boolean addNoise) {
      double[] next = new double[nn];
      double[] dnext = new double[nn];
      sandwich(f, p, 0, next);
      sandwich(f, dp, 0, dnext);
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          double s = 0.0;
          for (int k = 0; k < n; k++) {
            for (int l = 0; l < n; l++) s += df[i * n + k] * p[k * n + l] * f[j * n + l] + f[i * n + k] * p[k * n + l] * df[j * n + l];
          }
          dnext[i * n + j] += s;
        }
      }
      if (addNoise) {
        for (int i = 0; i < nn; i++) {
          next[i] += q[i];
          dnext[i] += dq[i];
        }
      }
      symmetrize(next);
      symmetrize(dnext);
      System.arraycopy(next, 0, p, 0, nn);
      System.arraycopy(dnext, 0, dp, 0, nn);
    }

    /** The observation of step t: LDL whitening and the univariate components, with tangents. */
    private void update(double[] y, int t, String id) {
      int k = 0;
      for (int i = 0; i < m; i++) {
        if (!Double.isNaN(y[t * m + i])) obs[k++] = i;
      }
      for (int i = 0; i < k; i++) {
        for (int j = 0; j <= i; j++) {
          double s = r[obs[i] * m + obs[j]];
          double ds = dr[obs[i] * m + obs[j]];
          for (int l = 0; l < j; l++) {
            s -= cl[i * m + l] * cl[j * m + l] * cl[l * m + l];
            ds -= dcl[i * m + l] * cl[j * m + l] * cl[l * m + l] + cl[i * m + l] * dcl[j * m + l] * cl[l * m + l]
                + cl[i * m + l] * cl[j * m + l] * dcl[l * m + l];
          }
          if (i == j) {
            if (!(s > 0)) throw new InferenceException(id, t, "observation covariance of the observed components is not positive definite");
            cl[i * m + i] = s;
            dcl[i * m + i] = ds;
          } else {
            cl[i * m + j] = s / cl[j * m + j];
            dcl[i * m + j] = (ds - cl[i * m + j] * dcl[j * m + j]) / cl[j * m + j];
          }
        }
      }
      for (int i = 0; i < k; i++) {
        double v = y[t * m + obs[i]] - e[obs[i]];
        double dv = -de[obs[i]];
        for (int j = 0; j < n; j++) {
          z[i * n + j] = h[obs[i] * n + j];
          dz[i * n + j] = dh[obs[i] * n + j];
        }
        for (int l = 0; l < i; l++) {
          double cil = cl[i * m + l];
          double dcil = dcl[i * m + l];
          v -= cil * yw[l];
          dv -= dcil * yw[l] + cil * dyw[l];
          for (int j = 0; j < n; j++) {
            z[i * n + j] -= cil * z[l * n + j];
            dz[i * n + j] -= dcil * z[l * n + j] + cil * dz[l * n + j];
          }
        }
        yw[i] = v;
        dyw[i] = dv;
      }
      for (int i = 0; i < k; i++) component(i);
      symmetrize(ps);
      symmetrize(dps);
      symmetrize(pi);
      symmetrize(dpi);
    }

    /** One univariate component, as {@link DiffuseFilter} takes it, with tangents. */
    private void component(int i) {
      int o = i * n;
      double fs = cl[i * m + i];
      double dfs = dcl[i * m + i];
      double fi = 0.0;
      double dfi = 0.0;
      double v = yw[i];
      double dv = dyw[i];
      for (int j = 0; j < n; j++) {
        double s = 0.0;
        double ds = 0.0;
        double u = 0.0;
        double du = 0.0;
        for (int l = 0; l < n; l++) {
          s += ps[j * n + l] * z[o + l];
          ds += dps[j * n + l] * z[o + l] + ps[j * n + l] * dz[o + l];
          u += pi[j * n + l] * z[o + l];
          du += dpi[j * n + l] * z[o + l] + pi[j * n + l] * dz[o + l];
        }
        ms[j] = s;
        dms[j] = ds;
        mi[j] = u;
        dmi[j] = du;
      }
      for (int j = 0; j < n; j++) {
        fs += z[o + j] * ms[j];
        dfs += dz[o + j] * ms[j] + z[o + j] * dms[j];
        fi += z[o + j] * mi[j];
        dfi += dz[o + j] * mi[j] + z[o + j] * dmi[j];
        v -= z[o + j] * a[j];
        dv -= dz[o + j] * a[j] + z[o + j] * da[j];
      }
      if (fs < 0) {
        fs = 0.0;
        dfs = 0.0;
      }
      if (fi < 0) {
        fi = 0.0;
        dfi = 0.0;
      }
      if (fi > DiffuseFilter.TOLERANCE) {
        for (int j = 0; j < n; j++) {
          k0[j] = mi[j] / fi;
          dk0[j] = dmi[j] / fi - mi[j] * dfi / (fi * fi);
          k1[j] = ms[j] / fi - k0[j] * fs / fi;
          dk1[j] = dms[j] / fi - ms[j] * dfi / (fi * fi) - dk0[j] * fs / fi - k0[j] * dfs / fi + k0[j] * fs * dfi / (fi * fi);
        }
        for (int j = 0; j < n; j++) {
          a[j] += k0[j] * v;
          da[j] += dk0[j] * v + k0[j] * dv;
        }
        for (int j = 0; j < n; j++) {
          for (int l = 0; l < n; l++) {
            ps[j * n + l] -= ms[j] * k0[l] + mi[j] * k1[l];
            dps[j * n + l] -= dms[j] * k0[l] + ms[j] * dk0[l] + dmi[j] * k1[l] + mi[j] * dk1[l];
            pi[j * n + l] -= mi[j] * k0[l];
            dpi[j * n + l] -= dmi[j] * k0[l] + mi[j] * dk0[l];
          }
        }
        dLogLik += -0.5 * dfi / fi;
      } else if (fs > DiffuseFilter.TOLERANCE) {
        for (int j = 0; j < n; j++) {
          k0[j] = ms[j] / fs;
          dk0[j] = dms[j] / fs - ms[j] * dfs / (fs * fs);
        }
        for (int j = 0; j < n; j++) {
          a[j] += k0[j] * v;
          da[j] += dk0[j] * v + k0[j] * dv;
        }
        for (int j = 0; j < n; j++) {
          for (int l = 0; l < n; l++) {
            ps[j * n + l] -= ms[j] * k0[l];
            dps[j * n + l] -= dms[j] * k0[l] + ms[j] * dk0[l];
          }
        }
        dLogLik += -0.5 * (dfs / fs + 2.0 * v * dv / fs - v * v * dfs / (fs * fs));
      }
    }

    /** out = A P Aᵀ for n×n A and P at offset po. */
    private void sandwich(double[] aMat, double[] p, int po, double[] out) {
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          double s = 0.0;
          for (int k = 0; k < n; k++) {
            double ap = 0.0;
            for (int l = 0; l < n; l++) ap += p[po + k * n + l] * aMat[j * n + l];
            s += aMat[i * n + k] * ap;
          }
          out[i * n + j] = s;
        }
      }
    }

    private void symmetrize(double[] p) {
      for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
          double s = 0.5 * (p[i * n + j] + p[j * n + i]);
          p[i * n + j] = s;
          p[j * n + i] = s;
        }
      }
    }
  }

  /** Which matrix a tangent direction perturbs. */
  private enum Kind { F, C, Q, H, E, R }
}
