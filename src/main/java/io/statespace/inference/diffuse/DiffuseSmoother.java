package io.statespace.inference.diffuse;

import io.statespace.inference.InferenceException;
import io.statespace.linalg.Products;
import io.statespace.linalg.SemiDefiniteSolver;
import io.statespace.linalg.Symmetric;
import io.statespace.model.StepParameters;

/**
 * The exact diffuse smoother over the diffuse period (Durbin &amp; Koopman 2012, §5.3, univariate form;
 * docs/ARCHITECTURE.md §7.6), backwards from the end of the period's last step d−1, where the filtered moments are
 * proper. There the ordinary smoother has already given m^s_d and P^s_d (steps d.. are the caller's: the sequential
 * RTS smoother or the batched lanes); with the predicted moments (m⁻_d, P⁻_d)
 * the smoothing quantities at the end of step d−1 are r = F_{d−1}ᵀ (P⁻_d)⁺ (m^s_d − m⁻_d) and
 * N = F_{d−1}ᵀ (P⁻_d)⁺ (P⁻_d − P^s_d) (P⁻_d)⁺ F_{d−1}, with r_∞ = 0 and N_∞1 = N_∞2 = 0 (nothing diffuse remains
 * after the period). Backwards over a step's components (L0 = I − K0 zᵀ, L1 = −K1 zᵀ, F1 = 1/F_∞,
 * F2 = −F_* / F_∞²):
 * <ul>
 *   <li>diffuse update: r_∞ ← z v F1 + L0ᵀ r_∞ + L1ᵀ r, r ← L0ᵀ r,
 *       N_∞2 ← z zᵀ F2 + L0ᵀ N_∞2 L0 + L0ᵀ N_∞1 L1 + L1ᵀ N_∞1ᵀ L0 + L1ᵀ N L1,
 *       N_∞1 ← z zᵀ F1 + L0ᵀ N_∞1 L0 + L1ᵀ N L0, N ← L0ᵀ N L0;</li>
 *   <li>proper update (L = I − K zᵀ): r ← z v/F_* + Lᵀ r, N ← z zᵀ/F_* + Lᵀ N L, N_∞1 ← N_∞1 L;</li>
 * </ul>
 * then m^s_t = a_t + P_* r + P_∞ r_∞, P^s_t = P_* − P_* N P_* − P_∞ N_∞1 P_* − (P_∞ N_∞1 P_*)ᵀ − P_∞ N_∞2 P_∞
 * with the step's predicted (a_t, P_*, P_∞), and every quantity moves to the end of step t−1 by F_{t−1}ᵀ (·) and
 * F_{t−1}ᵀ (·) F_{t−1}. Lag-one cross-covariances inside the period (steps t, t+1 &lt; d) are not derived here:
 * asking for them on a trajectory whose period lasts two steps or more is an {@link InferenceException}.
 */
public final class DiffuseSmoother {
  private final int n;
  private final double[] f;
  private final double[] c;
  private final double[] q;
  private final double[] predCov;
  private final double[] predMean;
  private final double[] rhs;
  private final double[] rhs2;
  private final SemiDefiniteSolver solver;
  private final double[] r0;
  private final double[] r1;
  private final double[] n0;
  private final double[] n1;
  private final double[] n2;
  private final double[] l0;
  private final double[] l1;
  private final double[] t1;
  private final double[] t2;
  private final double[] vec;

  public DiffuseSmoother(int stateDim) {
    n = stateDim;
    int nn = n * n;
    f = new double[nn];
    c = new double[n];
    q = new double[nn];
    predCov = new double[nn];
    predMean = new double[n];
    rhs = new double[nn];
    rhs2 = new double[nn];
    solver = new SemiDefiniteSolver(n);
    r0 = new double[n];
    r1 = new double[n];
    n0 = new double[nn];
    n1 = new double[nn];
    n2 = new double[nn];
    l0 = new double[nn];
    l1 = new double[nn];
    t1 = new double[nn];
    t2 = new double[nn];
    vec = new double[n];
  }

  /**
   * Smooths steps 0..d−1 of the period; steps d.. must already hold the ordinary smoother's moments.
   *
   * @param crossCovs the (T−1)×n×n cross-covariances, or null
   */
  public void run(StepParameters params, String id, int steps, DiffusePeriod period, double[] filteredMeans,
      double[] filteredCovs, double[] smoothedMeans, double[] smoothedCovs, double[] crossCovs) {
    int d = period.length;
    if (crossCovs != null && d >= 2) {
      throw new InferenceException(id, d - 2, "lag-one cross-covariances inside a diffuse period of " + d
          + " steps are not available");
    }
    int nn = n * n;
    java.util.Arrays.fill(r0, 0.0);
    java.util.Arrays.fill(n0, 0.0);
    java.util.Arrays.fill(r1, 0.0);
    java.util.Arrays.fill(n1, 0.0);
    java.util.Arrays.fill(n2, 0.0);
    if (d < steps) {
      handOver(params, id, d, filteredMeans, filteredCovs, smoothedMeans, smoothedCovs, crossCovs);
    } else {
      System.arraycopy(filteredMeans, (d - 1) * n, smoothedMeans, (d - 1) * n, n);
      System.arraycopy(filteredCovs, (d - 1) * nn, smoothedCovs, (d - 1) * nn, nn);
    }
    for (int t = d - 1; t >= 0; t--) {
      DiffusePeriod.Step step = period.steps.get(t);
      for (int i = step.components - 1; i >= 0; i--) component(step, i);
      if (t < d - 1) {
        state(step, smoothedMeans, t * n, smoothedCovs, t * nn);
      }
      if (t > 0) {
        params.dynamics(t - 1, f, c, q);
        Products.multTransVector(f, 0, r0, 0, vec, 0, n, n);
        System.arraycopy(vec, 0, r0, 0, n);
        Products.multTransVector(f, 0, r1, 0, vec, 0, n, n);
        System.arraycopy(vec, 0, r1, 0, n);
        back(n0);
        back(n1);
        back(n2);
      }
    }
  }

