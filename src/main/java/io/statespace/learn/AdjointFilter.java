package io.statespace.learn;

import io.statespace.inference.InferenceException;
import io.statespace.linalg.Cholesky;
import io.statespace.linalg.Products;
import io.statespace.linalg.Symmetric;
import io.statespace.model.StepParameters;
import java.util.Arrays;

/**
 * A Kalman filter in covariance form that records its intermediates (a tape) so that a reverse
 * (adjoint) pass gives the exact gradient of its loss with respect to every per-step model matrix.
 *
 * <p>Forward pass, step t, observed rows O (k of them), with m⁻, P⁻ the prediction (mu0, Sigma0 at t = 0):
 * <pre>
 *   ŷ = H_O m⁻ + e_O,  r = y_O − ŷ,  U = H_O P⁻,  S = U H_Oᵀ + R_OO,  α = S⁻¹ r
 *   m = m⁻ + Uᵀ α,  P = P⁻ − Uᵀ S⁻¹ U,  ℓ_t = −½ (k log 2π + log|S| + rᵀ α)
 *   m⁻_{t+1} = F_t m + c_t,  P⁻_{t+1} = F_t P F_tᵀ + Q_t
 * </pre>
 * (the standard update; the reference {@link io.statespace.inference.sequential.KalmanFilter} uses the
 * Joseph form, which is the same function). Its own copy of the innovation step, kept because the reverse pass
 * differentiates this form and tapes S's factor and α; GradientCheckTest checks it against {@link
 * io.statespace.inference.InnovationStep} in the sequential filter. The loss is
 * {@code L = −w_ℓ Σ_t ℓ_t + w_s Σ_t Σ_{i∈O_t} (ŷ_ti − y_ti)²}: w_ℓ = 1, w_s = 0 gives the negative
 * log-likelihood; w_ℓ = 0, w_s = 1 the prediction sum of squares.
 *
 * <p>Each step has a mode: {@link #UPDATE} (the ordinary update), {@link #SKIP} (predict only: a dropped
 * observation treated as missing) or {@link #FEEDBACK} (update with y_O := ŷ, so r ≡ 0 and only the
 * covariance shrinks). Prediction errors are scored over the observed rows in every mode.
 *
 * <p>Reverse pass (matrix calculus; every covariance adjoint kept symmetric, which is exact because all
 * perturbations of a covariance are symmetric), with m̄, P̄ the adjoints of the filtered moments:
 * <pre>
 *   Ū = α m̄ᵀ − 2 S⁻¹U P̄,  ᾱ = U m̄,  W̄ = −U P̄ Uᵀ + ᾱ rᵀ,  r̄ = S⁻¹ ᾱ + w_ℓ α
 *   S̄ = −S⁻¹ sym(W̄) S⁻¹ − w_ℓ (−½ S⁻¹ + ½ α αᵀ),  ŷ̄ = 2 w_s (ŷ − y) − r̄
 *   H̄_O = (Ū + 2 S̄ H_O) P⁻ + ŷ̄ m⁻ᵀ,  ē_O = ŷ̄,  R̄_OO = S̄
 *   m̄⁻ = m̄ + H_Oᵀ ŷ̄,  P̄⁻ = P̄ + sym(H_Oᵀ (Ū + S̄ H_O))
 *   F̄_t = m̄⁻_{t+1} mᵀ + 2 P̄⁻_{t+1} F_t P,  c̄_t = m̄⁻_{t+1},  Q̄_t = P̄⁻_{t+1}
 *   m̄ ← F_tᵀ m̄⁻_{t+1},  P̄ ← F_tᵀ P̄⁻_{t+1} F_t
 * </pre>
 * (in SKIP mode only the ŷ̄ terms remain; in FEEDBACK mode r is a constant, so α = 0 and r̄ does not flow.)
 *
 * <p>The tape costs T (2n + 2n² + 3m + m²) doubles and grows to the longest trajectory seen; nothing is
 * allocated per step. One instance per thread.
 */
final class AdjointFilter {
  static final byte UPDATE = 0;
  static final byte SKIP = 1;
  static final byte FEEDBACK = 2;

  private static final double LOG_2PI = Math.log(2.0 * Math.PI);

  private final int n;
  private final int m;
  private final double[] f;
  private final double[] c;
  private final double[] q;
  private final double[] h;
  private final double[] e;
  private final double[] r;
  private final double[] mean0;
  private final double[] cov0;

  private int capacity;
  private double[] predMeans;
  private double[] predCovs;
  private double[] filtMeans;
  private double[] filtCovs;
  private double[] chols;
  private double[] alphas;
  private double[] resids;
  private double[] preds;

