package io.statespace.plot;

import io.statespace.data.Trajectory;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepParameters;

/**
 * A posterior seen through the emission model, per observed component: mean H_t m_t + e_t and standard
 * deviation sqrt(diag(H_t P_t H_tᵀ)) (the state's uncertainty, without the measurement noise), so that
 * filtered and smoothed estimates can be drawn over the observations they explain. Without covariances
 * (an output written with {@code --covariances std} or {@code none}) only the mean is computed.
 */
public final class ObservationBands {
  public final double[] mean;
  /** Null when no covariances were given. */
  public final double[] std;

  private ObservationBands(double[] mean, double[] std) {
    this.mean = mean;
    this.std = std;
  }

  /**
   * @param means T×n state means
   * @param covs T×n×n state covariances, or null for the means only
   */
  public static ObservationBands of(StateSpaceModel model, Trajectory trajectory, double[] means, double[] covs) {
    int n = model.stateDim();
    int m = model.obsDim();
    int steps = trajectory.length();
    StepParameters params = model.bind(trajectory);
    double[] h = new double[m * n];
    double[] e = new double[m];
    double[] r = new double[m * m];
    double[] mean = new double[steps * m];
    double[] std = covs == null ? null : new double[steps * m];
    for (int t = 0; t < steps; t++) {
      params.emissions(t, h, e, r);
      for (int i = 0; i < m; i++) {
        double mu = e[i];
        double var = 0.0;
        for (int a = 0; a < n; a++) {
          mu += h[i * n + a] * means[t * n + a];
          if (covs == null) continue;
          for (int b = 0; b < n; b++) var += h[i * n + a] * covs[t * n * n + a * n + b] * h[i * n + b];
        }
        mean[t * m + i] = mu;
        if (std != null) std[t * m + i] = Math.sqrt(Math.max(0.0, var));
      }
    }
    return new ObservationBands(mean, std);
  }
}
