package io.statespace.inference.batched;

import io.statespace.data.Trajectory;
import io.statespace.model.StateSpaceModel;

/**
 * The loss of a Kalman filter and its exact reverse-mode (adjoint) gradient for a tile of trajectories in
 * lockstep lanes: the algorithm of the sequential adjoint filter ({@code io.statespace.learn.AdjointFilter},
 * its equations and their reverse pass; docs/ARCHITECTURE.md §7.4) over the tiles, masks and ragged lengths
 * of the batched smoother (§7.3). The loss is {@code L = −w_ℓ Σ_t ℓ_t + w_s Σ_t Σ_{i∈O_t} (ŷ_ti − y_ti)²}.
 *
 * <p>Masks instead of compaction: a component not used by the update (missing, or the whole step dropped in
 * {@link #SKIP} mode) gets a zero row of U = H P⁻, a zero residual and a unit row and column of S, so that
 * S⁻¹ is block-diagonal with the identity on it; its α, ᾱ, r̄ and Ū rows vanish by themselves, and S̄ (which
 * the likelihood term would make ½ w_ℓ there) is masked. In {@link #FEEDBACK} mode the residual is zero and
 * neither the likelihood term nor r̄ flows, exactly as in the sequential filter. Lanes are sorted longest
 * first (the running lanes are a prefix); a lane joins the reverse pass at its own last step with zero
 * adjoints.
 *
 * <p>The tape holds, per step and lane, m⁻, P⁻, m, P, the Cholesky factor of S, α, r, the scored
 * prediction error and the masks: {@link #tapeDoublesPerLaneStep} doubles, so a caller bounds a tile's
 * lanes × steps. The per-step gradients reach a {@link Sink} lane by lane, in the layout of
 * {@code io.statespace.learn.StepGradients}. One instance per thread; nothing is allocated per step.
 */
public final class BatchedAdjoint {
  /** The ordinary update. */
  public static final byte UPDATE = 0;
  /** Predict only: a dropped observation treated as missing (still scored). */
  public static final byte SKIP = 1;
  /** Update with the prediction as the observation (r ≡ 0: the covariance shrinks, the mean stays). */
  public static final byte FEEDBACK = 2;

  private static final double LOG_2PI = Math.log(2.0 * Math.PI);

  /** Receives one lane's per-step matrix gradients (row-major, symmetric covariance gradients). */
  public interface Sink {
    void initial(int lane, double[] dMean, double[] dCov);

    void dynamics(int lane, int t, double[] dWeights, double[] dBias, double[] dCov);

    void emissions(int lane, int t, double[] dWeights, double[] dBias, double[] dCov);
  }

  /** One step of the tape, lane arrays. */
  private static final class Step {
    final double[][] predMean;
    final double[][] predCov;
    final double[][] mean;
    final double[][] cov;
    final double[][] chol;
    final double[][] inverseDiagonal;
    final double[][] alpha;
    final double[][] resid;
    final double[][] scoreDiff;
    final double[][] updateMask;
    final double[] residMask;

    Step(int n, int m, int width) {
      predMean = LaneAlgebra.general(n, 1, width);
      predCov = LaneAlgebra.symmetric(n, width);
      mean = LaneAlgebra.general(n, 1, width);
      cov = LaneAlgebra.symmetric(n, width);
      chol = LaneAlgebra.general(m, m, width);
      inverseDiagonal = LaneAlgebra.general(m, 1, width);
      alpha = LaneAlgebra.general(m, 1, width);
      resid = LaneAlgebra.general(m, 1, width);
      scoreDiff = LaneAlgebra.general(m, 1, width);
      updateMask = LaneAlgebra.general(m, 1, width);
      residMask = new double[width];
    }
  }

  private final int n;
  private final int m;
  private final int width;
  private final LaneAlgebra algebra;
  private final LaneProducts products;
  private Step[] tape = new Step[0];

  private final double[][] y;
  private final double[][] observed;
  private final double[] observedCount;
  private final double[][] yhat;
  private final double[][] fp;
  private final double[][] u;
  private final double[][] w;
  private final double[][] z;
  private final double[] diagonalProduct;
  private final double[] quadratic;
  private final double[] logLik;
  private final double[] sse;
  private final long[] scored;
  private final int[] failedStep;

