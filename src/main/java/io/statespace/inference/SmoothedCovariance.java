package io.statespace.inference;

import io.statespace.linalg.Products;
import io.statespace.linalg.Symmetric;

/**
 * The part of the RTS covariance that does not depend on the future, in a form that is positive
 * semi-definite by construction: L = (I − G F) P (I − G F)ᵀ + G Q Gᵀ, which equals P − G P⁻ Gᵀ with
 * P⁻ = F P Fᵀ + Q and G = P Fᵀ (P⁻)⁺ (since G P⁻ Gᵀ = G F P). The textbook difference cancels
 * catastrophically when P⁻ is huge (a time gap of 10^6 s makes it ~10^18) and loses definiteness; this
 * sum of PSD terms does not. The sequential smoother then adds G P^s_{t+1} Gᵀ; the parallel smoother's
 * element is exactly L (Särkkä &amp; García-Fernández 2021, Lemma 9). Holds scratch space: one instance per
 * thread.
 */
public final class SmoothedCovariance {
  private final int n;
  private final double[] a;
  private final double[] work;

  public SmoothedCovariance(int n) {
    this.n = n;
    a = new double[n * n];
    work = new double[n * n];
  }

  /**
   * Writes L into out (n×n at offset oo).
   *
   * @param gainT Gᵀ (n×n)
   * @param weights F (n×n)
   * @param cov P (n×n at offset po)
   * @param procCov Q (n×n)
   */
  public void futureFree(double[] gainT, double[] weights, double[] cov, int po, double[] procCov, double[] out, int oo) {
    int nn = n * n;
    Products.multTransA(gainT, 0, weights, 0, a, 0, n, n, n);
    for (int i = 0; i < nn; i++) a[i] = -a[i];
    for (int i = 0; i < n; i++) a[i * n + i] += 1.0;
    Products.mult(a, 0, cov, po, work, 0, n, n, n);
    Products.multTransB(work, 0, a, 0, out, oo, n, n, n);
    Products.mult(procCov, 0, gainT, 0, work, 0, n, n, n);
    Products.multTransA(gainT, 0, work, 0, a, 0, n, n, n);
    for (int i = 0; i < nn; i++) out[oo + i] += a[i];
    Symmetric.symmetrize(out, oo, n);
  }

  /** out += G S Gᵀ for S n×n at offset so (the smoothed covariance of the next step). */
  public void addPropagated(double[] gainT, double[] next, int so, double[] out, int oo) {
    Products.mult(next, so, gainT, 0, work, 0, n, n, n);
    Products.multTransA(gainT, 0, work, 0, a, 0, n, n, n);
    for (int i = 0; i < n * n; i++) out[oo + i] += a[i];
    Symmetric.symmetrize(out, oo, n);
  }
}
