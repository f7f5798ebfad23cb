package io.statespace.inference.batched;

import io.statespace.inference.InferenceException;
import io.statespace.inference.SmoothedCovariance;
import io.statespace.linalg.Cholesky;
import io.statespace.linalg.SemiDefiniteSolver;

/**
 * The batched engine's algorithm ({@link LaneFilter}, {@link LaneSmoother}) for a tile of one lane, in scalar
 * code: for a lone trajectory, lockstep loops of one iteration would cost more in loop overhead than in
 * arithmetic. Works on the posterior's own row-major arrays (no gather or scatter), drops the structural zeros
 * of F and H once per tile (the constant-velocity F has 8 of 16 entries nonzero, its H 2 of 8), and conditions
 * on the observed components only, compacted rather than masked. Same equations, same results up to rounding.
 * Hand-specialised loops: each loop runs over the nonzero entries of one row of F or H. One instance per
 * thread.
 * Hand-specialised copy of the innovation step (sparse H) kept for speed; BatchedEngineTest (width 1) checks it
 * against the general {@link io.statespace.inference.InnovationStep} in {@code SequentialEngine}.
 */
final class ScalarLane {
  private static final double LOG_2PI = Math.log(2.0 * Math.PI);

  private final int n;
  private final int m;
  private final double[] f;
  private final double[] c;
  private final double[] q;
  private final double[] h;
  private final double[] e;
  private final double[] r;
  private final int[] fStart;
  private final int[] fCol;
  private final double[] fValue;
  private final int[] hStart;
  private final int[] hCol;
  private final double[] hValue;
  private final double[] predMean;
  private final double[] predCov;
  private final double[] fp;
  private final int[] observed;
  private final double[] hp;
  private final double[] s;
  private final double[] innovation;
  private final SemiDefiniteSolver solver;
  private final SmoothedCovariance covariance;
  private final double[] gainT;
  private final double[] diff;
  private final double[] filtered;
  private boolean dynamicsVary;
  private boolean emissionsVary;

  ScalarLane(int stateDim, int obsDim) {
    n = stateDim;
    m = obsDim;
    f = new double[n * n];
    c = new double[n];
    q = new double[n * n];
    h = new double[m * n];
    e = new double[m];
    r = new double[m * m];
    fStart = new int[n + 1];
    fCol = new int[n * n];
    fValue = new double[n * n];
    hStart = new int[m + 1];
    hCol = new int[m * n];
    hValue = new double[m * n];
    predMean = new double[n];
    predCov = new double[n * n];
    fp = new double[n * n];
    observed = new int[m];
    hp = new double[m * n];
    s = new double[m * m];
    innovation = new double[m];
    solver = new SemiDefiniteSolver(n);
    covariance = new SmoothedCovariance(n);
    gainT = new double[n * n];
    diff = new double[n];
    filtered = new double[n * n];
  }

  /**
   * Forward pass of lane 0 of the tile.
   *
   * @param pm T×n predicted means, or null; pc likewise
   * @return the log-likelihood
   */
  double filter(Tile tile, LaneParameters params, double[] fm, double[] fc, double[] pm, double[] pc) {
    int nn = n * n;
    double[] y = tile.trajectories[0].observations();
    int steps = tile.lengths[0];
    prepare(params, steps);
    dense(params.initialMean, predMean);
    dense(params.initialCov, predCov);
    double logLik = 0.0;
    for (int t = 0; t < steps; t++) {
      if (t > 0) {
        if (dynamicsVary) {
          params.loadDynamics(t - 1, 1);
          loadDynamics(params);
        }
        predict(fm, (t - 1) * n, fc, (t - 1) * nn);
      }
      if (pm != null) {
        System.arraycopy(predMean, 0, pm, t * n, n);
        System.arraycopy(predCov, 0, pc, t * nn, nn);
      }
      if (emissionsVary) {
        params.loadEmissions(t, 1);
        loadEmissions(params);
      }
      logLik += update(tile, y, t, fm, t * n, fc, t * nn);
    }
    return logLik;
  }

