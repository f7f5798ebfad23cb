package io.statespace.family;

import io.statespace.data.Trajectory;
import io.statespace.learn.CovarianceCoordinates;
import io.statespace.learn.GradientChain;
import io.statespace.learn.Parameterization;
import io.statespace.model.StateSpaceModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * θ for a family of named positive scalars plus the prior (docs/ARCHITECTURE.md §5.1, §7.4): each free
 * scalar v_k as log v_k, {@code initial.mean} as is, {@code initial.cov} through a log-Cholesky factor, in
 * the order of the free list. A family says how its model's scalars, prior and per-step gradients map onto
 * this layout; the chain rule is shared: a scalar enters its model entries as v_k^{p_k} (p = 2 for a
 * standard deviation entering a variance, 1 for dt entering F), so d entry / d log v_k = p_k v_k^{p_k}.
 *
 * @param <M> the family's model
 */
abstract class LogScalarParameterization<M extends StateSpaceModel> implements Parameterization {
  private static final long serialVersionUID = 1L;

  private final String family;
  private final M base;
  private final List<String> free;
  private final String[] scalarKeys;
  private final int[] powers;
  private final int n;
  /** θ index of each positive scalar, -1 when frozen. */
  private final int[] scalarIndex;
  private final int meanOffset;
  private final int covOffset;
  private final int size;
  private final List<String> names;
  private final List<String> naturalNames;

  /**
   * @param scalarKeys the family's positive scalars, in the order of {@link #scalars}
   * @param powers p_k: the scalar enters its model entries as v_k^{p_k}
   * @param known the names a fit may free (the scalars this model has, initial.mean, initial.cov)
   */
  LogScalarParameterization(String family, M base, List<String> free, List<String> known, String[] scalarKeys,
      int[] powers) {
    this.family = family;
    this.base = base;
    this.free = List.copyOf(free);
    this.scalarKeys = scalarKeys.clone();
    this.powers = powers.clone();
    this.n = base.stateDim();
    this.scalarIndex = new int[scalarKeys.length];
    Arrays.fill(scalarIndex, -1);
    List<String> thetaNames = new ArrayList<>();
    List<String> natNames = new ArrayList<>();
    int mean = -1;
    int cov = -1;
    int o = 0;
    for (String key : this.free) {
      int scalar = Arrays.asList(scalarKeys).indexOf(key);
      if (scalar >= 0 && scalarIndex[scalar] < 0 && known.contains(key)) {
        scalarIndex[scalar] = o++;
        thetaNames.add("log " + key);
        natNames.add(key);
      } else if (key.equals("initial.mean") && mean < 0) {
        mean = o;
        o += n;
        for (int i = 0; i < n; i++) {
          thetaNames.add("initial.mean[" + i + "]");
          natNames.add("initial.mean[" + i + "]");
        }
      } else if (key.equals("initial.cov") && cov < 0) {
        cov = o;
        o += CovarianceCoordinates.count(n);
        CovarianceCoordinates.names("initial.cov", n, thetaNames);
        CovarianceCoordinates.naturalNames("initial.cov", n, natNames);
      } else {
        throw new IllegalArgumentException("'" + key + "' is not a parameter of this " + family
            + " model or is listed twice (known: " + String.join(", ", known) + ")");
      }
    }
    this.meanOffset = mean;
    this.covOffset = cov;
    this.size = o;
    this.names = Collections.unmodifiableList(thetaNames);
    this.naturalNames = Collections.unmodifiableList(natNames);
    theta(base);
  }

  /** The model as this family's, or an IllegalArgumentException; may also check it is like {@link #base}. */
  abstract M cast(StateSpaceModel model);

  /** The model's positive scalars, in the order of the constructor's keys. */
  abstract double[] scalars(M model);

  abstract double[] initialMean(M model);

  abstract double[] initialCov(M model);

  /** The family's model with these scalars and prior. */
  abstract M build(double[] scalars, double[] initialMean, double[] initialCov);

  /** Adds step t's dL/d(entry) of each scalar's dynamics entries into {@code sums} (indexed like the scalars). */
  abstract void dynamics(int t, double[] dWeights, double[] dBias, double[] dCov, double[] sums);

  /** Adds step t's dL/d(entry) of each scalar's emission entries into {@code sums}. */
  abstract void emissions(int t, double[] dWeights, double[] dBias, double[] dCov, double[] sums);

  final M base() {
    return base;
  }

  @Override
  public final String family() {
    return family;
  }

  @Override
  public final List<String> free() {
    return free;
  }

  @Override
  public final List<String> names() {
    return names;
  }

  @Override
  public final int size() {
    return size;
  }

  @Override
  public final double[] initial() {
    return theta(base);
  }

  @Override
  public final List<String> naturalNames() {
    return naturalNames;
  }

