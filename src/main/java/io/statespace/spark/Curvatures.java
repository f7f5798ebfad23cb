package io.statespace.spark;

import io.statespace.learn.Objective;
import io.statespace.learn.Parameterization;
import io.statespace.learn.StandardErrors;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The curvature of any fit loss at a point: its Hessian in θ by central differences of the exact
 * gradient (2p evaluations, the same numerics as the standard errors), eigen-decomposed. A near-zero
 * eigenvalue names a direction the data do not pin down.
 */
final class Curvatures {
  private Curvatures() {}

  static FitReport.Curvature at(Objective loss, Parameterization param, double[] theta) {
    double[][] h = StandardErrors.compute(loss, param, theta).hessian();
    int p = h.length;
    DMatrixRMaj m = new DMatrixRMaj(h);
    EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(p, true, true);
    if (!eig.decompose(m)) throw new IllegalStateException("eigen-decomposition of the Hessian failed");
    Integer[] order = new Integer[p];
    for (int i = 0; i < p; i++) order[i] = i;
    java.util.Arrays.sort(order, (a, b) -> Double.compare(eig.getEigenvalue(a).getReal(), eig.getEigenvalue(b).getReal()));
    double[] values = new double[p];
    double[][] vectors = new double[p][p];
    for (int k = 0; k < p; k++) {
      values[k] = eig.getEigenvalue(order[k]).getReal();
      DMatrixRMaj v = eig.getEigenVector(order[k]);
      double sign = 0.0;
      for (int i = 0; i < p; i++) {
        if (Math.abs(v.get(i)) > Math.abs(sign)) sign = v.get(i);
      }
      for (int i = 0; i < p; i++) vectors[k][i] = Math.signum(sign) * v.get(i);
    }
    return new FitReport.Curvature(param.names(), values, vectors);
  }
}