  private final int[] obs;
  private final double[] ho;
  private final double[] u;
  private final double[] s;
  private final double[] kt;
  private final double[] nn;
  private final double[] nn2;

  private final double[] mBar;
  private final double[] pBar;
  private final double[] mBarPred;
  private final double[] pBarPred;
  private final double[] dF;
  private final double[] dc;
  private final double[] dH;
  private final double[] de;
  private final double[] dR;
  private final double[] ubar;
  private final double[] wbar;
  private final double[] sbar;
  private final double[] winv;
  private final double[] kk;
  private final double[] alphaBar;
  private final double[] rBar;
  private final double[] yhatBar;
  private final double[] sho;
  private final double[] kn;

  private StepParameters params;
  private double[] y;
  private int steps;
  private byte[] modes;
  private double likWeight;
  private double scoreWeight;
  private long scored;
  private double logLikelihood;

  AdjointFilter(int stateDim, int obsDim) {
    n = stateDim;
    m = obsDim;
    f = new double[n * n];
    c = new double[n];
    q = new double[n * n];
    h = new double[m * n];
    e = new double[m];
    r = new double[m * m];
    mean0 = new double[n];
    cov0 = new double[n * n];
    obs = new int[m];
    ho = new double[m * n];
    u = new double[m * n];
    s = new double[m * m];
    kt = new double[m * n];
    nn = new double[n * n];
    nn2 = new double[n * n];
    mBar = new double[n];
    pBar = new double[n * n];
    mBarPred = new double[n];
    pBarPred = new double[n * n];
    dF = new double[n * n];
    dc = new double[n];
    dH = new double[m * n];
    de = new double[m];
    dR = new double[m * m];
    ubar = new double[m * n];
    wbar = new double[m * m];
    sbar = new double[m * m];
    winv = new double[m * m];
    kk = new double[m * m];
    alphaBar = new double[m];
    rBar = new double[m];
    yhatBar = new double[m];
    sho = new double[m * n];
    kn = new double[m * n];
  }

  private void ensureCapacity(int t) {
    if (t <= capacity) return;
    int cap = Math.max(t, 2 * capacity);
    predMeans = new double[cap * n];
    predCovs = new double[cap * n * n];
    filtMeans = new double[cap * n];
    filtCovs = new double[cap * n * n];
    chols = new double[cap * m * m];
    alphas = new double[cap * m];
    resids = new double[cap * m];
    preds = new double[cap * m];
    capacity = cap;
  }