  private final double[][] mBar;
  private final double[][] pBar;
  private final double[][] mBarPred;
  private final double[][] pBarPred;
  private final double[][] sInv;
  private final double[][] k;
  private final double[][] uBar;
  private final double[][] alphaBar;
  private final double[][] up;
  private final double[][] wBar;
  private final double[][] mm;
  private final double[][] sBar;
  private final double[][] rBar;
  private final double[][] yhatBar;
  private final double[][] sh;
  private final double[][] mn;
  private final double[][] dH;
  private final double[][] nn;
  private final double[][] dF;
  private final double[] rowN;
  private final double[] rowNN;
  private final double[] rowNN2;
  private final double[] rowMN;
  private final double[] rowM;
  private final double[] rowMM;

  private Tile tile;
  private LaneParameters params;
  private double likWeight;
  private double scoreWeight;

  /** @param width lanes per tile */
  public BatchedAdjoint(int stateDim, int obsDim, int width) {
    this.n = stateDim;
    this.m = obsDim;
    this.width = width;
    algebra = new LaneAlgebra(Math.max(n, m));
    products = new LaneProducts(Math.max(n, m));
    y = LaneAlgebra.general(m, 1, width);
    observed = LaneAlgebra.general(m, 1, width);
    observedCount = new double[width];
    yhat = LaneAlgebra.general(m, 1, width);
    fp = LaneAlgebra.general(n, n, width);
    u = LaneAlgebra.general(m, n, width);
    w = LaneAlgebra.general(m, n, width);
    z = LaneAlgebra.general(m, 1, width);
    diagonalProduct = new double[width];
    quadratic = new double[width];
    logLik = new double[width];
    sse = new double[width];
    scored = new long[width];
    failedStep = new int[width];
    mBar = LaneAlgebra.general(n, 1, width);
    pBar = LaneAlgebra.symmetric(n, width);
    mBarPred = LaneAlgebra.general(n, 1, width);
    pBarPred = LaneAlgebra.symmetric(n, width);
    sInv = LaneAlgebra.symmetric(m, width);
    k = LaneAlgebra.general(m, n, width);
    uBar = LaneAlgebra.general(m, n, width);
    alphaBar = LaneAlgebra.general(m, 1, width);
    up = LaneAlgebra.general(m, n, width);
    wBar = LaneAlgebra.general(m, m, width);
    mm = LaneAlgebra.general(m, m, width);
    sBar = LaneAlgebra.general(m, m, width);
    rBar = LaneAlgebra.general(m, 1, width);
    yhatBar = LaneAlgebra.general(m, 1, width);
    sh = LaneAlgebra.general(m, n, width);
    mn = LaneAlgebra.general(m, n, width);
    dH = LaneAlgebra.general(m, n, width);
    nn = LaneAlgebra.general(n, n, width);
    dF = LaneAlgebra.general(n, n, width);
    rowN = new double[n];
    rowNN = new double[n * n];
    rowNN2 = new double[n * n];
    rowMN = new double[m * n];
    rowM = new double[m];
    rowMM = new double[m * m];
  }

  public int width() {
    return width;
  }

  /** Doubles of tape per lane and step, for bounding a tile's lanes × steps. */
  public static int tapeDoublesPerLaneStep(int stateDim, int obsDim) {
    return 2 * stateDim + stateDim * (stateDim + 1) + obsDim * obsDim + 6 * obsDim + 1;
  }

  private void ensureTape(int steps) {
    if (tape.length >= steps) return;
    Step[] grown = new Step[Math.max(steps, 2 * tape.length)];
    System.arraycopy(tape, 0, grown, 0, tape.length);
    for (int t = tape.length; t < grown.length; t++) grown[t] = new Step(n, m, width);
    tape = grown;
  }

