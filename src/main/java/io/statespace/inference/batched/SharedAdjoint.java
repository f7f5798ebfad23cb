package io.statespace.inference.batched;

import io.statespace.data.Trajectory;
import io.statespace.linalg.Cholesky;
import io.statespace.linalg.Products;
import io.statespace.linalg.Symmetric;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepParameters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The loss and exact adjoint gradient of a group of trajectories whose covariance recursion is the same
 * (equal length, equal effective update mask, equal time gaps where F and Q read them:
 * {@link #groups}), with the covariance half run once for the whole group (docs/ARCHITECTURE.md §7.4).
 *
 * <p>The equations are those of {@link BatchedAdjoint}. Forward: P⁻, U = H_O P⁻, the factor of S, S⁻¹,
 * log|S| and P once (scalar code, the arithmetic of the sequential adjoint); per lane only m⁻, ŷ, r,
 * α = S⁻¹ r and m = m⁻ + Uᵀ α, in lockstep lanes with the group's gains as shared coefficients. Reverse:
 * the mean adjoints m̄ do not depend on P̄ (ᾱ = U m̄, r̄ = S⁻¹ ᾱ + w_ℓ α, ŷ̄ = 2 w_s (ŷ − y) − r̄,
 * m̄⁻ = m̄ + Hᵀ ŷ̄, m̄ ← Fᵀ m̄⁻), so they run per lane first, and P̄, which the lanes enter only linearly,
 * is the sum over the group: one covariance reverse pass with the lane terms summed,
 * Ū = Σ α m̄ᵀ − 2 S⁻¹ U P̄, W̄ = sym(−U P̄ Uᵀ + Σ ᾱ rᵀ), S̄ = −S⁻¹ W̄ S⁻¹ − w_ℓ ρ (−½ N S⁻¹ + ½ Σ α αᵀ).
 * The sink receives the group's summed per-step gradients, which is exact for every chain rule that is
 * linear in them and reads only the time gaps (no inputs: {@link #groups} refuses models with inputs).
 *
 * <p>Lanes run in tiles of up to the width; a tile's tape (m⁻, m, α, r, ŷ − y per lane and step) is bounded
 * by {@code tapeDoubles}, so a long group runs in narrower tiles. One instance per thread.
 */
public final class SharedAdjoint {
  private static final double LOG_2PI = Math.log(2.0 * Math.PI);

  /** Receives the group's per-step matrix gradients, summed over its lanes (row-major). */
  public interface Sink {
    void initial(double[] dMean, double[] dCov);

    void dynamics(int t, double[] dWeights, double[] dBias, double[] dCov);

    void emissions(int t, double[] dWeights, double[] dBias, double[] dCov);
  }

  /** Index lists into a block: groups of at least the minimum size, and the rest (ascending). */
  public record Grouping(List<int[]> groups, int[] rest) {}

  private final int n;
  private final int m;
  private final int width;
  private final long tapeDoubles;

  // The group's covariance recursion, per step.
  private int capacity;
  private double[] predCov = new double[0];
  private double[] cov = new double[0];
  private double[] us = new double[0];
  private double[] chols = new double[0];
  private double[] sInvs = new double[0];
  private double[] logDets = new double[0];
  private int[] used = new int[0];
  private int[] rows = new int[0];
  private boolean[] rho = new boolean[0];
  private double[] fs = new double[0];
  private double[] cs = new double[0];
  private double[] hs = new double[0];
  private double[] es = new double[0];
  private final double[] mu0;
  private final double[] sigma0;
  private final double[] f;
  private final double[] c;
  private final double[] q;
  private final double[] h;
  private final double[] e;
  private final double[] r;
  private final double[] ho;
  private final double[] s;
  private final double[] kt;
  private final double[] nn;
  private final double[] nn2;

  // The group's sums of lane terms, per step.
  private double[] sumA = new double[0];
  private double[] sumB = new double[0];
  private double[] sumC = new double[0];
  private double[] sumDH = new double[0];
  private double[] sumDe = new double[0];
  private double[] sumDF = new double[0];
  private double[] sumDc = new double[0];
  private final double[] sumMu0;

  // Reverse pass scratch (scalar).
  private final double[] pBar;
  private final double[] pBarPred;
  private final double[] ubar;
  private final double[] wbar;
  private final double[] sbar;
  private final double[] kk;
  private final double[] kn;
  private final double[] sho;
  private final double[] dH;
  private final double[] dR;
  private final double[] dF;

  // Lane scratch.
  private double[][] laneTape = new double[0][];
  private final double[][] y;
  private final double[][] observedMask;
  private final double[][] mBar;
  private final double[][] mBarPred;
  private final double[][] alphaBar;
  private final double[][] yhatBar;
  private final double[][] yhat;
  private final double[][] z;
  private final double[] coef;
  private final double[][] terms;
  private final double[][] laneObservations;
  private double[] laneLogLik = new double[0];
  private double[] laneSse = new double[0];
  private long[] laneScored = new long[0];
  private double likWeight;
  private double scoreWeight;

  /**
   * @param width lanes per tile
   * @param tapeDoubles the most doubles one tile's lane tape may hold
   */
  public SharedAdjoint(int stateDim, int obsDim, int width, long tapeDoubles) {
    this.n = stateDim;
    this.m = obsDim;
    this.width = width;
    this.tapeDoubles = tapeDoubles;
    mu0 = new double[n];
    sigma0 = new double[n * n];
    f = new double[n * n];
    c = new double[n];
    q = new double[n * n];
    h = new double[m * n];
    e = new double[m];
    r = new double[m * m];
    ho = new double[m * n];
    s = new double[m * m];
    kt = new double[m * n];
    nn = new double[n * n];
    nn2 = new double[n * n];
    sumMu0 = new double[n];
    pBar = new double[n * n];
    pBarPred = new double[n * n];
    ubar = new double[m * n];
    wbar = new double[m * m];
    sbar = new double[m * m];
    kk = new double[m * m];
    kn = new double[m * n];
    sho = new double[m * n];
    dH = new double[m * n];
    dR = new double[m * m];
    dF = new double[n * n];
    y = LaneAlgebra.general(m, 1, width);
    observedMask = LaneAlgebra.general(m, 1, width);
    mBar = LaneAlgebra.general(n, 1, width);
    mBarPred = LaneAlgebra.general(n, 1, width);
    alphaBar = LaneAlgebra.general(m, 1, width);
    yhatBar = LaneAlgebra.general(m, 1, width);
    yhat = LaneAlgebra.general(m, 1, width);
    z = LaneAlgebra.general(m, 1, width);
    coef = new double[Math.max(n, m)];
    terms = new double[Math.max(n, m)][];
    laneObservations = new double[width][];
  }

  /** Lane tape doubles per lane and step: m⁻, m, α, r and ŷ − y. */
  public static int laneTapeDoublesPerStep(int stateDim, int obsDim) {
    return 2 * stateDim + 3 * obsDim;
  }

  /**
   * The groups of a block whose covariance recursions agree, under per-trajectory step modes: a component
   * counts as used when it is observed and its step is not {@link BatchedAdjoint#SKIP}ped, and a
   * {@link BatchedAdjoint#FEEDBACK} step with a used component differs from an update. Returns null when the
   * model admits no sharing here: parameters that vary otherwise than through the time gaps, or inputs (whose
   * per-trajectory values enter the chain rule of the biases).
   *
   * @param modes per trajectory of the block its step modes, or null for updates everywhere
   */
  public static Grouping groups(StateSpaceModel model, List<Trajectory> block, byte[][] modes, int minSize) {
    if (block.size() < minSize || model.inputDim() > 0) return null;
    LaneParameters.Binding binding = LaneParameters.binding(model, model.bind(block.get(0)));
    if (binding != LaneParameters.Binding.SHARED && binding != LaneParameters.Binding.GAPS) return null;
    boolean gaps = binding == LaneParameters.Binding.GAPS;
    List<CovarianceGroups.Pattern> patterns = new ArrayList<>(block.size());
    for (int i = 0; i < block.size(); i++) patterns.add(effectivePattern(block.get(i), modes == null ? null : modes[i]));
    CovarianceGroups found = CovarianceGroups.ofPatterns(patterns, gaps, p -> CovarianceGroups.hash(p, gaps), minSize);
    return new Grouping(found.groups(), found.rest());
  }

  /** Bits (1 = not used by the update) per component, step-major, then one bit per step for feedback. */
  static CovarianceGroups.Pattern effectivePattern(Trajectory tr, byte[] modes) {
    double[] obs = tr.observations();
    int steps = tr.length();
    int k = tr.obsDim();
    int bitCount = steps * k + steps;
    long[] bits = new long[(bitCount + 63) >>> 6];
    for (int t = 0; t < steps; t++) {
      byte mode = modes == null ? BatchedAdjoint.UPDATE : modes[t];
      boolean any = false;
      for (int i = 0; i < k; i++) {
        int b = t * k + i;
        double v = obs[b];
        boolean use = v == v && mode != BatchedAdjoint.SKIP;
        any |= use;
        if (!use) bits[b >>> 6] |= 1L << (b & 63);
      }
      if (any && mode == BatchedAdjoint.FEEDBACK) {
        int b = steps * k + t;
        bits[b >>> 6] |= 1L << (b & 63);
      }
    }
    return new CovarianceGroups.Pattern(tr, bits);
  }

  /**
   * Evaluates one group: the loss of every lane ({@link #loss}) and the group's gradient into the sink.
   *
   * @param lanes the group, {@code count} trajectories of one length with one covariance recursion
   * @param modes the first lane's step modes (the group's, by its key), or null for updates everywhere
   * @return false when the innovation covariance was not positive definite at some step (then nothing
   *     reached the sink and the losses mean nothing)
   */
  public boolean evaluate(StateSpaceModel model, Trajectory[] lanes, int count, byte[] modes, double likelihoodWeight,
      double squaredErrorWeight, Sink sink) {
    likWeight = likelihoodWeight;
    scoreWeight = squaredErrorWeight;
    int steps = lanes[0].length();
    ensure(steps, count);
    if (!covarianceForward(model.bind(lanes[0]), lanes[0], steps, modes)) return false;
    clearSums(steps);
    int perStep = laneTapeDoublesPerStep(n, m);
    int fit = (int) Math.max(1, Math.min(width, tapeDoubles / ((long) steps * perStep)));
    int tiles = (count + fit - 1) / fit;
    int size = (count + tiles - 1) / tiles;
    ensureLaneTape(steps, size);
    for (int start = 0; start < count; start += size) {
      int active = Math.min(size, count - start);
      for (int l = 0; l < active; l++) laneObservations[l] = lanes[start + l].observations();
      meansForward(steps, start, active);
      meansBackward(steps, active);
      for (int l = 0; l < active; l++) {
        Trajectory tr = lanes[start + l];
        laneScored[start + l] = (long) steps * m - tr.missingValues();
      }
    }
    covarianceBackward(steps, count, sink);
    return true;
  }

  /** A lane's loss L after {@link #evaluate}. */
  public double loss(int lane) {
    return -likWeight * laneLogLik[lane] + scoreWeight * laneSse[lane];
  }

  /** A lane's log p(y) over its update steps after {@link #evaluate}. */
  public double logLikelihood(int lane) {
    return laneLogLik[lane];
  }

  /** Observation components the lane scored. */
  public long scored(int lane) {
    return laneScored[lane];
  }

  private void ensure(int steps, int count) {
    if (laneLogLik.length < count) {
      laneLogLik = new double[count];
      laneSse = new double[count];
      laneScored = new long[count];
    }
    if (steps <= capacity) return;
    int cap = Math.max(steps, capacity + capacity / 2);
    predCov = new double[cap * n * n];
    cov = new double[cap * n * n];
    us = new double[cap * m * n];
    chols = new double[cap * m * m];
    sInvs = new double[cap * m * m];
    logDets = new double[cap];
    used = new int[cap];
    rows = new int[cap * m];
    rho = new boolean[cap];
    fs = new double[cap * n * n];
    cs = new double[cap * n];
    hs = new double[cap * m * n];
    es = new double[cap * m];
    sumA = new double[cap * m * n];
    sumB = new double[cap * m * m];
    sumC = new double[cap * m * m];
    sumDH = new double[cap * m * n];
    sumDe = new double[cap * m];
    sumDF = new double[cap * n * n];
    sumDc = new double[cap * n];
    capacity = cap;
  }

  /** Room for steps × lanes; reallocated to exactly that when short, so the tape never exceeds the bound. */
  private void ensureLaneTape(int steps, int lanes) {
    int entries = steps * laneTapeDoublesPerStep(n, m);
    if (laneTape.length < entries || (laneTape.length > 0 && laneTape[0].length < lanes)) {
      laneTape = new double[entries][lanes];
    }
  }

  private void clearSums(int steps) {
    Arrays.fill(sumA, 0, steps * m * n, 0.0);
    Arrays.fill(sumB, 0, steps * m * m, 0.0);
    Arrays.fill(sumC, 0, steps * m * m, 0.0);
    Arrays.fill(sumDH, 0, steps * m * n, 0.0);
    Arrays.fill(sumDe, 0, steps * m, 0.0);
    Arrays.fill(sumDF, 0, steps * n * n, 0.0);
    Arrays.fill(sumDc, 0, steps * n, 0.0);
    Arrays.fill(sumMu0, 0.0);
  }

  /** The group's P⁻, U, S's factor and inverse, log|S| and P, once; the sequential adjoint's arithmetic. */
  private boolean covarianceForward(StepParameters params, Trajectory first, int steps, byte[] modes) {
    double[] obs = first.observations();
    int n2 = n * n;
    params.initial(mu0, sigma0);
    for (int t = 0; t < steps; t++) {
      int po = t * n2;
      if (t == 0) {
        System.arraycopy(sigma0, 0, predCov, 0, n2);
      } else {
        params.dynamics(t - 1, f, c, q);
        System.arraycopy(f, 0, fs, (t - 1) * n2, n2);
        System.arraycopy(c, 0, cs, (t - 1) * n, n);
        Products.sandwich(f, 0, cov, po - n2, nn, predCov, po, n, n);
        for (int i = 0; i < n2; i++) predCov[po + i] += q[i];
        Symmetric.symmetrize(predCov, po, n);
      }
      params.emissions(t, h, e, r);
      System.arraycopy(h, 0, hs, t * m * n, m * n);
      System.arraycopy(e, 0, es, t * m, m);
      byte mode = modes == null ? BatchedAdjoint.UPDATE : modes[t];
      int k = 0;
      if (mode != BatchedAdjoint.SKIP) {
        for (int i = 0; i < m; i++) {
          double v = obs[t * m + i];
          if (v == v) rows[t * m + k++] = i;
        }
      }
      used[t] = k;
      rho[t] = mode == BatchedAdjoint.UPDATE;
      System.arraycopy(predCov, po, cov, po, n2);
      if (k == 0) continue;
      for (int a = 0; a < k; a++) System.arraycopy(h, rows[t * m + a] * n, ho, a * n, n);
      int uo = t * m * n;
      Products.mult(ho, 0, predCov, po, us, uo, k, n, n);
      Products.multTransB(us, uo, ho, 0, s, 0, k, n, k);
      for (int a = 0; a < k; a++) {
        for (int b = 0; b < k; b++) s[a * k + b] += r[rows[t * m + a] * m + rows[t * m + b]];
      }
      Symmetric.symmetrize(s, 0, k);
      if (!Cholesky.decompose(s, 0, k)) return false;
      int so = t * m * m;
      System.arraycopy(s, 0, chols, so, k * k);
      logDets[t] = Cholesky.logDet(s, 0, k);
      Symmetric.identity(sInvs, so, k);
      Cholesky.solve(s, 0, k, sInvs, so, k);
      Symmetric.symmetrize(sInvs, so, k);
      System.arraycopy(us, uo, kt, 0, k * n);
      Cholesky.solve(s, 0, k, kt, 0, n);
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          double v = 0.0;
          for (int a = 0; a < k; a++) v += us[uo + a * n + i] * kt[a * n + j];
          cov[po + i * n + j] -= v;
        }
      }
      Symmetric.symmetrize(cov, po, n);
    }
    return true;
  }

  /** Lane tape rows of step t: m⁻ at 0, m at n, α at 2n, r at 2n + m, ŷ − y at 2n + 2m. */
  private int tapeBase(int t) {
    return t * laneTapeDoublesPerStep(n, m);
  }

  /** out = Σ_p coefficients[p] · x[p] over lanes, skipping exact zeros; base null for zero. */
  private void combine(double[] out, double[] base, double[] coefficients, int co, int stride, double[][] x, int xo,
      int count, int active) {
    int used = 0;
    for (int p = 0; p < count; p++) {
      double v = coefficients[co + p * stride];
      if (v != 0.0) {
        coef[used] = v;
        terms[used++] = x[xo + p];
      }
    }
    LaneLoops.scaledSum(out, base, coef, terms, used, active);
  }

  /** The means of lanes [start, start + active) of the group, forward, onto the lane tape. */
  private void meansForward(int steps, int start, int active) {
    int nm = m * n;
    for (int l = 0; l < active; l++) {
      laneLogLik[start + l] = 0.0;
      laneSse[start + l] = 0.0;
    }
    double[][] tape = laneTape;
    for (int t = 0; t < steps; t++) {
      int base = tapeBase(t);
      if (t == 0) {
        for (int i = 0; i < n; i++) LaneLoops.fill(tape[base + i], mu0[i], active);
      } else {
        int prev = tapeBase(t - 1) + n;
        int fo = (t - 1) * n * n;
        for (int i = 0; i < n; i++) {
          combine(tape[base + i], null, fs, fo + i * n, 1, tape, prev, n, active);
          LaneLoops.add(tape[base + i], cs[(t - 1) * n + i], active);
        }
      }
      int ho0 = t * nm;
      int diffAt = base + 2 * n + 2 * m;
      for (int i = 0; i < m; i++) {
        double[] yh = yhat[i];
        LaneLoops.fill(yh, es[t * m + i], active);
        combine(yh, yh, hs, ho0 + i * n, 1, tape, base, n, active);
        double[] yi = y[i];
        double[] mask = observedMask[i];
        double[] diff = tape[diffAt + i];
        int o = t * m + i;
        for (int l = 0; l < active; l++) {
          double v = laneObservations[l][o];
          boolean seen = v == v;
          yi[l] = seen ? v : 0.0;
          mask[l] = seen ? 1.0 : 0.0;
        }
        for (int l = 0; l < active; l++) {
          double d = (yh[l] - yi[l]) * mask[l];
          diff[l] = d;
        }
      }
      for (int i = 0; i < m; i++) {
        double[] diff = tape[diffAt + i];
        for (int l = 0; l < active; l++) laneSse[start + l] += diff[l] * diff[l];
      }
      int k = used[t];
      if (k == 0) {
        for (int j = 0; j < n; j++) System.arraycopy(tape[base + j], 0, tape[base + n + j], 0, active);
        continue;
      }
      int alphaAt = base + 2 * n;
      int residAt = base + 2 * n + m;
      int so = t * m * m;
      for (int a = 0; a < k; a++) {
        int row = rows[t * m + a];
        double[] res = tape[residAt + a];
        if (rho[t]) {
          LaneLoops.difference(res, y[row], yhat[row], active);
        } else {
          LaneLoops.fill(res, 0.0, active);
        }
      }
      // α = S⁻¹ r by the factor: z = L⁻¹ r, α = L⁻ᵀ z (the sequential solve's order).
      for (int a = 0; a < k; a++) {
        double[] za = tape[alphaAt + a];
        System.arraycopy(tape[residAt + a], 0, za, 0, active);
        for (int b = 0; b < a; b++) {
          coef[b] = -chols[so + a * k + b];
          terms[b] = tape[alphaAt + b];
        }
        if (a > 0) LaneLoops.scaledSum(za, za, coef, terms, a, active);
        LaneLoops.scale(za, 1.0 / chols[so + a * k + a], active);
      }
      for (int a = k - 1; a >= 0; a--) {
        double[] za = tape[alphaAt + a];
        int count = 0;
        for (int p = a + 1; p < k; p++) {
          coef[count] = -chols[so + p * k + a];
          terms[count++] = tape[alphaAt + p];
        }
        if (count > 0) LaneLoops.scaledSum(za, za, coef, terms, count, active);
        LaneLoops.scale(za, 1.0 / chols[so + a * k + a], active);
      }
      int uo = t * nm;
      for (int j = 0; j < n; j++) combine(tape[base + n + j], tape[base + j], us, uo + j, n, tape, alphaAt, k, active);
      if (rho[t]) {
        double constant = k * LOG_2PI + logDets[t];
        for (int l = 0; l < active; l++) {
          double quad = 0.0;
          for (int a = 0; a < k; a++) quad += tape[residAt + a][l] * tape[alphaAt + a][l];
          laneLogLik[start + l] -= 0.5 * (constant + quad);
        }
      }
    }
  }

  /** The mean adjoints of the tile's lanes, backward, adding their terms into the group's sums. */
  private void meansBackward(int steps, int active) {
    int nm = m * n;
    double[][] tape = laneTape;
    for (int j = 0; j < n; j++) LaneLoops.fill(mBar[j], 0.0, active);
    double ws = 2.0 * scoreWeight;
    for (int t = steps - 1; t >= 0; t--) {
      int base = tapeBase(t);
      int alphaAt = base + 2 * n;
      int residAt = base + 2 * n + m;
      int diffAt = base + 2 * n + 2 * m;
      for (int i = 0; i < m; i++) {
        double[] yb = yhatBar[i];
        double[] diff = tape[diffAt + i];
        for (int l = 0; l < active; l++) yb[l] = ws * diff[l];
      }
      int k = used[t];
      if (k > 0) {
        int uo = t * nm;
        int so = t * m * m;
        int ao = t * nm;
        for (int a = 0; a < k; a++) {
          combine(alphaBar[a], null, us, uo + a * n, 1, mBar, 0, n, active);
          double[] al = tape[alphaAt + a];
          for (int j = 0; j < n; j++) sumA[ao + a * n + j] += dot(al, mBar[j], active);
        }
        if (rho[t]) {
          int bo = t * m * m;
          for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
              sumB[bo + a * k + b] += dot(alphaBar[a], tape[residAt + b], active);
              if (likWeight != 0.0) sumC[bo + a * k + b] += dot(tape[alphaAt + a], tape[alphaAt + b], active);
            }
          }
          for (int a = 0; a < k; a++) {
            double[] rb = z[a];
            combine(rb, null, sInvs, so + a * k, 1, alphaBar, 0, k, active);
            if (likWeight != 0.0) {
              coef[0] = likWeight;
              terms[0] = tape[alphaAt + a];
              LaneLoops.scaledSum(rb, rb, coef, terms, 1, active);
            }
            double[] yb = yhatBar[rows[t * m + a]];
            for (int l = 0; l < active; l++) yb[l] -= rb[l];
          }
        }
      }
      int ho0 = t * nm;
      for (int j = 0; j < n; j++) combine(mBarPred[j], mBar[j], hs, ho0 + j, n, yhatBar, 0, m, active);
      int dho = t * nm;
      for (int i = 0; i < m; i++) {
        double[] yb = yhatBar[i];
        for (int j = 0; j < n; j++) sumDH[dho + i * n + j] += dot(yb, tape[base + j], active);
        sumDe[t * m + i] += sum(yb, active);
      }
      if (t > 0) {
        int prevMean = tapeBase(t - 1) + n;
        int fo = (t - 1) * n * n;
        for (int i = 0; i < n; i++) {
          double[] mb = mBarPred[i];
          for (int j = 0; j < n; j++) sumDF[fo + i * n + j] += dot(mb, tape[prevMean + j], active);
          sumDc[(t - 1) * n + i] += sum(mb, active);
        }
        for (int j = 0; j < n; j++) combine(mBar[j], null, fs, fo + j, n, mBarPred, 0, n, active);
      } else {
        for (int i = 0; i < n; i++) sumMu0[i] += sum(mBarPred[i], active);
      }
    }
  }

  /** The covariance reverse pass, once for the group, with the lanes' summed terms; feeds the sink. */
  private void covarianceBackward(int steps, int count, Sink sink) {
    int n2 = n * n;
    int nm = m * n;
    Arrays.fill(pBar, 0.0);
    for (int t = steps - 1; t >= 0; t--) {
      int po = t * n2;
      System.arraycopy(pBar, 0, pBarPred, 0, n2);
      Arrays.fill(dH, 0.0);
      Arrays.fill(dR, 0.0);
      int k = used[t];
      if (k > 0) {
        int uo = t * nm;
        int so = t * m * m;
        for (int a = 0; a < k; a++) System.arraycopy(hs, t * nm + rows[t * m + a] * n, ho, a * n, n);
        // Ū = Σ α m̄ᵀ − 2 S⁻¹ U P̄
        Products.mult(sInvs, so, us, uo, kt, 0, k, k, n);
        Products.mult(kt, 0, pBar, 0, ubar, 0, k, n, n);
        for (int i = 0; i < k * n; i++) ubar[i] = sumA[t * nm + i] - 2.0 * ubar[i];
        // W̄ = sym(−U P̄ Uᵀ + Σ ᾱ rᵀ)
        Products.mult(us, uo, pBar, 0, kn, 0, k, n, n);
        Products.multTransB(kn, 0, us, uo, wbar, 0, k, n, k);
        for (int i = 0; i < k * k; i++) wbar[i] = -wbar[i];
        if (rho[t]) {
          for (int i = 0; i < k * k; i++) wbar[i] += sumB[so + i];
        }
        Symmetric.symmetrize(wbar, 0, k);
        // S̄ = −S⁻¹ W̄ S⁻¹ − w_ℓ (−½ N S⁻¹ + ½ Σ α αᵀ)
        Products.mult(sInvs, so, wbar, 0, kk, 0, k, k, k);
        Products.mult(kk, 0, sInvs, so, sbar, 0, k, k, k);
        for (int i = 0; i < k * k; i++) sbar[i] = -sbar[i];
        if (rho[t] && likWeight != 0.0) {
          double lb = -likWeight;
          for (int i = 0; i < k * k; i++) sbar[i] += lb * (-0.5 * count * sInvs[so + i] + 0.5 * sumC[so + i]);
        }
        Symmetric.symmetrize(sbar, 0, k);
        // H̄_O = (Ū + 2 S̄ H_O) P⁻ ; P̄⁻ += sym(H_Oᵀ (Ū + S̄ H_O)) ; R̄_OO = S̄
        Products.mult(sbar, 0, ho, 0, sho, 0, k, k, n);
        for (int i = 0; i < k * n; i++) kn[i] = ubar[i] + 2.0 * sho[i];
        Products.mult(kn, 0, predCov, po, kt, 0, k, n, n);
        for (int a = 0; a < k; a++) System.arraycopy(kt, a * n, dH, rows[t * m + a] * n, n);
        for (int i = 0; i < k * n; i++) kn[i] = ubar[i] + sho[i];
        Products.multTransA(ho, 0, kn, 0, nn, 0, n, k, n);
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < n; j++) pBarPred[i * n + j] += 0.5 * (nn[i * n + j] + nn[j * n + i]);
        }
        for (int a = 0; a < k; a++) {
          for (int b = 0; b < k; b++) dR[rows[t * m + a] * m + rows[t * m + b]] = sbar[a * k + b];
        }
      }
      for (int i = 0; i < nm; i++) dH[i] += sumDH[t * nm + i];
      System.arraycopy(sumDe, t * m, e, 0, m);
      sink.emissions(t, dH, e, dR);
      if (t > 0) {
        int fo = (t - 1) * n2;
        Products.mult(fs, fo, cov, po - n2, nn, 0, n, n, n);
        Products.mult(pBarPred, 0, nn, 0, dF, 0, n, n, n);
        for (int i = 0; i < n2; i++) dF[i] = 2.0 * dF[i] + sumDF[fo + i];
        System.arraycopy(sumDc, (t - 1) * n, c, 0, n);
        sink.dynamics(t - 1, dF, c, pBarPred);
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < n; j++) nn2[i * n + j] = fs[fo + j * n + i];
        }
        Products.sandwich(nn2, 0, pBarPred, 0, nn, pBar, 0, n, n);
      } else {
        sink.initial(sumMu0, pBarPred);
      }
    }
  }

  /** Σ_l a[l] b[l] over lanes [0, active), four partial sums. */
  private static double dot(double[] a, double[] b, int active) {
    double s0 = 0.0;
    double s1 = 0.0;
    double s2 = 0.0;
    double s3 = 0.0;
    int l = 0;
    for (; l + 3 < active; l += 4) {
      s0 += a[l] * b[l];
      s1 += a[l + 1] * b[l + 1];
      s2 += a[l + 2] * b[l + 2];
      s3 += a[l + 3] * b[l + 3];
    }
    for (; l < active; l++) s0 += a[l] * b[l];
    return (s0 + s1) + (s2 + s3);
  }

  /** Σ_l a[l] over lanes [0, active). */
  private static double sum(double[] a, int active) {
    double s0 = 0.0;
    double s1 = 0.0;
    int l = 0;
    for (; l + 1 < active; l += 2) {
      s0 += a[l];
      s1 += a[l + 1];
    }
    if (l < active) s0 += a[l];
    return s0 + s1;
  }
}