  /**
   * Runs the forward pass and keeps the tape for {@link #backward}.
   *
   * @param y observations T×m, NaN = missing
   * @param stepModes per-step mode, or null for {@link #UPDATE} everywhere
   * @param likelihoodWeight w_ℓ
   * @param squaredErrorWeight w_s
   * @return the loss L
   */
  double forward(StepParameters stepParams, String id, double[] observations, int length, byte[] stepModes,
      double likelihoodWeight, double squaredErrorWeight) {
    params = stepParams;
    y = observations;
    steps = length;
    modes = stepModes;
    likWeight = likelihoodWeight;
    scoreWeight = squaredErrorWeight;
    scored = 0;
    ensureCapacity(steps);
    double sse = 0.0;
    double logLik = 0.0;
    int n2 = n * n;
    for (int t = 0; t < steps; t++) {
      int mo = t * n;
      int po = t * n2;
      if (t == 0) {
        params.initial(mean0, cov0);
        System.arraycopy(mean0, 0, predMeans, 0, n);
        System.arraycopy(cov0, 0, predCovs, 0, n2);
      } else {
        params.dynamics(t - 1, f, c, q);
        Products.multVector(f, 0, filtMeans, mo - n, predMeans, mo, n, n);
        for (int i = 0; i < n; i++) predMeans[mo + i] += c[i];
        Products.sandwich(f, 0, filtCovs, po - n2, nn, predCovs, po, n, n);
        for (int i = 0; i < n2; i++) predCovs[po + i] += q[i];
        Symmetric.symmetrize(predCovs, po, n);
      }
      params.emissions(t, h, e, r);
      int k = observed(t);
      for (int a = 0; a < k; a++) {
        int row = obs[a];
        double pred = e[row];
        for (int j = 0; j < n; j++) pred += h[row * n + j] * predMeans[mo + j];
        preds[t * m + row] = pred;
        double d = pred - y[t * m + row];
        sse += d * d;
      }
      scored += k;
      byte mode = mode(t);
      System.arraycopy(predMeans, mo, filtMeans, mo, n);
      System.arraycopy(predCovs, po, filtCovs, po, n2);
      if (k == 0 || mode == SKIP) continue;
      loadObserved(k);
      Products.mult(ho, 0, predCovs, po, u, 0, k, n, n);
      Products.multTransB(u, 0, ho, 0, s, 0, k, n, k);
      for (int a = 0; a < k; a++) {
        for (int b = 0; b < k; b++) s[a * k + b] += r[obs[a] * m + obs[b]];
      }
      Symmetric.symmetrize(s, 0, k);
      if (!Cholesky.decompose(s, 0, k)) {
        throw new InferenceException(id, t, "innovation covariance is not positive definite");
      }
      int so = t * m * m;
      System.arraycopy(s, 0, chols, so, k * k);
      int ro = t * m;
      for (int a = 0; a < k; a++) {
        double res = mode == UPDATE ? y[ro + obs[a]] - preds[ro + obs[a]] : 0.0;
        resids[ro + a] = res;
        alphas[ro + a] = res;
      }
      Cholesky.solve(s, 0, k, alphas, ro, 1);
      for (int j = 0; j < n; j++) {
        double v = 0.0;
        for (int a = 0; a < k; a++) v += u[a * n + j] * alphas[ro + a];
        filtMeans[mo + j] += v;
      }
      System.arraycopy(u, 0, kt, 0, k * n);
      Cholesky.solve(s, 0, k, kt, 0, n);
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          double v = 0.0;
          for (int a = 0; a < k; a++) v += u[a * n + i] * kt[a * n + j];
          filtCovs[po + i * n + j] -= v;
        }
      }
      Symmetric.symmetrize(filtCovs, po, n);
      if (mode == UPDATE) {
        double quad = 0.0;
        for (int a = 0; a < k; a++) quad += resids[ro + a] * alphas[ro + a];
        logLik += -0.5 * (k * LOG_2PI + Cholesky.logDet(s, 0, k) + quad);
      }
    }
    logLikelihood = logLik;
    return -likWeight * logLik + scoreWeight * sse;
  }

  /** log p(y) over the UPDATE steps of the last forward pass. */
  double logLikelihood() {
    return logLikelihood;
  }

  /** Observation components scored by the last forward pass (observed components over all steps). */
  long scored() {
    return scored;
  }

  private byte mode(int t) {
    return modes == null ? UPDATE : modes[t];
  }

  /** Fills obs with the observed rows of y_t; returns their number. */
  private int observed(int t) {
    int k = 0;
    for (int i = 0; i < m; i++) {
      if (!Double.isNaN(y[t * m + i])) obs[k++] = i;
    }
    return k;
  }

  private void loadObserved(int k) {
    for (int a = 0; a < k; a++) System.arraycopy(h, obs[a] * n, ho, a * n, n);
  }

  /** Runs the reverse pass of the last {@link #forward}, feeding every step's matrix gradients to sink. */
  void backward(StepGradients sink) {
    int n2 = n * n;
    Arrays.fill(mBar, 0.0);
    Arrays.fill(pBar, 0.0);
    for (int t = steps - 1; t >= 0; t--) {
      int mo = t * n;
      int po = t * n2;
      int ro = t * m;
      System.arraycopy(mBar, 0, mBarPred, 0, n);
      System.arraycopy(pBar, 0, pBarPred, 0, n2);
      Arrays.fill(dH, 0.0);
      Arrays.fill(de, 0.0);
      Arrays.fill(dR, 0.0);
      params.emissions(t, h, e, r);
      int k = observed(t);
      if (k > 0) {
        for (int a = 0; a < k; a++) {
          int row = obs[a];
          yhatBar[a] = 2.0 * scoreWeight * (preds[ro + row] - y[ro + row]);
        }
        loadObserved(k);
        byte mode = mode(t);
        if (mode != SKIP) {
          updateAdjoint(t, k, mode == UPDATE);
        }
        for (int a = 0; a < k; a++) {
          int row = obs[a];
          double yb = yhatBar[a];
          de[row] = yb;
          for (int j = 0; j < n; j++) {
            dH[row * n + j] += yb * predMeans[mo + j];
            mBarPred[j] += ho[a * n + j] * yb;
          }
        }
      }
      sink.emissions(t, dH, de, dR);
      if (t > 0) {
        params.dynamics(t - 1, f, c, q);
        int pmo = mo - n;
        int ppo = po - n2;
        // dF = m̄⁻ mᵀ + 2 P̄⁻ F P
        Products.mult(f, 0, filtCovs, ppo, nn, 0, n, n, n);
        Products.mult(pBarPred, 0, nn, 0, dF, 0, n, n, n);
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < n; j++) dF[i * n + j] = 2.0 * dF[i * n + j] + mBarPred[i] * filtMeans[pmo + j];
        }
        System.arraycopy(mBarPred, 0, dc, 0, n);
        sink.dynamics(t - 1, dF, dc, pBarPred);
        Products.multTransVector(f, 0, mBarPred, 0, mBar, 0, n, n);
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < n; j++) nn2[i * n + j] = f[j * n + i];
        }
        Products.sandwich(nn2, 0, pBarPred, 0, nn, pBar, 0, n, n);
      } else {
        sink.initial(mBarPred, pBarPred);
      }
    }
  }

  /**
   * The update's share of the reverse pass at step t: adds into yhatBar, mBarPred, pBarPred, dH and dR
   * (rows O), given mBar, pBar (the filtered adjoints) and the tape.
   */
  private void updateAdjoint(int t, int k, boolean update) {
    int po = t * n * n;
    int ro = t * m;
    int so = t * m * m;
    Products.mult(ho, 0, predCovs, po, u, 0, k, n, n);
    Symmetric.identity(winv, 0, k);
    Cholesky.solve(chols, so, k, winv, 0, k);
    Symmetric.symmetrize(winv, 0, k);
    Products.mult(winv, 0, u, 0, kt, 0, k, k, n);
    // Ū = α m̄ᵀ − 2 Kᵀ P̄ ;  ᾱ = U m̄
    Products.mult(kt, 0, pBar, 0, ubar, 0, k, n, n);
    for (int a = 0; a < k; a++) {
      double al = alphas[ro + a];
      for (int j = 0; j < n; j++) ubar[a * n + j] = al * mBar[j] - 2.0 * ubar[a * n + j];
    }
    Products.multVector(u, 0, mBar, 0, alphaBar, 0, k, n);
    // W̄ = −U P̄ Uᵀ (+ ᾱ rᵀ)
    Products.mult(u, 0, pBar, 0, kn, 0, k, n, n);
    Products.multTransB(kn, 0, u, 0, wbar, 0, k, n, k);
    for (int i = 0; i < k * k; i++) wbar[i] = -wbar[i];
    if (update) {
      for (int a = 0; a < k; a++) {
        for (int b = 0; b < k; b++) wbar[a * k + b] += alphaBar[a] * resids[ro + b];
      }
    }
    Symmetric.symmetrize(wbar, 0, k);
    // S̄ = −W W̄ W
    Products.mult(winv, 0, wbar, 0, kk, 0, k, k, k);
    Products.mult(kk, 0, winv, 0, sbar, 0, k, k, k);
    for (int i = 0; i < k * k; i++) sbar[i] = -sbar[i];
    if (update) {
      Products.multVector(winv, 0, alphaBar, 0, rBar, 0, k, k);
      double lb = -likWeight;
      if (lb != 0.0) {
        for (int a = 0; a < k; a++) {
          double aa = alphas[ro + a];
          for (int b = 0; b < k; b++) {
            sbar[a * k + b] += lb * (-0.5 * winv[a * k + b] + 0.5 * aa * alphas[ro + b]);
          }
          rBar[a] -= lb * aa;
        }
      }
      for (int a = 0; a < k; a++) yhatBar[a] -= rBar[a];
    }
    Symmetric.symmetrize(sbar, 0, k);
    // sho = S̄ H_O ; H̄_O = (Ū + 2 sho) P⁻ ; P̄⁻ += sym(H_Oᵀ (Ū + sho)) ; R̄_OO = S̄
    Products.mult(sbar, 0, ho, 0, sho, 0, k, k, n);
    for (int i = 0; i < k * n; i++) kn[i] = ubar[i] + 2.0 * sho[i];
    Products.mult(kn, 0, predCovs, po, kt, 0, k, n, n);
    for (int a = 0; a < k; a++) System.arraycopy(kt, a * n, dH, obs[a] * n, n);
    for (int i = 0; i < k * n; i++) kn[i] = ubar[i] + sho[i];
    Products.multTransA(ho, 0, kn, 0, nn, 0, n, k, n);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) pBarPred[i * n + j] += 0.5 * (nn[i * n + j] + nn[j * n + i]);
    }
    for (int a = 0; a < k; a++) {
      for (int b = 0; b < k; b++) dR[obs[a] * m + obs[b]] = sbar[a * k + b];
    }
  }
}
