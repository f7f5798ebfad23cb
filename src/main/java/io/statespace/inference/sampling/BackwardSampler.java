package io.statespace.inference.sampling;

import io.statespace.inference.InferenceException;
import io.statespace.inference.Posterior;
import io.statespace.inference.SmoothedCovariance;
import io.statespace.linalg.Cholesky;
import io.statespace.linalg.Products;
import io.statespace.linalg.SemiDefiniteSolver;
import io.statespace.linalg.Symmetric;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepParameters;

/**
 * Forward filtering, backward sampling (Carter &amp; Kohn 1994; Särkkä 2013, §8.2): from the filtered moments
 * m_{t|t}, P_{t|t} of one trajectory it builds the backward conditionals of the joint smoothing distribution
 * p(x_0..x_{T−1} | y), x_t | x_{t+1} ~ N(m_{t|t} + J_t (x_{t+1} − m_{t+1|t}), P_{t|t} − J_t P_{t+1|t} J_tᵀ),
 * J_t = P_{t|t} F_tᵀ P_{t+1|t}⁺, into a {@link SamplingKernel}. The gain uses the RTS smoother's rank-revealing
 * solve ({@link SemiDefiniteSolver}: at dt = 0, Q = 0 makes P_{t+1|t} singular and the pseudo-inverse is exact,
 * since x_{t+1} − m_{t+1|t} lies in its range), the conditional covariance is evaluated as the positive
 * semi-definite (I − J F) P_{t|t} (I − J F)ᵀ + J Q Jᵀ ({@link SmoothedCovariance#futureFreeRobust}), equal to
 * the difference above for the exact gain, and its square root is a pivot-dropping Cholesky factor
 * ({@link Cholesky#decomposeSemiDefinite}), so singular conditionals (x_t = x_{t+1} across dt = 0) are sampled
 * exactly. Holds scratch space: one instance per thread.
 */
public final class BackwardSampler {
  private final int n;
  private final double[] weights;
  private final double[] bias;
  private final double[] procCov;
  private final double[] predMean;
  private final double[] predCov;
  private final double[] gainT;
  private final double[] work;
  private final SemiDefiniteSolver solver;
  private final SmoothedCovariance covariance;

  public BackwardSampler(int stateDim) {
    this.n = stateDim;
    int nn = n * n;
    weights = new double[nn];
    bias = new double[n];
    procCov = new double[nn];
    predMean = new double[n];
    predCov = new double[nn];
    gainT = new double[nn];
    work = new double[nn];
    solver = new SemiDefiniteSolver(n);
    covariance = new SmoothedCovariance(n);
  }

  public int stateDim() {
    return n;
  }

  /**
   * The backward conditionals of {@code trajectoryId} from its filtered moments.
   *
   * @param filtered a posterior whose filtered means and covariances are set (any engine's)
   * @param params the model bound to the trajectory ({@link StateSpaceModel#bind})
   * @throws InferenceException naming the step when a gain or conditional covariance is not finite, or a
   *     conditional covariance is clearly not positive semi-definite
   */
  public SamplingKernel prepare(StepParameters params, String trajectoryId, Posterior filtered) {
    int steps = filtered.length();
    int nn = n * n;
    double[] fm = filtered.filteredMeans();
    double[] fc = filtered.filteredCovariances();
    double[] offsets = new double[steps * n];
    double[] gains = new double[Math.max(0, steps - 1) * nn];
    double[] roots = new double[steps * nn];
    int last = steps - 1;
    System.arraycopy(fm, last * n, offsets, last * n, n);
    System.arraycopy(fc, last * nn, roots, last * nn, nn);
    root(roots, last, trajectoryId);
    for (int t = last - 1; t >= 0; t--) {
      params.dynamics(t, weights, bias, procCov);
      int mo = t * n;
      int po = t * nn;
      Products.multVector(weights, 0, fm, mo, predMean, 0, n, n);
      for (int i = 0; i < n; i++) predMean[i] += bias[i];
      Products.sandwich(weights, 0, fc, po, work, predCov, 0, n, n);
      for (int i = 0; i < nn; i++) predCov[i] += procCov[i];
      Symmetric.symmetrize(predCov, 0, n);
      Products.mult(weights, 0, fc, po, gainT, 0, n, n, n);
      if (!solver.solve(predCov, 0, gainT, 0)) {
        throw new InferenceException(trajectoryId, t, "backward-sampling gain is not finite (predicted covariance unusable)");
      }
      for (int i = 0; i < n; i++) {
        double s = fm[mo + i];
        for (int j = 0; j < n; j++) {
          double g = gainT[j * n + i];
          gains[po + i * n + j] = g;
          s -= g * predMean[j];
        }
        offsets[mo + i] = s;
      }
      covariance.futureFreeRobust(gainT, weights, fc, po, procCov, roots, po);
      root(roots, t, trajectoryId);
    }
    for (int i = 0; i < offsets.length; i++) {
      if (!Double.isFinite(offsets[i])) throw new InferenceException(trajectoryId, i / n, "backward-sampling mean is not finite");
    }
    for (int i = 0; i < gains.length; i++) {
      if (!Double.isFinite(gains[i])) throw new InferenceException(trajectoryId, i / nn, "backward-sampling gain is not finite");
    }
    return new SamplingKernel(steps, n, offsets, gains, roots);
  }

  /** Replaces the covariance of step t in {@code roots} by its lower square root. */
  private void root(double[] roots, int t, String trajectoryId) {
    int o = t * n * n;
    for (int i = 0; i < n * n; i++) {
      if (!Double.isFinite(roots[o + i])) {
        throw new InferenceException(trajectoryId, t, "backward-sampling covariance is not finite");
      }
    }
    if (!Cholesky.decomposeSemiDefinite(roots, o, n)) {
      throw new InferenceException(trajectoryId, t, "backward-sampling covariance is not positive semi-definite");
    }
  }
}
