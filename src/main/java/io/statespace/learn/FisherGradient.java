package io.statespace.learn;

import io.statespace.inference.InferenceException;
import io.statespace.inference.Posterior;
import io.statespace.linalg.Cholesky;
import io.statespace.model.StepParameters;
import java.util.Arrays;

/**
 * The gradient of the negative log-likelihood from the smoothed moments by Fisher's identity,
 * ∇ log p(Y) = E[∇ log p(X, Y) | Y] (docs/ARCHITECTURE.md §7.4), per step. With smoothed m_t, P_t and the lag-one
 * C_t = Cov[x_{t+1}, x_t | Y]:
 * <pre>
 *   μ = m_{t+1} − F m_t − c,  W = P_{t+1} − F C_tᵀ − C_t Fᵀ + F P_t Fᵀ + μ μᵀ
 *   dℓ/dF_t = Q⁻¹ (C_t − F P_t + μ m_tᵀ),  dℓ/dc_t = Q⁻¹ μ,  dℓ/dQ_t = ½ Q⁻¹ (W − Q) Q⁻¹
 *   ν = y_O − H_O m_t − e_O,  V = ν νᵀ + H_O P_t H_Oᵀ     (observed rows O of step t)
 *   dℓ/dH_O = R_OO⁻¹ (ν m_tᵀ − H_O P_t),  dℓ/de_O = R_OO⁻¹ ν,  dℓ/dR_OO = ½ R_OO⁻¹ (V − R_OO) R_OO⁻¹
 *   δ = m_0 − mu0:  dℓ/dmu0 = Σ0⁻¹ δ,  dℓ/dΣ0 = ½ Σ0⁻¹ (P_0 + δ δᵀ − Σ0) Σ0⁻¹
 * </pre>
 * and the sink receives the negatives (gradients of −ℓ). It needs Q_t, R_OO and Sigma0 positive definite
 * (the complete-data density must exist): a singular Q_t (dt = 0 in a continuous-time family, say) is an
 * {@link InferenceException}, which is one reason the adjoint is the default (see {@link LossFunction}).
 * One instance per thread; nothing allocated per step.
 */
final class FisherGradient {
  private final int n;
  private final int m;
  private final double[] f;
  private final double[] c;
  private final double[] q;
  private final double[] h;
  private final double[] e;
  private final double[] r;
  private final double[] mu;
  private final double[] work;
  private final double[] work2;
  private final double[] gF;
  private final double[] gc;
  private final double[] gQ;
  private final double[] gH;
  private final double[] ge;
  private final double[] gR;
  private final int[] obs;
  private final double[] ro;
  private final double[] nu;
  private final double[] kn;
  private final double[] kk;

  FisherGradient(int stateDim, int obsDim) {
    n = stateDim;
    m = obsDim;
    f = new double[n * n];
    c = new double[n];
    q = new double[n * n];
    h = new double[m * n];
    e = new double[m];
    r = new double[m * m];
    mu = new double[n];
    work = new double[n * n];
    work2 = new double[n * n];
    gF = new double[n * n];
    gc = new double[n];
    gQ = new double[n * n];
    gH = new double[m * n];
    ge = new double[m];
    gR = new double[m * m];
    obs = new int[m];
    ro = new double[m * m];
    nu = new double[m];
    kn = new double[m * n];
    kk = new double[m * m];
  }

  /**
   * Feeds dL/d(step matrices) of L = −log p(Y) to sink.
   *
   * @param posterior smoothed, with lag-one cross-covariances
   */
  void run(StepParameters params, String id, double[] y, Posterior posterior, StepGradients sink) {
    run(params, id, y, posterior, sink, true);
  }

