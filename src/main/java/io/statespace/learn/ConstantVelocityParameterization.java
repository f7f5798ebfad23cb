package io.statespace.learn;

import io.statespace.data.Trajectory;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.ModelSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The {@code constant-velocity} family: free {@code dt} (fixed-dt models only), {@code q} or
 * {@code std_acc}, {@code measurement_std} (every axis, each its own value) or {@code measurement_std[i]}
 * (one axis), {@code initial.mean}, {@code initial.cov}. The positive scalars are optimised as their
 * logarithms; the initial covariance through a Cholesky factor with log diagonal.
 *
 * <p>Per-step derivatives (per axis, block [pos, vel]): dF/d(dt) has a 1 at (pos, vel); dQ/d(level) and
 * dQ/d(dt) are {@link ConstantVelocityModel#noiseDerivatives}, next to Q itself; R = diag(std²) gives
 * dR_ii/dstd_i = 2 std_i. With dt from the time column, dt is data, not a parameter.
 */
public final class ConstantVelocityParameterization implements Parameterization {
  private static final long serialVersionUID = 1L;

  private final ConstantVelocityModel base;
  private final List<String> free;
  private final int axes;
  private final int n;
  private final int dtIndex;
  private final int levelIndex;
  private final int[] stdIndex;
  private final int meanOffset;
  private final int covOffset;
  private final int size;
  private final List<String> names;
  private final List<String> naturalNames;

  public ConstantVelocityParameterization(ConstantVelocityModel base, List<String> free) {
    this.base = base;
    this.free = List.copyOf(free);
    this.axes = base.spatialDims();
    this.n = 2 * axes;
    String levelKey = levelKey(base);
    List<String> thetaNames = new ArrayList<>();
    List<String> natNames = new ArrayList<>();
    int dt = -1;
    int level = -1;
    int[] std = new int[axes];
    Arrays.fill(std, -1);
    int mean = -1;
    int cov = -1;
    int o = 0;
    for (String key : this.free) {
      if (key.equals("dt") && base.hasFixedDt() && dt < 0) {
        dt = o++;
        scalarNames("dt", thetaNames, natNames);
      } else if (key.equals(levelKey) && level < 0) {
        level = o++;
        scalarNames(levelKey, thetaNames, natNames);
      } else if (key.equals("measurement_std") || axisOf(key) >= 0) {
        int only = axisOf(key);
        for (int a = 0; a < axes; a++) {
          if ((only < 0 || only == a) && std[a] < 0) {
            std[a] = o++;
            scalarNames("measurement_std[" + a + "]", thetaNames, natNames);
          }
        }
      } else if (key.equals("initial.mean") && mean < 0) {
        mean = o;
        for (int i = 0; i < n; i++) {
          thetaNames.add("initial.mean[" + i + "]");
          natNames.add("initial.mean[" + i + "]");
        }
        o += n;
      } else if (key.equals("initial.cov") && cov < 0) {
        cov = o;
        CovarianceCoordinates.names("initial.cov", n, thetaNames);
        CovarianceCoordinates.naturalNames("initial.cov", n, natNames);
        o += CovarianceCoordinates.count(n);
      } else {
        throw new IllegalArgumentException("'" + key + "' is not a parameter of this constant-velocity model"
            + " or is listed twice (known: " + String.join(", ", ModelSpec.parameterNames(base)) + ")");
      }
    }
    this.dtIndex = dt;
    this.levelIndex = level;
    this.stdIndex = std;
    this.meanOffset = mean;
    this.covOffset = cov;
    this.size = o;
    this.names = Collections.unmodifiableList(thetaNames);
    this.naturalNames = Collections.unmodifiableList(natNames);
    theta(base);
  }

  /** The model this parameterisation was built from (its frozen values). */
  public ConstantVelocityModel base() {
    return base;
  }

  /** True when dt is free. */
  public boolean dtFree() {
    return dtIndex >= 0;
  }

  /** True when the noise level (q or std_acc) is free. */
  public boolean levelFree() {
    return levelIndex >= 0;
  }

  /** True when axis a's measurement standard deviation is free. */
  public boolean measurementStdFree(int axis) {
    return stdIndex[axis] >= 0;
  }

  /** True when the initial mean is free. */
  public boolean initialMeanFree() {
    return meanOffset >= 0;
  }

  /** True when the initial covariance is free. */
  public boolean initialCovFree() {
    return covOffset >= 0;
  }

  private static String levelKey(ConstantVelocityModel model) {
    return model.noise().levelKey();
  }

  private int axisOf(String key) {
    for (int a = 0; a < axes; a++) {
      if (key.equals("measurement_std[" + a + "]")) return a;
    }
    return -1;
  }

  private static void scalarNames(String key, List<String> thetaNames, List<String> natNames) {
    thetaNames.add("log " + key);
    natNames.add(key);
  }

  @Override
  public String family() {
    return "constant-velocity";
  }

  @Override
  public List<String> free() {
    return free;
  }

  @Override
  public List<String> names() {
    return names;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public double[] initial() {
    return theta(base);
  }

  @Override
  public double[] theta(StateSpaceModel model) {
    if (!(model instanceof ConstantVelocityModel)) throw new IllegalArgumentException("expected a constant-velocity model");
    ConstantVelocityModel cv = (ConstantVelocityModel) model;
    if (cv.spatialDims() != axes || cv.noise() != base.noise() || cv.hasFixedDt() != base.hasFixedDt()) {
      throw new IllegalArgumentException("expected a constant-velocity model like the base model");
    }
    double[] theta = new double[size];
    if (dtIndex >= 0) theta[dtIndex] = logOf("dt", cv.fixedDt());
    if (levelIndex >= 0) theta[levelIndex] = logOf(levelKey(cv), cv.noiseLevel());
    double[] std = cv.measurementStd();
    for (int a = 0; a < axes; a++) {
      if (stdIndex[a] >= 0) theta[stdIndex[a]] = logOf("measurement_std[" + a + "]", std[a]);
    }
    if (meanOffset >= 0) System.arraycopy(cv.initialMean(), 0, theta, meanOffset, n);
    if (covOffset >= 0) CovarianceCoordinates.coordinates("initial.cov", cv.initialCov(), n, theta, covOffset);
    return theta;
  }

  private static double logOf(String key, double v) {
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(key + ": a free positive parameter is fitted in log space and must"
          + " start positive and finite, got " + v);
    }
    return Math.log(v);
  }

  private void checkSize(double[] theta) {
    if (theta.length != size) {
      throw new IllegalArgumentException("θ has " + theta.length + " values, the parameterisation " + size);
    }
  }

  private double dt(double[] theta) {
    return dtIndex >= 0 ? Math.exp(theta[dtIndex]) : base.fixedDt();
  }

  private double level(double[] theta) {
    return levelIndex >= 0 ? Math.exp(theta[levelIndex]) : base.noiseLevel();
  }

  private double[] std(double[] theta) {
    double[] std = base.measurementStd();
    for (int a = 0; a < axes; a++) {
      if (stdIndex[a] >= 0) std[a] = Math.exp(theta[stdIndex[a]]);
    }
    return std;
  }

  @Override
  public ConstantVelocityModel model(double[] theta) {
    checkSize(theta);
    double[] mean = base.initialMean();
    if (meanOffset >= 0) System.arraycopy(theta, meanOffset, mean, 0, n);
    double[] cov = base.initialCov();
    if (covOffset >= 0) CovarianceCoordinates.covariance(theta, covOffset, n, new double[n * n], cov);
    return new ConstantVelocityModel(axes, dt(theta), base.noise(), level(theta), std(theta), mean, cov);
  }

  @Override
  public List<String> naturalNames() {
    return naturalNames;
  }

  @Override
  public double[] natural(double[] theta) {
    checkSize(theta);
    double[] out = theta.clone();
    if (dtIndex >= 0) out[dtIndex] = Math.exp(theta[dtIndex]);
    if (levelIndex >= 0) out[levelIndex] = Math.exp(theta[levelIndex]);
    for (int a = 0; a < axes; a++) {
      if (stdIndex[a] >= 0) out[stdIndex[a]] = Math.exp(theta[stdIndex[a]]);
    }
    if (covOffset >= 0) {
      double[] cov = new double[n * n];
      CovarianceCoordinates.covariance(theta, covOffset, n, new double[n * n], cov);
      CovarianceCoordinates.natural(cov, n, out, covOffset);
    }
    return out;
  }

  @Override
  public double[][] naturalJacobian(double[] theta) {
    checkSize(theta);
    double[][] jac = new double[size][size];
    double[] natural = natural(theta);
    for (int i = 0; i < size; i++) jac[i][i] = 1.0;
    for (int i : logIndices()) jac[i][i] = natural[i];
    if (covOffset >= 0) {
      double[] l = new double[n * n];
      CovarianceCoordinates.factor(theta, covOffset, n, l);
      CovarianceCoordinates.naturalJacobian(l, n, jac, covOffset, covOffset);
    }
    return jac;
  }

  private int[] logIndices() {
    return Arrays.stream(new int[][] {{dtIndex, levelIndex}, stdIndex}).flatMapToInt(Arrays::stream)
        .filter(i -> i >= 0).toArray();
  }

  @Override
  public GradientChain chain(double[] theta) {
    checkSize(theta);
    return new Chain(theta);
  }

  /** Chains each step's dF_t, dQ_t through (dt, level), dR through the stds, and the initial moments. */
  private final class Chain implements GradientChain {
    private final double[] derivatives = new double[6];
    private final double fixedDt;
    private final double level;
    private final double[] std;
    private final double[] factor;
    private final double[] sumStd = new double[axes];
    private final double[] sumMean = new double[n];
    private final double[] sumCov = new double[n * n];
    private double sumDt;
    private double sumLevel;
    private double[] times;

    Chain(double[] theta) {
      fixedDt = dt(theta);
      level = level(theta);
      std = std(theta);
      factor = new double[n * n];
      if (covOffset >= 0) CovarianceCoordinates.factor(theta, covOffset, n, factor);
    }

    @Override
    public void begin(Trajectory trajectory) {
      times = trajectory.times();
      sumDt = 0.0;
      sumLevel = 0.0;
      Arrays.fill(sumStd, 0.0);
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
      if (levelIndex < 0 && dtIndex < 0) return;
      double dt = Double.isNaN(fixedDt) ? times[t + 1] - times[t] : fixedDt;
      ConstantVelocityModel.noiseDerivatives(base.noise(), level, dt, derivatives);
      for (int a = 0; a < axes; a++) {
        int pos = a;
        int vel = axes + a;
        double gpp = dCov[pos * n + pos];
        double gpv = dCov[pos * n + vel] + dCov[vel * n + pos];
        double gvv = dCov[vel * n + vel];
        sumLevel += gpp * derivatives[0] + gpv * derivatives[1] + gvv * derivatives[2];
        sumDt += gpp * derivatives[3] + gpv * derivatives[4] + gvv * derivatives[5];
        sumDt += dWeights[pos * n + vel];
      }
    }

    @Override
    public void emissions(int t, double[] dWeights, double[] dBias, double[] dCov) {
      for (int a = 0; a < axes; a++) sumStd[a] += dCov[a * axes + a];
    }

    @Override
    public void end(double[] gradient) {
      if (dtIndex >= 0) gradient[dtIndex] += sumDt * fixedDt;
      if (levelIndex >= 0) gradient[levelIndex] += sumLevel * level;
      for (int a = 0; a < axes; a++) {
        if (stdIndex[a] >= 0) gradient[stdIndex[a]] += sumStd[a] * 2.0 * std[a] * std[a];
      }
      if (meanOffset >= 0) {
        for (int i = 0; i < n; i++) gradient[meanOffset + i] += sumMean[i];
      }
      if (covOffset >= 0) CovarianceCoordinates.chain(factor, n, sumCov, gradient, covOffset);
    }
  }
}
