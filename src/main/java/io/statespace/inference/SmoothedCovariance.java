package io.statespace.inference;

import io.statespace.linalg.Products;

/**
 * The RTS smoothed covariance without the difference that cancels over huge time gaps:
 * P^s_t = P_t + G (P^s_{t+1} − P⁻) Gᵀ is evaluated as L + G P^s_{t+1} Gᵀ with L = P_t − G P⁻ Gᵀ
 * (G = P_t Fᵀ (P⁻)⁺), so that P⁻ (~10^18 after a gap of 10^6 s) never absorbs P^s_{t+1}. L has two
 * forms. {@link #futureFree} is P_t − G (F P_t), using G P⁻ Gᵀ = G F P_t and the F P_t the gain already
 * needed: cheap, and accurate while P⁻ is well conditioned. {@link #futureFreeRobust} is
 * (I − G F) P_t (I − G F)ᵀ + G Q Gᵀ, the same matrix for the exact gain but positive semi-definite for
 * any G: callers take it when P⁻ is ill conditioned ({@link io.statespace.linalg.SemiDefiniteSolver#ILL_CONDITIONED}),
 * where the computed gain itself is inexact (a 10^6 s gap makes P⁻'s condition number ~10^24). L alone is
 * the parallel smoother's element (Särkkä &amp; García-Fernández 2021, Lemma 9). Symmetric results are
 * computed on the upper triangle and mirrored. Holds scratch space: one instance per thread.
 */
public final class SmoothedCovariance {
  private final int n;
  private final double[] work;
  private final double[] a;

  public SmoothedCovariance(int n) {
    this.n = n;
    work = new double[n * n];
    a = new double[n * n];
  }

  /**
   * Writes (I − G F) P_t (I − G F)ᵀ + G Q Gᵀ into out (n×n at offset oo); out may be the covariance read.
   *
   * @param gainT Gᵀ (n×n)
   * @param weights F (n×n)
   * @param cov P_t (n×n at offset po)
   * @param procCov Q (n×n)
   */
  public void futureFreeRobust(double[] gainT, double[] weights, double[] cov, int po, double[] procCov, double[] out,
      int oo) {
    int nn = n * n;
    Products.multTransA(gainT, 0, weights, 0, a, 0, n, n, n);
    for (int i = 0; i < nn; i++) a[i] = -a[i];
    for (int i = 0; i < n; i++) a[i * n + i] += 1.0;
    Products.mult(a, 0, cov, po, work, 0, n, n, n);
    Products.multTransB(work, 0, a, 0, out, oo, n, n, n);
    Products.mult(procCov, 0, gainT, 0, work, 0, n, n, n);
    Products.multTransA(gainT, 0, work, 0, a, 0, n, n, n);
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) {
        double v = 0.5 * (out[oo + i * n + j] + out[oo + j * n + i]) + 0.5 * (a[i * n + j] + a[j * n + i]);
        out[oo + i * n + j] = v;
        out[oo + j * n + i] = v;
      }
    }
  }

  /**
   * Writes P_t − Gᵀᵀ (F P_t) into out (n×n at offset oo). May write over the covariance it reads when
   * {@code cov == out} and {@code po == oo}: each entry is read before it is written.
   *
   * @param gainT Gᵀ (n×n)
   * @param fp F P_t (n×n)
   * @param cov P_t (n×n at offset po)
   */
  public void futureFree(double[] gainT, double[] fp, double[] cov, int po, double[] out, int oo) {
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) {
        double s = 0.0;
        for (int k = 0; k < n; k++) s += gainT[k * n + i] * fp[k * n + j];
        double v = 0.5 * (cov[po + i * n + j] + cov[po + j * n + i]) - s;
        out[oo + i * n + j] = v;
        out[oo + j * n + i] = v;
      }
    }
  }

  /** out += G S Gᵀ for S n×n at offset so (the smoothed covariance of the next step). */
  public void addPropagated(double[] gainT, double[] next, int so, double[] out, int oo) {
    Products.mult(next, so, gainT, 0, work, 0, n, n, n);
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) {
        double s = 0.0;
        for (int k = 0; k < n; k++) s += gainT[k * n + i] * work[k * n + j];
        out[oo + i * n + j] += s;
        if (j != i) out[oo + j * n + i] += s;
      }
    }
  }
}
