package io.statespace.gpu;

import io.statespace.inference.Posterior;

/**
 * Sums over a batch of the smoothed moments that a fit iteration needs for the dynamics and the initial
 * state (EM M-step, Fisher-identity gradient; docs/ARCHITECTURE.md §7.4), with S_t = P^s_t + m_t m_tᵀ:
 * Σ m_0, Σ S_0, Σ_{t<T-1} S_t, Σ_{t>0} S_t, Σ_{t<T-1} E[x_{t+1} x_tᵀ] (= Cov[x_{t+1}, x_t] + m_{t+1} m_tᵀ),
 * Σ_{t<T-1} m_t, Σ_{t>0} m_t, the number of transitions Σ (T-1) and the log-likelihood. On the GPU they
 * are computed per trajectory and reduced on the device, so an iteration copies back these
 * 3n + 4n² + 2 numbers rather than every moment. Matrices are row-major n×n.
 */
public final class FitStatistics {
  private final int n;
  private final int trajectories;
  private final double[] initialMean;
  private final double[] initialSecond;
  private final double[] secondBefore;
  private final double[] secondAfter;
  private final double[] lagSecond;
  private final double[] meanBefore;
  private final double[] meanAfter;
  private final double transitions;
  private final double logLikelihood;

  private FitStatistics(int n, int trajectories, double[] initialMean, double[] initialSecond, double[] secondBefore,
      double[] secondAfter, double[] lagSecond, double[] meanBefore, double[] meanAfter, double transitions,
      double logLikelihood) {
    this.n = n;
    this.trajectories = trajectories;
    this.initialMean = initialMean;
    this.initialSecond = initialSecond;
    this.secondBefore = secondBefore;
    this.secondAfter = secondAfter;
    this.lagSecond = lagSecond;
    this.meanBefore = meanBefore;
    this.meanAfter = meanAfter;
    this.transitions = transitions;
    this.logLikelihood = logLikelihood;
  }

  /** Number of values of the kernel's statistics vector for state dimension {@code n}. */
  public static int width(int n) {
    return 3 * n + 4 * n * n + 2;
  }

  /** All zeros. */
  public static FitStatistics zero(int n) {
    return new FitStatistics(n, 0, new double[n], new double[n * n], new double[n * n], new double[n * n],
        new double[n * n], new double[n], new double[n], 0.0, 0.0);
  }

  /**
   * Reads the kernel's reduced vector (layout of batchStatistics in src/main/cuda/batched.cuh) computed in
   * a shape with {@code big} ≥ n state dimensions, keeping the model's leading n.
   */
  public static FitStatistics fromDevice(double[] v, int big, int n, int trajectories) {
    int k = 0;
    double[] m0 = vector(v, k, big, n);
    k += big;
    double[] s0 = matrix(v, k, big, n);
    k += big * big;
    double[] before = matrix(v, k, big, n);
    k += big * big;
    double[] after = matrix(v, k, big, n);
    k += big * big;
    double[] lag = matrix(v, k, big, n);
    k += big * big;
    double[] mb = vector(v, k, big, n);
    k += big;
    double[] ma = vector(v, k, big, n);
    k += big;
    return new FitStatistics(n, trajectories, m0, s0, before, after, lag, mb, ma, v[k], v[k + 1]);
  }

  private static double[] vector(double[] v, int off, int big, int n) {
    double[] out = new double[n];
    System.arraycopy(v, off, out, 0, n);
    return out;
  }

  private static double[] matrix(double[] v, int off, int big, int n) {
    double[] out = new double[n * n];
    for (int i = 0; i < n; i++) System.arraycopy(v, off + i * big, out, i * n, n);
    return out;
  }

