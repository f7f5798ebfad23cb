package io.statespace.inference.batched;

import io.statespace.inference.InferenceException;
import io.statespace.inference.SmoothedCovariance;
import io.statespace.linalg.SemiDefiniteSolver;
import java.util.Arrays;

/**
 * The lockstep filter ({@link LaneFilter}) and smoother ({@link LaneSmoother}) of a tile for a model whose
 * structural zeros split it into independent blocks of two states and one observation ({@link #blocks}): the
 * constant-velocity model, whose axes (position and velocity, observed position) never meet in F, Q, H, R or
 * Σ0, and any n = 2, m = 1 model. Each block runs in fully unrolled scalar code, lane by lane on each
 * trajectory's own row-major posterior arrays (no transposes); the entries between blocks are exact zeros in
 * every moment of the general recursion, and stay the zeros the fresh posterior arrays hold. A missing
 * observation skips its block's update. The smoother's choices (the pseudo-inverse gain for a singular P⁻, the
 * robust smoothed covariance for an ill-conditioned one) are made on all pivots of the lane together, as
 * {@link LaneSmoother} makes them on the whole P⁻, and such a step (rare: a huge time gap, dt = 0 with a
 * singular P) runs the general n×n formulas. Hand-specialised (blocks of 2 + 1); FixedSizeKernelTest checks it
 * against the general lockstep path element by element. No allocation per step; one instance per thread.
 */
final class BlockLanes {
  private static final double LOG_2PI = Math.log(2.0 * Math.PI);
  /** Model entries of one block, as lane arrays: F (4), c (2), Q upper (3), H (2), e, R, μ0 (2), Σ0 upper (3). */
  private static final int F00 = 0;
  private static final int F01 = 1;
  private static final int F10 = 2;
  private static final int F11 = 3;
  private static final int C0 = 4;
  private static final int C1 = 5;
  private static final int Q00 = 6;
  private static final int Q01 = 7;
  private static final int Q11 = 8;
  private static final int H0 = 9;
  private static final int H1 = 10;
  private static final int E = 11;
  private static final int R = 12;
  private static final int MU0 = 13;
  private static final int MU1 = 14;
  private static final int S00 = 15;
  private static final int S01 = 16;
  private static final int S11 = 17;
  private static final int ENTRIES = 18;
  /**
   * Per-block scratch of a smoother step: m⁻ (2), F P (4, row-major), P⁻ upper (3), the factor's l00, l10,
   * l11 and their inverses i0, i1.
   */
  private static final int X0 = 0;
  private static final int X1 = 1;
  private static final int FP00 = 2;
  private static final int FP01 = 3;
  private static final int FP10 = 4;
  private static final int FP11 = 5;
  private static final int V00 = 6;
  private static final int V01 = 7;
  private static final int V11 = 8;
  private static final int L00 = 9;
  private static final int L10 = 10;
  private static final int L11 = 11;
  private static final int I0 = 12;
  private static final int I1 = 13;
  private static final int SCRATCH = 14;
  private static final int WELL = 0;
  private static final int ILL = 1;
  private static final int UNTRUSTED = 2;

  private final int n;
  private final int m;
  private final int count;
  /** Per block: its two states (ascending) and its observation. */
  private final int[] first;
  private final int[] second;
  private final int[] observation;
  private final double[][] src;
  private final double[][] fullF;
  private final double[][] fullQ;
  private final double[][] constants;
  private int usedConstants;
  private final double[] work;
  private boolean failed;
  private final SemiDefiniteSolver solver;
  private final SmoothedCovariance smoothedCovariance;
  private final double[] laneA;
  private final double[] laneB;
  private final double[] laneF;
  private final double[] laneQ;
  private final double[] laneP;
  private final double[] laneNext;
  private final double[] laneOut;

