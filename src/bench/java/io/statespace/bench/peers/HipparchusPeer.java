package io.statespace.bench.peers;

import io.statespace.bench.BenchModel;
import io.statespace.bench.Peer;
import io.statespace.data.Trajectory;
import java.util.List;
import org.hipparchus.filtering.kalman.KalmanSmoother;
import org.hipparchus.filtering.kalman.Measurement;
import org.hipparchus.filtering.kalman.ProcessEstimate;
import org.hipparchus.filtering.kalman.linear.LinearEvolution;
import org.hipparchus.filtering.kalman.linear.LinearKalmanFilter;
import org.hipparchus.linear.ArrayRealVector;
import org.hipparchus.linear.CholeskyDecomposer;
import org.hipparchus.linear.MatrixDecomposer;
import org.hipparchus.linear.MatrixUtils;
import org.hipparchus.linear.RealMatrix;
import org.hipparchus.linear.RealVector;

/**
 * Hipparchus's linear Kalman filter with its RTS smoother as an observer (the library's documented use:
 * {@code filter.setObserver(smoother)}, then {@code smoother.backwardsSmooth()}), Cholesky decompositions, one
 * filter and smoother per trajectory.
 */
public final class HipparchusPeer implements Peer {
  private static final MatrixDecomposer CHOLESKY = new CholeskyDecomposer(1e-15, 1e-12);

  @Override
  public String name() {
    return "Hipparchus 4.0.3 LinearKalmanFilter + KalmanSmoother";
  }

  @Override
  public boolean smooths() {
    return true;
  }

  @Override
  public double run(BenchModel model, List<Trajectory> data) {
    LinearEvolution evolution = evolution(model);
    RealMatrix r = MatrixUtils.createRealMatrix(model.measurementNoise());
    double sum = 0.0;
    for (Trajectory tr : data) {
      List<ProcessEstimate> smoothed = smooth(model, evolution, r, tr);
      sum += smoothed.get(smoothed.size() - 1).getState().getEntry(0);
    }
    return sum;
  }

  /** Smoothed means of one trajectory, T×n row-major, for the test that the peer computes what we compute. */
  public static double[] smoothedMeans(BenchModel model, Trajectory tr) {
    List<ProcessEstimate> smoothed = smooth(model, evolution(model), MatrixUtils.createRealMatrix(model.measurementNoise()), tr);
    int n = model.stateDim();
    int steps = tr.length();
    double[] out = new double[steps * n];
    int first = smoothed.size() - steps;
    for (int t = 0; t < steps; t++) {
      for (int i = 0; i < n; i++) out[t * n + i] = smoothed.get(first + t).getState().getEntry(i);
    }
    return out;
  }

  private static LinearEvolution evolution(BenchModel model) {
    return new LinearEvolution(MatrixUtils.createRealMatrix(model.transition()), null, null,
        MatrixUtils.createRealMatrix(model.processNoise()), MatrixUtils.createRealMatrix(model.observation()));
  }

  private static List<ProcessEstimate> smooth(BenchModel model, LinearEvolution evolution, RealMatrix r, Trajectory tr) {
    double[] times = tr.times();
    double[] y = tr.observations();
    int m = model.obsDim();
    ProcessEstimate initial = new ProcessEstimate(times[0] - BenchModel.DT, new ArrayRealVector(model.initialState()),
        MatrixUtils.createRealMatrix(model.initialCovariance()));
    LinearKalmanFilter<Observation> filter = new LinearKalmanFilter<>(CHOLESKY, measurement -> evolution, initial);
    KalmanSmoother smoother = new KalmanSmoother(CHOLESKY);
    filter.setObserver(smoother);
    for (int t = 0; t < tr.length(); t++) {
      double[] value = new double[m];
      System.arraycopy(y, t * m, value, 0, m);
      filter.estimationStep(new Observation(times[t], new ArrayRealVector(value, false), r));
    }
    return smoother.backwardsSmooth();
  }

  /** One observation y_t with its noise covariance R. */
  private static final class Observation implements Measurement {
    private final double time;
    private final RealVector value;
    private final RealMatrix covariance;

    Observation(double time, RealVector value, RealMatrix covariance) {
      this.time = time;
      this.value = value;
      this.covariance = covariance;
    }

    @Override
    public double getTime() {
      return time;
    }

    @Override
    public RealVector getValue() {
      return value;
    }

    @Override
    public RealMatrix getCovariance() {
      return covariance;
    }
  }
}