  /** The statistics of one smoothed trajectory (its cross-covariances must have been kept). */
  public static FitStatistics of(Posterior p) {
    if (!p.isSmoothed() || (p.length() > 1 && p.smoothedCrossCovariances() == null)) {
      throw new IllegalArgumentException("fit statistics need smoothed moments and lag-one cross-covariances");
    }
    int n = p.stateDim();
    int steps = p.length();
    double[] m = p.smoothedMeans();
    double[] c = p.smoothedCovariances();
    double[] x = p.smoothedCrossCovariances();
    FitStatistics s = zero(n);
    for (int i = 0; i < n; i++) {
      s.initialMean[i] = m[i];
      for (int j = 0; j < n; j++) s.initialSecond[i * n + j] = c[i * n + j] + m[i] * m[j];
    }
    for (int t = 0; t + 1 < steps; t++) {
      int a = t * n;
      int b = (t + 1) * n;
      for (int i = 0; i < n; i++) {
        s.meanBefore[i] += m[a + i];
        s.meanAfter[i] += m[b + i];
        for (int j = 0; j < n; j++) {
          s.secondBefore[i * n + j] += c[t * n * n + i * n + j] + m[a + i] * m[a + j];
          s.secondAfter[i * n + j] += c[(t + 1) * n * n + i * n + j] + m[b + i] * m[b + j];
          s.lagSecond[i * n + j] += x[t * n * n + i * n + j] + m[b + i] * m[a + j];
        }
      }
    }
    return new FitStatistics(n, 1, s.initialMean, s.initialSecond, s.secondBefore, s.secondAfter, s.lagSecond,
        s.meanBefore, s.meanAfter, Math.max(0, steps - 1), p.logLikelihood());
  }

  /** Element-wise sum (a fold over trajectories or partitions). */
  public FitStatistics plus(FitStatistics o) {
    if (o.n != n) throw new IllegalArgumentException("state dimensions " + n + " and " + o.n);
    return new FitStatistics(n, trajectories + o.trajectories, add(initialMean, o.initialMean),
        add(initialSecond, o.initialSecond), add(secondBefore, o.secondBefore), add(secondAfter, o.secondAfter),
        add(lagSecond, o.lagSecond), add(meanBefore, o.meanBefore), add(meanAfter, o.meanAfter),
        transitions + o.transitions, logLikelihood + o.logLikelihood);
  }

  private static double[] add(double[] a, double[] b) {
    double[] out = a.clone();
    for (int i = 0; i < out.length; i++) out[i] += b[i];
    return out;
  }

  /** All values in the kernel's order (for comparisons). */
  public double[] toArray() {
    double[] out = new double[width(n)];
    int k = 0;
    for (double[] part : new double[][] {initialMean, initialSecond, secondBefore, secondAfter, lagSecond, meanBefore,
        meanAfter}) {
      System.arraycopy(part, 0, out, k, part.length);
      k += part.length;
    }
    out[k] = transitions;
    out[k + 1] = logLikelihood;
    return out;
  }

  public int stateDim() {
    return n;
  }

  public int trajectories() {
    return trajectories;
  }

  /** Σ m_0. */
  public double[] initialMean() {
    return initialMean.clone();
  }

  /** Σ (P_0 + m_0 m_0ᵀ). */
  public double[] initialSecond() {
    return initialSecond.clone();
  }

  /** Σ_{t<T-1} (P_t + m_t m_tᵀ). */
  public double[] secondBefore() {
    return secondBefore.clone();
  }

  /** Σ_{t>0} (P_t + m_t m_tᵀ). */
  public double[] secondAfter() {
    return secondAfter.clone();
  }

  /** Σ_{t<T-1} E[x_{t+1} x_tᵀ]. */
  public double[] lagSecond() {
    return lagSecond.clone();
  }

  /** Σ_{t<T-1} m_t. */
  public double[] meanBefore() {
    return meanBefore.clone();
  }

  /** Σ_{t>0} m_t. */
  public double[] meanAfter() {
    return meanAfter.clone();
  }

  /** Σ (T - 1). */
  public double transitions() {
    return transitions;
  }

  /** Σ log p(y). */
  public double logLikelihood() {
    return logLikelihood;
  }
}
