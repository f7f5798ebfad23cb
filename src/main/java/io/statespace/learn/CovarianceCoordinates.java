package io.statespace.learn;

import io.statespace.linalg.Cholesky;
import java.util.List;

/**
 * Unconstrained coordinates of a k×k covariance: Σ = L Lᵀ with L lower triangular and L_ii = exp(θ_ii),
 * the k(k+1)/2 entries of L stored row by row ((0,0), (1,0), (1,1), (2,0), ...). Every θ gives a
 * positive-definite Σ, so an optimiser may step anywhere. Chain rule (docs/ARCHITECTURE.md §7.4): for a symmetric
 * gradient G = dL/dΣ, dL/dL = 2 G L on the lower triangle, times L_ii on the log diagonal.
 */
public final class CovarianceCoordinates {
  private CovarianceCoordinates() {}

  /** Number of coordinates of a k×k covariance. */
  public static int count(int k) {
    return k * (k + 1) / 2;
  }

  /** Index of entry (i, j), j <= i, within the block. */
  public static int index(int i, int j) {
    return i * (i + 1) / 2 + j;
  }

  /** Writes the factor L (k×k, upper triangle zero) for the coordinates at theta[o..]. */
  public static void factor(double[] theta, int o, int k, double[] l) {
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < k; j++) {
        double v = 0.0;
        if (j < i) v = theta[o + index(i, j)];
        else if (j == i) v = Math.exp(theta[o + index(i, i)]);
        l[i * k + j] = v;
      }
    }
  }

  /** Writes Σ = L Lᵀ (k×k) for the coordinates at theta[o..]; l is k×k scratch. */
  public static void covariance(double[] theta, int o, int k, double[] l, double[] cov) {
    factor(theta, o, k, l);
    for (int i = 0; i < k; i++) {
      for (int j = 0; j <= i; j++) {
        double s = 0.0;
        for (int c = 0; c <= j; c++) s += l[i * k + c] * l[j * k + c];
        cov[i * k + j] = s;
        cov[j * k + i] = s;
      }
    }
  }

  /**
   * Writes the coordinates of a positive-definite Σ at theta[o..].
   *
   * @throws IllegalArgumentException naming {@code key} when Σ is not positive definite
   */
  public static void coordinates(String key, double[] cov, int k, double[] theta, int o) {
    double[] l = cov.clone();
    if (!Cholesky.decompose(l, 0, k)) {
      throw new IllegalArgumentException(key + ": a free covariance must be positive definite"
          + " (it is fitted through its Cholesky factor)");
    }
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < i; j++) theta[o + index(i, j)] = l[i * k + j];
      theta[o + index(i, i)] = Math.log(l[i * k + i]);
    }
  }

  /**
   * Adds dL/dθ for the block at theta[o..] into grad[o..], given the symmetric gradient g = dL/dΣ.
   *
   * @param l the factor of the block (from {@link #factor})
   */
  public static void chain(double[] l, int k, double[] g, double[] grad, int o) {
    for (int i = 0; i < k; i++) {
      for (int j = 0; j <= i; j++) {
        double s = 0.0;
        for (int c = j; c < k; c++) s += g[i * k + c] * l[c * k + j];
        s *= 2.0;
        if (j == i) s *= l[i * k + i];
        grad[o + index(i, j)] += s;
      }
    }
  }

  /**
   * Writes dΣ_ab/dθ (a >= b, in coordinate order) into jac[row0 + index(a, b)][o + index(i, j)]: the
   * Jacobian of the natural values (the covariance entries on and below the diagonal).
   */
  public static void naturalJacobian(double[] l, int k, double[][] jac, int row0, int o) {
    for (int a = 0; a < k; a++) {
      for (int b = 0; b <= a; b++) {
        double[] row = jac[row0 + index(a, b)];
        for (int i = 0; i < k; i++) {
          for (int j = 0; j <= i; j++) {
            // dΣ_ab/dL_ij = δ_ai L_bj + δ_bi L_aj
            double d = 0.0;
            if (a == i) d += l[b * k + j];
            if (b == i) d += l[a * k + j];
            if (j == i) d *= l[i * k + i];
            row[o + index(i, j)] = d;
          }
        }
      }
    }
  }

  /** Natural values: the covariance entries on and below the diagonal, in coordinate order. */
  public static void natural(double[] cov, int k, double[] out, int o) {
    for (int i = 0; i < k; i++) {
      for (int j = 0; j <= i; j++) out[o + index(i, j)] = cov[i * k + j];
    }
  }

  /** Names "key.chol[i][j]" / "key.log_chol[i][i]" of the coordinates. */
  public static void names(String key, int k, List<String> out) {
    for (int i = 0; i < k; i++) {
      for (int j = 0; j <= i; j++) {
        out.add(j == i ? key + ".log_chol[" + i + "][" + i + "]" : key + ".chol[" + i + "][" + j + "]");
      }
    }
  }

  /** Names "key[i][j]" (i >= j) of the natural values. */
  public static void naturalNames(String key, int k, List<String> out) {
    for (int i = 0; i < k; i++) {
      for (int j = 0; j <= i; j++) out.add(key + "[" + i + "][" + j + "]");
    }
  }
}
