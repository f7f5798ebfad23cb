package io.statespace.model;

import io.statespace.data.Trajectory;
import java.util.Arrays;

/**
 * The exact diffuse prior (Durbin &amp; Koopman 2012, ch. 5; docs/ARCHITECTURE.md §7.6) as the model stores it:
 * x_0 ~ N(μ0, Σ0 + κ P_∞) with κ → ∞, where P_∞ is the diagonal selector of the diffuse components. A model
 * keeps it in its ordinary prior arrays: a diffuse component has Σ0_ii = +∞, zero covariance with every other
 * component and mean 0, so every family carries it through its {@code initial} block unchanged, and an engine
 * that does not know about it cannot produce a finite answer by accident.
 */
public final class DiffusePrior {
  private DiffusePrior() {}

  /** Which components of an n×n prior covariance are diffuse (an infinite diagonal entry). */
  public static boolean[] components(double[] cov, int n) {
    boolean[] out = new boolean[n];
    for (int i = 0; i < n; i++) out[i] = cov[i * n + i] == Double.POSITIVE_INFINITY;
    return out;
  }

  /** True when at least one component of the prior covariance is diffuse. */
  public static boolean any(double[] cov, int n) {
    for (int i = 0; i < n; i++) {
      if (cov[i * n + i] == Double.POSITIVE_INFINITY) return true;
    }
    return false;
  }

  /** The diffuse components of a model's prior (read through a one-step, fully missing trajectory). */
  public static boolean[] of(StateSpaceModel model) {
    int n = model.stateDim();
    double[] mean = new double[n];
    double[] cov = new double[n * n];
    probe(model).initial(mean, cov);
    return components(cov, n);
  }

  /** True when the model's prior has a diffuse component. */
  public static boolean isDiffuse(StateSpaceModel model) {
    for (boolean d : of(model)) {
      if (d) return true;
    }
    return false;
  }

  private static StepParameters probe(StateSpaceModel model) {
    int m = model.obsDim();
    int p = model.inputDim();
    double[] y = new double[m];
    Arrays.fill(y, Double.NaN);
    return model.bind(new Trajectory("diffuse-probe", new double[] {0.0}, y, m, p == 0 ? null : new double[p], p));
  }

  /**
   * The full prior from the proper part: {@code properMean} and {@code properCov} are sized for the
   * components that are not diffuse, in order.
   *
   * @return {mean (n), cov (n×n)} with the diffuse components marked
   */
  public static double[][] assemble(boolean[] diffuse, double[] properMean, double[] properCov) {
    int n = diffuse.length;
    int[] proper = properIndices(diffuse);
    int k = proper.length;
    double[] mean = new double[n];
    double[] cov = new double[n * n];
    for (int a = 0; a < k; a++) {
      mean[proper[a]] = properMean[a];
      for (int b = 0; b < k; b++) cov[proper[a] * n + proper[b]] = properCov[a * k + b];
    }
    for (int i = 0; i < n; i++) {
      if (diffuse[i]) cov[i * n + i] = Double.POSITIVE_INFINITY;
    }
    return new double[][] {mean, cov};
  }

  /** The indices of the components that are not diffuse, ascending. */
  public static int[] properIndices(boolean[] diffuse) {
    int k = 0;
    for (boolean d : diffuse) {
      if (!d) k++;
    }
    int[] out = new int[k];
    k = 0;
    for (int i = 0; i < diffuse.length; i++) {
      if (!diffuse[i]) out[k++] = i;
    }
    return out;
  }

  /** The rows/columns {@code indices} of an n×n matrix, row-major. */
  public static double[] restrict(double[] a, int n, int[] indices) {
    int k = indices.length;
    double[] out = new double[k * k];
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < k; j++) out[i * k + j] = a[indices[i] * n + indices[j]];
    }
    return out;
  }

  /** The entries {@code indices} of a vector. */
  public static double[] restrict(double[] v, int[] indices) {
    double[] out = new double[indices.length];
    for (int i = 0; i < indices.length; i++) out[i] = v[indices[i]];
    return out;
  }
}
