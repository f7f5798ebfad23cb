package io.statespace.inference.parallel;

import io.statespace.linalg.Products;
import io.statespace.linalg.Symmetric;
import java.util.Arrays;

/**
 * The smoothing operator of Särkkä &amp; García-Fernández (2021), Lemma 10, on elements s = (E, g, L) with
 * p(x_t | y_{0:t}, x_{t+1}) = N(x_t; E x_{t+1} + g, L) (notes §1.2). For an earlier element s_i and a later
 * s_j: E = E_i E_j, g = E_i g_j + g_i, L = E_i L_j E_iᵀ + L_i (symmetrised). Identity: E = I, g = 0,
 * L = 0. Layout: E (n×n), g (n), L (n×n), row-major.
 */
public final class SmootherOperator implements ScanOperator<SmootherOperator.Workspace> {
  private final int n;

  public SmootherOperator(int stateDim) {
    this.n = stateDim;
  }

  public int stateDim() {
    return n;
  }

  @Override
  public int width() {
    return 2 * n * n + n;
  }

  /** Offset of E within an element. */
  public int offsetE() {
    return 0;
  }

  /** Offset of g within an element. */
  public int offsetG() {
    return n * n;
  }

  /** Offset of L within an element. */
  public int offsetL() {
    return n * n + n;
  }

  @Override
  public void identity(double[] buf, int off) {
    Arrays.fill(buf, off, off + width(), 0.0);
    Symmetric.identity(buf, off + offsetE(), n);
  }

  @Override
  public Workspace newWorkspace() {
    return new Workspace(n, width());
  }

  @Override
  public void combine(double[] a, int ao, double[] b, int bo, double[] out, int oo, Workspace ws) {
    int nn = n * n;
    int ei = ao + offsetE();
    double[] s = ws.staged;
    Products.mult(a, ei, b, bo + offsetE(), s, offsetE(), n, n, n);
    Products.multVector(a, ei, b, bo + offsetG(), s, offsetG(), n, n);
    for (int i = 0; i < n; i++) s[offsetG() + i] += a[ao + offsetG() + i];
    Products.sandwich(a, ei, b, bo + offsetL(), ws.work, s, offsetL(), n, n);
    for (int i = 0; i < nn; i++) s[offsetL() + i] += a[ao + offsetL() + i];
    Symmetric.symmetrize(s, offsetL(), n);
    System.arraycopy(s, 0, out, oo, width());
  }

  /** Scratch space of one worker. */
  public static final class Workspace {
    final double[] work;
    final double[] staged;

    Workspace(int n, int width) {
      work = new double[n * n];
      staged = new double[width];
    }
  }
}
