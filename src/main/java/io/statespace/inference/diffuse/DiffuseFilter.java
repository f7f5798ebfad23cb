package io.statespace.inference.diffuse;

import io.statespace.inference.InferenceException;
import io.statespace.linalg.Products;
import io.statespace.linalg.Symmetric;
import io.statespace.model.DiffusePrior;
import io.statespace.model.StepParameters;

/**
 * The exact diffuse Kalman filter over the diffuse period (Durbin &amp; Koopman 2012, §5.2, in the univariate
 * treatment of §6.4 that statsmodels' {@code use_exact_diffuse=True} uses; docs/ARCHITECTURE.md §7.6). The
 * predicted covariance is P_* + κ P_∞ with κ → ∞; at t = 0, P_∞ selects the diffuse components and P_* is the
 * proper part of Σ0. The observed block of R is factored R = C D Cᵀ (C unit lower triangular, so |C| = 1 and the
 * likelihood is unchanged) and the whitened components C⁻¹(y − e) with rows C⁻¹H and variances D update one at a
 * time: with M_∞ = P_∞ z, F_∞ = zᵀ M_∞, M_* = P_* z, F_* = zᵀ M_* + D_i, v = y_i − zᵀ a,
 * <ul>
 *   <li>F_∞ &gt; tol: K0 = M_∞/F_∞, K1 = M_* / F_∞ − K0 F_* / F_∞, a += K0 v, P_* −= M_* K0ᵀ + M_∞ K1ᵀ,
 *       P_∞ −= M_∞ K0ᵀ, and ℓ gains −½ (log 2π + log F_∞);</li>
 *   <li>else F_* &gt; tol: K = M_* / F_*, a += K v, P_* −= M_* Kᵀ, and ℓ gains −½ (log 2π + log F_* + v²/F_*);</li>
 *   <li>else nothing;</li>
 * </ul>
 * then a = F a + c, P_* = F P_* Fᵀ + Q, P_∞ = F P_∞ Fᵀ. The period ends after the first step whose updated P_∞ is
 * zero (every entry at most {@link #TOLERANCE} times the largest entry of that step's predicted P_∞); from there
 * the ordinary filter continues from the filtered moments. During the period the filtered and predicted
 * covariances reported are P_* (statsmodels' convention); a diffuse direction's variance is unbounded there.
 */
public final class DiffuseFilter {
  /** statsmodels' {@code tolerance_diffuse}: F_∞ or F_* at most this counts as zero. */
  public static final double TOLERANCE = 1e-10;
  private static final double LOG_2PI = Math.log(2.0 * Math.PI);

  private final int n;
  private final int m;
  private final double[] f;
  private final double[] c;
  private final double[] q;
  private final double[] h;
  private final double[] e;
  private final double[] r;
  private final double[] a;
  private final double[] pStar;
  private final double[] pInf;
  private final double[] work;
  private final double[] tmp;
  private final int[] observed;
  private final double[] ldl;
  private final double[] zRows;
  private final double[] yWhite;

  public DiffuseFilter(int stateDim, int obsDim) {
    n = stateDim;
    m = obsDim;
    f = new double[n * n];
    c = new double[n];
    q = new double[n * n];
    h = new double[m * n];
    e = new double[m];
    r = new double[m * m];
    a = new double[n];
    pStar = new double[n * n];
    pInf = new double[n * n];
    work = new double[n * n];
    tmp = new double[n * n];
    observed = new int[m];
    ldl = new double[m * m];
    zRows = new double[m * n];
    yWhite = new double[m];
  }

  /**
   * Filters the diffuse period of a trajectory whose prior has diffuse components, writing the filtered (and,
   * when asked, predicted) moments of its steps.
   *
   * @return the period: its length d (&le; steps), its log-likelihood and its records
   * @throws InferenceException when P_∞ is still not zero after the last step (the observations do not identify
   *     the diffuse components)
   */
  public DiffusePeriod run(StepParameters params, String id, double[] y, int steps, double[] filteredMeans,
      double[] filteredCovs, double[] predictedMeans, double[] predictedCovs) {
    int nn = n * n;
    params.initial(a, pStar);
    boolean[] diffuse = DiffusePrior.components(pStar, n);
    java.util.Arrays.fill(pInf, 0.0);
    for (int i = 0; i < n; i++) {
      if (!diffuse[i]) continue;
      a[i] = 0.0;
      for (int j = 0; j < n; j++) {
        pStar[i * n + j] = 0.0;
        pStar[j * n + i] = 0.0;
      }
      pInf[i * n + i] = 1.0;
    }
    DiffusePeriod period = new DiffusePeriod();
    for (int t = 0; t < steps; t++) {
      if (t > 0) {
        params.dynamics(t - 1, f, c, q);
        predict();
      }
      if (predictedMeans != null) {
        System.arraycopy(a, 0, predictedMeans, t * n, n);
        System.arraycopy(pStar, 0, predictedCovs, t * nn, nn);
      }
      double scale = maxAbs(pInf);
      params.emissions(t, h, e, r);
      int k = whiten(y, t, id);
      DiffusePeriod.Step step = new DiffusePeriod.Step(a.clone(), pStar.clone(), pInf.clone(), k, n);
      for (int i = 0; i < k; i++) period.logLikelihood += component(step, i);
      period.steps.add(step);
      Symmetric.symmetrize(pStar, 0, n);
      Symmetric.symmetrize(pInf, 0, n);
      System.arraycopy(a, 0, filteredMeans, t * n, n);
      System.arraycopy(pStar, 0, filteredCovs, t * nn, nn);
      if (maxAbs(pInf) <= TOLERANCE * scale) {
        period.length = t + 1;
        return period;
      }
    }
    throw new InferenceException(id, steps - 1, "the diffuse initial state is not identified: P_inf is not zero after"
        + " the last step (too few observed steps for the diffuse components)");
  }

