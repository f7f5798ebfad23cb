package io.statespace.testing;

import io.statespace.data.Trajectory;
import io.statespace.inference.Posterior;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepParameters;
import java.util.ArrayList;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;
import org.ejml.interfaces.linsol.LinearSolverDense;
import org.ejml.simple.SimpleMatrix;

/**
 * A brute-force reference for small T, independent of the engines and of the project's {@code linalg}
 * kernels: it writes down the joint Gaussian of all states X = (x_0, ..., x_{T-1}) and all observed
 * observation components Y (EJML dense matrices), and conditions it on prefixes of the observations.
 *
 * <p>The states are an affine map of independent Gaussians: with z = (x_0 - mu0, w_0, ..., w_{T-2}),
 * Cov z = blockdiag(Sigma0, Q_0, ..., Q_{T-2}), X = mu_X + A z where A's block row t+1 is F_t times
 * block row t plus the identity in block column t+1. The observed components are Y = H X + e + v with
 * H, e and Cov v = R gathered from the observed rows of each step. Then
 * <pre>
 *   E[X | Y_S] = mu_X + Σ_XS Σ_SS⁻¹ (y_S - mu_S),   Cov[X | Y_S] = Σ_XX - Σ_XS Σ_SS⁻¹ Σ_SX
 * </pre>
 * with S = the observations of steps ≤ t (filtered at t), steps < t (predicted at t), or all of them
 * (smoothed, lag-one cross-covariances as the (t+1, t) blocks), and log p(y) = log N(y; mu_Y, Σ_YY).
 * Cost is O((Tn)³) per prefix: for tests only.
 */
public final class JointGaussianOracle {
  private static final double LOG_2PI = Math.log(2.0 * Math.PI);

  private JointGaussianOracle() {}

  /** The full posterior (filtered, predicted, smoothed, cross-covariances, log-likelihood). */
  public static Posterior posterior(StateSpaceModel model, Trajectory trajectory) {
    return posterior(model.bind(trajectory), trajectory.observations(), trajectory.length());
  }

  /**
   * @param y observations T×m row-major, NaN = missing
   */
  public static Posterior posterior(StepParameters params, double[] y, int steps) {
    int n = params.stateDim();
    int m = params.obsDim();
    int big = steps * n;

    // Prior of X: mean and the map X - mu_X = A z.
    double[] mu0 = new double[n];
    double[] sigma0 = new double[n * n];
    params.initial(mu0, sigma0);
    SimpleMatrix meanX = new SimpleMatrix(big, 1);
    SimpleMatrix a = new SimpleMatrix(big, big);
    SimpleMatrix covZ = new SimpleMatrix(big, big);
    meanX.insertIntoThis(0, 0, column(mu0));
    a.insertIntoThis(0, 0, SimpleMatrix.identity(n));
    covZ.insertIntoThis(0, 0, matrix(sigma0, n, n));
    double[] f = new double[n * n];
    double[] c = new double[n];
    double[] q = new double[n * n];
    for (int t = 1; t < steps; t++) {
      params.dynamics(t - 1, f, c, q);
      SimpleMatrix fm = matrix(f, n, n);
      SimpleMatrix prevMean = meanX.extractMatrix((t - 1) * n, t * n, 0, 1);
      meanX.insertIntoThis(t * n, 0, fm.mult(prevMean).plus(column(c)));
      SimpleMatrix prevRow = a.extractMatrix((t - 1) * n, t * n, 0, big);
      SimpleMatrix row = fm.mult(prevRow);
      for (int i = 0; i < n; i++) row.set(i, t * n + i, row.get(i, t * n + i) + 1.0);
      a.insertIntoThis(t * n, 0, row);
      covZ.insertIntoThis(t * n, t * n, matrix(q, n, n));
    }
    SimpleMatrix covX = symmetric(a.mult(covZ).mult(a.transpose()));

    // Observed components, ordered by step (so that step prefixes are row prefixes).
    List<int[]> rows = new ArrayList<>();
    for (int t = 0; t < steps; t++) {
      for (int i = 0; i < m; i++) {
        if (!Double.isNaN(y[t * m + i])) rows.add(new int[] {t, i});
      }
    }
    int k = rows.size();
    int[] prefix = new int[steps + 1]; // prefix[t] = number of observed components at steps < t
    for (int[] r : rows) prefix[r[0] + 1]++;
    for (int t = 0; t < steps; t++) prefix[t + 1] += prefix[t];

    SimpleMatrix h = new SimpleMatrix(k, big);
    SimpleMatrix e = new SimpleMatrix(k, 1);
    SimpleMatrix r = new SimpleMatrix(k, k);
    SimpleMatrix yObs = new SimpleMatrix(k, 1);
    double[] hw = new double[m * n];
    double[] eb = new double[m];
    double[] rc = new double[m * m];
    for (int t = 0; t < steps; t++) {
      int from = prefix[t];
      int to = prefix[t + 1];
      if (to == from) continue;
      params.emissions(t, hw, eb, rc);
      for (int a1 = from; a1 < to; a1++) {
        int i = rows.get(a1)[1];
        for (int j = 0; j < n; j++) h.set(a1, t * n + j, hw[i * n + j]);
        e.set(a1, 0, eb[i]);
        yObs.set(a1, 0, y[t * m + i]);
        for (int b1 = from; b1 < to; b1++) r.set(a1, b1, rc[i * m + rows.get(b1)[1]]);
      }
    }
    SimpleMatrix meanY = h.mult(meanX).plus(e);
    SimpleMatrix covXY = covX.mult(h.transpose());
    SimpleMatrix covY = symmetric(h.mult(covXY).plus(r));

    double[] fm = new double[steps * n];
    double[] fc = new double[steps * n * n];
    double[] pm = new double[steps * n];
    double[] pc = new double[steps * n * n];
    double[] sm = new double[steps * n];
    double[] sc = new double[steps * n * n];
    double[] cross = new double[Math.max(0, steps - 1) * n * n];

    // Conditioning on the observations of steps < t, for t = 0..T: predictions at t, filtered at t-1.
    for (int t = 0; t <= steps; t++) {
      SimpleMatrix[] post = condition(meanX, covX, covXY, covY, meanY, yObs, prefix[t]);
      if (t < steps) copyBlock(post, t, n, pm, pc);
      if (t > 0) copyBlock(post, t - 1, n, fm, fc);
      if (t == steps) {
        for (int s = 0; s < steps; s++) copyBlock(post, s, n, sm, sc);
        for (int s = 0; s + 1 < steps; s++) {
          SimpleMatrix block = post[1].extractMatrix((s + 1) * n, (s + 2) * n, s * n, (s + 1) * n);
          write(block, cross, s * n * n);
        }
      }
    }
    double logLik = k == 0 ? 0.0 : logDensity(yObs.minus(meanY), covY);
    return new Posterior(steps, n, logLik, fm, fc, pm, pc, sm, sc, cross);
  }

