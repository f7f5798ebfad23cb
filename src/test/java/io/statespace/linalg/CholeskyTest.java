package io.statespace.linalg;

import static io.statespace.linalg.KernelTesting.block;
import static io.statespace.linalg.KernelTesting.embed;
import static io.statespace.linalg.KernelTesting.random;
import static io.statespace.linalg.KernelTesting.spd;
import static io.statespace.linalg.KernelTesting.untouchedOutside;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.testing.Compare;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;
import org.junit.jupiter.api.Test;

/** {@link Cholesky} against EJML's Cholesky, solve and determinant, and its failure paths. */
class CholeskyTest {
  private static final int CASES = 200;

  private static DMatrixRMaj ejmlLower(DMatrixRMaj a) {
    CholeskyDecomposition_F64<DMatrixRMaj> chol = DecompositionFactory_DDRM.chol(a.numRows, true);
    assertTrue(chol.decompose(a.copy()), "EJML Cholesky failed on the test matrix");
    return chol.getT(null);
  }

  @Test
  void decomposeMatchesEjml() {
    SplittableRandom rng = new SplittableRandom(11);
    for (int c = 0; c < CASES; c++) {
      int k = 1 + rng.nextInt(8);
      int o = rng.nextInt(5);
      DMatrixRMaj a = spd(rng, k, 0.05);
      double[] buf = embed(a, o, 3);
      assertTrue(Cholesky.decompose(buf, o, k), "decompose refused an SPD matrix");
      assertTrue(untouchedOutside(buf, o, k * k), "decompose wrote outside its block");
      DMatrixRMaj l = block(buf, o, k, k);
      for (int i = 0; i < k; i++) {
        assertTrue(l.get(i, i) > 0.0, "non-positive diagonal in L");
        for (int j = i + 1; j < k; j++) assertEquals(0.0, l.get(i, j), "upper triangle not zeroed");
      }
      Compare.assertRelClose("L vs EJML (k=" + k + ")", l.data, ejmlLower(a).data, 1e-12);
      DMatrixRMaj llt = new DMatrixRMaj(k, k);
      CommonOps_DDRM.multTransB(l, l, llt);
      Compare.assertRelClose("L Lᵀ = A (k=" + k + ")", llt.data, a.data, 1e-13);
    }
  }

  @Test
  void solvesAndLogDetMatchEjml() {
    SplittableRandom rng = new SplittableRandom(12);
    for (int c = 0; c < CASES; c++) {
      int k = 1 + rng.nextInt(8);
      int cols = 1 + rng.nextInt(6);
      int lo = rng.nextInt(5);
      int bo = rng.nextInt(5);
      DMatrixRMaj a = spd(rng, k, 0.05);
      double[] l = embed(a, lo, 2);
      assertTrue(Cholesky.decompose(l, lo, k));
      DMatrixRMaj lm = block(l, lo, k, k);
      DMatrixRMaj b = random(rng, k, cols);

      // A Z = B
      double[] z = embed(b, bo, 2);
      Cholesky.solve(l, lo, k, z, bo, cols);
      assertTrue(untouchedOutside(z, bo, k * cols), "solve wrote outside its block");
      DMatrixRMaj expected = new DMatrixRMaj(k, cols);
      assertTrue(CommonOps_DDRM.solve(a, b, expected));
      Compare.assertRelClose("solve (k=" + k + ")", block(z, bo, k, cols).data, expected.data, 1e-11);

      // L Z = B and Lᵀ Z = B separately
      double[] zl = embed(b, bo, 2);
      Cholesky.solveLower(l, lo, k, zl, bo, cols);
      DMatrixRMaj expectedL = new DMatrixRMaj(k, cols);
      assertTrue(CommonOps_DDRM.solve(lm, b, expectedL));
      Compare.assertRelClose("solveLower (k=" + k + ")", block(zl, bo, k, cols).data, expectedL.data, 1e-11);
      double[] zu = embed(b, bo, 2);
      Cholesky.solveUpperTransposed(l, lo, k, zu, bo, cols);
      DMatrixRMaj expectedU = new DMatrixRMaj(k, cols);
      assertTrue(CommonOps_DDRM.solve(CommonOps_DDRM.transpose(lm, null), b, expectedU));
      Compare.assertRelClose("solveUpperTransposed (k=" + k + ")", block(zu, bo, k, cols).data,
          expectedU.data, 1e-11);

      double logDet = Cholesky.logDet(l, lo, k);
      Compare.assertRelClose("logDet (k=" + k + ")", logDet, Math.log(CommonOps_DDRM.det(a)), 1e-12);
    }
  }

