package io.statespace.inference.batched;

import io.statespace.inference.InferenceException;
import io.statespace.inference.SmoothedCovariance;
import io.statespace.linalg.Cholesky;
import io.statespace.linalg.SemiDefiniteSolver;
import java.util.Arrays;

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
 * Two additions (docs/ARCHITECTURE.md §7.3): the steady state (a repeating step whose covariance has converged
 * advances the mean only) and a {@link GainRecord} of the gains, for a group of lanes that share this
 * covariance recursion.
 */
final class ScalarLane {
  private static final double LOG_2PI = Math.log(2.0 * Math.PI);
  /**
   * Convergence test of the steady state: the largest absolute change of a covariance between consecutive
   * steps, relative to its largest diagonal entry. Below this for {@link #STEADY_STEPS} steps in a row the
   * recursion is taken as converged; what it would still move is at most this change times ρ/(1 − ρ) for a
   * contraction rate ρ of the Riccati map, under 1e-10 of the scale for ρ ≤ 0.999.
   */
  static final double STEADY_TOLERANCE = 1e-13;
  /**
   * Two steps are the same step when their F, Q, H and R agree to this relative tolerance (and their observed
   * components exactly): times differenced from decimal timestamps give gaps of 0.1 that differ in the last
   * bits, which must not end a steady state; a real change of dt (1e-9 s on 0.1 s is 1e-8) does.
   */
  static final double SAME_STEP_TOLERANCE = 1e-12;
  /** Consecutive calm steps (same step parameters and missing pattern, change below the tolerance) needed. */
  static final int STEADY_STEPS = 3;

  private final int n;
  private final int m;
  private final boolean steadyEnabled;
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
  private final double[] future;
  private boolean dynamicsVary;
  private boolean emissionsVary;
  private boolean covarianceDynamicsVary;
  private boolean covarianceEmissionsVary;
  private double lastLogDet;
  // Step signature of the previous step (F, Q, H, R where they vary, and its observed components).
  private final double[] previousF;
  private final double[] previousQ;
  private final double[] previousH;
  private final double[] previousR;
  private final int[] previousObserved;
  private int previousCount;
  // Steady state of the filter: the frozen moments and gains, and which steps used them.
  private final double[] steadyCov;
  private final double[] steadyPredCov;
  private final double[] steadyW;
  private final double[] steadyL;
  private double steadyLogDet;
  private int[] region = new int[0];
  private Tile regionTile;
  // Steady state of the smoother: the cached gain of one region and L = P − G F P.
  private final double[] steadyGainT;
  private final double[] steadyFuture;
  private final Counts counts = new Counts();

  /** Steps of the last tile taken by each path, for tests and the benchmark notes. */
  static final class Counts {
    int filterSteady;
    int filterRegions;
    int smootherSteadyGain;
    int smootherFrozen;
  }

  ScalarLane(int stateDim, int obsDim, boolean steadyEnabled) {
    n = stateDim;
    m = obsDim;
    this.steadyEnabled = steadyEnabled;
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
    future = new double[n * n];
    previousF = new double[n * n];
    previousQ = new double[n * n];
    previousH = new double[m * n];
    previousR = new double[m * m];
    previousObserved = new int[m];
    steadyCov = new double[n * n];
    steadyPredCov = new double[n * n];
    steadyW = new double[m * n];
    steadyL = new double[m * m];
    steadyGainT = new double[n * n];
    steadyFuture = new double[n * n];
  }

  Counts counts() {
    return counts;
  }

