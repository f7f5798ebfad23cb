package io.statespace.bench.peers;

import io.statespace.bench.BenchModel;
import io.statespace.bench.Peer;
import io.statespace.data.Trajectory;
import java.util.List;
import org.apache.commons.math3.filter.DefaultMeasurementModel;
import org.apache.commons.math3.filter.DefaultProcessModel;
import org.apache.commons.math3.filter.KalmanFilter;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;

/** Commons Math 3's KalmanFilter (filter only: it has no smoother), predict then correct per step. */
public final class CommonsMathPeer implements Peer {
  @Override
  public String name() {
    return "Commons Math 3.6.1 KalmanFilter";
  }

  @Override
  public boolean smooths() {
    return false;
  }

  @Override
  public double run(BenchModel model, List<Trajectory> data) {
    double sum = 0.0;
    for (Trajectory tr : data) {
      double[] last = filteredMeans(model, tr, true);
      sum += last[0];
    }
    return sum;
  }

  /**
   * Filtered means of one trajectory, T×n (or only the last step's when {@code lastOnly}), for the test that
   * the peer computes what we compute.
   */
  public static double[] filteredMeans(BenchModel model, Trajectory tr, boolean lastOnly) {
    RealMatrix f = MatrixUtils.createRealMatrix(model.transition());
    RealMatrix q = MatrixUtils.createRealMatrix(model.processNoise());
    DefaultProcessModel process = new DefaultProcessModel(f, null, q, new ArrayRealVector(model.initialState()),
        MatrixUtils.createRealMatrix(model.initialCovariance()));
    KalmanFilter filter = new KalmanFilter(process, new DefaultMeasurementModel(model.observation(), model.measurementNoise()));
    int n = model.stateDim();
    int m = model.obsDim();
    double[] y = tr.observations();
    double[] out = new double[lastOnly ? n : tr.length() * n];
    double[] value = new double[m];
    for (int t = 0; t < tr.length(); t++) {
      System.arraycopy(y, t * m, value, 0, m);
      filter.predict();
      filter.correct(value);
      if (!lastOnly || t == tr.length() - 1) {
        System.arraycopy(filter.getStateEstimation(), 0, out, lastOnly ? 0 : t * n, n);
      }
    }
    return out;
  }
}
