package io.statespace.model.spec;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/** Symmetry and (semi-)definiteness of covariance matrices in a model file, checked by eigenvalues. */
public final class CovarianceCheck {
  private CovarianceCheck() {}

  /**
   * @param definite true to require positive definite, false for positive semi-definite
   */
  public static void check(String key, double[] a, int n, boolean definite) {
    double scale = 0.0;
    for (double v : a) scale = Math.max(scale, Math.abs(v));
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        double x = a[i * n + j];
        double y = a[j * n + i];
        if (Math.abs(x - y) > 1e-9 * Math.max(scale, 1e-300)) {
          throw new ModelSpecException(key, "not symmetric: [" + i + "][" + j + "] = " + x + " but [" + j + "][" + i + "] = " + y);
        }
      }
    }
    DMatrixRMaj m = new DMatrixRMaj(n, n);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) m.set(i, j, 0.5 * (a[i * n + j] + a[j * n + i]));
    }
    EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, false, true);
    if (!eig.decompose(m)) throw new ModelSpecException(key, "eigenvalues could not be computed");
    double min = Double.POSITIVE_INFINITY;
    double max = 0.0;
    for (int i = 0; i < n; i++) {
      double v = eig.getEigenvalue(i).getReal();
      min = Math.min(min, v);
      max = Math.max(max, Math.abs(v));
    }
    double tol = 1e-12 * Math.max(max, 1e-300);
    if (definite && !(min > tol)) {
      throw new ModelSpecException(key, "not positive definite (smallest eigenvalue " + min + ")");
    }
    if (!definite && min < -1e-10 * Math.max(max, 1e-300)) {
      throw new ModelSpecException(key, "not positive semi-definite (smallest eigenvalue " + min + ")");
    }
  }
}
