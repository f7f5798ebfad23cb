package io.statespace.linalg;

import static io.statespace.linalg.KernelTesting.block;
import static io.statespace.linalg.KernelTesting.embed;
import static io.statespace.linalg.KernelTesting.random;
import static io.statespace.linalg.KernelTesting.untouchedOutside;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.testing.Compare;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

/** {@link Products} against EJML on random shapes and offsets; outputs must not spill outside their block. */
class ProductsTest {
  private static final double TOL = 1e-13;
  private static final int CASES = 200;

  private interface Shapes {
    void run(SplittableRandom rng, int m, int k, int n, int ao, int bo, int co);
  }

  private static void forShapes(long seed, Shapes body) {
    SplittableRandom rng = new SplittableRandom(seed);
    for (int c = 0; c < CASES; c++) {
      body.run(rng, 1 + rng.nextInt(7), 1 + rng.nextInt(7), 1 + rng.nextInt(7), rng.nextInt(5), rng.nextInt(5),
          rng.nextInt(5));
    }
  }

  @Test
  void mult() {
    forShapes(1, (rng, m, k, n, ao, bo, co) -> {
      double[] a = embed(rng, ao, m, k, 3);
      double[] b = embed(rng, bo, k, n, 3);
      double[] c = embed(rng, co, m, n, 3); // garbage in the output block must be overwritten
      java.util.Arrays.fill(c, co, co + m * n, Double.NaN);
      Products.mult(a, ao, b, bo, c, co, m, k, n);
      DMatrixRMaj expected = new DMatrixRMaj(m, n);
      CommonOps_DDRM.mult(block(a, ao, m, k), block(b, bo, k, n), expected);
      Compare.assertRelClose("mult", block(c, co, m, n).data, expected.data, TOL);
      assertTrue(untouchedOutside(c, co, m * n), "mult wrote outside its output block");
    });
  }

  @Test
  void multTransB() {
    forShapes(2, (rng, m, k, n, ao, bo, co) -> {
      double[] a = embed(rng, ao, m, k, 3);
      double[] b = embed(rng, bo, n, k, 3);
      double[] c = embed(rng, co, m, n, 3);
      Products.multTransB(a, ao, b, bo, c, co, m, k, n);
      DMatrixRMaj expected = new DMatrixRMaj(m, n);
      CommonOps_DDRM.multTransB(block(a, ao, m, k), block(b, bo, n, k), expected);
      Compare.assertRelClose("multTransB", block(c, co, m, n).data, expected.data, TOL);
      assertTrue(untouchedOutside(c, co, m * n), "multTransB wrote outside its output block");
    });
  }

  @Test
  void multTransA() {
    forShapes(3, (rng, m, k, n, ao, bo, co) -> {
      double[] a = embed(rng, ao, k, m, 3);
      double[] b = embed(rng, bo, k, n, 3);
      double[] c = embed(rng, co, m, n, 3);
      java.util.Arrays.fill(c, co, co + m * n, Double.NaN);
      Products.multTransA(a, ao, b, bo, c, co, m, k, n);
      DMatrixRMaj expected = new DMatrixRMaj(m, n);
      CommonOps_DDRM.multTransA(block(a, ao, k, m), block(b, bo, k, n), expected);
      Compare.assertRelClose("multTransA", block(c, co, m, n).data, expected.data, TOL);
      assertTrue(untouchedOutside(c, co, m * n), "multTransA wrote outside its output block");
    });
  }

  @Test
  void multVectorAndTransVector() {
    forShapes(4, (rng, m, k, n, ao, bo, co) -> {
      double[] a = embed(rng, ao, m, n, 3);
      double[] x = embed(rng, bo, n, 1, 3);
      double[] y = embed(rng, co, m, 1, 3);
      Products.multVector(a, ao, x, bo, y, co, m, n);
      DMatrixRMaj expected = new DMatrixRMaj(m, 1);
      CommonOps_DDRM.mult(block(a, ao, m, n), block(x, bo, n, 1), expected);
      Compare.assertRelClose("multVector", block(y, co, m, 1).data, expected.data, TOL);
      assertTrue(untouchedOutside(y, co, m), "multVector wrote outside its output");

      double[] u = embed(rng, bo, m, 1, 3);
      double[] v = embed(rng, co, n, 1, 3);
      java.util.Arrays.fill(v, co, co + n, Double.NaN);
      Products.multTransVector(a, ao, u, bo, v, co, m, n);
      DMatrixRMaj expectedT = new DMatrixRMaj(n, 1);
      CommonOps_DDRM.multTransA(block(a, ao, m, n), block(u, bo, m, 1), expectedT);
      Compare.assertRelClose("multTransVector", block(v, co, n, 1).data, expectedT.data, TOL);
      assertTrue(untouchedOutside(v, co, n), "multTransVector wrote outside its output");
    });
  }

  @Test
  void sandwich() {
    forShapes(5, (rng, m, k, n, ao, bo, co) -> {
      double[] a = embed(rng, ao, m, n, 3);
      DMatrixRMaj sym = KernelTesting.spd(rng, n, 0.1);
      double[] b = embed(sym, bo, 3);
      double[] work = new double[m * n];
      double[] c = embed(rng, co, m, m, 3);
      Products.sandwich(a, ao, b, bo, work, c, co, m, n);
      DMatrixRMaj am = block(a, ao, m, n);
      DMatrixRMaj tmp = new DMatrixRMaj(m, n);
      CommonOps_DDRM.mult(am, sym, tmp);
      DMatrixRMaj expected = new DMatrixRMaj(m, m);
      CommonOps_DDRM.multTransB(tmp, am, expected);
      DMatrixRMaj got = block(c, co, m, m);
      Compare.assertRelClose("sandwich", got.data, expected.data, TOL);
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < m; j++) assertEquals(got.get(i, j), got.get(j, i), 0.0, "sandwich is not symmetric");
      }
      assertTrue(untouchedOutside(c, co, m * m), "sandwich wrote outside its output block");
    });
  }

  @Test
  void relDiffHelperDetectsDifferences() {
    // The comparison the tests rely on must itself be able to fail.
    DMatrixRMaj a = random(new SplittableRandom(9), 3, 3);
    DMatrixRMaj b = a.copy();
    b.data[4] += 1e-6;
    assertTrue(Compare.maxRelDiff(a.data, b.data) > 1e-7);
    assertEquals(0.0, Compare.maxRelDiff(a.data, a.copy().data));
    assertEquals(Double.POSITIVE_INFINITY, Compare.maxRelDiff(new double[] {Double.NaN}, new double[] {1.0}));
  }
}