  /** @param blocks the model's blocks from {@link #blocks} */
  BlockLanes(int stateDim, int obsDim, int[][] blocks, int width) {
    n = stateDim;
    m = obsDim;
    count = blocks.length;
    first = new int[count];
    second = new int[count];
    observation = new int[count];
    for (int b = 0; b < count; b++) {
      first[b] = blocks[b][0];
      second[b] = blocks[b][1];
      observation[b] = blocks[b][2];
    }
    src = new double[count * ENTRIES][];
    fullF = new double[n * n][];
    fullQ = new double[n * n][];
    constants = new double[count * ENTRIES + 2 * n * n][width];
    work = new double[count * SCRATCH];
    solver = new SemiDefiniteSolver(n);
    smoothedCovariance = new SmoothedCovariance(n);
    laneA = new double[n * n];
    laneB = new double[n * n];
    laneF = new double[n * n];
    laneQ = new double[n * n];
    laneP = new double[n * n];
    laneNext = new double[n * n];
    laneOut = new double[n * n];
  }

  /**
   * The blocks of two states and one observation that the structural zeros ({@link LaneMatrix#isZero}) of F,
   * Q, Σ0, H and R separate, each as {state, state, observation} with the states ascending, in order of their
   * observation; null unless every state and observation falls in such a block.
   */
  static int[][] blocks(LaneParameters params, int n, int m) {
    if (n != 2 * m) return null;
    int[] parent = new int[n + m];
    for (int i = 0; i < parent.length; i++) parent[i] = i;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        int e = i * n + j;
        if (!params.dynamicsWeights.isZero(e) || !params.dynamicsCov.isZero(e) || !params.initialCov.isZero(e)) {
          union(parent, i, j);
        }
      }
    }
    for (int a = 0; a < m; a++) {
      for (int k = 0; k < n; k++) {
        if (!params.emissionsWeights.isZero(a * n + k)) union(parent, n + a, k);
      }
      for (int b = 0; b < m; b++) {
        if (!params.emissionsCov.isZero(a * m + b)) union(parent, n + a, n + b);
      }
    }
    int[][] out = new int[m][];
    for (int a = 0; a < m; a++) {
      int root = find(parent, n + a);
      int states = 0;
      int[] block = {-1, -1, a};
      for (int k = 0; k < n; k++) {
        if (find(parent, k) != root) continue;
        if (states == 2) return null;
        block[states++] = k;
      }
      for (int b = 0; b < m; b++) {
        if (b != a && find(parent, n + b) == root) return null;
      }
      if (states != 2) return null;
      out[a] = block;
    }
    return out;
  }

  private static int find(int[] parent, int i) {
    while (parent[i] != i) i = parent[i];
    return i;
  }

  private static void union(int[] parent, int i, int j) {
    parent[find(parent, i)] = find(parent, j);
  }

  /** Forward pass of every lane of the tile (the contract of {@link LaneFilter#run}). */
  void filter(Tile tile, LaneParameters params, double[][] filteredMeans, double[][] filteredCovs,
      double[][] predictedMeans, double[][] predictedCovs, double[] logLik) {
    bind(params, tile.count);
    Arrays.fill(logLik, 0, tile.count, 0.0);
    int steps = tile.maxLength();
    for (int t = 0; t < steps; t++) {
      int active = tile.active(t);
      if (t > 0) params.loadDynamics(t - 1, active);
      params.loadEmissions(t, active);
      for (int l = 0; l < active; l++) {
        double[] obs = tile.trajectories[l].observations();
        double[] mean = filteredMeans[l];
        double[] cov = filteredCovs[l];
        double[] pm = predictedMeans == null ? null : predictedMeans[l];
        double[] pc = predictedMeans == null ? null : predictedCovs[l];
        failed = false;
        double step = 0.0;
        for (int b = 0; b < count; b++) step += filterBlock(b, l, t, obs, mean, cov, pm, pc);
        if (failed) {
          throw new InferenceException(tile.trajectories[l].id(), t, "innovation covariance is not positive definite");
        }
        logLik[l] += step;
      }
    }
  }

  /** One block of lane l at step t: predict (or the prior at t = 0), then update; returns its part of ℓ_t. */
  private double filterBlock(int b, int l, int t, double[] obs, double[] mean, double[] cov, double[] pm,
      double[] pc) {
    int k = b * ENTRIES;
    int s0 = first[b];
    int s1 = second[b];
    int mo = t * n;
    int o00 = t * n * n + s0 * n + s0;
    int o01 = t * n * n + s0 * n + s1;
    int o10 = t * n * n + s1 * n + s0;
    int o11 = t * n * n + s1 * n + s1;
    double x0;
    double x1;
    double v00;
    double v01;
    double v11;
    if (t == 0) {
      x0 = src[k + MU0][l];
      x1 = src[k + MU1][l];
      v00 = src[k + S00][l];
      v01 = src[k + S01][l];
      v11 = src[k + S11][l];
    } else {
      int po = n * n;
      int pmo = mo - n;
      double f00 = src[k + F00][l];
      double f01 = src[k + F01][l];
      double f10 = src[k + F10][l];
      double f11 = src[k + F11][l];
      double a0 = mean[pmo + s0];
      double a1 = mean[pmo + s1];
      double p00 = cov[o00 - po];
      double p01 = cov[o01 - po];
      double p11 = cov[o11 - po];
      x0 = f00 * a0 + f01 * a1 + src[k + C0][l];
      x1 = f10 * a0 + f11 * a1 + src[k + C1][l];
      double fp00 = f00 * p00 + f01 * p01;
      double fp01 = f00 * p01 + f01 * p11;
      double fp10 = f10 * p00 + f11 * p01;
      double fp11 = f10 * p01 + f11 * p11;
      v00 = fp00 * f00 + fp01 * f01 + src[k + Q00][l];
      v01 = fp00 * f10 + fp01 * f11 + src[k + Q01][l];
      v11 = fp10 * f10 + fp11 * f11 + src[k + Q11][l];
    }
    if (pm != null) {
      pm[mo + s0] = x0;
      pm[mo + s1] = x1;
      pc[o00] = v00;
      pc[o01] = v01;
      pc[o10] = v01;
      pc[o11] = v11;
    }
    double y = obs[t * m + observation[b]];
    if (Double.isNaN(y)) {
      mean[mo + s0] = x0;
      mean[mo + s1] = x1;
      cov[o00] = v00;
      cov[o01] = v01;
      cov[o10] = v01;
      cov[o11] = v11;
      return 0.0;
    }
    double h0 = src[k + H0][l];
    double h1 = src[k + H1][l];
    double hp0 = h0 * v00 + h1 * v01;
    double hp1 = h0 * v01 + h1 * v11;
    double la = Math.sqrt(hp0 * h0 + hp1 * h1 + src[k + R][l]);
    double ia = 1.0 / la;
    double w0 = hp0 * ia;
    double w1 = hp1 * ia;
    double z = (y - (h0 * x0 + h1 * x1 + src[k + E][l])) * ia;
    mean[mo + s0] = x0 + w0 * z;
    mean[mo + s1] = x1 + w1 * z;
    double c01 = v01 - w0 * w1;
    cov[o00] = v00 - w0 * w0;
    cov[o01] = c01;
    cov[o10] = c01;
    cov[o11] = v11 - w1 * w1;
    if (!(la > 0.0) || la == Double.POSITIVE_INFINITY) {
      failed = true;
      return 0.0;
    }
    return -0.5 * (LOG_2PI + 2.0 * Math.log(la) + z * z);
  }

  /**
   * Backward pass of every lane of the tile (the contract of {@link LaneSmoother#run}).
   *
   * @return the lane steps whose P⁻ was singular or ill conditioned (taken by the n×n fallbacks)
   */
  long smooth(Tile tile, LaneParameters params, double[][] filteredMeans, double[][] filteredCovs,
      double[][] smoothedMeans, double[][] smoothedCovs, double[][] crossCovs) {
    bind(params, tile.count);
    int nn = n * n;
    for (int l = 0; l < tile.count; l++) {
      int last = tile.lengths[l] - 1;
      System.arraycopy(filteredMeans[l], last * n, smoothedMeans[l], last * n, n);
      System.arraycopy(filteredCovs[l], last * nn, smoothedCovs[l], last * nn, nn);
    }
    long general = 0;
    for (int t = tile.maxLength() - 2; t >= 0; t--) {
      int active = tile.active(t + 1);
      params.loadDynamics(t, active);
      for (int l = 0; l < active; l++) {
        double[] fmean = filteredMeans[l];
        double[] fcov = filteredCovs[l];
        double maxDiagonal = 0.0;
        for (int b = 0; b < count; b++) {
          factor(b, l, t, fmean, fcov);
          int w = b * SCRATCH;
          maxDiagonal = Math.max(Math.max(maxDiagonal, work[w + V00]), work[w + V11]);
        }
        int status = status(maxDiagonal);
        double[] crossRow = crossCovs == null ? null : crossCovs[l];
        if (status == WELL) {
          for (int b = 0; b < count; b++) smoothBlock(b, t, fmean, fcov, smoothedMeans[l], smoothedCovs[l], crossRow);
        } else {
          smoothGeneral(tile, l, t, status, fmean, fcov, smoothedMeans[l], smoothedCovs[l], crossRow);
          general++;
        }
      }
    }
    return general;
  }

  /** m⁻, F P, P⁻ and the Cholesky factor of P⁻ of block b of lane l from its filtered moments at t. */
  private void factor(int b, int l, int t, double[] mean, double[] cov) {
    int k = b * ENTRIES;
    int w = b * SCRATCH;
    int s0 = first[b];
    int s1 = second[b];
    int po = t * n * n;
    double f00 = src[k + F00][l];
    double f01 = src[k + F01][l];
    double f10 = src[k + F10][l];
    double f11 = src[k + F11][l];
    double a0 = mean[t * n + s0];
    double a1 = mean[t * n + s1];
    double p00 = cov[po + s0 * n + s0];
    double p01 = cov[po + s0 * n + s1];
    double p11 = cov[po + s1 * n + s1];
    work[w + X0] = f00 * a0 + f01 * a1 + src[k + C0][l];
    work[w + X1] = f10 * a0 + f11 * a1 + src[k + C1][l];
    double fp00 = f00 * p00 + f01 * p01;
    double fp01 = f00 * p01 + f01 * p11;
    double fp10 = f10 * p00 + f11 * p01;
    double fp11 = f10 * p01 + f11 * p11;
    double v00 = fp00 * f00 + fp01 * f01 + src[k + Q00][l];
    double v01 = fp00 * f10 + fp01 * f11 + src[k + Q01][l];
    double v11 = fp10 * f10 + fp11 * f11 + src[k + Q11][l];
    double l00 = Math.sqrt(v00);
    double i0 = 1.0 / l00;
    double l10 = v01 * i0;
    double l11 = Math.sqrt(v11 - l10 * l10);
    work[w + FP00] = fp00;
    work[w + FP01] = fp01;
    work[w + FP10] = fp10;
    work[w + FP11] = fp11;
    work[w + V00] = v00;
    work[w + V01] = v01;
    work[w + V11] = v11;
    work[w + L00] = l00;
    work[w + L10] = l10;
    work[w + L11] = l11;
    work[w + I0] = i0;
    work[w + I1] = 1.0 / l11;
  }

  /**
   * LaneSmoother's tests on all pivots of the lane's P⁻ (the blocks' pivots are those of the whole matrix):
   * {@link #UNTRUSTED} when one is not positive and finite or, squared, at most
   * {@link SemiDefiniteSolver#RANK_TOLERANCE} times the largest diagonal entry; {@link #ILL} when the largest
   * over the smallest squared pivot exceeds {@link SemiDefiniteSolver#ILL_CONDITIONED}.
   */
  private int status(double maxDiagonal) {
    double floor = SemiDefiniteSolver.RANK_TOLERANCE * maxDiagonal;
    double lo = Double.POSITIVE_INFINITY;
    double hi = 0.0;
    for (int b = 0; b < count; b++) {
      int w = b * SCRATCH;
      double l00 = work[w + L00];
      double l11 = work[w + L11];
      if (!pivot(l00, floor) || !pivot(l11, floor)) return UNTRUSTED;
      double d0 = l00 * l00;
      double d1 = l11 * l11;
      lo = Math.min(lo, Math.min(d0, d1));
      hi = Math.max(hi, Math.max(d0, d1));
    }
    return hi / lo > SemiDefiniteSolver.ILL_CONDITIONED ? ILL : WELL;
  }

  private static boolean pivot(double lii, double floor) {
    return lii > 0.0 && lii != Double.POSITIVE_INFINITY && lii * lii > floor;
  }

  /**
   * Gᵀ = (P⁻)⁻¹ F P of block b by its factor, then m^s_t = m_t + G (m^s_{t+1} − m⁻) and
   * P^s_t = (P_t − G F P_t) + G P^s_{t+1} Gᵀ, and the lag-one cross-covariance P^s_{t+1} Gᵀ when asked.
   */
  private void smoothBlock(int b, int t, double[] fmean, double[] fcov, double[] smean, double[] scov,
      double[] crossRow) {
    int w = b * SCRATCH;
    int s0 = first[b];
    int s1 = second[b];
    double l10 = work[w + L10];
    double i0 = work[w + I0];
    double i1 = work[w + I1];
    double fp00 = work[w + FP00];
    double fp01 = work[w + FP01];
    double fp10 = work[w + FP10];
    double fp11 = work[w + FP11];
    double y00 = fp00 * i0;
    double y01 = fp01 * i0;
    double g10 = (fp10 - l10 * y00) * i1 * i1;
    double g11 = (fp11 - l10 * y01) * i1 * i1;
    double g00 = (y00 - l10 * g10) * i0;
    double g01 = (y01 - l10 * g11) * i0;
    int mo = t * n;
    int po = t * n * n;
    int no = mo + n;
    int so = po + n * n;
    double d0 = smean[no + s0] - work[w + X0];
    double d1 = smean[no + s1] - work[w + X1];
    double n00 = scov[so + s0 * n + s0];
    double n01 = scov[so + s0 * n + s1];
    double n11 = scov[so + s1 * n + s1];
    double k00 = n00 * g00 + n01 * g10;
    double k01 = n00 * g01 + n01 * g11;
    double k10 = n01 * g00 + n11 * g10;
    double k11 = n01 * g01 + n11 * g11;
    double c00 = fcov[po + s0 * n + s0] - (g00 * fp00 + g10 * fp10) + (g00 * k00 + g10 * k10);
    double c01 = fcov[po + s0 * n + s1] - (g00 * fp01 + g10 * fp11) + (g00 * k01 + g10 * k11);
    double c11 = fcov[po + s1 * n + s1] - (g01 * fp01 + g11 * fp11) + (g01 * k01 + g11 * k11);
    smean[mo + s0] = fmean[mo + s0] + (g00 * d0 + g10 * d1);
    smean[mo + s1] = fmean[mo + s1] + (g01 * d0 + g11 * d1);
    scov[po + s0 * n + s0] = c00;
    scov[po + s0 * n + s1] = c01;
    scov[po + s1 * n + s0] = c01;
    scov[po + s1 * n + s1] = c11;
    if (crossRow != null) {
      crossRow[po + s0 * n + s0] = k00;
      crossRow[po + s0 * n + s1] = k01;
      crossRow[po + s1 * n + s0] = k10;
      crossRow[po + s1 * n + s1] = k11;
    }
  }

  /**
   * A step whose P⁻ is singular or ill conditioned, over the whole n×n matrices as {@link LaneSmoother} takes
   * it: the gain by the blocks' factors or, singular, by the pseudo-inverse of P⁻; the robust smoothed
   * covariance of {@link SmoothedCovariance}.
   */
  private void smoothGeneral(Tile tile, int l, int t, int status, double[] fmean, double[] fcov, double[] smean,
      double[] scov, double[] crossRow) {
    int nn = n * n;
    Arrays.fill(laneA, 0.0);
    Arrays.fill(laneB, 0.0);
    for (int b = 0; b < count; b++) {
      int w = b * SCRATCH;
      int s0 = first[b];
      int s1 = second[b];
      laneA[s0 * n + s0] = work[w + V00];
      laneA[s0 * n + s1] = work[w + V01];
      laneA[s1 * n + s0] = work[w + V01];
      laneA[s1 * n + s1] = work[w + V11];
      laneB[s0 * n + s0] = work[w + FP00];
      laneB[s0 * n + s1] = work[w + FP01];
      laneB[s1 * n + s0] = work[w + FP10];
      laneB[s1 * n + s1] = work[w + FP11];
    }
    if (status == UNTRUSTED) {
      if (!solver.solve(laneA, 0, laneB, 0)) {
        throw new InferenceException(tile.trajectories[l].id(), t, "smoother gain is not finite");
      }
    } else {
      for (int b = 0; b < count; b++) {
        int w = b * SCRATCH;
        int s0 = first[b];
        int s1 = second[b];
        double l10 = work[w + L10];
        double i0 = work[w + I0];
        double i1 = work[w + I1];
        for (int c = 0; c < n; c++) {
          double y0 = laneB[s0 * n + c] * i0;
          double g1 = (laneB[s1 * n + c] - l10 * y0) * i1 * i1;
          laneB[s1 * n + c] = g1;
          laneB[s0 * n + c] = (y0 - l10 * g1) * i0;
        }
      }
    }
    int mo = t * n;
    int po = t * nn;
    for (int j = 0; j < n; j++) {
      double v = fmean[mo + j];
      for (int p = 0; p < n; p++) {
        int w = blockOf(p) * SCRATCH;
        double predicted = p == first[blockOf(p)] ? work[w + X0] : work[w + X1];
        v += laneB[p * n + j] * (smean[mo + n + p] - predicted);
      }
      smean[mo + j] = v;
    }
    for (int e = 0; e < nn; e++) {
      laneF[e] = fullF[e][l];
      laneQ[e] = fullQ[e][l];
    }
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) {
        laneP[i * n + j] = fcov[po + i * n + j];
        laneP[j * n + i] = fcov[po + i * n + j];
        laneNext[i * n + j] = scov[po + nn + i * n + j];
        laneNext[j * n + i] = scov[po + nn + i * n + j];
      }
    }
    smoothedCovariance.futureFreeRobust(laneB, laneF, laneP, 0, laneQ, laneOut, 0);
    smoothedCovariance.addPropagated(laneB, laneNext, 0, laneOut, 0);
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) {
        scov[po + i * n + j] = laneOut[i * n + j];
        scov[po + j * n + i] = laneOut[i * n + j];
      }
    }
    if (crossRow != null) {
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          double v = 0.0;
          for (int p = 0; p < n; p++) v += laneNext[i * n + p] * laneB[p * n + j];
          crossRow[po + i * n + j] = v;
        }
      }
    }
  }

  private int blockOf(int state) {
    for (int b = 0; b < count; b++) {
      if (first[b] == state || second[b] == state) return b;
    }
    throw new IllegalStateException("state " + state + " is in no block");
  }

  /** Points each model entry the kernels read at its lane array, or at a constant array of its shared value. */
  private void bind(LaneParameters params, int lanes) {
    usedConstants = 0;
    for (int b = 0; b < count; b++) {
      int k = b * ENTRIES;
      int s0 = first[b];
      int s1 = second[b];
      int a = observation[b];
      src[k + F00] = entry(params.dynamicsWeights, s0 * n + s0, lanes);
      src[k + F01] = entry(params.dynamicsWeights, s0 * n + s1, lanes);
      src[k + F10] = entry(params.dynamicsWeights, s1 * n + s0, lanes);
      src[k + F11] = entry(params.dynamicsWeights, s1 * n + s1, lanes);
      src[k + C0] = entry(params.dynamicsBias, s0, lanes);
      src[k + C1] = entry(params.dynamicsBias, s1, lanes);
      src[k + Q00] = entry(params.dynamicsCov, s0 * n + s0, lanes);
      src[k + Q01] = entry(params.dynamicsCov, s0 * n + s1, lanes);
      src[k + Q11] = entry(params.dynamicsCov, s1 * n + s1, lanes);
      src[k + H0] = entry(params.emissionsWeights, a * n + s0, lanes);
      src[k + H1] = entry(params.emissionsWeights, a * n + s1, lanes);
      src[k + E] = entry(params.emissionsBias, a, lanes);
      src[k + R] = entry(params.emissionsCov, a * m + a, lanes);
      src[k + MU0] = entry(params.initialMean, s0, lanes);
      src[k + MU1] = entry(params.initialMean, s1, lanes);
      src[k + S00] = entry(params.initialCov, s0 * n + s0, lanes);
      src[k + S01] = entry(params.initialCov, s0 * n + s1, lanes);
      src[k + S11] = entry(params.initialCov, s1 * n + s1, lanes);
    }
    for (int e = 0; e < n * n; e++) {
      fullF[e] = entry(params.dynamicsWeights, e, lanes);
      fullQ[e] = entry(params.dynamicsCov, e, lanes);
    }
  }

  private double[] entry(LaneMatrix a, int e, int lanes) {
    if (a.lanes[e] != null) return a.lanes[e];
    double[] shared = constants[usedConstants++];
    Arrays.fill(shared, 0, lanes, a.shared[e]);
    return shared;
  }
}