  @Override
  public final double[] theta(StateSpaceModel model) {
    M m = cast(model);
    double[] theta = new double[size];
    double[] values = scalars(m);
    for (int k = 0; k < scalarIndex.length; k++) {
      if (scalarIndex[k] < 0) continue;
      double v = values[k];
      if (!(v > 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException(scalarKeys[k] + ": a free positive parameter is fitted in log space"
            + " and must start positive and finite, got " + v);
      }
      theta[scalarIndex[k]] = Math.log(v);
    }
    if (meanOffset >= 0) System.arraycopy(initialMean(m), 0, theta, meanOffset, n);
    if (covOffset >= 0) CovarianceCoordinates.coordinates("initial.cov", initialCov(m), n, theta, covOffset);
    return theta;
  }

  /** The scalars θ sets, the base model's where frozen. */
  private double[] values(double[] theta) {
    if (theta.length != size) {
      throw new IllegalArgumentException("θ has " + theta.length + " values, the parameterisation " + size);
    }
    double[] values = scalars(base);
    for (int k = 0; k < scalarIndex.length; k++) {
      if (scalarIndex[k] >= 0) values[k] = Math.exp(theta[scalarIndex[k]]);
    }
    return values;
  }

  @Override
  public final M model(double[] theta) {
    double[] v = values(theta);
    double[] mean = initialMean(base).clone();
    if (meanOffset >= 0) System.arraycopy(theta, meanOffset, mean, 0, n);
    double[] cov = initialCov(base).clone();
    if (covOffset >= 0) CovarianceCoordinates.covariance(theta, covOffset, n, new double[n * n], cov);
    return build(v, mean, cov);
  }

  @Override
  public final double[] natural(double[] theta) {
    double[] v = values(theta);
    double[] out = theta.clone();
    for (int k = 0; k < scalarIndex.length; k++) {
      if (scalarIndex[k] >= 0) out[scalarIndex[k]] = v[k];
    }
    if (covOffset >= 0) {
      double[] cov = new double[n * n];
      CovarianceCoordinates.covariance(theta, covOffset, n, new double[n * n], cov);
      CovarianceCoordinates.natural(cov, n, out, covOffset);
    }
    return out;
  }

  @Override
  public final double[][] naturalJacobian(double[] theta) {
    double[] v = values(theta);
    double[][] jac = new double[size][size];
    for (int i = 0; i < size; i++) jac[i][i] = 1.0;
    for (int k = 0; k < scalarIndex.length; k++) {
      if (scalarIndex[k] >= 0) jac[scalarIndex[k]][scalarIndex[k]] = v[k];
    }
    if (covOffset >= 0) {
      double[] l = new double[n * n];
      CovarianceCoordinates.factor(theta, covOffset, n, l);
      CovarianceCoordinates.naturalJacobian(l, n, jac, covOffset, covOffset);
    }
    return jac;
  }

  @Override
  public final GradientChain chain(double[] theta) {
    return new Chain(theta);
  }

  /** v^p by repeated multiplication (for p = 2 exactly v * v). */
  private static double power(double v, int p) {
    double out = 1.0;
    for (int i = 0; i < p; i++) out *= v;
    return out;
  }

  /** Sums the scalars' entry gradients and the prior's over a trajectory, then chains them to θ. */
  private final class Chain implements GradientChain {
    private final double[] value;
    private final double[] factor = new double[n * n];
    private final double[] sum = new double[scalarIndex.length];
    private final double[] sumMean = new double[n];
    private final double[] sumCov = new double[n * n];

    Chain(double[] theta) {
      value = values(theta);
      if (covOffset >= 0) CovarianceCoordinates.factor(theta, covOffset, n, factor);
    }

    @Override
    public void begin(Trajectory trajectory) {
      Arrays.fill(sum, 0.0);
      Arrays.fill(sumMean, 0.0);
      Arrays.fill(sumCov, 0.0);
    }

    @Override
    public void initial(double[] dMean, double[] dCov) {
      for (int i = 0; i < n; i++) sumMean[i] += dMean[i];
      for (int i = 0; i < n * n; i++) sumCov[i] += dCov[i];
    }

    @Override
    public void dynamics(int t, double[] dWeights, double[] dBias, double[] dCov) {
      LogScalarParameterization.this.dynamics(t, dWeights, dBias, dCov, sum);
    }

    @Override
    public void emissions(int t, double[] dWeights, double[] dBias, double[] dCov) {
      LogScalarParameterization.this.emissions(t, dWeights, dBias, dCov, sum);
    }

    @Override
    public void end(double[] gradient) {
      for (int k = 0; k < scalarIndex.length; k++) {
        if (scalarIndex[k] >= 0) gradient[scalarIndex[k]] += sum[k] * powers[k] * power(value[k], powers[k]);
      }
      if (meanOffset >= 0) {
        for (int i = 0; i < n; i++) gradient[meanOffset + i] += sumMean[i];
      }
      if (covOffset >= 0) CovarianceCoordinates.chain(factor, n, sumCov, gradient, covOffset);
    }
  }
}