  /** Backward pass of lane 0 (the smoothed arrays may be the filtered ones). */
  void smooth(Tile tile, LaneParameters params, double[] fm, double[] fc, double[] sm, double[] sc, double[] cross) {
    int nn = n * n;
    int steps = tile.lengths[0];
    prepare(params, steps);
    System.arraycopy(fm, (steps - 1) * n, sm, (steps - 1) * n, n);
    System.arraycopy(fc, (steps - 1) * nn, sc, (steps - 1) * nn, nn);
    for (int t = steps - 2; t >= 0; t--) {
      if (dynamicsVary) {
        params.loadDynamics(t, 1);
        loadDynamics(params);
      }
      smoothStep(tile, t, fm, fc, sm, sc, cross);
    }
  }

  /** One backward step t ← t+1 (its own method, so that the JIT compiles it whole rather than inside a loop). */
  private void smoothStep(Tile tile, int t, double[] fm, double[] fc, double[] sm, double[] sc, double[] cross) {
    int nn = n * n;
    int mo = t * n;
    int po = t * nn;
    System.arraycopy(fc, po, filtered, 0, nn);
    predict(fm, mo, filtered, 0);
    System.arraycopy(fp, 0, gainT, 0, nn);
    if (!solver.solve(predCov, 0, gainT, 0)) {
      throw new InferenceException(tile.trajectories[0].id(), t, "smoother gain is not finite (predicted covariance unusable)");
    }
    int next = (t + 1) * n;
    for (int i = 0; i < n; i++) diff[i] = sm[next + i] - predMean[i];
    for (int j = 0; j < n; j++) {
      double v = fm[mo + j];
      for (int i = 0; i < n; i++) v += gainT[i * n + j] * diff[i];
      sm[mo + j] = v;
    }
    int nextCov = (t + 1) * nn;
    if (solver.lastCondition() > SemiDefiniteSolver.ILL_CONDITIONED) {
      covariance.futureFreeRobust(gainT, f, filtered, 0, q, sc, po);
    } else {
      covariance.futureFree(gainT, fp, filtered, 0, sc, po);
    }
    covariance.addPropagated(gainT, sc, nextCov, sc, po);
    if (cross != null) {
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          double v = 0.0;
          for (int k = 0; k < n; k++) v += sc[nextCov + i * n + k] * gainT[k * n + j];
          cross[po + i * n + j] = v;
        }
      }
    }
  }

  /** predMean = F m + c, fp = F P, predCov = fp Fᵀ + Q, from (m, P) at the given offsets; F by its nonzeros. */
  private void predict(double[] means, int mo, double[] covs, int po) {
    for (int i = 0; i < n; i++) {
      double v = c[i];
      for (int z = fStart[i]; z < fStart[i + 1]; z++) v += fValue[z] * means[mo + fCol[z]];
      predMean[i] = v;
      int ri = i * n;
      for (int j = 0; j < n; j++) fp[ri + j] = 0.0;
      for (int z = fStart[i]; z < fStart[i + 1]; z++) {
        double a = fValue[z];
        int rk = po + fCol[z] * n;
        for (int j = 0; j < n; j++) fp[ri + j] += a * covs[rk + j];
      }
    }
    for (int i = 0; i < n; i++) {
      int ri = i * n;
      for (int j = i; j < n; j++) {
        double v = 0.0;
        for (int z = fStart[j]; z < fStart[j + 1]; z++) v += fp[ri + fCol[z]] * fValue[z];
        v += q[ri + j];
        predCov[ri + j] = v;
        predCov[j * n + i] = v;
      }
    }
  }

  /** Conditions (predMean, predCov) on the observed components of y_t, writing (m_t, P_t); returns ℓ_t. */
  private double update(Tile tile, double[] y, int t, double[] fm, int mo, double[] fc, int po) {
    int k = 0;
    for (int i = 0; i < m; i++) {
      if (!Double.isNaN(y[t * m + i])) observed[k++] = i;
    }
    int nn = n * n;
    if (k == 0) {
      System.arraycopy(predMean, 0, fm, mo, n);
      System.arraycopy(predCov, 0, fc, po, nn);
      return 0.0;
    }
    for (int a = 0; a < k; a++) {
      int row = observed[a];
      double pred = e[row];
      for (int z = hStart[row]; z < hStart[row + 1]; z++) pred += hValue[z] * predMean[hCol[z]];
      innovation[a] = y[t * m + row] - pred;
      int ra = a * n;
      for (int j = 0; j < n; j++) hp[ra + j] = 0.0;
      for (int z = hStart[row]; z < hStart[row + 1]; z++) {
        double v = hValue[z];
        int rp = hCol[z] * n;
        for (int j = 0; j < n; j++) hp[ra + j] += v * predCov[rp + j];
      }
    }
    for (int a = 0; a < k; a++) {
      for (int b = 0; b <= a; b++) {
        int rb = observed[b];
        double v = r[observed[a] * m + rb];
        for (int z = hStart[rb]; z < hStart[rb + 1]; z++) v += hp[a * n + hCol[z]] * hValue[z];
        s[a * k + b] = v;
        s[b * k + a] = v;
      }
    }
    if (!Cholesky.decompose(s, 0, k)) {
      throw new InferenceException(tile.trajectories[0].id(), t, "innovation covariance is not positive definite");
    }
    Cholesky.solveLower(s, 0, k, hp, 0, n);
    Cholesky.solveLower(s, 0, k, innovation, 0, 1);
    double quad = 0.0;
    for (int a = 0; a < k; a++) quad += innovation[a] * innovation[a];
    for (int j = 0; j < n; j++) {
      double v = predMean[j];
      for (int a = 0; a < k; a++) v += hp[a * n + j] * innovation[a];
      fm[mo + j] = v;
    }
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) {
        double v = predCov[i * n + j];
        for (int a = 0; a < k; a++) v -= hp[a * n + i] * hp[a * n + j];
        fc[po + i * n + j] = v;
        fc[po + j * n + i] = v;
      }
    }
    double diagonal = 1.0;
    for (int a = 0; a < k; a++) diagonal *= s[a * k + a];
    double logDet = diagonal > Double.MIN_NORMAL && diagonal < Double.POSITIVE_INFINITY
        ? 2.0 * Math.log(diagonal) : Cholesky.logDet(s, 0, k);
    return -0.5 * (k * LOG_2PI + logDet + quad);
  }

  /**
   * Loads the parameters that never change (all of them for a shared model) once, and notes which change per
   * step; a trajectory of one step never loads dynamics.
   */
  private void prepare(LaneParameters params, int steps) {
    dynamicsVary = varies(params.dynamicsWeights) || varies(params.dynamicsBias) || varies(params.dynamicsCov);
    emissionsVary = varies(params.emissionsWeights) || varies(params.emissionsBias) || varies(params.emissionsCov);
    if (!dynamicsVary && steps > 1) loadDynamics(params);
    if (!emissionsVary) loadEmissions(params);
  }

  private static boolean varies(LaneMatrix a) {
    for (double[] lane : a.lanes) {
      if (lane != null) return true;
    }
    return false;
  }

  private void loadDynamics(LaneParameters params) {
    dense(params.dynamicsWeights, f);
    dense(params.dynamicsBias, c);
    dense(params.dynamicsCov, q);
    sparse(f, n, n, fStart, fCol, fValue, params.dynamicsWeights);
  }

  private void loadEmissions(LaneParameters params) {
    dense(params.emissionsWeights, h);
    dense(params.emissionsBias, e);
    dense(params.emissionsCov, r);
    sparse(h, m, n, hStart, hCol, hValue, params.emissionsWeights);
  }

  /** Lane 0 of a model matrix as a dense row-major array. */
  private static void dense(LaneMatrix a, double[] out) {
    for (int k = 0; k < a.rows * a.cols; k++) out[k] = a.lanes[k] != null ? a.lanes[k][0] : a.shared[k];
  }

  /** Row-wise nonzero structure of a (structural zeros of the model matrix only: per-lane entries are kept). */
  private static void sparse(double[] dense, int rows, int cols, int[] start, int[] col, double[] value, LaneMatrix a) {
    int z = 0;
    for (int i = 0; i < rows; i++) {
      start[i] = z;
      for (int j = 0; j < cols; j++) {
        if (!a.isZero(i * cols + j)) {
          col[z] = j;
          value[z++] = dense[i * cols + j];
        }
      }
    }
    start[rows] = z;
  }
}