  /** One univariate component of the whitened observation; returns its log-likelihood term. */
  private double component(DiffusePeriod.Step step, int i) {
    double[] z = step.rows;
    System.arraycopy(zRows, i * n, z, i * n, n);
    double[] mStar = step.properGain;
    double[] mInf = step.diffuseGain;
    int o = i * n;
    Products.multVector(pStar, 0, z, o, mStar, o, n, n);
    Products.multVector(pInf, 0, z, o, mInf, o, n, n);
    double fStar = ldl[i * m + i];
    double fInf = 0.0;
    double v = yWhite[i];
    for (int j = 0; j < n; j++) {
      fStar += z[o + j] * mStar[o + j];
      fInf += z[o + j] * mInf[o + j];
      v -= z[o + j] * a[j];
    }
    fStar = Math.max(fStar, 0.0);
    fInf = Math.max(fInf, 0.0);
    step.innovations[i] = v;
    step.proper[i] = fStar;
    step.diffuse[i] = fInf;
    if (fInf > TOLERANCE) {
      step.kinds[i] = DiffusePeriod.DIFFUSE;
      for (int j = 0; j < n; j++) {
        double k0 = mInf[o + j] / fInf;
        a[j] += k0 * v;
      }
      for (int j = 0; j < n; j++) {
        for (int l = 0; l < n; l++) {
          double k0l = mInf[o + l] / fInf;
          double k1l = mStar[o + l] / fInf - k0l * fStar / fInf;
          pStar[j * n + l] -= mStar[o + j] * k0l + mInf[o + j] * k1l;
          pInf[j * n + l] -= mInf[o + j] * k0l;
        }
      }
      return -0.5 * (LOG_2PI + Math.log(fInf));
    }
    if (fStar > TOLERANCE) {
      step.kinds[i] = DiffusePeriod.PROPER;
      for (int j = 0; j < n; j++) a[j] += mStar[o + j] / fStar * v;
      for (int j = 0; j < n; j++) {
        for (int l = 0; l < n; l++) pStar[j * n + l] -= mStar[o + j] * mStar[o + l] / fStar;
      }
      return -0.5 * (LOG_2PI + Math.log(fStar) + v * v / fStar);
    }
    step.kinds[i] = DiffusePeriod.NONE;
    return 0.0;
  }

  /**
   * The observed components of y_t whitened by the LDL factor of their block of R: fills {@code zRows}
   * (C⁻¹ H_O), {@code yWhite} (C⁻¹ (y_O − e_O)) and D on the diagonal of {@code ldl}; returns their number.
   */
  private int whiten(double[] y, int t, String id) {
    int k = 0;
    for (int i = 0; i < m; i++) {
      if (!Double.isNaN(y[t * m + i])) observed[k++] = i;
    }
    // LDLᵀ of R_OO in place: the strict lower triangle of ldl holds C, the diagonal holds D.
    for (int i = 0; i < k; i++) {
      for (int j = 0; j <= i; j++) {
        double s = r[observed[i] * m + observed[j]];
        for (int l = 0; l < j; l++) s -= ldl[i * m + l] * ldl[j * m + l] * ldl[l * m + l];
        if (i == j) {
          if (!(s > 0)) throw new InferenceException(id, t, "observation covariance of the observed components is not positive definite");
          ldl[i * m + i] = s;
        } else {
          ldl[i * m + j] = s / ldl[j * m + j];
        }
      }
    }
    for (int i = 0; i < k; i++) {
      double yi = y[t * m + observed[i]] - e[observed[i]];
      for (int j = 0; j < n; j++) zRows[i * n + j] = h[observed[i] * n + j];
      for (int l = 0; l < i; l++) {
        double cil = ldl[i * m + l];
        yi -= cil * yWhite[l];
        for (int j = 0; j < n; j++) zRows[i * n + j] -= cil * zRows[l * n + j];
      }
      yWhite[i] = yi;
    }
    return k;
  }

  /** a = F a + c, P_* = F P_* Fᵀ + Q, P_∞ = F P_∞ Fᵀ (the dynamics already loaded). */
  private void predict() {
    Products.multVector(f, 0, a, 0, tmp, 0, n, n);
    for (int i = 0; i < n; i++) a[i] = tmp[i] + c[i];
    Products.sandwich(f, 0, pStar, 0, work, tmp, 0, n, n);
    for (int i = 0; i < n * n; i++) pStar[i] = tmp[i] + q[i];
    Products.sandwich(f, 0, pInf, 0, work, tmp, 0, n, n);
    System.arraycopy(tmp, 0, pInf, 0, n * n);
  }

  private static double maxAbs(double[] x) {
    double max = 0.0;
    for (double v : x) max = Math.max(max, Math.abs(v));
    return max;
  }
}
