package io.statespace.inference.parallel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepParameters;
import io.statespace.testing.Differences;
import io.statespace.testing.RandomModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

/**
 * Both engines against brute-force Gaussian conditioning for tiny T: the states x_0..x_{T-1} and the
 * observed components of y are jointly Gaussian, so every filtered, predicted and smoothed moment, the
 * lag-one cross-covariance and log p(y) follow from one dense conditioning. This checks the conventions
 * (y_0 observes x_0; parameters t drive t -> t+1), partial missing data and the log-likelihood constant,
 * independently of both recursions.
 */
class JointGaussianTest {
  private static final double TOLERANCE = 1e-9;

  @Test
  void enginesMatchDenseConditioning() {
    SplittableRandom rng = new SplittableRandom(4242);
    try (ParallelEngine parallel = new ParallelEngine(2)) {
      for (int trial = 0; trial < 12; trial++) {
        int steps = 1 + trial % 5;
        int n = 1 + rng.nextInt(3);
        int m = 1 + rng.nextInt(3);
        int p = rng.nextInt(3);
        StateSpaceModel model = trial % 2 == 0 ? RandomModels.linear(rng, n, m, p)
            : RandomModels.timeVarying(rng.nextLong(), n, m, p);
        RandomModels.DataShape shape = new RandomModels.DataShape();
        shape.missingStepFraction = 0.25;
        shape.partialFraction = 0.35;
        shape.zeroGapFraction = 0.3;
        Trajectory trajectory = RandomModels.trajectory(rng, model, "joint-" + trial, steps, shape);
        Posterior expected = denseConditioning(model, trajectory);
        Map<String, Double> sequential = Differences.of(
            new SequentialEngine().smooth(model, trajectory, Outputs.ALL), expected);
        Map<String, Double> viaScan = Differences.of(parallel.smooth(model, trajectory, Outputs.ALL), expected);
        System.out.printf("joint Gaussian T=%d n=%d m=%d p=%d missing=%d values: sequential max %.1e, parallel max "
            + "%.1e%n", steps, n, m, p, trajectory.missingValues(), Differences.max(sequential),
            Differences.max(viaScan));
        assertTrue(Differences.max(sequential) < TOLERANCE, "sequential: " + Differences.format(sequential));
        assertTrue(Differences.max(viaScan) < TOLERANCE, "parallel: " + Differences.format(viaScan));
      }
    }
  }

