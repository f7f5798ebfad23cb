package io.statespace.inference.batched;

import io.statespace.inference.InferenceException;
import io.statespace.inference.SmoothedCovariance;
import io.statespace.linalg.SemiDefiniteSolver;
import java.util.Arrays;

/**
 * The lockstep filter ({@link LaneFilter}) and smoother ({@link LaneSmoother}) of a tile for n = 4 states and
 * m = 2 observations (the 2-D constant-velocity tracking model), lane by lane in fully unrolled scalar code on
 * each trajectory's own row-major posterior arrays: no structure-of-arrays state, hence no transposes, and no
 * loops over n whose trip count of 4 costs more in control than in arithmetic. Same equations, same order of
 * operations up to the grouping of sums, same fallbacks (a singular P⁻ takes the pseudo-inverse gain, an
 * ill-conditioned one the robust smoothed covariance of {@link SmoothedCovariance}); the missing components are
 * dropped by branching on the step's pattern (none, one or both observed) instead of masking. Model entries are
 * read per lane from the {@link LaneParameters}' lane arrays, shared ones broadcast once per tile; F, H and Q are
 * taken dense (structural zeros cost a multiplication each, cheaper than the loops that skipped them).
 * Hand-specialised (n = 4, m = 2); FixedSizeKernelTest checks it against the general lockstep path element by
 * element. No allocation per step; one instance per thread.
 */
final class UnrolledLanes {
  static final int N = 4;
  static final int M = 2;
  private static final int NN = N * N;
  private static final double LOG_2PI = Math.log(2.0 * Math.PI);
  /** Offsets in {@link #work}: predicted mean (4), then F P (16), then P⁻'s upper triangle (10). */
  private static final int FP = N;
  private static final int PRED = FP + NN;
  private static final int ILL = 1;
  private static final int UNTRUSTED = 2;

  private final double[][] mu0 = new double[N][];
  private final double[][] sigma0 = new double[NN][];
  private final double[][] f = new double[NN][];
  private final double[][] c = new double[N][];
  private final double[][] q = new double[NN][];
  private final double[][] h = new double[M * N][];
  private final double[][] e = new double[M][];
  private final double[][] r = new double[M * M][];
  /** Lane arrays holding the shared entries of the model matrices, broadcast once per tile. */
  private final double[][] constants;
  private int usedConstants;
  private final double[] work = new double[PRED + 10];
  private final double[] gainT = new double[NN];
  private boolean failed;
  private final SemiDefiniteSolver solver = new SemiDefiniteSolver(N);
  private final SmoothedCovariance smoothedCovariance = new SmoothedCovariance(N);
  private final double[] laneA = new double[NN];
  private final double[] laneB = new double[NN];
  private final double[] laneF = new double[NN];
  private final double[] laneQ = new double[NN];
  private final double[] laneP = new double[NN];
  private final double[] laneNext = new double[NN];
  private final double[] laneOut = new double[NN];

  UnrolledLanes(int width) {
    constants = new double[2 * N + 3 * NN + M * N + M + M * M][width];
  }

  /** True for the dimensions these kernels are written for. */
  static boolean fits(int stateDim, int obsDim) {
    return stateDim == N && obsDim == M;
  }

