package io.statespace.inference.batched;

import io.statespace.inference.InferenceException;

/**
 * The Kalman filter over the lanes of a tile in lockstep (Särkkä 2013, Theorem 4.2), covariance form, float64.
 * Predict: m⁻ = F m + c, P⁻ = F P Fᵀ + Q. Update with the observed components only, by masks rather than
 * branches: a missing component gets a zero row of H P, a zero innovation and a unit row and column of S, so
 * it changes nothing and adds nothing to the log-likelihood. With S = L Lᵀ (Cholesky), W = L⁻¹ H P⁻ and
 * z = L⁻¹ r: m = m⁻ + Wᵀ z, P = P⁻ - Wᵀ W (equal to the Joseph form (I - K H) P⁻ (I - K H)ᵀ + K R Kᵀ for the
 * optimal gain K = P⁻ Hᵀ S⁻¹, and symmetric by construction), and
 * ℓ_t = -½ (k log 2π + 2 Σ log L_ii + zᵀ z) over the k observed components. No allocation per step.
 * Hand-specialised copy of the innovation step (lockstep lanes, masks) kept for speed; BatchedEngineTest checks it
 * against the general {@link io.statespace.inference.InnovationStep} in {@code SequentialEngine}.
 */
final class LaneFilter {
  private static final double LOG_2PI = Math.log(2.0 * Math.PI);

  private final int n;
  private final int m;
  private final LaneAlgebra algebra;
  private final double[][] mean;
  private final double[][] cov;
  private final double[][] predMean;
  private final double[][] predCov;
  private final double[][] fp;
  private final double[][] y;
  private final double[][] mask;
  private final double[] observedCount;
  private final double[][] hp;
  private final double[][] s;
  private final double[][] inverseDiagonal;
  private final double[] diagonalProduct;
  private final double[][] innovation;
  private final double[] quadratic;

  LaneFilter(int stateDim, int obsDim, int width, LaneAlgebra algebra) {
    this.n = stateDim;
    this.m = obsDim;
    this.algebra = algebra;
    mean = LaneAlgebra.general(n, 1, width);
    cov = LaneAlgebra.symmetric(n, width);
    predMean = LaneAlgebra.general(n, 1, width);
    predCov = LaneAlgebra.symmetric(n, width);
    fp = LaneAlgebra.general(n, n, width);
    y = LaneAlgebra.general(m, 1, width);
    mask = LaneAlgebra.general(m, 1, width);
    observedCount = new double[width];
    hp = LaneAlgebra.general(m, n, width);
    s = LaneAlgebra.symmetric(m, width);
    inverseDiagonal = LaneAlgebra.general(m, 1, width);
    diagonalProduct = new double[width];
    innovation = LaneAlgebra.general(m, 1, width);
    quadratic = new double[width];
  }

  /**
   * Runs the forward pass of every lane of the tile.
   *
   * @param filteredMeans per lane T×n, written
   * @param filteredCovs per lane T×n×n, written
   * @param predictedMeans per lane T×n, or null
   * @param predictedCovs per lane T×n×n, or null
   * @param logLik per lane log p(y_{0:T-1}), written
   */
  void run(Tile tile, LaneParameters params, double[][] filteredMeans, double[][] filteredCovs,
      double[][] predictedMeans, double[][] predictedCovs, double[] logLik) {
    int lanes = tile.count;
    LaneTransfer.broadcast(params.initialMean, predMean, false, lanes);
    LaneTransfer.broadcast(params.initialCov, predCov, true, lanes);
    LaneLoops.fill(logLik, 0.0, lanes);
    int steps = tile.maxLength();
    for (int t = 0; t < steps; t++) {
      int active = tile.active(t);
      if (t > 0) {
        params.loadDynamics(t - 1, active);
        predict(params, active);
      }
      if (predictedMeans != null) {
        LaneTransfer.store(predMean, n, predictedMeans, t * n, active);
        LaneTransfer.store(predCov, n * n, predictedCovs, t * n * n, active);
      }
      params.loadEmissions(t, active);
      update(tile, params, t, logLik, active);
      LaneTransfer.store(mean, n, filteredMeans, t * n, active);
      LaneTransfer.store(cov, n * n, filteredCovs, t * n * n, active);
    }
  }

  private void predict(LaneParameters params, int active) {
    algebra.mixedTimesLanes(params.dynamicsWeights, mean, predMean, 1, active);
    for (int i = 0; i < n; i++) LaneAlgebra.addEntry(predMean[i], params.dynamicsBias, i, active);
    algebra.mixedTimesLanes(params.dynamicsWeights, cov, fp, n, active);
    algebra.lanesTimesMixedTransposed(fp, params.dynamicsWeights, params.dynamicsCov, predCov, n, true, active);
  }

  private void update(Tile tile, LaneParameters params, int t, double[] logLik, int active) {
    tile.loadObservations(t, m, y, mask, observedCount, active);
    LaneMatrix h = params.emissionsWeights;
    algebra.mixedTimesLanes(h, predCov, hp, n, active);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) LaneLoops.multiply(hp[i * n + j], mask[i], active);
    }
    algebra.lanesTimesMixedTransposed(hp, h, params.emissionsCov, s, m, true, active);
    for (int i = 0; i < m; i++) {
      LaneLoops.maskDiagonal(s[i * m + i], mask[i], active);
      for (int j = i + 1; j < m; j++) {
        LaneLoops.multiply(s[i * m + j], mask[i], active);
        LaneLoops.multiply(s[i * m + j], mask[j], active);
      }
    }
    algebra.cholesky(s, m, inverseDiagonal, diagonalProduct, active);
    algebra.mixedTimesLanes(h, predMean, innovation, 1, active);
    for (int i = 0; i < m; i++) {
      LaneAlgebra.addEntry(innovation[i], params.emissionsBias, i, active);
      LaneLoops.maskedResidual(innovation[i], y[i], mask[i], active);
    }
    algebra.solveLower(s, inverseDiagonal, m, hp, n, active);
    algebra.solveLower(s, inverseDiagonal, m, innovation, 1, active);
    algebra.lanesTransposedTimesLanes(hp, innovation, predMean, 1.0, mean, m, n, 1, false, active);
    algebra.lanesTransposedTimesLanes(hp, hp, predCov, -1.0, cov, m, n, n, true, active);
    LaneLoops.sumOfProducts(quadratic, null, 1.0, innovation, innovation, m, active);
    for (int l = 0; l < active; l++) {
      double product = diagonalProduct[l];
      double logDet = product > Double.MIN_NORMAL && product < Double.POSITIVE_INFINITY
          ? 2.0 * Math.log(product) : logDetOrFail(tile, t, l);
      logLik[l] -= 0.5 * (observedCount[l] * LOG_2PI + logDet + quadratic[l]);
    }
  }

  /** log det S of one lane from its factor's diagonal, or the failure when S was not positive definite. */
  private double logDetOrFail(Tile tile, int t, int lane) {
    double sum = 0.0;
    for (int i = 0; i < m; i++) {
      double lii = s[i * m + i][lane];
      if (!(lii > 0.0) || lii == Double.POSITIVE_INFINITY) {
        throw new InferenceException(tile.trajectories[lane].id(), t, "innovation covariance is not positive definite");
      }
      sum += Math.log(lii);
    }
    return 2.0 * sum;
  }
}
