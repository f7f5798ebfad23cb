package io.statespace.inference.parallel;

import io.statespace.testing.RandomModels;
import java.util.SplittableRandom;

/**
 * Random filtering and smoothing elements: arbitrary A, b, eta, E, g and symmetric positive-definite C, J, L.
 * The scan tests use {@link #filterScaled} and {@link #smootherScaled}, whose A and E are scaled orthogonal
 * matrices and whose C and J are small: long products of arbitrary contracting matrices underflow to
 * subnormal numbers within a thousand steps, where relative comparisons mean nothing.
 */
final class RandomElements {
  private RandomElements() {}

  /** {@code count} filtering elements with A = scale × a random orthogonal matrix and C, J of norm about 0.1. */
  static double[] filterScaled(SplittableRandom rng, FilterOperator op, int count, double scale) {
    int n = op.stateDim();
    double[] out = new double[count * op.width()];
    for (int k = 0; k < count; k++) {
      int off = k * op.width();
      System.arraycopy(orthogonal(rng, n, scale), 0, out, off + op.offsetA(), n * n);
      System.arraycopy(RandomModels.uniform(rng, n, 1.0), 0, out, off + op.offsetB(), n);
      System.arraycopy(RandomModels.spd(rng, n, 0.1, 0.01), 0, out, off + op.offsetC(), n * n);
      System.arraycopy(RandomModels.uniform(rng, n, 1.0), 0, out, off + op.offsetEta(), n);
      System.arraycopy(RandomModels.spd(rng, n, 0.1, 0.01), 0, out, off + op.offsetJ(), n * n);
    }
    return out;
  }

  /** {@code count} smoothing elements with E = scale × a random orthogonal matrix. */
  static double[] smootherScaled(SplittableRandom rng, SmootherOperator op, int count, double scale) {
    int n = op.stateDim();
    double[] out = new double[count * op.width()];
    for (int k = 0; k < count; k++) {
      int off = k * op.width();
      System.arraycopy(orthogonal(rng, n, scale), 0, out, off + op.offsetE(), n * n);
      System.arraycopy(RandomModels.uniform(rng, n, 1.0), 0, out, off + op.offsetG(), n);
      System.arraycopy(RandomModels.spd(rng, n, 1.0, 0.1), 0, out, off + op.offsetL(), n * n);
    }
    return out;
  }

  /** scale × Q for a random orthogonal Q (Gram-Schmidt on the rows of a random matrix). */
  static double[] orthogonal(SplittableRandom rng, int n, double scale) {
    double[] q;
    do {
      q = RandomModels.uniform(rng, n * n, 1.0);
    } while (!orthonormalizeRows(q, n));
    for (int i = 0; i < q.length; i++) q[i] *= scale;
    return q;
  }

  private static boolean orthonormalizeRows(double[] q, int n) {
    for (int i = 0; i < n; i++) {
      for (int pass = 0; pass < 2; pass++) {
        for (int j = 0; j < i; j++) {
          double dot = 0.0;
          for (int c = 0; c < n; c++) dot += q[i * n + c] * q[j * n + c];
          for (int c = 0; c < n; c++) q[i * n + c] -= dot * q[j * n + c];
        }
      }
      double norm = 0.0;
      for (int c = 0; c < n; c++) norm += q[i * n + c] * q[i * n + c];
      norm = Math.sqrt(norm);
      if (norm < 1e-3) return false;
      for (int c = 0; c < n; c++) q[i * n + c] /= norm;
    }
    return true;
  }

  /** Fills {@code count} random filtering elements; A has spectral norm at most {@code radius}. */
  static double[] filter(SplittableRandom rng, FilterOperator op, int count, double radius) {
    int n = op.stateDim();
    double[] out = new double[count * op.width()];
    for (int k = 0; k < count; k++) {
      int off = k * op.width();
      System.arraycopy(RandomModels.stable(rng, n, radius), 0, out, off + op.offsetA(), n * n);
      System.arraycopy(RandomModels.uniform(rng, n, 1.0), 0, out, off + op.offsetB(), n);
      System.arraycopy(RandomModels.spd(rng, n, 1.0, 0.1), 0, out, off + op.offsetC(), n * n);
      System.arraycopy(RandomModels.uniform(rng, n, 1.0), 0, out, off + op.offsetEta(), n);
      System.arraycopy(RandomModels.spd(rng, n, 1.0, 0.1), 0, out, off + op.offsetJ(), n * n);
    }
    return out;
  }

  /** Fills {@code count} random smoothing elements; E has spectral norm at most {@code radius}. */
  static double[] smoother(SplittableRandom rng, SmootherOperator op, int count, double radius) {
    int n = op.stateDim();
    double[] out = new double[count * op.width()];
    for (int k = 0; k < count; k++) {
      int off = k * op.width();
      System.arraycopy(RandomModels.stable(rng, n, radius), 0, out, off + op.offsetE(), n * n);
      System.arraycopy(RandomModels.uniform(rng, n, 1.0), 0, out, off + op.offsetG(), n);
      System.arraycopy(RandomModels.spd(rng, n, 1.0, 0.1), 0, out, off + op.offsetL(), n * n);
    }
    return out;
  }
}