  /**
   * r and N at the end of step d−1 from the ordinary smoother's moments of step d, and from them the smoothed
   * moments of step d−1 (m^s = m + P r, P^s = P − P N P with its filtered moments, the RTS step written in r and N)
   * and the cross-covariance P^s_d Gᵀ with Gᵀ = (P⁻_d)⁺ F P.
   */
  private void handOver(StepParameters params, String id, int d, double[] fm, double[] fc, double[] sm, double[] sc,
      double[] crossCovs) {
    int nn = n * n;
    params.dynamics(d - 1, f, c, q);
    Products.multVector(f, 0, fm, (d - 1) * n, predMean, 0, n, n);
    Products.sandwich(f, 0, fc, (d - 1) * nn, t1, predCov, 0, n, n);
    for (int i = 0; i < nn; i++) predCov[i] += q[i];
    Symmetric.symmetrize(predCov, 0, n);
    java.util.Arrays.fill(rhs, 0.0);
    for (int i = 0; i < n; i++) rhs[i * n] = sm[d * n + i] - predMean[i] - c[i];
    for (int i = 0; i < nn; i++) rhs2[i] = predCov[i] - sc[d * nn + i];
    if (!solver.solve(predCov, 0, rhs, 0) || !solver.solve(predCov, 0, rhs2, 0)) {
      throw new InferenceException(id, d - 1, "diffuse smoother hand-over: predicted covariance unusable");
    }
    for (int i = 0; i < n; i++) vec[i] = rhs[i * n];
    Products.multTransVector(f, 0, vec, 0, r0, 0, n, n);
    // rhs2 = P⁺ (P − P^s); transpose it and solve again for P⁺ (P − P^s) P⁺ (symmetric).
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) t2[i * n + j] = rhs2[j * n + i];
    }
    if (!solver.solve(predCov, 0, t2, 0)) {
      throw new InferenceException(id, d - 1, "diffuse smoother hand-over: predicted covariance unusable");
    }
    System.arraycopy(t2, 0, n0, 0, nn);
    back(n0);
    Symmetric.symmetrize(n0, 0, n);
    int mo = (d - 1) * n;
    int co = (d - 1) * nn;
    for (int j = 0; j < n; j++) {
      double s = fm[mo + j];
      for (int l = 0; l < n; l++) s += fc[co + j * n + l] * r0[l];
      sm[mo + j] = s;
    }
    Products.mult(fc, co, n0, 0, t1, 0, n, n, n);
    Products.mult(t1, 0, fc, co, t2, 0, n, n, n);
    for (int i = 0; i < nn; i++) sc[co + i] = fc[co + i] - t2[i];
    Symmetric.symmetrize(sc, co, n);
    if (crossCovs != null) {
      Products.mult(f, 0, fc, co, t2, 0, n, n, n);
      if (!solver.solve(predCov, 0, t2, 0)) {
        throw new InferenceException(id, d - 1, "diffuse smoother hand-over: predicted covariance unusable");
      }
      Products.mult(sc, d * nn, t2, 0, crossCovs, co, n, n, n);
    }
  }

  /** One component backwards. */
  private void component(DiffusePeriod.Step step, int i) {
    int o = i * n;
    double[] z = step.rows;
    double v = step.innovations[i];
    double fStar = step.proper[i];
    double fInf = step.diffuse[i];
    if (step.kinds[i] == DiffusePeriod.DIFFUSE) {
      double f1 = 1.0 / fInf;
      double f2 = -fStar / (fInf * fInf);
      Symmetric.identity(l0, 0, n);
      for (int j = 0; j < n; j++) {
        double k0 = step.diffuseGain[o + j] * f1;
        double k1 = step.properGain[o + j] * f1 - k0 * fStar * f1;
        for (int l = 0; l < n; l++) {
          l0[j * n + l] -= k0 * z[o + l];
          l1[j * n + l] = -k1 * z[o + l];
        }
      }
      // r_∞ ← z v F1 + L0ᵀ r_∞ + L1ᵀ r ; r ← L0ᵀ r
      Products.multTransVector(l0, 0, r1, 0, vec, 0, n, n);
      Products.multTransVector(l1, 0, r0, 0, r1, 0, n, n);
      for (int j = 0; j < n; j++) r1[j] += vec[j] + z[o + j] * v * f1;
      Products.multTransVector(l0, 0, r0, 0, vec, 0, n, n);
      System.arraycopy(vec, 0, r0, 0, n);
      // N_∞2 with the old N_∞1 and N
      double[] next2 = new double[n * n];
      congruence(l0, n2, l0, next2, false);
      congruence(l0, n1, l1, next2, true);
      congruenceTransposed(l1, n1, l0, next2);
      congruence(l1, n0, l1, next2, true);
      double[] next1 = new double[n * n];
      congruence(l0, n1, l0, next1, false);
      congruence(l1, n0, l0, next1, true);
      congruence(l0, n0, l0, t2, false);
      System.arraycopy(t2, 0, n0, 0, n * n);
      for (int j = 0; j < n; j++) {
        for (int l = 0; l < n; l++) {
          double zz = z[o + j] * z[o + l];
          next2[j * n + l] += zz * f2;
          next1[j * n + l] += zz * f1;
        }
      }
      System.arraycopy(next2, 0, n2, 0, n * n);
      System.arraycopy(next1, 0, n1, 0, n * n);
    } else if (step.kinds[i] == DiffusePeriod.PROPER) {
      Symmetric.identity(l0, 0, n);
      for (int j = 0; j < n; j++) {
        double k = step.properGain[o + j] / fStar;
        for (int l = 0; l < n; l++) l0[j * n + l] -= k * z[o + l];
      }
      Products.multTransVector(l0, 0, r0, 0, vec, 0, n, n);
      for (int j = 0; j < n; j++) r0[j] = vec[j] + z[o + j] * v / fStar;
      congruence(l0, n0, l0, t2, false);
      for (int j = 0; j < n; j++) {
        for (int l = 0; l < n; l++) n0[j * n + l] = t2[j * n + l] + z[o + j] * z[o + l] / fStar;
      }
      Products.mult(n1, 0, l0, 0, t2, 0, n, n, n);
      System.arraycopy(t2, 0, n1, 0, n * n);
    }
  }

  /** out (+)= Aᵀ B C. */
  private void congruence(double[] a, double[] b, double[] cMat, double[] out, boolean add) {
    Products.multTransA(a, 0, b, 0, t1, 0, n, n, n);
    if (!add) {
      Products.mult(t1, 0, cMat, 0, out, 0, n, n, n);
      return;
    }
    for (int j = 0; j < n; j++) {
      for (int l = 0; l < n; l++) {
        double s = 0.0;
        for (int k = 0; k < n; k++) s += t1[j * n + k] * cMat[k * n + l];
        out[j * n + l] += s;
      }
    }
  }

  /** out += Aᵀ Bᵀ C. */
  private void congruenceTransposed(double[] a, double[] b, double[] cMat, double[] out) {
    for (int j = 0; j < n; j++) {
      for (int l = 0; l < n; l++) {
        double s = 0.0;
        for (int k = 0; k < n; k++) {
          double atb = 0.0;
          for (int u = 0; u < n; u++) atb += a[u * n + j] * b[k * n + u];
          s += atb * cMat[k * n + l];
        }
        out[j * n + l] += s;
      }
    }
  }

  /** X ← Fᵀ X F with the loaded F. */
  private void back(double[] x) {
    Products.multTransA(f, 0, x, 0, t1, 0, n, n, n);
    Products.mult(t1, 0, f, 0, x, 0, n, n, n);
  }

  /** m^s_t and P^s_t from the step's predicted moments and the current r, N. */
  private void state(DiffusePeriod.Step step, double[] sm, int mo, double[] sc, int co) {
    double[] ps = step.predCov;
    double[] pi = step.predDiffuse;
    for (int j = 0; j < n; j++) {
      double s = step.predMean[j];
      for (int l = 0; l < n; l++) s += ps[j * n + l] * r0[l] + pi[j * n + l] * r1[l];
      sm[mo + j] = s;
    }
    int nn = n * n;
    double[] v = new double[nn];
    System.arraycopy(ps, 0, v, 0, nn);
    subtractProduct(ps, n0, ps, v, false);
    subtractProduct(pi, n1, ps, v, false);
    subtractProduct(pi, n1, ps, v, true);
    subtractProduct(pi, n2, pi, v, false);
    Symmetric.symmetrize(v, 0, n);
    System.arraycopy(v, 0, sc, co, nn);
  }

  /** v −= A B C, or v −= (A B C)ᵀ. */
  private void subtractProduct(double[] a, double[] b, double[] cMat, double[] v, boolean transposed) {
    Products.mult(a, 0, b, 0, t1, 0, n, n, n);
    Products.mult(t1, 0, cMat, 0, t2, 0, n, n, n);
    for (int j = 0; j < n; j++) {
      for (int l = 0; l < n; l++) v[j * n + l] -= transposed ? t2[l * n + j] : t2[j * n + l];
    }
  }
}