  /**
   * Forward pass of lane 0 of the tile. With the steady state enabled, once the filtered covariance has
   * converged (see {@link #STEADY_TOLERANCE}) under a step that repeats (same F, Q, H, R and observed
   * components), the following steps with that signature reuse its covariances and gains and advance the mean
   * only; any other step (a missing component, another dt) takes the general step and the test starts over.
   *
   * @param pm T×n predicted means, or null; pc likewise
   * @param record receives the per-step gains, or null
   * @return the log-likelihood
   */
  double filter(Tile tile, LaneParameters params, double[] fm, double[] fc, double[] pm, double[] pc,
      GainRecord record) {
    int nn = n * n;
    double[] y = tile.trajectories[0].observations();
    int steps = tile.lengths[0];
    prepare(params, steps);
    if (region.length < steps) region = new int[Math.max(steps, region.length + region.length / 2)];
    regionTile = tile;
    counts.filterSteady = 0;
    counts.filterRegions = 0;
    if (record != null) record.ensure(steps);
    dense(params.initialMean, predMean);
    dense(params.initialCov, predCov);
    double logLik = 0.0;
    boolean steady = false;
    int calm = 0;
    for (int t = 0; t < steps; t++) {
      if (t > 0 && dynamicsVary) {
        params.loadDynamics(t - 1, 1);
        loadDynamics(params);
      }
      if (emissionsVary) {
        params.loadEmissions(t, 1);
        loadEmissions(params);
      }
      int k = observe(y, t);
      boolean same = t >= 2 && sameAsPrevious(k);
      region[t] = 0;
      if (!(steady && same)) remember(k);
      if (steady && same) {
        logLik += steadyStep(y, t, k, fm, fc, pm, pc);
        region[t] = counts.filterRegions;
        counts.filterSteady++;
        if (record != null) record.filterStep(t, k, observed, steadyW, steadyL, steadyLogDet);
        continue;
      }
      steady = false;
      if (t > 0) predict(fm, (t - 1) * n, fc, (t - 1) * nn);
      if (pm != null) {
        System.arraycopy(predMean, 0, pm, t * n, n);
        System.arraycopy(predCov, 0, pc, t * nn, nn);
      }
      logLik += update(tile, y, t, k, fm, t * n, fc, t * nn);
      if (record != null) record.filterStep(t, k, observed, hp, s, lastLogDet);
      calm = same && change(fc, t * nn, (t - 1) * nn) <= STEADY_TOLERANCE * largestDiagonal(fc, t * nn) ? calm + 1 : 0;
      if (steadyEnabled && calm >= STEADY_STEPS) {
        steady = true;
        calm = 0;
        counts.filterRegions++;
        region[t] = counts.filterRegions;
        System.arraycopy(fc, t * nn, steadyCov, 0, nn);
        System.arraycopy(predCov, 0, steadyPredCov, 0, nn);
        System.arraycopy(hp, 0, steadyW, 0, k * n);
        System.arraycopy(s, 0, steadyL, 0, k * k);
        steadyLogDet = lastLogDet;
      }
    }
    return logLik;
  }

  /** One steady filter step: the mean through the frozen gain, the covariances copied; returns ℓ_t. */
  private double steadyStep(double[] y, int t, int k, double[] fm, double[] fc, double[] pm, double[] pc) {
    int nn = n * n;
    predictMean(fm, (t - 1) * n);
    if (pm != null) {
      System.arraycopy(predMean, 0, pm, t * n, n);
      System.arraycopy(steadyPredCov, 0, pc, t * nn, nn);
    }
    System.arraycopy(steadyCov, 0, fc, t * nn, nn);
    int mo = t * n;
    if (k == 0) {
      System.arraycopy(predMean, 0, fm, mo, n);
      return 0.0;
    }
    for (int a = 0; a < k; a++) innovation[a] = residual(y, t, observed[a]);
    Cholesky.solveLower(steadyL, 0, k, innovation, 0, 1);
    double quad = 0.0;
    for (int a = 0; a < k; a++) quad += innovation[a] * innovation[a];
    for (int j = 0; j < n; j++) {
      double v = predMean[j];
      for (int a = 0; a < k; a++) v += steadyW[a * n + j] * innovation[a];
      fm[mo + j] = v;
    }
    return -0.5 * (k * LOG_2PI + steadyLogDet + quad);
  }

  /** y_t[row] − (H m⁻ + e)[row] by the nonzeros of H's row. */
  private double residual(double[] y, int t, int row) {
    double pred = e[row];
    for (int z = hStart[row]; z < hStart[row + 1]; z++) pred += hValue[z] * predMean[hCol[z]];
    return y[t * m + row] - pred;
  }

  /** Fills {@link #observed} with the observed components of y_t; returns their number. */
  private int observe(double[] y, int t) {
    int k = 0;
    for (int i = 0; i < m; i++) {
      if (!Double.isNaN(y[t * m + i])) observed[k++] = i;
    }
    return k;
  }

  /**
   * True when this step's observed components equal the remembered step's and its F, Q, H, R (where they vary)
   * equal them within {@link #SAME_STEP_TOLERANCE}. The remembered step is the previous one while the filter
   * looks for convergence, and the step it converged on while it is steady, so that a slow drift of dt ends the
   * steady state instead of being followed by it.
   */
  private boolean sameAsPrevious(int k) {
    if (k != previousCount) return false;
    for (int a = 0; a < k; a++) {
      if (observed[a] != previousObserved[a]) return false;
    }
    if (covarianceDynamicsVary && !(close(f, previousF) && close(q, previousQ))) return false;
    return !covarianceEmissionsVary || close(h, previousH) && close(r, previousR);
  }

