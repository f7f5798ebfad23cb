package io.statespace.linalg;

import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;

/** Helpers for the kernel tests: random blocks at offsets inside larger arrays, and EJML views of them. */
final class KernelTesting {
  /** Filler written around the blocks, to catch writes outside the output block. */
  static final double SENTINEL = -12345.678;

  private KernelTesting() {}

  /** An array of offset + rows*cols + tail entries, SENTINEL outside the block, entries in [-1, 1]. */
  static double[] embed(SplittableRandom rng, int offset, int rows, int cols, int tail) {
    double[] a = new double[offset + rows * cols + tail];
    java.util.Arrays.fill(a, SENTINEL);
    for (int i = 0; i < rows * cols; i++) a[offset + i] = rng.nextDouble(-1, 1);
    return a;
  }

  /** An array holding m (row-major) at offset, SENTINEL elsewhere. */
  static double[] embed(DMatrixRMaj m, int offset, int tail) {
    double[] a = new double[offset + m.getNumElements() + tail];
    java.util.Arrays.fill(a, SENTINEL);
    System.arraycopy(m.data, 0, a, offset, m.getNumElements());
    return a;
  }

  /** A copy of the rows×cols block at offset as an EJML matrix. */
  static DMatrixRMaj block(double[] a, int offset, int rows, int cols) {
    DMatrixRMaj m = new DMatrixRMaj(rows, cols);
    System.arraycopy(a, offset, m.data, 0, rows * cols);
    return m;
  }

  static DMatrixRMaj random(SplittableRandom rng, int rows, int cols) {
    DMatrixRMaj m = new DMatrixRMaj(rows, cols);
    for (int i = 0; i < m.data.length; i++) m.data[i] = rng.nextDouble(-1, 1);
    return m;
  }

  /** A random symmetric positive-definite matrix G Gᵀ / k + floor I. */
  static DMatrixRMaj spd(SplittableRandom rng, int k, double floor) {
    DMatrixRMaj g = random(rng, k, k);
    DMatrixRMaj s = new DMatrixRMaj(k, k);
    org.ejml.dense.row.CommonOps_DDRM.multTransB(g, g, s);
    org.ejml.dense.row.CommonOps_DDRM.scale(1.0 / k, s);
    for (int i = 0; i < k; i++) s.add(i, i, floor);
    return s;
  }

  /** True when every entry outside [offset, offset + size) still holds SENTINEL. */
  static boolean untouchedOutside(double[] a, int offset, int size) {
    for (int i = 0; i < a.length; i++) {
      if ((i < offset || i >= offset + size) && a[i] != SENTINEL) return false;
    }
    return true;
  }

  /** ‖a − b‖∞ / ‖b‖∞ of two EJML matrices (shapes must match). */
  static double relDiff(DMatrixRMaj a, DMatrixRMaj b) {
    if (a.numRows != b.numRows || a.numCols != b.numCols) return Double.POSITIVE_INFINITY;
    return io.statespace.testing.Compare.maxRelDiff(a.data, b.data);
  }
}
