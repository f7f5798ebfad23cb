package io.statespace.inference.batched;

/**
 * The per-step gains of one covariance recursion, written by {@link ScalarLane} for a group of trajectories
 * that share it ({@link CovarianceGroups}) and read by {@link SharedMeans}, which then advances only the
 * means of every lane of the group. Filter step t: the k_t observed components, W_t = L_t⁻¹ H P⁻_t over
 * them (k_t×n), the Cholesky factor L_t of their innovation covariance (k_t×k_t, lower) and log det S_t;
 * smoother step t: the transposed RTS gain Gᵀ_t (n×n). Grows to the longest recursion it has held; one
 * instance per engine.
 */
final class GainRecord {
  private final int n;
  private final int m;
  int capacity;
  int[] observedCount = new int[0];
  int[] observed = new int[0];
  double[] weights = new double[0];
  double[] factor = new double[0];
  double[] logDet = new double[0];
  double[] gainT = new double[0];

  GainRecord(int stateDim, int obsDim) {
    this.n = stateDim;
    this.m = obsDim;
  }

  /** Makes room for a recursion of this many steps. */
  void ensure(int steps) {
    if (steps <= capacity) return;
    capacity = Math.max(steps, capacity + capacity / 2);
    observedCount = new int[capacity];
    observed = new int[capacity * m];
    weights = new double[capacity * m * n];
    factor = new double[capacity * m * m];
    logDet = new double[capacity];
    gainT = new double[capacity * n * n];
  }

  /** Records filter step t: k observed components (indices), W (k×n) and L (k×k, lower) from their arrays. */
  void filterStep(int t, int k, int[] indices, double[] w, double[] l, double logDetS) {
    observedCount[t] = k;
    System.arraycopy(indices, 0, observed, t * m, k);
    System.arraycopy(w, 0, weights, t * m * n, k * n);
    System.arraycopy(l, 0, factor, t * m * m, k * k);
    logDet[t] = logDetS;
  }

  /** Records smoother step t's Gᵀ (n×n). */
  void smootherStep(int t, double[] g) {
    System.arraycopy(g, 0, gainT, t * n * n, n * n);
  }
}