  /**
   * Runs the forward pass over one tile and keeps the tape for {@link #backward}.
   *
   * @param lanes the tile's trajectories, longest first, {@code count} of them (at most the width)
   * @param modes per lane the per-step mode, or null for {@link #UPDATE} everywhere
   * @param likelihoodWeight w_ℓ
   * @param squaredErrorWeight w_s
   * @return true when every lane's innovation covariance was positive definite at every step; otherwise
   *     {@link #failedStep} names the first step of each failed lane and nothing else is meaningful
   */
  public boolean forward(StateSpaceModel model, Trajectory[] lanes, int count, byte[][] modes, double likelihoodWeight,
      double squaredErrorWeight) {
    if (count < 1 || count > width) throw new IllegalArgumentException("a tile holds 1 to " + width + " lanes, got " + count);
    tile = new Tile(model, lanes, count);
    params = LaneParameters.bind(model, tile, width);
    likWeight = likelihoodWeight;
    scoreWeight = squaredErrorWeight;
    int steps = tile.maxLength();
    ensureTape(steps);
    LaneLoops.fill(logLik, 0.0, count);
    LaneLoops.fill(sse, 0.0, count);
    for (int l = 0; l < count; l++) {
      scored[l] = 0;
      failedStep[l] = -1;
    }
    boolean ok = true;
    for (int t = 0; t < steps; t++) {
      int active = tile.active(t);
      Step s = tape[t];
      if (t == 0) {
        LaneTransfer.broadcast(params.initialMean, s.predMean, false, active);
        LaneTransfer.broadcast(params.initialCov, s.predCov, true, active);
      } else {
        Step prev = tape[t - 1];
        params.loadDynamics(t - 1, active);
        LaneMatrix f = params.dynamicsWeights;
        products.mixedLeft(f, false, prev.mean, 1, 0, null, 1.0, s.predMean, n, n, 1, false, active);
        for (int i = 0; i < n; i++) LaneAlgebra.addEntry(s.predMean[i], params.dynamicsBias, i, active);
        products.mixedLeft(f, false, prev.cov, n, 1, null, 1.0, fp, n, n, n, false, active);
        products.mixedRight(fp, n, 1, f, true, null, 1.0, s.predCov, n, n, n, true, active);
        for (int i = 0; i < n; i++) {
          for (int j = i; j < n; j++) LaneAlgebra.addEntry(s.predCov[i * n + j], params.dynamicsCov, i * n + j, active);
        }
      }
      params.loadEmissions(t, active);
      ok &= update(t, s, modes, active);
    }
    return ok;
  }

