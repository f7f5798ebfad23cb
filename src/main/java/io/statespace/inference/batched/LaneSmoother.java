package io.statespace.inference.batched;

import io.statespace.inference.InferenceException;
import io.statespace.linalg.SemiDefiniteSolver;

/**
 * The Rauch-Tung-Striebel backward pass over the lanes of a tile in lockstep (Särkkä 2013, Theorem 8.2), from
 * the filtered moments the {@link LaneFilter} wrote: P⁻ = F P Fᵀ + Q and m⁻ = F m + c are recomputed rather than
 * stored; Gᵀ = (P⁻)⁻¹ F P by Cholesky solves; m^s_t = m_t + G (m^s_{t+1} - m⁻); P^s_t = P_t + G (P^s_{t+1} -
 * P⁻) Gᵀ evaluated as the sum of PSD terms (I - G F) P_t (I - G F)ᵀ + G Q Gᵀ + G P^s_{t+1} Gᵀ (see
 * {@code SmoothedCovariance}: the difference cancels over huge time gaps); and the lag-one cross-covariance
 * P^s_{t+1} Gᵀ when asked. A lane whose P⁻ is numerically singular (a pivot below
 * {@link SemiDefiniteSolver#RANK_TOLERANCE} of its largest diagonal entry) takes the rank-revealing
 * pseudo-inverse, as the sequential smoother does. Lanes finish in length order, so a lane joins the backward
 * pass at its own last step. No allocation per step except in that fallback.
 */
final class LaneSmoother {
  private final int n;
  private final LaneAlgebra algebra;
  private final double[][] mean;
  private final double[][] cov;
  private final double[][] predMean;
  private final double[][] predCov;
  private final double[][] fp;
  private final double[][] factor;
  private final double[][] inverseDiagonal;
  private final double[] diagonalProduct;
  private final double[][] gainT;
  private final double[][] diff;
  private final double[][] transposedA;
  private final double[][] work;
  private final double[][] product;
  private double[][] nextMean;
  private double[][] nextCov;
  private double[][] smoothedMean;
  private double[][] smoothedCov;
  private final double[] laneA;
  private final double[] laneB;
  private final SemiDefiniteSolver solver;

  LaneSmoother(int stateDim, int width, LaneAlgebra algebra) {
    this.n = stateDim;
    this.algebra = algebra;
    mean = LaneAlgebra.general(n, 1, width);
    cov = LaneAlgebra.symmetric(n, width);
    predMean = LaneAlgebra.general(n, 1, width);
    predCov = LaneAlgebra.symmetric(n, width);
    fp = LaneAlgebra.general(n, n, width);
    factor = LaneAlgebra.symmetric(n, width);
    inverseDiagonal = LaneAlgebra.general(n, 1, width);
    diagonalProduct = new double[width];
    gainT = LaneAlgebra.general(n, n, width);
    diff = LaneAlgebra.general(n, 1, width);
    transposedA = LaneAlgebra.general(n, n, width);
    work = LaneAlgebra.general(n, n, width);
    product = LaneAlgebra.general(n, n, width);
    nextMean = LaneAlgebra.general(n, 1, width);
    nextCov = LaneAlgebra.symmetric(n, width);
    smoothedMean = LaneAlgebra.general(n, 1, width);
    smoothedCov = LaneAlgebra.symmetric(n, width);
    laneA = new double[n * n];
    laneB = new double[n * n];
    solver = new SemiDefiniteSolver(n);
  }

  /**
   * Runs the backward pass of every lane of the tile.
   *
   * @param smoothedMeans per lane T×n, written
   * @param smoothedCovs per lane T×n×n, written
   * @param crossCovs per lane (T-1)×n×n, or null
   */
  void run(Tile tile, LaneParameters params, double[][] filteredMeans, double[][] filteredCovs,
      double[][] smoothedMeans, double[][] smoothedCovs, double[][] crossCovs) {
    int nn = n * n;
    for (int l = 0; l < tile.count; l++) {
      int last = tile.lengths[l] - 1;
      System.arraycopy(filteredMeans[l], last * n, smoothedMeans[l], last * n, n);
      System.arraycopy(filteredCovs[l], last * nn, smoothedCovs[l], last * nn, nn);
    }
    int joined = 0;
    for (int t = tile.maxLength() - 2; t >= 0; t--) {
      int active = tile.active(t + 1);
      LaneTransfer.load(filteredMeans, (t + 1) * n, nextMean, n, joined, active);
      LaneTransfer.loadSymmetric(filteredCovs, (t + 1) * nn, nextCov, n, joined, active);
      joined = active;
      LaneTransfer.load(filteredMeans, t * n, mean, n, 0, active);
      LaneTransfer.loadSymmetric(filteredCovs, t * nn, cov, n, 0, active);
      params.loadDynamics(t, active);
      step(tile, params, t, active);
      LaneTransfer.store(smoothedMean, n, smoothedMeans, t * n, active);
      LaneTransfer.store(smoothedCov, nn, smoothedCovs, t * nn, active);
      if (crossCovs != null) {
        algebra.lanesTimesLanes(nextCov, gainT, product, n, n, n, active);
        LaneTransfer.store(product, nn, crossCovs, t * nn, active);
      }
      double[][] swapMean = nextMean;
      nextMean = smoothedMean;
      smoothedMean = swapMean;
      double[][] swapCov = nextCov;
      nextCov = smoothedCov;
      smoothedCov = swapCov;
    }
  }

