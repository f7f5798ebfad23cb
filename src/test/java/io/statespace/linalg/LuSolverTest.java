package io.statespace.linalg;

import static io.statespace.linalg.KernelTesting.block;
import static io.statespace.linalg.KernelTesting.embed;
import static io.statespace.linalg.KernelTesting.random;
import static io.statespace.linalg.KernelTesting.untouchedOutside;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.testing.Compare;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

/** {@link LuSolver} against EJML on random non-symmetric matrices, pivoting, and singular input. */
class LuSolverTest {
  private static final int CASES = 200;

  /** P A from the recorded sequence of row swaps. */
  private static DMatrixRMaj permuted(DMatrixRMaj a, int[] pivots) {
    DMatrixRMaj pa = a.copy();
    int n = a.numRows;
    for (int k = 0; k < n; k++) {
      int p = pivots[k];
      assertTrue(p >= k && p < n, "pivot out of range");
      for (int j = 0; j < n; j++) {
        double t = pa.get(k, j);
        pa.set(k, j, pa.get(p, j));
        pa.set(p, j, t);
      }
    }
    return pa;
  }

  /** L U from the packed factors (unit lower L strictly below the diagonal, U on and above). */
  private static DMatrixRMaj product(DMatrixRMaj lu) {
    int n = lu.numRows;
    DMatrixRMaj l = new DMatrixRMaj(n, n);
    DMatrixRMaj u = new DMatrixRMaj(n, n);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        if (i > j) l.set(i, j, lu.get(i, j));
        else u.set(i, j, lu.get(i, j));
      }
      l.set(i, i, 1.0);
    }
    DMatrixRMaj out = new DMatrixRMaj(n, n);
    CommonOps_DDRM.mult(l, u, out);
    return out;
  }

  private static void checkAgainstEjml(String what, DMatrixRMaj a, SplittableRandom rng, double solveTol) {
    int n = a.numRows;
    int o = rng.nextInt(5);
    int bo = rng.nextInt(5);
    int cols = 1 + rng.nextInt(5);
    double[] buf = embed(a, o, 3);
    int[] pivots = new int[n];
    double logAbsDet = LuSolver.decompose(buf, o, n, pivots);
    assertTrue(untouchedOutside(buf, o, n * n), what + ": decompose wrote outside its block");
    Compare.assertRelClose(what + ": log|det|", logAbsDet, Math.log(Math.abs(CommonOps_DDRM.det(a))), 1e-12);
    DMatrixRMaj lu = block(buf, o, n, n);
    Compare.assertRelClose(what + ": P A = L U", product(lu).data, permuted(a, pivots).data, 1e-13);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < i; j++) assertTrue(Math.abs(lu.get(i, j)) <= 1.0, what + ": |L| > 1: no partial pivoting");
    }
    DMatrixRMaj b = random(rng, n, cols);
    double[] z = embed(b, bo, 3);
    LuSolver.solve(buf, o, n, pivots, z, bo, cols);
    assertTrue(untouchedOutside(z, bo, n * cols), what + ": solve wrote outside its block");
    DMatrixRMaj expected = new DMatrixRMaj(n, cols);
    assertTrue(CommonOps_DDRM.solve(a, b, expected));
    Compare.assertRelClose(what + ": solve", block(z, bo, n, cols).data, expected.data, solveTol);
  }

  @Test
  void randomMatricesMatchEjml() {
    SplittableRandom rng = new SplittableRandom(21);
    for (int c = 0; c < CASES; c++) {
      int n = 1 + rng.nextInt(8);
      DMatrixRMaj a = random(rng, n, n);
      for (int i = 0; i < n; i++) a.add(i, i, 0.5 * (rng.nextBoolean() ? 1 : -1)); // keep away from singular
      checkAgainstEjml("random n=" + n, a, rng, 1e-10);
    }
  }

  @Test
  void pivotingIsNeeded() {
    SplittableRandom rng = new SplittableRandom(22);
    // A zero leading pivot: elimination without row exchanges would divide by 0.
    DMatrixRMaj swap = new DMatrixRMaj(new double[][] {{0, 1, 2}, {3, 4, 5}, {6, 7, 9}});
    int[] pivots = new int[3];
    double[] buf = swap.copy().data;
    assertTrue(Double.isFinite(LuSolver.decompose(buf, 0, 3, pivots)));
    assertNotEquals(0, pivots[0], "no row exchange on a zero leading pivot");
    checkAgainstEjml("zero leading pivot", swap, rng, 1e-13);

    // A tiny leading pivot: without row exchanges, 1 - 1e20 swamps the answer.
    DMatrixRMaj tiny = new DMatrixRMaj(new double[][] {{1e-20, 1}, {1, 1}});
    double[] t = tiny.copy().data;
    int[] tp = new int[2];
    LuSolver.decompose(t, 0, 2, tp);
    double[] rhs = {1, 2};
    LuSolver.solve(t, 0, 2, tp, rhs, 0, 1);
    // exact solution: x0 = 1 / (1 - 1e-20), x1 = 1 - 1e-20 x0, both 1 to double precision
    assertEquals(1.0, rhs[0], 1e-15);
    assertEquals(1.0, rhs[1], 1e-15);
    checkAgainstEjml("tiny leading pivot", tiny, rng, 1e-13);

    // Random matrices with a zero first column entry and a permuted diagonal dominance.
    for (int c = 0; c < 50; c++) {
      int n = 2 + rng.nextInt(7);
      DMatrixRMaj a = random(rng, n, n);
      a.set(0, 0, 0.0);
      int[] perm = new int[n];
      for (int i = 0; i < n; i++) perm[i] = (i + 1 + c) % n;
      for (int i = 0; i < n; i++) a.add(i, perm[i], 3.0); // a row-permuted diagonally dominant matrix
      checkAgainstEjml("permuted dominant n=" + n, a, rng, 1e-11);
    }
  }

  @Test
  void singularMatricesGiveNaN() {
    int[] pivots = new int[4];
    assertTrue(Double.isNaN(LuSolver.decompose(new double[] {0}, 0, 1, pivots)));
    assertTrue(Double.isNaN(LuSolver.decompose(new double[4], 0, 2, pivots)), "zero matrix");
    // a zero column
    assertTrue(Double.isNaN(LuSolver.decompose(new double[] {1, 0, 2, 3, 0, 4, 5, 0, 6}, 0, 3, pivots)));
    // repeated rows
    assertTrue(Double.isNaN(LuSolver.decompose(new double[] {1, 2, 3, 4, 5, 6, 1, 2, 3}, 0, 3, pivots)));
    // rank one, with exact arithmetic: every row a multiple of (1, 2, 4) by a power of two
    assertTrue(Double.isNaN(LuSolver.decompose(new double[] {1, 2, 4, 2, 4, 8, 4, 8, 16}, 0, 3, pivots)));
    // singular after a row exchange: the trailing 2×2 block is singular
    assertTrue(Double.isNaN(LuSolver.decompose(new double[] {0, 1, 1, 2, 0, 0, 0, 1, 1}, 0, 3, pivots)));
    // NaN input
    assertTrue(Double.isNaN(LuSolver.decompose(new double[] {Double.NaN, 1, 1, 1}, 0, 2, pivots)));
  }
}
