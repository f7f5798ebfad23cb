package io.statespace.inference;

import io.statespace.linalg.Cholesky;
import io.statespace.linalg.Products;
import io.statespace.linalg.Symmetric;

/**
 * The Kalman innovation step, once for every float64 CPU path that conditions a Gaussian N(m, P) on y_t
 * with dense H, e, R: the sequential filter, the parallel filter's elements (with (m, P) = (c, Q)) and the
 * parallel engine's post-hoc log-likelihood. Only the observed components of y_t take part (H, e, R
 * restricted to them); a fully missing y_t leaves nothing to do. In order:
 * <ol>
 *   <li>{@link #innovate}: r = y_o − H_o m − e_o, H_o P, S = H_o P H_oᵀ + R_oo (symmetrised as
 *       (S + Sᵀ) / 2) and its Cholesky factor S = L Lᵀ (never an inverse);</li>
 *   <li>{@link #update} (optional): Kᵀ = S⁻¹ H_o P, m' = m + K r, and the Joseph form
 *       P' = (I − K H_o) P (I − K H_o)ᵀ + K R_oo Kᵀ, which stays symmetric positive semi-definite for any
 *       gain;</li>
 *   <li>{@link #logLikelihood}: whitens r to w = L⁻¹ r and returns
 *       ℓ_t = −½ (k log 2π + log det S + |w|²), the constant over the k observed components only.</li>
 * </ol>
 * The batched engine's lanes (LaneFilter, ScalarLane) and the gradient's filter (AdjointFilter) keep their
 * own specialised copies, each tested against the sequential engine, which runs this one; the GPU kernels
 * run its device counterpart, src/main/cuda/innovation.cuh (same arithmetic, same order). Allocation-free:
 * it holds its scratch space, so one instance per thread.
 */
public final class InnovationStep {
  private static final double LOG_2PI = Math.log(2.0 * Math.PI);

  private final int n;
  private final int m;
  private final int[] observed;
  private final double[] hObs;
  private final double[] innovation;
  private final double[] factor;
  private final double[] hp;
  private final double[] gainT;
  private final double[] ikh;
  private final double[] nn;
  private int k;

  public InnovationStep(int stateDim, int obsDim) {
    this.n = stateDim;
    this.m = obsDim;
    observed = new int[m];
    hObs = new double[m * n];
    innovation = new double[m];
    factor = new double[m * m];
    hp = new double[m * n];
    gainT = new double[m * n];
    ikh = new double[n * n];
    nn = new double[n * n];
  }

  /**
   * Selects the observed components of y_t (row t of the T×m array y, NaN = missing) and, for the prior
   * (m, P) at {@code mean[mo]} and {@code cov[co]}, forms r, H_o P, S and L (see the class comment).
   *
   * @param h the emission weights of step t (m×n)
   * @param e the emission bias of step t (m)
   * @param r the emission covariance of step t (m×m)
   * @return k, the number of observed components; with 0 nothing else is formed
   * @throws InferenceException when S is not positive definite (naming {@code id} and t)
   */
  public int innovate(double[] y, int t, double[] h, double[] e, double[] r, double[] mean, int mo, double[] cov,
      int co, String id) {
    k = 0;
    for (int i = 0; i < m; i++) {
      if (!Double.isNaN(y[t * m + i])) observed[k++] = i;
    }
    if (k == 0) return 0;
    for (int a = 0; a < k; a++) {
      int row = observed[a];
      System.arraycopy(h, row * n, hObs, a * n, n);
      double pred = e[row];
      for (int j = 0; j < n; j++) pred += h[row * n + j] * mean[mo + j];
      innovation[a] = y[t * m + row] - pred;
      for (int b = 0; b < k; b++) factor[a * k + b] = r[row * m + observed[b]];
    }
    Products.mult(hObs, 0, cov, co, hp, 0, k, n, n);
    for (int a = 0; a < k; a++) {
      for (int b = 0; b < k; b++) {
        double s = 0.0;
        for (int j = 0; j < n; j++) s += hp[a * n + j] * hObs[b * n + j];
        factor[a * k + b] += s;
      }
    }
    Symmetric.symmetrize(factor, 0, k);
    if (!Cholesky.decompose(factor, 0, k)) {
      throw new InferenceException(id, t, "innovation covariance is not positive definite");
    }
    return k;
  }

  /**
   * The conditioned moments, after {@link #innovate} returned k &gt; 0 for the same prior and R
   * ({@code emCov}, m×m): the gain
   * Kᵀ = S⁻¹ H_o P ({@link #gainTransposed}), I − K H_o ({@link #identityMinusGainH}),
   * m' = m + K r into {@code meanOut[mOut]} and the Joseph-form P' into {@code covOut[cOut]}. The outputs
   * must not overlap the prior.
   */
  public void update(double[] emCov, double[] mean, int mo, double[] cov, int co, double[] meanOut, int mOut,
      double[] covOut, int cOut) {
    System.arraycopy(hp, 0, gainT, 0, k * n);
    Cholesky.solve(factor, 0, k, gainT, 0, n);
    for (int j = 0; j < n; j++) {
      double s = 0.0;
      for (int a = 0; a < k; a++) s += gainT[a * n + j] * innovation[a];
      meanOut[mOut + j] = mean[mo + j] + s;
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double s = i == j ? 1.0 : 0.0;
        for (int a = 0; a < k; a++) s -= gainT[a * n + i] * hObs[a * n + j];
        ikh[i * n + j] = s;
      }
    }
    Products.sandwich(ikh, 0, cov, co, nn, covOut, cOut, n, n);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        double s = 0.0;
        for (int a = 0; a < k; a++) {
          double ka = gainT[a * n + i];
          if (ka == 0.0) continue;
          for (int b = 0; b < k; b++) s += ka * emCov[observed[a] * m + observed[b]] * gainT[b * n + j];
        }
        covOut[cOut + i * n + j] += s;
        if (j != i) covOut[cOut + j * n + i] += s;
      }
    }
  }

  /**
   * ℓ_t after {@link #innovate} returned k &gt; 0 (0 when it returned 0). Whitens the innovation in place
   * ({@link #whiten}).
   */
  public double logLikelihood() {
    if (k == 0) return 0.0;
    double quad = whiten();
    return -0.5 * (k * LOG_2PI + Cholesky.logDet(factor, 0, k) + quad);
  }

  /**
   * Replaces the innovation by w = L⁻¹ r ({@link #innovation}) and returns |w|² = rᵀ S⁻¹ r; call once, after
   * {@link #update} when there is one (the update needs r itself).
   */
  public double whiten() {
    Cholesky.solveLower(factor, 0, k, innovation, 0, 1);
    double quad = 0.0;
    for (int a = 0; a < k; a++) quad += innovation[a] * innovation[a];
    return quad;
  }

  /** k of the last {@link #innovate}. */
  public int observedCount() {
    return k;
  }

  /** H_o: the observed rows of H (k×n, row-major). */
  public double[] observedWeights() {
    return hObs;
  }

  /** r (k values), or w = L⁻¹ r after {@link #whiten}. */
  public double[] innovation() {
    return innovation;
  }

  /** L, the lower Cholesky factor of S (k×k; the upper triangle is not meaningful). */
  public double[] factor() {
    return factor;
  }

  /** Kᵀ = S⁻¹ H_o P (k×n) after {@link #update}. */
  public double[] gainTransposed() {
    return gainT;
  }

  /** I − K H_o (n×n) after {@link #update}. */
  public double[] identityMinusGainH() {
    return ikh;
  }
}