  /** The exact posterior by conditioning the joint Gaussian of (x_0..x_{T-1}, observed y). */
  static Posterior denseConditioning(StateSpaceModel model, Trajectory trajectory) {
    StepParameters params = model.bind(trajectory);
    int steps = trajectory.length();
    int n = model.stateDim();
    int m = model.obsDim();
    int big = steps * n;
    DMatrixRMaj mean = new DMatrixRMaj(big, 1);
    DMatrixRMaj cov = new DMatrixRMaj(big, big);
    double[] f = new double[n * n];
    double[] c = new double[n];
    double[] q = new double[n * n];
    double[] mu0 = new double[n];
    double[] sigma0 = new double[n * n];
    params.initial(mu0, sigma0);
    for (int i = 0; i < n; i++) {
      mean.set(i, 0, mu0[i]);
      for (int j = 0; j < n; j++) cov.set(i, j, sigma0[i * n + j]);
    }
    for (int t = 1; t < steps; t++) {
      params.dynamics(t - 1, f, c, q);
      DMatrixRMaj fm = DMatrixRMaj.wrap(n, n, f.clone());
      for (int i = 0; i < n; i++) {
        double s = c[i];
        for (int j = 0; j < n; j++) s += f[i * n + j] * mean.get((t - 1) * n + j, 0);
        mean.set(t * n + i, 0, s);
      }
      // Cov(x_t, x_s) = F Cov(x_{t-1}, x_s) for s < t; Cov(x_t, x_t) = F Cov(x_{t-1}, x_{t-1}) Fᵀ + Q
      for (int s = 0; s < t; s++) {
        DMatrixRMaj block = CommonOps_DDRM.extract(cov, (t - 1) * n, t * n, s * n, (s + 1) * n);
        DMatrixRMaj moved = new DMatrixRMaj(n, n);
        CommonOps_DDRM.mult(fm, block, moved);
        CommonOps_DDRM.insert(moved, cov, t * n, s * n);
        DMatrixRMaj movedT = new DMatrixRMaj(n, n);
        CommonOps_DDRM.transpose(moved, movedT);
        CommonOps_DDRM.insert(movedT, cov, s * n, t * n);
      }
      DMatrixRMaj prev = CommonOps_DDRM.extract(cov, (t - 1) * n, t * n, (t - 1) * n, t * n);
      DMatrixRMaj fp = new DMatrixRMaj(n, n);
      CommonOps_DDRM.mult(fm, prev, fp);
      DMatrixRMaj diag = new DMatrixRMaj(n, n);
      CommonOps_DDRM.multTransB(fp, fm, diag);
      CommonOps_DDRM.addEquals(diag, DMatrixRMaj.wrap(n, n, q.clone()));
      CommonOps_DDRM.insert(diag, cov, t * n, t * n);
    }
    // Observed rows: H (K×Tn), their means, the noise covariance, the values and their steps.
    double[] y = trajectory.observations();
    double[] h = new double[m * n];
    double[] e = new double[m];
    double[] r = new double[m * m];
    List<double[]> rowsH = new ArrayList<>();
    List<Integer> rowStep = new ArrayList<>();
    List<Integer> rowComponent = new ArrayList<>();
    List<double[]> noise = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    List<Double> offsets = new ArrayList<>();
    for (int t = 0; t < steps; t++) {
      params.emissions(t, h, e, r);
      for (int i = 0; i < m; i++) {
        if (Double.isNaN(y[t * m + i])) continue;
        double[] row = new double[big];
        System.arraycopy(h, i * n, row, t * n, n);
        rowsH.add(row);
        rowStep.add(t);
        rowComponent.add(i);
        noise.add(r.clone());
        values.add(y[t * m + i]);
        offsets.add(e[i]);
      }
    }
    int k = rowsH.size();
    DMatrixRMaj hy = new DMatrixRMaj(k, big);
    for (int a = 0; a < k; a++) {
      for (int j = 0; j < big; j++) hy.set(a, j, rowsH.get(a)[j]);
    }
    DMatrixRMaj meanY = new DMatrixRMaj(k, 1);
    CommonOps_DDRM.mult(hy, mean, meanY);
    DMatrixRMaj crossXY = new DMatrixRMaj(big, k);
    CommonOps_DDRM.multTransB(cov, hy, crossXY);
    DMatrixRMaj covY = new DMatrixRMaj(k, k);
    CommonOps_DDRM.mult(hy, crossXY, covY);
    for (int a = 0; a < k; a++) {
      meanY.add(a, 0, offsets.get(a));
      for (int b = 0; b < k; b++) {
        if (rowStep.get(a).equals(rowStep.get(b))) {
          covY.add(a, b, noise.get(a)[rowComponent.get(a) * m + rowComponent.get(b)]);
        }
      }
    }
    double[] fm = new double[steps * n];
    double[] fc = new double[steps * n * n];
    double[] pm = new double[steps * n];
    double[] pc = new double[steps * n * n];
    for (int t = 0; t < steps; t++) {
      Conditioned filtered = condition(mean, cov, crossXY, meanY, covY, values, rowStep, t);
      Conditioned predicted = condition(mean, cov, crossXY, meanY, covY, values, rowStep, t - 1);
      copyBlock(filtered, t, n, fm, fc);
      copyBlock(predicted, t, n, pm, pc);
    }
    Conditioned all = condition(mean, cov, crossXY, meanY, covY, values, rowStep, steps - 1);
    double[] sm = new double[steps * n];
    double[] sc = new double[steps * n * n];
    double[] cross = new double[(steps - 1) * n * n];
    for (int t = 0; t < steps; t++) {
      copyBlock(all, t, n, sm, sc);
      if (t + 1 < steps) {
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < n; j++) cross[t * n * n + i * n + j] = all.cov.get((t + 1) * n + i, t * n + j);
        }
      }
    }
    double logLik = 0.0;
    if (k > 0) {
      DMatrixRMaj resid = new DMatrixRMaj(k, 1);
      for (int a = 0; a < k; a++) resid.set(a, 0, values.get(a) - meanY.get(a, 0));
      DMatrixRMaj solved = new DMatrixRMaj(k, 1);
      CommonOps_DDRM.solve(covY, resid, solved);
      double quad = CommonOps_DDRM.dot(resid, solved);
      logLik = -0.5 * (k * Math.log(2 * Math.PI) + Math.log(CommonOps_DDRM.det(covY)) + quad);
    }
    return new Posterior(steps, n, logLik, fm, fc, pm, pc, sm, sc, cross);
  }

  /** Moments of X given the observed rows at steps ≤ last. */
  private record Conditioned(DMatrixRMaj mean, DMatrixRMaj cov) {}

  private static Conditioned condition(DMatrixRMaj mean, DMatrixRMaj cov, DMatrixRMaj crossXY, DMatrixRMaj meanY,
      DMatrixRMaj covY, List<Double> values, List<Integer> rowStep, int last) {
    List<Integer> rows = new ArrayList<>();
    for (int a = 0; a < rowStep.size(); a++) {
      if (rowStep.get(a) <= last) rows.add(a);
    }
    if (rows.isEmpty()) return new Conditioned(mean.copy(), cov.copy());
    int k = rows.size();
    int big = mean.numRows;
    DMatrixRMaj sxy = new DMatrixRMaj(big, k);
    DMatrixRMaj syy = new DMatrixRMaj(k, k);
    DMatrixRMaj resid = new DMatrixRMaj(k, 1);
    for (int a = 0; a < k; a++) {
      int ra = rows.get(a);
      resid.set(a, 0, values.get(ra) - meanY.get(ra, 0));
      for (int i = 0; i < big; i++) sxy.set(i, a, crossXY.get(i, ra));
      for (int b = 0; b < k; b++) syy.set(a, b, covY.get(ra, rows.get(b)));
    }
    // gain = Sxy Syy⁻¹, via Syy gainᵀ = Sxyᵀ
    DMatrixRMaj sxyT = new DMatrixRMaj(k, big);
    CommonOps_DDRM.transpose(sxy, sxyT);
    DMatrixRMaj gainT = new DMatrixRMaj(k, big);
    CommonOps_DDRM.solve(syy, sxyT, gainT);
    DMatrixRMaj postMean = mean.copy();
    CommonOps_DDRM.multAddTransA(gainT, resid, postMean);
    DMatrixRMaj postCov = cov.copy();
    CommonOps_DDRM.multAddTransA(-1.0, gainT, sxyT, postCov);
    return new Conditioned(postMean, postCov);
  }

  private static void copyBlock(Conditioned c, int t, int n, double[] means, double[] covs) {
    for (int i = 0; i < n; i++) {
      means[t * n + i] = c.mean.get(t * n + i, 0);
      for (int j = 0; j < n; j++) covs[t * n * n + i * n + j] = c.cov.get(t * n + i, t * n + j);
    }
  }
}
