package io.statespace.inference.batched;

/**
 * The means of a group of lanes that share one covariance recursion ({@link CovarianceGroups}), advanced in
 * lockstep with the gains another pass recorded ({@link GainRecord}): the filter's m⁻ = F m + c,
 * z = L⁻¹ (y − H m⁻ − e) over the observed components, m = m⁻ + Wᵀ z and ℓ_t = −½ (k log 2π + log det S + zᵀ z);
 * the smoother's m^s_t = m_t + G (m^s_{t+1} − m⁻_{t+1}). Gains are shared coefficients (one value for every
 * lane, exact zeros skipped), biases and inputs stay per lane, so a lane costs O(n·m + n²) a step instead of
 * O(n³). Every lane of the tile has the same length. No allocation per step; one instance per thread.
 */
final class SharedMeans {
  private static final double LOG_2PI = Math.log(2.0 * Math.PI);

  private final int n;
  private final int m;
  private final LaneAlgebra algebra;
  private final double[][] mean;
  private final double[][] predMean;
  private final double[][] predicted;
  private final double[][] z;
  private double[][] next;
  private double[][] smoothed;
  private final double[][] diff;
  private final double[] quadratic;
  private final double[] coef;
  private final double[][] terms;
  private final double[][] laneObservations;
  private final int[] rows;
  private final int width;
  private double[] history = new double[0];
  private boolean kept;

  SharedMeans(int stateDim, int obsDim, int width, LaneAlgebra algebra) {
    this.n = stateDim;
    this.m = obsDim;
    this.algebra = algebra;
    mean = LaneAlgebra.general(n, 1, width);
    predMean = LaneAlgebra.general(n, 1, width);
    predicted = LaneAlgebra.general(m, 1, width);
    z = LaneAlgebra.general(m, 1, width);
    next = LaneAlgebra.general(n, 1, width);
    smoothed = LaneAlgebra.general(n, 1, width);
    diff = LaneAlgebra.general(n, 1, width);
    quadratic = new double[width];
    coef = new double[Math.max(n, m)];
    terms = new double[Math.max(n, m)][];
    laneObservations = new double[width][];
    rows = new int[m];
    this.width = width;
  }

  /**
   * Filtered means kept in lane order for the backward pass (a copy per step instead of a gather from the
   * row-major posterior arrays) while they fit in this many doubles; longer tiles gather.
   */
  static final int HISTORY_LIMIT = 1 << 21;

  /**
   * Forward pass of the means of every lane of the tile with the recorded filter gains.
   *
   * @param filteredMeans per lane T×n, written
   * @param predictedMeans per lane T×n, or null
   * @param logLik per lane log p(y_{0:T-1}), written
   */
  void filter(Tile tile, LaneParameters params, GainRecord record, double[][] filteredMeans, double[][] predictedMeans,
      double[] logLik) {
    int lanes = tile.count;
    int steps = tile.maxLength();
    for (int l = 0; l < lanes; l++) laneObservations[l] = tile.trajectories[l].observations();
    kept = (long) steps * n * width <= HISTORY_LIMIT;
    if (kept && history.length < steps * n * width) history = new double[steps * n * width];
    LaneTransfer.broadcast(params.initialMean, predMean, false, lanes);
    LaneLoops.fill(logLik, 0.0, lanes);
    for (int t = 0; t < steps; t++) {
      if (t > 0) {
        params.loadDynamics(t - 1, lanes);
        predictMean(params, lanes);
      }
      if (predictedMeans != null) LaneTransfer.store(predMean, n, predictedMeans, t * n, lanes);
      int k = record.observedCount[t];
      if (k == 0) {
        for (int i = 0; i < n; i++) System.arraycopy(predMean[i], 0, mean[i], 0, lanes);
      } else {
        params.loadEmissions(t, lanes);
        update(tile, params, record, t, k, logLik, lanes);
      }
      LaneTransfer.store(mean, n, filteredMeans, t * n, lanes);
      if (kept) {
        for (int i = 0; i < n; i++) System.arraycopy(mean[i], 0, history, (t * n + i) * width, lanes);
      }
    }
  }