  private boolean update(int t, Step s, byte[][] modes, int active) {
    tile.loadObservations(t, m, y, observed, observedCount, active);
    LaneMatrix h = params.emissionsWeights;
    double[] residMask = s.residMask;
    for (int l = 0; l < active; l++) {
      byte mode = modes == null ? UPDATE : modes[l][t];
      residMask[l] = mode == UPDATE ? 1.0 : 0.0;
      double used = mode == SKIP ? 0.0 : 1.0;
      for (int i = 0; i < m; i++) s.updateMask[i][l] = observed[i][l] * used;
      scored[l] += (long) observedCount[l];
    }
    products.mixedLeft(h, false, s.predMean, 1, 0, null, 1.0, yhat, m, n, 1, false, active);
    for (int i = 0; i < m; i++) {
      LaneAlgebra.addEntry(yhat[i], params.emissionsBias, i, active);
      double[] yh = yhat[i];
      double[] yi = y[i];
      double[] obs = observed[i];
      double[] um = s.updateMask[i];
      double[] diff = s.scoreDiff[i];
      double[] res = s.resid[i];
      for (int l = 0; l < active; l++) {
        double d = (yh[l] - yi[l]) * obs[l];
        diff[l] = d;
        sse[l] += d * d;
        res[l] = (yi[l] - yh[l]) * um[l] * residMask[l];
      }
    }
    products.mixedLeft(h, false, s.predCov, n, 1, null, 1.0, u, m, n, n, false, active);
    maskRows(u, s.updateMask, active);
    double[][] sm = s.chol;
    products.mixedRight(u, n, 1, h, true, null, 1.0, sm, m, n, m, false, active);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < m; j++) {
        double[] e = sm[i * m + j];
        LaneAlgebra.addEntry(e, params.emissionsCov, i * m + j, active);
        double[] ui = s.updateMask[i];
        double[] uj = s.updateMask[j];
        if (i == j) {
          for (int l = 0; l < active; l++) e[l] = e[l] * ui[l] + (1.0 - ui[l]);
        } else {
          for (int l = 0; l < active; l++) e[l] *= ui[l] * uj[l];
        }
      }
    }
    algebra.cholesky(sm, m, s.inverseDiagonal, diagonalProduct, active);
    for (int i = 0; i < m; i++) System.arraycopy(s.resid[i], 0, z[i], 0, active);
    algebra.solveLower(sm, s.inverseDiagonal, m, z, 1, active);
    for (int i = 0; i < m; i++) System.arraycopy(z[i], 0, s.alpha[i], 0, active);
    algebra.solveLowerTransposed(sm, s.inverseDiagonal, m, s.alpha, 1, active);
    for (int i = 0; i < m * n; i++) System.arraycopy(u[i], 0, w[i], 0, active);
    algebra.solveLower(sm, s.inverseDiagonal, m, w, n, active);
    algebra.lanesTransposedTimesLanes(u, s.alpha, s.predMean, 1.0, s.mean, m, n, 1, false, active);
    algebra.lanesTransposedTimesLanes(w, w, s.predCov, -1.0, s.cov, m, n, n, true, active);
    LaneLoops.sumOfProducts(quadratic, null, 1.0, z, z, m, active);
    boolean ok = true;
    for (int l = 0; l < active; l++) {
      double product = diagonalProduct[l];
      double logDet;
      if (product > Double.MIN_NORMAL && product < Double.POSITIVE_INFINITY) {
        logDet = 2.0 * Math.log(product);
      } else {
        logDet = logDetOrNaN(sm, l);
        if (Double.isNaN(logDet)) {
          if (failedStep[l] < 0) failedStep[l] = t;
          ok = false;
        }
      }
      if (residMask[l] != 0.0) {
        double k = 0.0;
        for (int i = 0; i < m; i++) k += s.updateMask[i][l];
        logLik[l] -= 0.5 * (k * LOG_2PI + logDet + quadratic[l]);
      }
    }
    return ok;
  }

  /** log det S of one lane from its factor's diagonal, NaN when S was not positive definite. */
  private double logDetOrNaN(double[][] chol, int lane) {
    double sum = 0.0;
    for (int i = 0; i < m; i++) {
      double lii = chol[i * m + i][lane];
      if (!(lii > 0.0) || lii == Double.POSITIVE_INFINITY) return Double.NaN;
      sum += Math.log(lii);
    }
    return 2.0 * sum;
  }

  private void maskRows(double[][] a, double[][] mask, int active) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) LaneLoops.multiply(a[i * n + j], mask[i], active);
    }
  }

  /** log p(y) of a lane over its {@link #UPDATE} steps, after {@link #forward}. */
  public double logLikelihood(int lane) {
    return logLik[lane];
  }

  /** The lane's loss L. */
  public double loss(int lane) {
    return -likWeight * logLik[lane] + scoreWeight * sse[lane];
  }

  /** Observation components the lane scored (observed components over all its steps). */
  public long scored(int lane) {
    return scored[lane];
  }

  /** The first step at which the lane's innovation covariance was not positive definite, or -1. */
  public int failedStep(int lane) {
    return failedStep[lane];
  }

  /** Runs the reverse pass of the last successful {@link #forward}, feeding every lane's step gradients to sink. */
  public void backward(Sink sink) {
    int steps = tile.maxLength();
    int joined = 0;
    for (int t = steps - 1; t >= 0; t--) {
      int active = tile.active(t);
      for (int i = 0; i < n; i++) {
        java.util.Arrays.fill(mBar[i], joined, active, 0.0);
        for (int j = i; j < n; j++) java.util.Arrays.fill(pBar[i * n + j], joined, active, 0.0);
      }
      joined = active;
      Step s = tape[t];
      for (int i = 0; i < n; i++) {
        System.arraycopy(mBar[i], 0, mBarPred[i], 0, active);
        for (int j = i; j < n; j++) System.arraycopy(pBar[i * n + j], 0, pBarPred[i * n + j], 0, active);
      }
      params.loadEmissions(t, active);
      updateAdjoint(s, active);
      for (int l = 0; l < active; l++) {
        gather(dH, m * n, l, rowMN);
        gather(yhatBar, m, l, rowM);
        gather(sBar, m * m, l, rowMM);
        sink.emissions(l, t, rowMN, rowM, rowMM);
      }
      if (t > 0) {
        Step prev = tape[t - 1];
        params.loadDynamics(t - 1, active);
        LaneMatrix f = params.dynamicsWeights;
        // dF = m̄⁻ mᵀ + 2 P̄⁻ F P
        products.mixedLeft(f, false, prev.cov, n, 1, null, 1.0, fp, n, n, n, false, active);
        products.lanes(pBarPred, n, 1, fp, n, 1, null, 2.0, dF, n, n, n, false, active);
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < n; j++) {
            double[] d = dF[i * n + j];
            double[] a = mBarPred[i];
            double[] b = prev.mean[j];
            for (int l = 0; l < active; l++) d[l] += a[l] * b[l];
          }
        }
        for (int l = 0; l < active; l++) {
          gather(dF, n * n, l, rowNN);
          gather(mBarPred, n, l, rowN);
          gather(pBarPred, n * n, l, rowNN2);
          sink.dynamics(l, t - 1, rowNN, rowN, rowNN2);
        }
        // m̄ = Fᵀ m̄⁻, P̄ = Fᵀ P̄⁻ F
        products.mixedLeft(f, true, mBarPred, 1, 0, null, 1.0, mBar, n, n, 1, false, active);
        products.mixedLeft(f, true, pBarPred, n, 1, null, 1.0, nn, n, n, n, false, active);
        products.mixedRight(nn, n, 1, f, false, null, 1.0, pBar, n, n, n, true, active);
      } else {
        for (int l = 0; l < active; l++) {
          gather(mBarPred, n, l, rowN);
          gather(pBarPred, n * n, l, rowNN2);
          sink.initial(l, rowN, rowNN2);
        }
      }
    }
  }

  /**
   * The update's share of the reverse pass at one step: from m̄, P̄ (the filtered adjoints, in mBar, pBar)
   * and the tape, writes H̄ (dH), ŷ̄ = ē (yhatBar), R̄ = S̄ (sBar) and adds into m̄⁻, P̄⁻.
   */
  private void updateAdjoint(Step s, int active) {
    LaneMatrix h = params.emissionsWeights;
    products.mixedLeft(h, false, s.predCov, n, 1, null, 1.0, u, m, n, n, false, active);
    maskRows(u, s.updateMask, active);
    // S⁻¹ from the taped factor, symmetrised.
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < m; j++) LaneLoops.fill(mm[i * m + j], i == j ? 1.0 : 0.0, active);
    }
    algebra.solveLower(s.chol, s.inverseDiagonal, m, mm, m, active);
    algebra.solveLowerTransposed(s.chol, s.inverseDiagonal, m, mm, m, active);
    for (int i = 0; i < m; i++) {
      for (int j = i; j < m; j++) {
        double[] a = mm[i * m + j];
        double[] b = mm[j * m + i];
        double[] c = sInv[i * m + j];
        for (int l = 0; l < active; l++) c[l] = 0.5 * (a[l] + b[l]);
      }
    }
    // K = S⁻¹ U; Ū = α m̄ᵀ − 2 K P̄; ᾱ = U m̄
    products.lanes(sInv, m, 1, u, n, 1, null, 1.0, k, m, m, n, false, active);
    products.lanes(k, n, 1, pBar, n, 1, null, 1.0, uBar, m, n, n, false, active);
    for (int a = 0; a < m; a++) {
      double[] al = s.alpha[a];
      for (int j = 0; j < n; j++) {
        double[] ub = uBar[a * n + j];
        double[] mb = mBar[j];
        for (int l = 0; l < active; l++) ub[l] = al[l] * mb[l] - 2.0 * ub[l];
      }
    }
    products.lanes(u, n, 1, mBar, 1, 0, null, 1.0, alphaBar, m, n, 1, false, active);
    // W̄ = sym(−U P̄ Uᵀ + ᾱ rᵀ)
    products.lanes(u, n, 1, pBar, n, 1, null, 1.0, up, m, n, n, false, active);
    products.lanes(up, n, 1, u, 1, n, null, -1.0, wBar, m, n, m, false, active);
    for (int a = 0; a < m; a++) {
      for (int b = 0; b < m; b++) {
        double[] wb = wBar[a * m + b];
        double[] ab = alphaBar[a];
        double[] rb = s.resid[b];
        for (int l = 0; l < active; l++) wb[l] += ab[l] * rb[l];
      }
    }
    for (int a = 0; a < m; a++) {
      for (int b = a + 1; b < m; b++) {
        double[] x = wBar[a * m + b];
        double[] x2 = wBar[b * m + a];
        for (int l = 0; l < active; l++) {
          double v = 0.5 * (x[l] + x2[l]);
          x[l] = v;
          x2[l] = v;
        }
      }
    }
    // S̄ = −S⁻¹ W̄ S⁻¹ − w_ℓ ρ (−½ S⁻¹ + ½ α αᵀ), masked;  r̄ = ρ (S⁻¹ ᾱ + w_ℓ α)  (ρ = 1 in UPDATE mode, else 0)
    products.lanes(sInv, m, 1, wBar, m, 1, null, 1.0, mm, m, m, m, false, active);
    products.lanes(mm, m, 1, sInv, m, 1, null, -1.0, sBar, m, m, m, false, active);
    products.lanes(sInv, m, 1, alphaBar, 1, 0, null, 1.0, rBar, m, m, 1, false, active);
    double[] rho = s.residMask;
    double lw = likWeight;
    for (int a = 0; a < m; a++) {
      double[] aa = s.alpha[a];
      for (int b = 0; b < m; b++) {
        double[] sb = sBar[a * m + b];
        double[] si = sInv[a * m + b];
        double[] ab = s.alpha[b];
        double[] ua = s.updateMask[a];
        double[] ubm = s.updateMask[b];
        for (int l = 0; l < active; l++) {
          double v = sb[l] - lw * rho[l] * (-0.5 * si[l] + 0.5 * aa[l] * ab[l]);
          sb[l] = v * ua[l] * ubm[l];
        }
      }
      double[] rb = rBar[a];
      double[] yb = yhatBar[a];
      double[] diff = s.scoreDiff[a];
      double ws = 2.0 * scoreWeight;
      for (int l = 0; l < active; l++) {
        double r = rho[l] * (rb[l] + lw * aa[l]);
        yb[l] = ws * diff[l] - r;
      }
    }
    for (int a = 0; a < m; a++) {
      for (int b = a + 1; b < m; b++) {
        double[] x = sBar[a * m + b];
        double[] x2 = sBar[b * m + a];
        for (int l = 0; l < active; l++) {
          double v = 0.5 * (x[l] + x2[l]);
          x[l] = v;
          x2[l] = v;
        }
      }
    }
    // sh = S̄ H; H̄ = (Ū + 2 sh) P⁻ + ŷ̄ m⁻ᵀ; P̄⁻ += sym(Hᵀ (Ū + sh)); m̄⁻ += Hᵀ ŷ̄
    products.mixedRight(sBar, m, 1, h, false, null, 1.0, sh, m, m, n, false, active);
    for (int i = 0; i < m * n; i++) {
      double[] x = mn[i];
      double[] a = uBar[i];
      double[] b = sh[i];
      for (int l = 0; l < active; l++) x[l] = a[l] + 2.0 * b[l];
    }
    products.lanes(mn, n, 1, s.predCov, n, 1, null, 1.0, dH, m, n, n, false, active);
    for (int a = 0; a < m; a++) {
      double[] yb = yhatBar[a];
      for (int j = 0; j < n; j++) {
        double[] d = dH[a * n + j];
        double[] pm = s.predMean[j];
        for (int l = 0; l < active; l++) d[l] += yb[l] * pm[l];
      }
    }
    for (int i = 0; i < m * n; i++) {
      double[] x = mn[i];
      double[] a = uBar[i];
      double[] b = sh[i];
      for (int l = 0; l < active; l++) x[l] = a[l] + b[l];
    }
    products.mixedLeft(h, true, mn, n, 1, null, 1.0, nn, n, m, n, false, active);
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) {
        double[] p = pBarPred[i * n + j];
        double[] a = nn[i * n + j];
        double[] b = nn[j * n + i];
        for (int l = 0; l < active; l++) p[l] += 0.5 * (a[l] + b[l]);
      }
    }
    products.mixedLeft(h, true, yhatBar, 1, 0, mBarPred, 1.0, mBarPred, n, m, 1, false, active);
  }

  private static void gather(double[][] soa, int entries, int lane, double[] row) {
    for (int e = 0; e < entries; e++) row[e] = soa[e][lane];
  }
}