  /**
   * As above; with {@code prior} false the initial term is left out: a segment of a long trajectory that does
   * not start it (docs/ARCHITECTURE.md §7.5) owns only its transitions and observations.
   */
  void run(StepParameters params, String id, double[] y, Posterior posterior, StepGradients sink, boolean prior) {
    int steps = posterior.length();
    double[] sm = posterior.smoothedMeans();
    double[] sc = posterior.smoothedCovariances();
    double[] cross = posterior.smoothedCrossCovariances();
    int n2 = n * n;
    if (prior) initialTerm(params, id, sm, sc, sink);
    for (int t = 0; t + 1 < steps; t++) {
      params.dynamics(t, f, c, q);
      int a = t * n;
      int b = (t + 1) * n;
      // μ = m_{t+1} − F m_t − c
      for (int i = 0; i < n; i++) {
        double v = sm[b + i] - c[i];
        for (int j = 0; j < n; j++) v -= f[i * n + j] * sm[a + j];
        mu[i] = v;
      }
      // gF (pre-solve) = C_t − F P_t + μ m_tᵀ
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          double fp = 0.0;
          for (int l = 0; l < n; l++) fp += f[i * n + l] * sc[t * n2 + l * n + j];
          work2[i * n + j] = fp;
          gF[i * n + j] = cross[t * n2 + i * n + j] - fp + mu[i] * sm[a + j];
        }
      }
      // W − Q = P_{t+1} − F C_tᵀ − C_t Fᵀ + (F P_t) Fᵀ + μμᵀ − Q
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          double v = sc[(t + 1) * n2 + i * n + j] + mu[i] * mu[j] - q[i * n + j];
          for (int l = 0; l < n; l++) {
            v += -f[i * n + l] * cross[t * n2 + j * n + l] - cross[t * n2 + i * n + l] * f[j * n + l]
                + work2[i * n + l] * f[j * n + l];
          }
          work[i * n + j] = v;
        }
      }
      if (!Cholesky.decompose(q, 0, n)) {
        throw new InferenceException(id, t, "dynamics.cov is not positive definite: the Fisher-identity gradient"
            + " needs an invertible Q_t (use the adjoint gradient)");
      }
      Cholesky.solve(q, 0, n, gF, 0, n);
      Cholesky.solve(q, 0, n, mu, 0, 1);
      sandwichInverse(q, n, work, work2, gQ);
      for (int i = 0; i < n2; i++) gF[i] = -gF[i];
      for (int i = 0; i < n; i++) gc[i] = -mu[i];
      sink.dynamics(t, gF, gc, gQ);
    }
    for (int t = 0; t < steps; t++) {
      params.emissions(t, h, e, r);
      Arrays.fill(gH, 0.0);
      Arrays.fill(ge, 0.0);
      Arrays.fill(gR, 0.0);
      int k = 0;
      for (int i = 0; i < m; i++) {
        if (!Double.isNaN(y[t * m + i])) obs[k++] = i;
      }
      if (k > 0) emission(t, k, id, y, sm, sc);
      sink.emissions(t, gH, ge, gR);
    }
  }

  /** dℓ/dmu0 and dℓ/dΣ0 from the first step's smoothed moments. */
  private void initialTerm(StepParameters params, String id, double[] sm, double[] sc, StepGradients sink) {
    params.initial(c, q);
    for (int i = 0; i < n; i++) mu[i] = sm[i] - c[i];
    // W = P_0 + δδᵀ − Σ0 (into work), then ½ Σ0⁻¹ W Σ0⁻¹
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) work[i * n + j] = sc[i * n + j] + mu[i] * mu[j] - q[i * n + j];
    }
    if (!Cholesky.decompose(q, 0, n)) throw new InferenceException(id, 0, "initial.cov is not positive definite");
    Cholesky.solve(q, 0, n, mu, 0, 1);
    sandwichInverse(q, n, work, work2, gQ);
    for (int i = 0; i < n; i++) gc[i] = -mu[i];
    sink.initial(gc, gQ);
  }

  private void emission(int t, int k, String id, double[] y, double[] sm, double[] sc) {
    int a0 = t * n;
    int p0 = t * n * n;
    for (int a = 0; a < k; a++) {
      int row = obs[a];
      double v = y[t * m + row] - e[row];
      for (int j = 0; j < n; j++) v -= h[row * n + j] * sm[a0 + j];
      nu[a] = v;
      for (int b = 0; b < k; b++) ro[a * k + b] = r[row * m + obs[b]];
    }
    // kn = H_O P_t ; grad pre-solve = ν m_tᵀ − H_O P_t ; V − R = ννᵀ + H_O P_t H_Oᵀ − R_OO
    for (int a = 0; a < k; a++) {
      for (int j = 0; j < n; j++) {
        double v = 0.0;
        for (int l = 0; l < n; l++) v += h[obs[a] * n + l] * sc[p0 + l * n + j];
        kn[a * n + j] = v;
      }
    }
    for (int a = 0; a < k; a++) {
      for (int b = 0; b < k; b++) {
        double v = nu[a] * nu[b] - ro[a * k + b];
        for (int j = 0; j < n; j++) v += kn[a * n + j] * h[obs[b] * n + j];
        kk[a * k + b] = v;
      }
    }
    for (int a = 0; a < k; a++) {
      for (int j = 0; j < n; j++) kn[a * n + j] = nu[a] * sm[a0 + j] - kn[a * n + j];
    }
    if (!Cholesky.decompose(ro, 0, k)) throw new InferenceException(id, t, "emissions.cov is not positive definite");
    Cholesky.solve(ro, 0, k, kn, 0, n);
    Cholesky.solve(ro, 0, k, nu, 0, 1);
    // kk ← R⁻¹ (V − R) R⁻¹: solve, transpose, solve
    Cholesky.solve(ro, 0, k, kk, 0, k);
    for (int a = 0; a < k; a++) {
      for (int b = a + 1; b < k; b++) {
        double tmp = kk[a * k + b];
        kk[a * k + b] = kk[b * k + a];
        kk[b * k + a] = tmp;
      }
    }
    Cholesky.solve(ro, 0, k, kk, 0, k);
    for (int a = 0; a < k; a++) {
      int row = obs[a];
      ge[row] = -nu[a];
      for (int j = 0; j < n; j++) gH[row * n + j] = -kn[a * n + j];
      for (int b = 0; b < k; b++) gR[row * m + obs[b]] = -0.25 * (kk[a * k + b] + kk[b * k + a]);
    }
  }

  /** out = −½ A⁻¹ W A⁻¹ (symmetrised), A given by its Cholesky factor l; w is overwritten. */
  private static void sandwichInverse(double[] l, int k, double[] w, double[] scratch, double[] out) {
    Cholesky.solve(l, 0, k, w, 0, k);
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < k; j++) scratch[i * k + j] = w[j * k + i];
    }
    Cholesky.solve(l, 0, k, scratch, 0, k);
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < k; j++) out[i * k + j] = -0.25 * (scratch[i * k + j] + scratch[j * k + i]);
    }
  }
}