  /** max |a_i − b_i| ≤ {@link #SAME_STEP_TOLERANCE} · max |b_i|. */
  private static boolean close(double[] a, double[] b) {
    double scale = 0.0;
    double change = 0.0;
    for (int i = 0; i < a.length; i++) {
      scale = Math.max(scale, Math.abs(b[i]));
      change = Math.max(change, Math.abs(a[i] - b[i]));
    }
    return change <= SAME_STEP_TOLERANCE * scale;
  }

  private void remember(int k) {
    previousCount = k;
    System.arraycopy(observed, 0, previousObserved, 0, k);
    if (covarianceDynamicsVary) {
      System.arraycopy(f, 0, previousF, 0, f.length);
      System.arraycopy(q, 0, previousQ, 0, q.length);
    }
    if (covarianceEmissionsVary) {
      System.arraycopy(h, 0, previousH, 0, h.length);
      System.arraycopy(r, 0, previousR, 0, r.length);
    }
  }

  /** max |a_i − b_i| over the n×n matrices at offsets ao and bo of one array. */
  private double change(double[] a, int ao, int bo) {
    double max = 0.0;
    for (int i = 0; i < n * n; i++) max = Math.max(max, Math.abs(a[ao + i] - a[bo + i]));
    return max;
  }

  private double largestDiagonal(double[] a, int o) {
    double max = 0.0;
    for (int i = 0; i < n; i++) max = Math.max(max, Math.abs(a[o + i * n + i]));
    return max;
  }

  /**
   * Backward pass of lane 0 (the smoothed arrays may be the filtered ones). Inside a steady region of the
   * filter (steps t and t+1 both used its frozen covariance, so P_t, F_t and Q_t repeat) the RTS gain Gᵀ and
   * L = P − G F P are those of the region's first backward step; the smoothed covariance is then propagated
   * with them until it too has converged by the same test, and copied from there to the region's start.
   *
   * @param record receives Gᵀ_t, or null
   */
  void smooth(Tile tile, LaneParameters params, double[] fm, double[] fc, double[] sm, double[] sc, double[] cross,
      GainRecord record) {
    int nn = n * n;
    int steps = tile.lengths[0];
    prepare(params, steps);
    boolean regions = steadyEnabled && regionTile == tile;
    counts.smootherSteadyGain = 0;
    counts.smootherFrozen = 0;
    System.arraycopy(fm, (steps - 1) * n, sm, (steps - 1) * n, n);
    System.arraycopy(fc, (steps - 1) * nn, sc, (steps - 1) * nn, nn);
    int cached = 0;
    int calm = 0;
    boolean frozen = false;
    for (int t = steps - 2; t >= 0; t--) {
      if (dynamicsVary) {
        params.loadDynamics(t, 1);
        loadDynamics(params);
      }
      int here = regions ? region[t] : 0;
      boolean steadyGain = here != 0 && region[t + 1] == here;
      if (steadyGain && cached == here) {
        counts.smootherSteadyGain++;
        if (frozen) counts.smootherFrozen++;
        steadySmoothStep(t, fm, sm, sc, cross, frozen);
        if (!frozen) {
          calm = change(sc, t * nn, (t + 1) * nn) <= STEADY_TOLERANCE * largestDiagonal(sc, t * nn) ? calm + 1 : 0;
          frozen = calm >= STEADY_STEPS;
        }
        if (record != null) record.smootherStep(t, steadyGainT);
        continue;
      }
      smoothStep(tile, t, fm, fc, sm, sc, cross);
      if (record != null) record.smootherStep(t, gainT);
      frozen = false;
      calm = 0;
      cached = 0;
      if (steadyGain) {
        cached = here;
        System.arraycopy(gainT, 0, steadyGainT, 0, nn);
        System.arraycopy(future, 0, steadyFuture, 0, nn);
      }
    }
  }