  /** {mean, cov} of X given the first {@code s} observed components. */
  private static SimpleMatrix[] condition(SimpleMatrix meanX, SimpleMatrix covX, SimpleMatrix covXY,
      SimpleMatrix covY, SimpleMatrix meanY, SimpleMatrix yObs, int s) {
    if (s == 0) return new SimpleMatrix[] {meanX, covX};
    SimpleMatrix covSS = covY.extractMatrix(0, s, 0, s);
    SimpleMatrix covXS = covXY.extractMatrix(0, covXY.getNumRows(), 0, s);
    SimpleMatrix resid = yObs.extractMatrix(0, s, 0, 1).minus(meanY.extractMatrix(0, s, 0, 1));
    SimpleMatrix rhs = new SimpleMatrix(s, covXS.getNumRows() + 1);
    rhs.insertIntoThis(0, 0, covXS.transpose());
    rhs.insertIntoThis(0, covXS.getNumRows(), resid);
    SimpleMatrix sol = solveSpd(covSS, rhs); // Σ_SS⁻¹ [Σ_SX, r]
    int big = covXS.getNumRows();
    SimpleMatrix mean = meanX.plus(covXS.mult(sol.extractMatrix(0, s, big, big + 1)));
    SimpleMatrix cov = symmetric(covX.minus(covXS.mult(sol.extractMatrix(0, s, 0, big))));
    return new SimpleMatrix[] {mean, cov};
  }

  /** Σ⁻¹ B by EJML's Cholesky solver (Σ symmetric positive definite). */
  private static SimpleMatrix solveSpd(SimpleMatrix sigma, SimpleMatrix b) {
    LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.chol(sigma.getNumRows());
    if (!solver.setA(sigma.getDDRM().copy())) {
      throw new IllegalStateException("oracle: observation covariance is not positive definite");
    }
    DMatrixRMaj x = new DMatrixRMaj(b.getNumRows(), b.getNumCols());
    solver.solve(b.getDDRM().copy(), x);
    return SimpleMatrix.wrap(x);
  }

  private static DMatrixRMaj lowerFactor(SimpleMatrix sigma) {
    CholeskyDecomposition_F64<DMatrixRMaj> chol = DecompositionFactory_DDRM.chol(sigma.getNumRows(), true);
    if (!chol.decompose(sigma.getDDRM().copy())) {
      throw new IllegalStateException("oracle: observation covariance is not positive definite");
    }
    return chol.getT(null);
  }

  /** log N(r; 0, Σ) = -1/2 (k log 2π + log det Σ + rᵀ Σ⁻¹ r). */
  private static double logDensity(SimpleMatrix resid, SimpleMatrix sigma) {
    int k = sigma.getNumRows();
    DMatrixRMaj l = lowerFactor(sigma);
    double logDet = 0.0;
    for (int i = 0; i < k; i++) logDet += 2.0 * Math.log(l.get(i, i));
    double quad = resid.transpose().mult(solveSpd(sigma, resid)).get(0, 0);
    return -0.5 * (k * LOG_2PI + logDet + quad);
  }

  private static void copyBlock(SimpleMatrix[] post, int t, int n, double[] means, double[] covs) {
    for (int i = 0; i < n; i++) means[t * n + i] = post[0].get(t * n + i, 0);
    write(post[1].extractMatrix(t * n, (t + 1) * n, t * n, (t + 1) * n), covs, t * n * n);
  }

  private static void write(SimpleMatrix block, double[] out, int offset) {
    int cols = block.getNumCols();
    for (int i = 0; i < block.getNumRows(); i++) {
      for (int j = 0; j < cols; j++) out[offset + i * cols + j] = block.get(i, j);
    }
  }

  private static SimpleMatrix symmetric(SimpleMatrix s) {
    return s.plus(s.transpose()).scale(0.5);
  }

  private static SimpleMatrix matrix(double[] rowMajor, int rows, int cols) {
    SimpleMatrix s = new SimpleMatrix(rows, cols);
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) s.set(i, j, rowMajor[i * cols + j]);
    }
    return s;
  }

  private static SimpleMatrix column(double[] v) {
    SimpleMatrix s = new SimpleMatrix(v.length, 1);
    for (int i = 0; i < v.length; i++) s.set(i, 0, v[i]);
    return s;
  }
}