  /** One backward step t ← t+1 for lanes [0, active): (mean, cov) filtered at t, (next*) smoothed at t+1. */
  private void step(Tile tile, LaneParameters params, int t, int active) {
    algebra.mixedTimesLanes(params.dynamicsWeights, mean, predMean, 1, active);
    for (int i = 0; i < n; i++) LaneAlgebra.addEntry(predMean[i], params.dynamicsBias, i, active);
    algebra.mixedTimesLanes(params.dynamicsWeights, cov, fp, n, active);
    algebra.lanesTimesMixedTransposed(fp, params.dynamicsWeights, params.dynamicsCov, predCov, n, true, active);
    LaneTransfer.copy(predCov, factor, n, true, active);
    algebra.cholesky(factor, n, inverseDiagonal, diagonalProduct, active);
    LaneTransfer.copy(fp, gainT, n, false, active);
    algebra.solveLower(factor, inverseDiagonal, n, gainT, n, active);
    algebra.solveLowerTransposed(factor, inverseDiagonal, n, gainT, n, active);
    for (int l = 0; l < active; l++) {
      if (!trusted(l)) pseudoInverseGain(tile, t, l);
    }
    for (int i = 0; i < n; i++) LaneLoops.difference(diff[i], nextMean[i], predMean[i], active);
    algebra.lanesTransposedTimesLanes(gainT, diff, mean, 1.0, smoothedMean, n, n, 1, false, active);
    // (I - G F) P (I - G F)ᵀ: product = Gᵀᵀ F = G F, transposedA = (I - G F)ᵀ, work = P (I - G F)ᵀ.
    algebra.lanesTransposedTimesMixed(gainT, params.dynamicsWeights, product, n, active);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) LaneLoops.identityMinus(transposedA[i * n + j], product[j * n + i], i == j, active);
    }
    algebra.lanesTimesLanes(cov, transposedA, work, n, n, n, active);
    algebra.lanesTransposedTimesLanes(transposedA, work, null, 1.0, smoothedCov, n, n, n, true, active);
    // + G Q Gᵀ + G P^s_{t+1} Gᵀ
    algebra.mixedTimesLanes(params.dynamicsCov, gainT, work, n, active);
    algebra.lanesTransposedTimesLanes(gainT, work, smoothedCov, 1.0, smoothedCov, n, n, n, true, active);
    algebra.lanesTimesLanes(nextCov, gainT, work, n, n, n, active);
    algebra.lanesTransposedTimesLanes(gainT, work, smoothedCov, 1.0, smoothedCov, n, n, n, true, active);
  }

  /**
   * True when the lane's Cholesky factor can be trusted: every pivot positive, finite and, squared, above
   * {@link SemiDefiniteSolver#RANK_TOLERANCE} times the largest diagonal entry of P⁻ (below that the factor
   * inverts rounding noise in P⁻'s null directions).
   */
  private boolean trusted(int lane) {
    double maxDiag = 0.0;
    for (int i = 0; i < n; i++) maxDiag = Math.max(maxDiag, predCov[i * n + i][lane]);
    double floor = SemiDefiniteSolver.RANK_TOLERANCE * maxDiag;
    for (int i = 0; i < n; i++) {
      double lii = factor[i * n + i][lane];
      if (!(lii > 0.0) || lii == Double.POSITIVE_INFINITY || lii * lii <= floor) return false;
    }
    return true;
  }

  /** Gᵀ = pinv(P⁻) F P for one lane whose P⁻ is singular. */
  private void pseudoInverseGain(Tile tile, int t, int lane) {
    for (int e = 0; e < n * n; e++) {
      laneA[e] = predCov[e][lane];
      laneB[e] = fp[e][lane];
    }
    if (!solver.solve(laneA, 0, laneB, 0)) {
      throw new InferenceException(tile.trajectories[lane].id(), t, "smoother gain is not finite");
    }
    for (int e = 0; e < n * n; e++) gainT[e][lane] = laneB[e];
  }
}