  @Test
  void decomposeRefusesMatricesThatAreNotPositiveDefinite() {
    // indefinite (eigenvalues 3 and -1)
    assertFalse(Cholesky.decompose(new double[] {1, 2, 2, 1}, 0, 2));
    // negative and zero diagonal
    assertFalse(Cholesky.decompose(new double[] {-1}, 0, 1));
    assertFalse(Cholesky.decompose(new double[] {0}, 0, 1));
    // exactly singular positive semi-definite: the second pivot is exactly 0
    assertFalse(Cholesky.decompose(new double[] {1, 1, 1, 1}, 0, 2));
    assertFalse(Cholesky.decompose(new double[] {4, 0, 0, 0, 0, 0, 0, 0, 9}, 0, 3));
    // not finite
    assertFalse(Cholesky.decompose(new double[] {Double.NaN}, 0, 1));
    assertFalse(Cholesky.decompose(new double[] {1, Double.NaN, Double.NaN, 1}, 0, 2));
    assertFalse(Cholesky.decompose(new double[] {Double.POSITIVE_INFINITY}, 0, 1));
    // random SPD shifted to have a clearly negative eigenvalue
    SplittableRandom rng = new SplittableRandom(13);
    for (int c = 0; c < 50; c++) {
      int k = 2 + rng.nextInt(6);
      DMatrixRMaj a = spd(rng, k, 0.0);
      double[] eig = symmetricEigenvalues(a);
      double shift = eig[0] + 0.1 * (eig[k - 1] - eig[0]) + 1e-3; // below the spectrum's top, above its bottom
      for (int i = 0; i < k; i++) a.add(i, i, -shift);
      assertFalse(Cholesky.decompose(a.copy().data, 0, k), "accepted an indefinite matrix");
    }
  }

  @Test
  void semiDefiniteFactorOfSingularMatrices() {
    SplittableRandom rng = new SplittableRandom(14);
    for (int c = 0; c < CASES; c++) {
      int k = 2 + rng.nextInt(7);
      int rank = rng.nextInt(k); // 0..k-1: always singular
      int o = rng.nextInt(4);
      DMatrixRMaj v = random(rng, k, rank);
      DMatrixRMaj a = new DMatrixRMaj(k, k);
      CommonOps_DDRM.multTransB(v, v, a);
      if (c % 4 == 0 && k > 2) {
        // an exactly zero row and column in the middle (Q = 0 on a block, as at dt = 0)
        for (int i = 0; i < k; i++) {
          a.set(1, i, 0.0);
          a.set(i, 1, 0.0);
        }
      }
      double[] buf = embed(a, o, 3);
      assertTrue(Cholesky.decomposeSemiDefinite(buf, o, k), "refused a PSD matrix of rank " + rank);
      assertTrue(untouchedOutside(buf, o, k * k), "decomposeSemiDefinite wrote outside its block");
      DMatrixRMaj l = block(buf, o, k, k);
      for (int i = 0; i < k; i++) {
        assertTrue(l.get(i, i) >= 0.0, "negative diagonal");
        for (int j = i + 1; j < k; j++) assertEquals(0.0, l.get(i, j), "upper triangle not zeroed");
      }
      DMatrixRMaj llt = new DMatrixRMaj(k, k);
      CommonOps_DDRM.multTransB(l, l, llt);
      if (rank == 0) {
        for (double x : l.data) assertEquals(0.0, x, "factor of the zero matrix");
      } else {
        Compare.assertRelClose("L Lᵀ = A (k=" + k + ", rank=" + rank + ")", llt.data, a.data, 1e-10);
      }
    }
  }

  @Test
  void semiDefiniteAgreesWithDecomposeOnDefiniteInput() {
    SplittableRandom rng = new SplittableRandom(15);
    for (int c = 0; c < 50; c++) {
      int k = 1 + rng.nextInt(8);
      DMatrixRMaj a = spd(rng, k, 0.05);
      double[] l1 = a.copy().data;
      double[] l2 = a.copy().data;
      assertTrue(Cholesky.decompose(l1, 0, k));
      assertTrue(Cholesky.decomposeSemiDefinite(l2, 0, k));
      Compare.assertRelClose("semi-definite vs definite factor", l2, l1, 1e-15);
    }
  }

  @Test
  void semiDefiniteRefusesIndefinite() {
    assertFalse(Cholesky.decomposeSemiDefinite(new double[] {1, 2, 2, 1}, 0, 2));
    assertFalse(Cholesky.decomposeSemiDefinite(new double[] {-1}, 0, 1));
    assertFalse(Cholesky.decomposeSemiDefinite(new double[] {1, 0, 0, -0.5}, 0, 2));
    assertFalse(Cholesky.decomposeSemiDefinite(new double[] {Double.NaN}, 0, 1));
  }

  private static double[] symmetricEigenvalues(DMatrixRMaj a) {
    var eig = DecompositionFactory_DDRM.eig(a.numRows, false, true);
    assertTrue(eig.decompose(a.copy()));
    double[] ev = new double[a.numRows];
    for (int i = 0; i < ev.length; i++) ev[i] = eig.getEigenvalue(i).getReal();
    java.util.Arrays.sort(ev);
    return ev;
  }
}