  /**
   * Forward pass of every lane of the tile (the contract of {@link LaneFilter#run}).
   *
   * @param predictedMeans per lane T×n, or null (then predictedCovs too)
   */
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
        if (t == 0) {
          initial(l);
        } else {
          predict(filteredMeans[l], filteredCovs[l], t - 1, l);
        }
        if (predictedMeans != null) storePredicted(predictedMeans[l], predictedCovs[l], t);
        failed = false;
        double step = update(tile.trajectories[l].observations(), t, l, filteredMeans[l], filteredCovs[l]);
        if (failed) {
          throw new InferenceException(tile.trajectories[l].id(), t, "innovation covariance is not positive definite");
        }
        logLik[l] += step;
      }
    }
  }

  /**
   * Backward pass of every lane of the tile (the contract of {@link LaneSmoother#run}).
   *
   * @return the lane steps whose P⁻ was singular or ill conditioned (taken by the n×n fallbacks)
   */
  long smooth(Tile tile, LaneParameters params, double[][] filteredMeans, double[][] filteredCovs,
      double[][] smoothedMeans, double[][] smoothedCovs, double[][] crossCovs) {
    bind(params, tile.count);
    for (int l = 0; l < tile.count; l++) {
      int last = tile.lengths[l] - 1;
      System.arraycopy(filteredMeans[l], last * N, smoothedMeans[l], last * N, N);
      System.arraycopy(filteredCovs[l], last * NN, smoothedCovs[l], last * NN, NN);
    }
    long general = 0;
    for (int t = tile.maxLength() - 2; t >= 0; t--) {
      int active = tile.active(t + 1);
      params.loadDynamics(t, active);
      for (int l = 0; l < active; l++) {
        predict(filteredMeans[l], filteredCovs[l], t, l);
        int status = gain();
        if (status == UNTRUSTED) pseudoInverseGain(tile, t, l);
        if (status != 0) general++;
        finish(l, t, filteredMeans[l], filteredCovs[l], smoothedMeans[l], smoothedCovs[l],
            crossCovs == null ? null : crossCovs[l], status != 0);
      }
    }
    return general;
  }

  /** Points each model entry at its lane array, or at a constant array holding its shared value. */
  private void bind(LaneParameters params, int lanes) {
    usedConstants = 0;
    resolve(params.initialMean, mu0, lanes);
    resolve(params.initialCov, sigma0, lanes);
    resolve(params.dynamicsWeights, f, lanes);
    resolve(params.dynamicsBias, c, lanes);
    resolve(params.dynamicsCov, q, lanes);
    resolve(params.emissionsWeights, h, lanes);
    resolve(params.emissionsBias, e, lanes);
    resolve(params.emissionsCov, r, lanes);
  }

  private void resolve(LaneMatrix a, double[][] to, int lanes) {
    for (int k = 0; k < to.length; k++) {
      if (a.lanes[k] != null) {
        to[k] = a.lanes[k];
      } else {
        double[] shared = constants[usedConstants++];
        Arrays.fill(shared, 0, lanes, a.shared[k]);
        to[k] = shared;
      }
    }
  }

  /** The prior (μ0, Σ0) of lane l as the prediction of step 0. */
  private void initial(int l) {
    for (int i = 0; i < N; i++) work[i] = mu0[i][l];
    int u = PRED;
    for (int i = 0; i < N; i++) {
      for (int j = i; j < N; j++) work[u++] = sigma0[i * N + j][l];
    }
  }

  /** m⁻ = F m + c, F P and P⁻ = F P Fᵀ + Q (upper) of lane l from (m, P) of step t, into {@link #work}. */
  private void predict(double[] mean, double[] cov, int t, int l) {
    int mo = t * N;
    int po = t * NN;
    double f00 = f[0][l], f01 = f[1][l], f02 = f[2][l], f03 = f[3][l];
    double f10 = f[4][l], f11 = f[5][l], f12 = f[6][l], f13 = f[7][l];
    double f20 = f[8][l], f21 = f[9][l], f22 = f[10][l], f23 = f[11][l];
    double f30 = f[12][l], f31 = f[13][l], f32 = f[14][l], f33 = f[15][l];
    double c0 = c[0][l], c1 = c[1][l], c2 = c[2][l], c3 = c[3][l];
    double a0 = mean[mo];
    double a1 = mean[mo + 1];
    double a2 = mean[mo + 2];
    double a3 = mean[mo + 3];
    double p00 = cov[po];
    double p01 = cov[po + 1];
    double p02 = cov[po + 2];
    double p03 = cov[po + 3];
    double p11 = cov[po + 5];
    double p12 = cov[po + 6];
    double p13 = cov[po + 7];
    double p22 = cov[po + 10];
    double p23 = cov[po + 11];
    double p33 = cov[po + 15];
    double x0 = f00 * a0 + f01 * a1 + f02 * a2 + f03 * a3 + c0;
    double x1 = f10 * a0 + f11 * a1 + f12 * a2 + f13 * a3 + c1;
    double x2 = f20 * a0 + f21 * a1 + f22 * a2 + f23 * a3 + c2;
    double x3 = f30 * a0 + f31 * a1 + f32 * a2 + f33 * a3 + c3;
    double fp00 = f00 * p00 + f01 * p01 + f02 * p02 + f03 * p03;
    double fp01 = f00 * p01 + f01 * p11 + f02 * p12 + f03 * p13;
    double fp02 = f00 * p02 + f01 * p12 + f02 * p22 + f03 * p23;
    double fp03 = f00 * p03 + f01 * p13 + f02 * p23 + f03 * p33;
    double fp10 = f10 * p00 + f11 * p01 + f12 * p02 + f13 * p03;
    double fp11 = f10 * p01 + f11 * p11 + f12 * p12 + f13 * p13;
    double fp12 = f10 * p02 + f11 * p12 + f12 * p22 + f13 * p23;
    double fp13 = f10 * p03 + f11 * p13 + f12 * p23 + f13 * p33;
    double fp20 = f20 * p00 + f21 * p01 + f22 * p02 + f23 * p03;
    double fp21 = f20 * p01 + f21 * p11 + f22 * p12 + f23 * p13;
    double fp22 = f20 * p02 + f21 * p12 + f22 * p22 + f23 * p23;
    double fp23 = f20 * p03 + f21 * p13 + f22 * p23 + f23 * p33;
    double fp30 = f30 * p00 + f31 * p01 + f32 * p02 + f33 * p03;
    double fp31 = f30 * p01 + f31 * p11 + f32 * p12 + f33 * p13;
    double fp32 = f30 * p02 + f31 * p12 + f32 * p22 + f33 * p23;
    double fp33 = f30 * p03 + f31 * p13 + f32 * p23 + f33 * p33;
    work[0] = x0;
    work[1] = x1;
    work[2] = x2;
    work[3] = x3;
    work[FP] = fp00;
    work[FP + 1] = fp01;
    work[FP + 2] = fp02;
    work[FP + 3] = fp03;
    work[FP + 4] = fp10;
    work[FP + 5] = fp11;
    work[FP + 6] = fp12;
    work[FP + 7] = fp13;
    work[FP + 8] = fp20;
    work[FP + 9] = fp21;
    work[FP + 10] = fp22;
    work[FP + 11] = fp23;
    work[FP + 12] = fp30;
    work[FP + 13] = fp31;
    work[FP + 14] = fp32;
    work[FP + 15] = fp33;
    work[PRED] = fp00 * f00 + fp01 * f01 + fp02 * f02 + fp03 * f03 + q[0][l];
    work[PRED + 1] = fp00 * f10 + fp01 * f11 + fp02 * f12 + fp03 * f13 + q[1][l];
    work[PRED + 2] = fp00 * f20 + fp01 * f21 + fp02 * f22 + fp03 * f23 + q[2][l];
    work[PRED + 3] = fp00 * f30 + fp01 * f31 + fp02 * f32 + fp03 * f33 + q[3][l];
    work[PRED + 4] = fp10 * f10 + fp11 * f11 + fp12 * f12 + fp13 * f13 + q[5][l];
    work[PRED + 5] = fp10 * f20 + fp11 * f21 + fp12 * f22 + fp13 * f23 + q[6][l];
    work[PRED + 6] = fp10 * f30 + fp11 * f31 + fp12 * f32 + fp13 * f33 + q[7][l];
    work[PRED + 7] = fp20 * f20 + fp21 * f21 + fp22 * f22 + fp23 * f23 + q[10][l];
    work[PRED + 8] = fp20 * f30 + fp21 * f31 + fp22 * f32 + fp23 * f33 + q[11][l];
    work[PRED + 9] = fp30 * f30 + fp31 * f31 + fp32 * f32 + fp33 * f33 + q[15][l];
  }

  private void storePredicted(double[] means, double[] covs, int t) {
    System.arraycopy(work, 0, means, t * N, N);
    int po = t * NN;
    int u = PRED;
    for (int i = 0; i < N; i++) {
      for (int j = i; j < N; j++) {
        covs[po + i * N + j] = work[u];
        covs[po + j * N + i] = work[u++];
      }
    }
  }

  /** Conditions the prediction in {@link #work} on y_t's observed components; returns ℓ_t. */
  private double update(double[] obs, int t, int l, double[] mean, double[] cov) {
    double y0 = obs[t * M];
    double y1 = obs[t * M + 1];
    boolean seen0 = !Double.isNaN(y0);
    boolean seen1 = !Double.isNaN(y1);
    if (seen0 && seen1) return updateBoth(l, y0, y1, mean, cov, t * N, t * NN);
    if (seen0) return updateOne(l, 0, y0, mean, cov, t * N, t * NN);
    if (seen1) return updateOne(l, 1, y1, mean, cov, t * N, t * NN);
    System.arraycopy(work, 0, mean, t * N, N);
    int po = t * NN;
    int u = PRED;
    for (int i = 0; i < N; i++) {
      for (int j = i; j < N; j++) {
        cov[po + i * N + j] = work[u];
        cov[po + j * N + i] = work[u++];
      }
    }
    return 0.0;
  }

  /** Both components observed: S 2×2, L = chol(S), W = L⁻¹ H P⁻, z = L⁻¹ (y − H m⁻ − e). */
  private double updateBoth(int l, double y0, double y1, double[] mean, double[] cov, int mo, int po) {
    double h00 = h[0][l], h01 = h[1][l], h02 = h[2][l], h03 = h[3][l];
    double h10 = h[4][l], h11 = h[5][l], h12 = h[6][l], h13 = h[7][l];
    double x0 = work[0], x1 = work[1], x2 = work[2], x3 = work[3];
    double v00 = work[PRED], v01 = work[PRED + 1], v02 = work[PRED + 2], v03 = work[PRED + 3];
    double v11 = work[PRED + 4], v12 = work[PRED + 5], v13 = work[PRED + 6];
    double v22 = work[PRED + 7], v23 = work[PRED + 8], v33 = work[PRED + 9];
    double hp00 = h00 * v00 + h01 * v01 + h02 * v02 + h03 * v03;
    double hp01 = h00 * v01 + h01 * v11 + h02 * v12 + h03 * v13;
    double hp02 = h00 * v02 + h01 * v12 + h02 * v22 + h03 * v23;
    double hp03 = h00 * v03 + h01 * v13 + h02 * v23 + h03 * v33;
    double hp10 = h10 * v00 + h11 * v01 + h12 * v02 + h13 * v03;
    double hp11 = h10 * v01 + h11 * v11 + h12 * v12 + h13 * v13;
    double hp12 = h10 * v02 + h11 * v12 + h12 * v22 + h13 * v23;
    double hp13 = h10 * v03 + h11 * v13 + h12 * v23 + h13 * v33;
    double s00 = hp00 * h00 + hp01 * h01 + hp02 * h02 + hp03 * h03 + r[0][l];
    double s01 = hp00 * h10 + hp01 * h11 + hp02 * h12 + hp03 * h13 + r[1][l];
    double s11 = hp10 * h10 + hp11 * h11 + hp12 * h12 + hp13 * h13 + r[3][l];
    double l00 = Math.sqrt(s00);
    double i0 = 1.0 / l00;
    double l10 = s01 * i0;
    double l11 = Math.sqrt(s11 - l10 * l10);
    double i1 = 1.0 / l11;
    double w00 = hp00 * i0;
    double w01 = hp01 * i0;
    double w02 = hp02 * i0;
    double w03 = hp03 * i0;
    double w10 = (hp10 - l10 * w00) * i1;
    double w11 = (hp11 - l10 * w01) * i1;
    double w12 = (hp12 - l10 * w02) * i1;
    double w13 = (hp13 - l10 * w03) * i1;
    double z0 = (y0 - (h00 * x0 + h01 * x1 + h02 * x2 + h03 * x3 + e[0][l])) * i0;
    double z1 = (y1 - (h10 * x0 + h11 * x1 + h12 * x2 + h13 * x3 + e[1][l]) - l10 * z0) * i1;
    mean[mo] = x0 + (w00 * z0 + w10 * z1);
    mean[mo + 1] = x1 + (w01 * z0 + w11 * z1);
    mean[mo + 2] = x2 + (w02 * z0 + w12 * z1);
    mean[mo + 3] = x3 + (w03 * z0 + w13 * z1);
    double c00 = v00 - (w00 * w00 + w10 * w10);
    double c01 = v01 - (w00 * w01 + w10 * w11);
    double c02 = v02 - (w00 * w02 + w10 * w12);
    double c03 = v03 - (w00 * w03 + w10 * w13);
    double c11 = v11 - (w01 * w01 + w11 * w11);
    double c12 = v12 - (w01 * w02 + w11 * w12);
    double c13 = v13 - (w01 * w03 + w11 * w13);
    double c22 = v22 - (w02 * w02 + w12 * w12);
    double c23 = v23 - (w02 * w03 + w12 * w13);
    double c33 = v33 - (w03 * w03 + w13 * w13);
    cov[po] = c00; cov[po + 1] = c01; cov[po + 2] = c02; cov[po + 3] = c03;
    cov[po + 4] = c01; cov[po + 5] = c11; cov[po + 6] = c12; cov[po + 7] = c13;
    cov[po + 8] = c02; cov[po + 9] = c12; cov[po + 10] = c22; cov[po + 11] = c23;
    cov[po + 12] = c03; cov[po + 13] = c13; cov[po + 14] = c23; cov[po + 15] = c33;
    return logLikelihood(2, l00 * l11, l00, l11, z0 * z0 + z1 * z1);
  }

  /** Only component a observed: the scalar update with row a of H. */
  private double updateOne(int l, int a, double ya, double[] mean, double[] cov, int mo, int po) {
    int hr = 4 * a;
    double ha0 = h[hr][l], ha1 = h[hr + 1][l], ha2 = h[hr + 2][l], ha3 = h[hr + 3][l];
    double x0 = work[0], x1 = work[1], x2 = work[2], x3 = work[3];
    double v00 = work[PRED], v01 = work[PRED + 1], v02 = work[PRED + 2], v03 = work[PRED + 3];
    double v11 = work[PRED + 4], v12 = work[PRED + 5], v13 = work[PRED + 6];
    double v22 = work[PRED + 7], v23 = work[PRED + 8], v33 = work[PRED + 9];
    double hp0 = ha0 * v00 + ha1 * v01 + ha2 * v02 + ha3 * v03;
    double hp1 = ha0 * v01 + ha1 * v11 + ha2 * v12 + ha3 * v13;
    double hp2 = ha0 * v02 + ha1 * v12 + ha2 * v22 + ha3 * v23;
    double hp3 = ha0 * v03 + ha1 * v13 + ha2 * v23 + ha3 * v33;
    double s = hp0 * ha0 + hp1 * ha1 + hp2 * ha2 + hp3 * ha3 + r[3 * a][l];
    double la = Math.sqrt(s);
    double ia = 1.0 / la;
    double w0 = hp0 * ia;
    double w1 = hp1 * ia;
    double w2 = hp2 * ia;
    double w3 = hp3 * ia;
    double z = (ya - (ha0 * x0 + ha1 * x1 + ha2 * x2 + ha3 * x3 + e[a][l])) * ia;
    mean[mo] = x0 + w0 * z;
    mean[mo + 1] = x1 + w1 * z;
    mean[mo + 2] = x2 + w2 * z;
    mean[mo + 3] = x3 + w3 * z;
    double c00 = v00 - w0 * w0;
    double c01 = v01 - w0 * w1;
    double c02 = v02 - w0 * w2;
    double c03 = v03 - w0 * w3;
    double c11 = v11 - w1 * w1;
    double c12 = v12 - w1 * w2;
    double c13 = v13 - w1 * w3;
    double c22 = v22 - w2 * w2;
    double c23 = v23 - w2 * w3;
    double c33 = v33 - w3 * w3;
    cov[po] = c00; cov[po + 1] = c01; cov[po + 2] = c02; cov[po + 3] = c03;
    cov[po + 4] = c01; cov[po + 5] = c11; cov[po + 6] = c12; cov[po + 7] = c13;
    cov[po + 8] = c02; cov[po + 9] = c12; cov[po + 10] = c22; cov[po + 11] = c23;
    cov[po + 12] = c03; cov[po + 13] = c13; cov[po + 14] = c23; cov[po + 15] = c33;
    return logLikelihood(1, la, la, 1.0, z * z);
  }

  /**
   * −½ (k log 2π + log det S + zᵀ z) with log det S from the factor's diagonal product, or term by term when
   * the product under- or overflows; flags {@link #failed} when a pivot is not a positive finite number.
   */
  private double logLikelihood(int k, double product, double la, double lb, double quad) {
    double logDet;
    if (product > Double.MIN_NORMAL && product < Double.POSITIVE_INFINITY) {
      logDet = 2.0 * Math.log(product);
    } else {
      if (!(la > 0.0) || la == Double.POSITIVE_INFINITY || !(lb > 0.0) || lb == Double.POSITIVE_INFINITY) {
        failed = true;
        return 0.0;
      }
      logDet = 2.0 * (Math.log(la) + Math.log(lb));
    }
    return -0.5 * (k * LOG_2PI + logDet + quad);
  }

  /**
   * Gᵀ = (P⁻)⁻¹ F P into {@link #gainT} by the Cholesky factor of P⁻ in {@link #work}; returns 0, or
   * {@link #ILL} when the factor's condition estimate exceeds {@link SemiDefiniteSolver#ILL_CONDITIONED}, or
   * {@link #UNTRUSTED} when a pivot is not positive and finite or, squared, at most
   * {@link SemiDefiniteSolver#RANK_TOLERANCE} times the largest diagonal entry of P⁻ (LaneSmoother's tests).
   */
  private int gain() {
    double v00 = work[PRED], v01 = work[PRED + 1], v02 = work[PRED + 2], v03 = work[PRED + 3];
    double v11 = work[PRED + 4], v12 = work[PRED + 5], v13 = work[PRED + 6];
    double v22 = work[PRED + 7], v23 = work[PRED + 8], v33 = work[PRED + 9];
    double l00 = Math.sqrt(v00);
    double i0 = 1.0 / l00;
    double l10 = v01 * i0, l20 = v02 * i0, l30 = v03 * i0;
    double l11 = Math.sqrt(v11 - l10 * l10);
    double i1 = 1.0 / l11;
    double l21 = (v12 - l20 * l10) * i1, l31 = (v13 - l30 * l10) * i1;
    double l22 = Math.sqrt(v22 - (l20 * l20 + l21 * l21));
    double i2 = 1.0 / l22;
    double l32 = (v23 - (l30 * l20 + l31 * l21)) * i2;
    double l33 = Math.sqrt(v33 - (l30 * l30 + l31 * l31 + l32 * l32));
    double i3 = 1.0 / l33;
    double y00 = work[FP] * i0;
    double y10 = (work[FP + 4] - l10 * y00) * i1;
    double y20 = (work[FP + 8] - (l20 * y00 + l21 * y10)) * i2;
    double y30 = (work[FP + 12] - (l30 * y00 + l31 * y10 + l32 * y20)) * i3;
    double g30 = y30 * i3;
    double g20 = (y20 - l32 * g30) * i2;
    double g10 = (y10 - (l21 * g20 + l31 * g30)) * i1;
    double g00 = (y00 - (l10 * g10 + l20 * g20 + l30 * g30)) * i0;
    gainT[0] = g00; gainT[4] = g10; gainT[8] = g20; gainT[12] = g30;
    double y01 = work[FP + 1] * i0;
    double y11 = (work[FP + 5] - l10 * y01) * i1;
    double y21 = (work[FP + 9] - (l20 * y01 + l21 * y11)) * i2;
    double y31 = (work[FP + 13] - (l30 * y01 + l31 * y11 + l32 * y21)) * i3;
    double g31 = y31 * i3;
    double g21 = (y21 - l32 * g31) * i2;
    double g11 = (y11 - (l21 * g21 + l31 * g31)) * i1;
    double g01 = (y01 - (l10 * g11 + l20 * g21 + l30 * g31)) * i0;
    gainT[1] = g01; gainT[5] = g11; gainT[9] = g21; gainT[13] = g31;
    double y02 = work[FP + 2] * i0;
    double y12 = (work[FP + 6] - l10 * y02) * i1;
    double y22 = (work[FP + 10] - (l20 * y02 + l21 * y12)) * i2;
    double y32 = (work[FP + 14] - (l30 * y02 + l31 * y12 + l32 * y22)) * i3;
    double g32 = y32 * i3;
    double g22 = (y22 - l32 * g32) * i2;
    double g12 = (y12 - (l21 * g22 + l31 * g32)) * i1;
    double g02 = (y02 - (l10 * g12 + l20 * g22 + l30 * g32)) * i0;
    gainT[2] = g02; gainT[6] = g12; gainT[10] = g22; gainT[14] = g32;
    double y03 = work[FP + 3] * i0;
    double y13 = (work[FP + 7] - l10 * y03) * i1;
    double y23 = (work[FP + 11] - (l20 * y03 + l21 * y13)) * i2;
    double y33 = (work[FP + 15] - (l30 * y03 + l31 * y13 + l32 * y23)) * i3;
    double g33 = y33 * i3;
    double g23 = (y23 - l32 * g33) * i2;
    double g13 = (y13 - (l21 * g23 + l31 * g33)) * i1;
    double g03 = (y03 - (l10 * g13 + l20 * g23 + l30 * g33)) * i0;
    gainT[3] = g03; gainT[7] = g13; gainT[11] = g23; gainT[15] = g33;
    double floor = SemiDefiniteSolver.RANK_TOLERANCE * Math.max(Math.max(Math.max(v00, v11), v22), v33);
    if (!pivot(l00, floor) || !pivot(l11, floor) || !pivot(l22, floor) || !pivot(l33, floor)) return UNTRUSTED;
    double d0 = l00 * l00;
    double d1 = l11 * l11;
    double d2 = l22 * l22;
    double d3 = l33 * l33;
    double lo = Math.min(Math.min(Math.min(d0, d1), d2), d3);
    double hi = Math.max(Math.max(Math.max(d0, d1), d2), d3);
    return hi / lo > SemiDefiniteSolver.ILL_CONDITIONED ? ILL : 0;
  }

  private static boolean pivot(double lii, double floor) {
    return lii > 0.0 && lii != Double.POSITIVE_INFINITY && lii * lii > floor;
  }

  /** Gᵀ = pinv(P⁻) F P for a lane whose P⁻ is singular. */
  private void pseudoInverseGain(Tile tile, int t, int l) {
    int u = PRED;
    for (int i = 0; i < N; i++) {
      for (int j = i; j < N; j++) {
        laneA[i * N + j] = work[u];
        laneA[j * N + i] = work[u++];
      }
    }
    System.arraycopy(work, FP, laneB, 0, NN);
    if (!solver.solve(laneA, 0, laneB, 0)) {
      throw new InferenceException(tile.trajectories[l].id(), t, "smoother gain is not finite");
    }
    System.arraycopy(laneB, 0, gainT, 0, NN);
  }

  /**
   * m^s_t = m_t + G (m^s_{t+1} − m⁻), P^s_t = (P_t − G F P_t) + G P^s_{t+1} Gᵀ (or the robust form), and the
   * lag-one cross-covariance P^s_{t+1} Gᵀ when asked, for lane l.
   */
  private void finish(int l, int t, double[] fmean, double[] fcov, double[] smean, double[] scov, double[] crossRow,
      boolean robust) {
    int mo = t * N;
    int po = t * NN;
    int no = mo + N;
    int so = po + NN;
    double g00 = gainT[0], g01 = gainT[1], g02 = gainT[2], g03 = gainT[3];
    double g10 = gainT[4], g11 = gainT[5], g12 = gainT[6], g13 = gainT[7];
    double g20 = gainT[8], g21 = gainT[9], g22 = gainT[10], g23 = gainT[11];
    double g30 = gainT[12], g31 = gainT[13], g32 = gainT[14], g33 = gainT[15];
    double d0 = smean[no] - work[0];
    double d1 = smean[no + 1] - work[1];
    double d2 = smean[no + 2] - work[2];
    double d3 = smean[no + 3] - work[3];
    double n00 = scov[so];
    double n01 = scov[so + 1];
    double n02 = scov[so + 2];
    double n03 = scov[so + 3];
    double n11 = scov[so + 5];
    double n12 = scov[so + 6];
    double n13 = scov[so + 7];
    double n22 = scov[so + 10];
    double n23 = scov[so + 11];
    double n33 = scov[so + 15];
    double k00 = n00 * g00 + n01 * g10 + n02 * g20 + n03 * g30;
    double k01 = n00 * g01 + n01 * g11 + n02 * g21 + n03 * g31;
    double k02 = n00 * g02 + n01 * g12 + n02 * g22 + n03 * g32;
    double k03 = n00 * g03 + n01 * g13 + n02 * g23 + n03 * g33;
    double k10 = n01 * g00 + n11 * g10 + n12 * g20 + n13 * g30;
    double k11 = n01 * g01 + n11 * g11 + n12 * g21 + n13 * g31;
    double k12 = n01 * g02 + n11 * g12 + n12 * g22 + n13 * g32;
    double k13 = n01 * g03 + n11 * g13 + n12 * g23 + n13 * g33;
    double k20 = n02 * g00 + n12 * g10 + n22 * g20 + n23 * g30;
    double k21 = n02 * g01 + n12 * g11 + n22 * g21 + n23 * g31;
    double k22 = n02 * g02 + n12 * g12 + n22 * g22 + n23 * g32;
    double k23 = n02 * g03 + n12 * g13 + n22 * g23 + n23 * g33;
    double k30 = n03 * g00 + n13 * g10 + n23 * g20 + n33 * g30;
    double k31 = n03 * g01 + n13 * g11 + n23 * g21 + n33 * g31;
    double k32 = n03 * g02 + n13 * g12 + n23 * g22 + n33 * g32;
    double k33 = n03 * g03 + n13 * g13 + n23 * g23 + n33 * g33;
    double s00 = fcov[po] - (g00 * work[FP] + g10 * work[FP + 4] + g20 * work[FP + 8] + g30 * work[FP + 12]) + (g00 * k00 + g10 * k10 + g20 * k20 + g30 * k30);
    double s01 = fcov[po + 1] - (g00 * work[FP + 1] + g10 * work[FP + 5] + g20 * work[FP + 9] + g30 * work[FP + 13]) + (g00 * k01 + g10 * k11 + g20 * k21 + g30 * k31);
    double s02 = fcov[po + 2] - (g00 * work[FP + 2] + g10 * work[FP + 6] + g20 * work[FP + 10] + g30 * work[FP + 14]) + (g00 * k02 + g10 * k12 + g20 * k22 + g30 * k32);
    double s03 = fcov[po + 3] - (g00 * work[FP + 3] + g10 * work[FP + 7] + g20 * work[FP + 11] + g30 * work[FP + 15]) + (g00 * k03 + g10 * k13 + g20 * k23 + g30 * k33);
    double s11 = fcov[po + 5] - (g01 * work[FP + 1] + g11 * work[FP + 5] + g21 * work[FP + 9] + g31 * work[FP + 13]) + (g01 * k01 + g11 * k11 + g21 * k21 + g31 * k31);
    double s12 = fcov[po + 6] - (g01 * work[FP + 2] + g11 * work[FP + 6] + g21 * work[FP + 10] + g31 * work[FP + 14]) + (g01 * k02 + g11 * k12 + g21 * k22 + g31 * k32);
    double s13 = fcov[po + 7] - (g01 * work[FP + 3] + g11 * work[FP + 7] + g21 * work[FP + 11] + g31 * work[FP + 15]) + (g01 * k03 + g11 * k13 + g21 * k23 + g31 * k33);
    double s22 = fcov[po + 10] - (g02 * work[FP + 2] + g12 * work[FP + 6] + g22 * work[FP + 10] + g32 * work[FP + 14]) + (g02 * k02 + g12 * k12 + g22 * k22 + g32 * k32);
    double s23 = fcov[po + 11] - (g02 * work[FP + 3] + g12 * work[FP + 7] + g22 * work[FP + 11] + g32 * work[FP + 15]) + (g02 * k03 + g12 * k13 + g22 * k23 + g32 * k33);
    double s33 = fcov[po + 15] - (g03 * work[FP + 3] + g13 * work[FP + 7] + g23 * work[FP + 11] + g33 * work[FP + 15]) + (g03 * k03 + g13 * k13 + g23 * k23 + g33 * k33);
    smean[mo] = fmean[mo] + (g00 * d0 + g10 * d1 + g20 * d2 + g30 * d3);
    smean[mo + 1] = fmean[mo + 1] + (g01 * d0 + g11 * d1 + g21 * d2 + g31 * d3);
    smean[mo + 2] = fmean[mo + 2] + (g02 * d0 + g12 * d1 + g22 * d2 + g32 * d3);
    smean[mo + 3] = fmean[mo + 3] + (g03 * d0 + g13 * d1 + g23 * d2 + g33 * d3);
    if (crossRow != null) {
      crossRow[po] = k00; crossRow[po + 1] = k01; crossRow[po + 2] = k02; crossRow[po + 3] = k03;
      crossRow[po + 4] = k10; crossRow[po + 5] = k11; crossRow[po + 6] = k12; crossRow[po + 7] = k13;
      crossRow[po + 8] = k20; crossRow[po + 9] = k21; crossRow[po + 10] = k22; crossRow[po + 11] = k23;
      crossRow[po + 12] = k30; crossRow[po + 13] = k31; crossRow[po + 14] = k32; crossRow[po + 15] = k33;
    }
    if (robust) {
      robustCovariance(l, fcov, po, scov, so);
      s00 = laneOut[0];
      s01 = laneOut[1];
      s02 = laneOut[2];
      s03 = laneOut[3];
      s11 = laneOut[5];
      s12 = laneOut[6];
      s13 = laneOut[7];
      s22 = laneOut[10];
      s23 = laneOut[11];
      s33 = laneOut[15];
    }
    scov[po] = s00; scov[po + 1] = s01; scov[po + 2] = s02; scov[po + 3] = s03;
    scov[po + 4] = s01; scov[po + 5] = s11; scov[po + 6] = s12; scov[po + 7] = s13;
    scov[po + 8] = s02; scov[po + 9] = s12; scov[po + 10] = s22; scov[po + 11] = s23;
    scov[po + 12] = s03; scov[po + 13] = s13; scov[po + 14] = s23; scov[po + 15] = s33;
  }

  /** (I − G F) P_t (I − G F)ᵀ + G Q Gᵀ + G P^s_{t+1} Gᵀ into {@link #laneOut} (SmoothedCovariance). */
  private void robustCovariance(int l, double[] fcov, int po, double[] scov, int so) {
    for (int k = 0; k < NN; k++) {
      laneF[k] = f[k][l];
      laneQ[k] = q[k][l];
    }
    for (int i = 0; i < N; i++) {
      for (int j = i; j < N; j++) {
        laneP[i * N + j] = fcov[po + i * N + j];
        laneP[j * N + i] = fcov[po + i * N + j];
        laneNext[i * N + j] = scov[so + i * N + j];
        laneNext[j * N + i] = scov[so + i * N + j];
      }
    }
    smoothedCovariance.futureFreeRobust(gainT, laneF, laneP, 0, laneQ, laneOut, 0);
    smoothedCovariance.addPropagated(gainT, laneNext, 0, laneOut, 0);
  }
}