  private void predictMean(LaneParameters params, int lanes) {
    algebra.mixedTimesLanes(params.dynamicsWeights, mean, predMean, 1, lanes);
    for (int i = 0; i < n; i++) LaneAlgebra.addEntry(predMean[i], params.dynamicsBias, i, lanes);
  }

  private void update(Tile tile, LaneParameters params, GainRecord record, int t, int k, double[] logLik, int lanes) {
    algebra.mixedTimesLanes(params.emissionsWeights, predMean, predicted, 1, lanes);
    int oo = t * m;
    for (int a = 0; a < k; a++) {
      rows[a] = record.observed[oo + a];
      LaneAlgebra.addEntry(predicted[rows[a]], params.emissionsBias, rows[a], lanes);
    }
    for (int l = 0; l < lanes; l++) {
      double[] y = laneObservations[l];
      for (int a = 0; a < k; a++) z[a][l] = y[oo + rows[a]] - predicted[rows[a]][l];
    }
    int lo = t * m * m;
    for (int a = 0; a < k; a++) {
      int count = 0;
      for (int b = 0; b < a; b++) {
        double v = record.factor[lo + a * k + b];
        if (v != 0.0) {
          coef[count] = -v;
          terms[count++] = z[b];
        }
      }
      if (count > 0) LaneLoops.scaledSum(z[a], z[a], coef, terms, count, lanes);
      LaneLoops.scale(z[a], 1.0 / record.factor[lo + a * k + a], lanes);
    }
    int wo = t * m * n;
    for (int j = 0; j < n; j++) {
      int count = 0;
      for (int a = 0; a < k; a++) {
        double v = record.weights[wo + a * n + j];
        if (v != 0.0) {
          coef[count] = v;
          terms[count++] = z[a];
        }
      }
      LaneLoops.scaledSum(mean[j], predMean[j], coef, terms, count, lanes);
    }
    LaneLoops.sumOfProducts(quadratic, null, 1.0, z, z, k, lanes);
    double constant = k * LOG_2PI + record.logDet[t];
    for (int l = 0; l < lanes; l++) logLik[l] -= 0.5 * (constant + quadratic[l]);
  }

  /**
   * Backward pass of the means of every lane of the tile with the recorded RTS gains; must follow
   * {@link #filter} of the same tile (it reads the filtered means that pass kept).
   *
   * @param smoothedMeans per lane T×n, written
   */
  void smooth(Tile tile, LaneParameters params, GainRecord record, double[][] filteredMeans, double[][] smoothedMeans) {
    int lanes = tile.count;
    int steps = tile.maxLength();
    int last = steps - 1;
    for (int l = 0; l < lanes; l++) System.arraycopy(filteredMeans[l], last * n, smoothedMeans[l], last * n, n);
    LaneTransfer.load(filteredMeans, last * n, next, n, 0, lanes);
    int nn = n * n;
    boolean fromHistory = kept && (long) steps * n * width <= history.length;
    for (int t = steps - 2; t >= 0; t--) {
      if (fromHistory) {
        for (int i = 0; i < n; i++) System.arraycopy(history, (t * n + i) * width, mean[i], 0, lanes);
      } else {
        LaneTransfer.load(filteredMeans, t * n, mean, n, 0, lanes);
      }
      params.loadDynamics(t, lanes);
      predictMean(params, lanes);
      for (int i = 0; i < n; i++) LaneLoops.difference(diff[i], next[i], predMean[i], lanes);
      int go = t * nn;
      for (int j = 0; j < n; j++) {
        int count = 0;
        for (int i = 0; i < n; i++) {
          double v = record.gainT[go + i * n + j];
          if (v != 0.0) {
            coef[count] = v;
            terms[count++] = diff[i];
          }
        }
        LaneLoops.scaledSum(smoothed[j], mean[j], coef, terms, count, lanes);
      }
      LaneTransfer.store(smoothed, n, smoothedMeans, t * n, lanes);
      double[][] swap = next;
      next = smoothed;
      smoothed = swap;
    }
  }
}
