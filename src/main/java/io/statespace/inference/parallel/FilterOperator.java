package io.statespace.inference.parallel;

import io.statespace.linalg.LuSolver;
import io.statespace.linalg.Products;
import io.statespace.linalg.Symmetric;
import java.util.Arrays;

/**
 * The filtering operator of Särkkä &amp; García-Fernández (2021), Lemma 8, on elements
 * a = (A, b, C, eta, J): N(x_k; A x_{k-1} + b, C) = p(x_k | x_{k-1}, y_k) and
 * p(y_k | x_{k-1}) ∝ exp(-½ xᵀJx + etaᵀx) (notes §1.1). With M = (I + C_i J_j)⁻¹ (LU solve),
 * <pre>
 *   A = A_j M A_i                     b = A_j M (b_i + C_i eta_j) + b_j
 *   C = A_j M C_i A_jᵀ + C_j          eta = A_iᵀ Mᵀ (eta_j - J_j b_i) + eta_i
 *   J = A_iᵀ Mᵀ J_j A_i + J_i
 * </pre>
 * Since C_i and J_j are symmetric, Mᵀ = (I + J_j C_i)⁻¹ and A_iᵀ Mᵀ = (M A_i)ᵀ, so one factorisation
 * serves all five. C and J are symmetrised. Identity: A = I, the rest 0. Layout: A (n×n), b (n), C (n×n),
 * eta (n), J (n×n), row-major. A singular I + C_i J_j (impossible for semi-definite C, J) gives NaNs.
 */
public final class FilterOperator implements ScanOperator<FilterOperator.Workspace> {
  private final int n;

  public FilterOperator(int stateDim) {
    this.n = stateDim;
  }

  public int stateDim() {
    return n;
  }

  @Override
  public int width() {
    return 3 * n * n + 2 * n;
  }

  /** Offset of A within an element. */
  public int offsetA() {
    return 0;
  }

  /** Offset of b within an element. */
  public int offsetB() {
    return n * n;
  }

  /** Offset of C within an element. */
  public int offsetC() {
    return n * n + n;
  }

  /** Offset of eta within an element. */
  public int offsetEta() {
    return 2 * n * n + n;
  }

  /** Offset of J within an element. */
  public int offsetJ() {
    return 2 * n * n + 2 * n;
  }

  @Override
  public void identity(double[] buf, int off) {
    Arrays.fill(buf, off, off + width(), 0.0);
    Symmetric.identity(buf, off + offsetA(), n);
  }

  @Override
  public Workspace newWorkspace() {
    return new Workspace(n, width());
  }

  @Override
  public void combine(double[] a, int ao, double[] b, int bo, double[] out, int oo, Workspace ws) {
    int nn = n * n;
    int ai = ao + offsetA();
    int bi = ao + offsetB();
    int ci = ao + offsetC();
    int etai = ao + offsetEta();
    int ji = ao + offsetJ();
    int aj = bo + offsetA();
    int bj = bo + offsetB();
    int cj = bo + offsetC();
    int etaj = bo + offsetEta();
    int jj = bo + offsetJ();
    double[] s = ws.staged;

    Products.mult(a, ci, b, jj, ws.lu, 0, n, n, n);
    for (int i = 0; i < n; i++) ws.lu[i * n + i] += 1.0;
    if (Double.isNaN(LuSolver.decompose(ws.lu, 0, n, ws.pivots))) {
      Arrays.fill(out, oo, oo + width(), Double.NaN);
      return;
    }
    // z = M A_i, y = M C_i, v = M (b_i + C_i eta_j)
    System.arraycopy(a, ai, ws.z, 0, nn);
    LuSolver.solve(ws.lu, 0, n, ws.pivots, ws.z, 0, n);
    System.arraycopy(a, ci, ws.y, 0, nn);
    LuSolver.solve(ws.lu, 0, n, ws.pivots, ws.y, 0, n);
    Products.multVector(a, ci, b, etaj, ws.v, 0, n, n);
    for (int i = 0; i < n; i++) ws.v[i] += a[bi + i];
    LuSolver.solve(ws.lu, 0, n, ws.pivots, ws.v, 0, 1);

    Products.mult(b, aj, ws.z, 0, s, offsetA(), n, n, n);
    Products.multVector(b, aj, ws.v, 0, s, offsetB(), n, n);
    for (int i = 0; i < n; i++) s[offsetB() + i] += b[bj + i];
    Products.mult(b, aj, ws.y, 0, ws.work, 0, n, n, n);
    Products.multTransB(ws.work, 0, b, aj, s, offsetC(), n, n, n);
    for (int i = 0; i < nn; i++) s[offsetC() + i] += b[cj + i];
    Symmetric.symmetrize(s, offsetC(), n);

    // u = eta_j - J_j b_i; eta = zᵀ u + eta_i
    Products.multVector(b, jj, a, bi, ws.u, 0, n, n);
    for (int i = 0; i < n; i++) ws.u[i] = b[etaj + i] - ws.u[i];
    Products.multTransVector(ws.z, 0, ws.u, 0, s, offsetEta(), n, n);
    for (int i = 0; i < n; i++) s[offsetEta() + i] += a[etai + i];
    // J = zᵀ J_j A_i + J_i
    Products.mult(b, jj, a, ai, ws.work, 0, n, n, n);
    Products.multTransA(ws.z, 0, ws.work, 0, s, offsetJ(), n, n, n);
    for (int i = 0; i < nn; i++) s[offsetJ() + i] += a[ji + i];
    Symmetric.symmetrize(s, offsetJ(), n);

    System.arraycopy(s, 0, out, oo, width());
  }

  /** Scratch space of one worker. */
  public static final class Workspace {
    final double[] lu;
    final int[] pivots;
    final double[] z;
    final double[] y;
    final double[] v;
    final double[] u;
    final double[] work;
    final double[] staged;

    Workspace(int n, int width) {
      lu = new double[n * n];
      pivots = new int[n];
      z = new double[n * n];
      y = new double[n * n];
      v = new double[n];
      u = new double[n];
      work = new double[n * n];
      staged = new double[width];
    }
  }
}
