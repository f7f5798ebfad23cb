package io.statespace.inference.batched;

import io.statespace.inference.InferenceException;
import io.statespace.inference.SmoothedCovariance;
import io.statespace.linalg.SemiDefiniteSolver;

/**
 * The Rauch-Tung-Striebel backward pass over the lanes of a tile in lockstep (Särkkä 2013, Theorem 8.2), from
 * the filtered moments the {@link LaneFilter} wrote: P⁻ = F P Fᵀ + Q and m⁻ = F m + c are recomputed rather than
 * stored; Gᵀ = (P⁻)⁻¹ F P by Cholesky solves; m^s_t = m_t + G (m^s_{t+1} - m⁻); P^s_t = P_t + G (P^s_{t+1} -
 * P⁻) Gᵀ evaluated as (P_t - G F P_t) + G P^s_{t+1} Gᵀ, and for a lane whose P⁻ is ill conditioned as
 * (I - G F) P_t (I - G F)ᵀ + G Q Gᵀ + G P^s_{t+1} Gᵀ ({@link SmoothedCovariance}: the textbook difference
 * cancels over huge time gaps); and the lag-one cross-covariance
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
  private final double[][] work;
  private final double[][] product;
  private double[][] nextMean;
  private double[][] nextCov;
  private double[][] smoothedMean;
  private double[][] smoothedCov;
  private final double[] laneA;
  private final double[] laneB;
  private final SemiDefiniteSolver solver;
  private final boolean[] illConditioned;
  private final SmoothedCovariance robust;
  private final double[] laneF;
  private final double[] laneQ;
  private final double[] laneP;
  private final double[] laneNext;
  private final double[] laneGainT;
  private final double[] laneOut;

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
    work = LaneAlgebra.general(n, n, width);
    product = LaneAlgebra.general(n, n, width);
    nextMean = LaneAlgebra.general(n, 1, width);
    nextCov = LaneAlgebra.symmetric(n, width);
    smoothedMean = LaneAlgebra.general(n, 1, width);
    smoothedCov = LaneAlgebra.symmetric(n, width);
    laneA = new double[n * n];
    laneB = new double[n * n];
    solver = new SemiDefiniteSolver(n);
    illConditioned = new boolean[width];
    robust = new SmoothedCovariance(n);
    laneF = new double[n * n];
    laneQ = new double[n * n];
    laneP = new double[n * n];
    laneNext = new double[n * n];
    laneGainT = new double[n * n];
    laneOut = new double[n * n];
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
      boolean trusted = trusted(l);
      illConditioned[l] = !trusted || condition(l) > SemiDefiniteSolver.ILL_CONDITIONED;
      if (!trusted) pseudoInverseGain(tile, t, l);
    }
    for (int i = 0; i < n; i++) LaneLoops.difference(diff[i], nextMean[i], predMean[i], active);
    algebra.lanesTransposedTimesLanes(gainT, diff, mean, 1.0, smoothedMean, n, n, 1, false, active);
    // P^s = (P - Gᵀᵀ (F P)) + G P^s_{t+1} Gᵀ, never P^s_{t+1} - P⁻ (SmoothedCovariance).
    algebra.lanesTransposedTimesLanes(gainT, fp, cov, -1.0, smoothedCov, n, n, n, true, active);
    algebra.lanesTimesLanes(nextCov, gainT, work, n, n, n, active);
    algebra.lanesTransposedTimesLanes(gainT, work, smoothedCov, 1.0, smoothedCov, n, n, n, true, active);
    for (int l = 0; l < active; l++) {
      if (illConditioned[l]) robustLane(params, l);
    }
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

  /** Largest over smallest squared pivot of the lane's Cholesky factor of P⁻: a condition estimate. */
  private double condition(int lane) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = 0.0;
    for (int i = 0; i < n; i++) {
      double d = factor[i * n + i][lane] * factor[i * n + i][lane];
      lo = Math.min(lo, d);
      hi = Math.max(hi, d);
    }
    return hi / lo;
  }

  /**
   * Redoes one lane's smoothed covariance with the form that stays positive semi-definite for an inexact
   * gain (rare: an ill-conditioned P⁻, after a huge time gap say).
   */
  private void robustLane(LaneParameters params, int lane) {
    for (int e = 0; e < n * n; e++) {
      laneF[e] = entry(params.dynamicsWeights, e, lane);
      laneQ[e] = entry(params.dynamicsCov, e, lane);
      laneP[e] = cov[e][lane];
      laneNext[e] = nextCov[e][lane];
      laneGainT[e] = gainT[e][lane];
    }
    robust.futureFreeRobust(laneGainT, laneF, laneP, 0, laneQ, laneOut, 0);
    robust.addPropagated(laneGainT, laneNext, 0, laneOut, 0);
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) smoothedCov[i * n + j][lane] = laneOut[i * n + j];
    }
  }

  private static double entry(LaneMatrix a, int e, int lane) {
    return a.lanes[e] != null ? a.lanes[e][lane] : a.shared[e];
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