  /** A backward step with the region's gain: the mean, and the covariance propagated (or copied once frozen). */
  private void steadySmoothStep(int t, double[] fm, double[] sm, double[] sc, double[] cross, boolean frozen) {
    int nn = n * n;
    int mo = t * n;
    predictMean(fm, mo);
    smoothMean(steadyGainT, fm, sm, t);
    int po = t * nn;
    int nextCov = (t + 1) * nn;
    if (frozen) {
      System.arraycopy(sc, nextCov, sc, po, nn);
      if (cross != null) System.arraycopy(cross, nextCov, cross, po, nn);
      return;
    }
    System.arraycopy(steadyFuture, 0, sc, po, nn);
    covariance.addPropagated(steadyGainT, sc, nextCov, sc, po);
    if (cross != null) crossCovariance(steadyGainT, sc, nextCov, cross, po);
  }

  /** sm_t = m_t + G (sm_{t+1} − m⁻_{t+1}) with m⁻ in {@link #predMean}. */
  private void smoothMean(double[] g, double[] fm, double[] sm, int t) {
    int mo = t * n;
    int next = (t + 1) * n;
    for (int i = 0; i < n; i++) diff[i] = sm[next + i] - predMean[i];
    for (int j = 0; j < n; j++) {
      double v = fm[mo + j];
      for (int i = 0; i < n; i++) v += g[i * n + j] * diff[i];
      sm[mo + j] = v;
    }
  }

  private void crossCovariance(double[] g, double[] sc, int nextCov, double[] cross, int po) {
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double v = 0.0;
        for (int k = 0; k < n; k++) v += sc[nextCov + i * n + k] * g[k * n + j];
        cross[po + i * n + j] = v;
      }
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
    smoothMean(gainT, fm, sm, t);
    int nextCov = (t + 1) * nn;
    if (solver.lastCondition() > SemiDefiniteSolver.ILL_CONDITIONED) {
      covariance.futureFreeRobust(gainT, f, filtered, 0, q, future, 0);
    } else {
      covariance.futureFree(gainT, fp, filtered, 0, future, 0);
    }
    System.arraycopy(future, 0, sc, po, nn);
    covariance.addPropagated(gainT, sc, nextCov, sc, po);
    if (cross != null) crossCovariance(gainT, sc, nextCov, cross, po);
  }

  /** predMean = F m + c from the mean at offset mo; F by its nonzeros. */
  private void predictMean(double[] means, int mo) {
    for (int i = 0; i < n; i++) {
      double v = c[i];
      for (int z = fStart[i]; z < fStart[i + 1]; z++) v += fValue[z] * means[mo + fCol[z]];
      predMean[i] = v;
    }
  }

  /** predMean = F m + c, fp = F P, predCov = fp Fᵀ + Q, from (m, P) at the given offsets; F by its nonzeros. */
  private void predict(double[] means, int mo, double[] covs, int po) {
    predictMean(means, mo);
    for (int i = 0; i < n; i++) {
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

  /**
   * Conditions (predMean, predCov) on the k observed components of y_t ({@link #observed}), writing (m_t, P_t);
   * leaves W = L⁻¹ H P⁻ in {@link #hp}, L in {@link #s} and log det S in {@link #lastLogDet}; returns ℓ_t.
   */
  private double update(Tile tile, double[] y, int t, int k, double[] fm, int mo, double[] fc, int po) {
    int nn = n * n;
    lastLogDet = 0.0;
    if (k == 0) {
      System.arraycopy(predMean, 0, fm, mo, n);
      System.arraycopy(predCov, 0, fc, po, nn);
      return 0.0;
    }
    for (int a = 0; a < k; a++) {
      int row = observed[a];
      innovation[a] = residual(y, t, row);
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
    lastLogDet = diagonal > Double.MIN_NORMAL && diagonal < Double.POSITIVE_INFINITY
        ? 2.0 * Math.log(diagonal) : Cholesky.logDet(s, 0, k);
    return -0.5 * (k * LOG_2PI + lastLogDet + quad);
  }

  /**
   * Loads the parameters that never change (all of them for a shared model) once, and notes which change per
   * step; a trajectory of one step never loads dynamics.
   */
  private void prepare(LaneParameters params, int steps) {
    dynamicsVary = varies(params.dynamicsWeights) || varies(params.dynamicsBias) || varies(params.dynamicsCov);
    emissionsVary = varies(params.emissionsWeights) || varies(params.emissionsBias) || varies(params.emissionsCov);
    covarianceDynamicsVary = varies(params.dynamicsWeights) || varies(params.dynamicsCov);
    covarianceEmissionsVary = varies(params.emissionsWeights) || varies(params.emissionsCov);
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
