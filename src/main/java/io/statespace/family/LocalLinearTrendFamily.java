package io.statespace.family;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.statespace.data.Trajectory;
import io.statespace.learn.CovarianceCoordinates;
import io.statespace.learn.GradientChain;
import io.statespace.learn.Parameterization;
import io.statespace.model.BoundParameters;
import io.statespace.model.LinearModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepForm;
import io.statespace.model.StepParameters;
import io.statespace.model.spec.SpecBlocks;
import io.statespace.model.spec.SpecNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The {@code local-linear-trend} family (statsmodels UnobservedComponents' "local linear trend"): state
 * [level, slope], level_{t+1} = level_t + dt slope_t + η_t, slope_{t+1} = slope_t + ζ_t, y_t = level_t + ε_t,
 * so F(dt) = [[1, dt], [0, 1]], Q = diag(level_std², slope_std²) (not scaled by dt), H = [1, 0],
 * R = measurement_std². dt is the file's {@code dt}, or time[t+1] - time[t] without one (0 is legal: F = I).
 *
 * <p>Fitting: {@code level_std}, {@code slope_std}, {@code measurement_std} and a fixed {@code dt} in log
 * space, {@code initial.mean} as is, {@code initial.cov} through a log-Cholesky factor. Chain rule per step:
 * dQ_00/dlevel_std = 2 level_std, dQ_11/dslope_std = 2 slope_std, dR/dmeasurement_std = 2 measurement_std,
 * dF_01/d(dt) = 1.
 */
final class LocalLinearTrendFamily implements Family {
  static final String NAME = "local-linear-trend";
  private static final String[] SCALES = {"level_std", "slope_std", "measurement_std"};

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean owns(StateSpaceModel model) {
    return model instanceof Model;
  }

  private static Model cast(StateSpaceModel model) {
    if (!(model instanceof Model)) throw new IllegalArgumentException("expected a " + NAME + " model");
    return (Model) model;
  }

  @Override
  public Model parse(SpecNode top) {
    top.allowOnly(SpecBlocks.keys("dt", SCALES[0], SCALES[1], SCALES[2]));
    double dt = SpecBlocks.optionalDt(top);
    double level = SpecBlocks.nonNegative(top, "level_std");
    double slope = SpecBlocks.nonNegative(top, "slope_std");
    double measurement = SpecBlocks.positive(top, "measurement_std");
    SpecBlocks.noInputs(top, NAME);
    double[][] initial = SpecBlocks.initial(top, 2);
    return new Model(dt, level, slope, measurement, initial[0], initial[1]);
  }

  @Override
  public void write(StateSpaceModel model, ObjectNode root) {
    Model m = cast(model);
    if (m.hasFixedDt()) root.put("dt", m.fixedDt);
    root.put("level_std", m.levelStd);
    root.put("slope_std", m.slopeStd);
    root.put("measurement_std", m.measurementStd);
    SpecBlocks.writeInitial(root, m.initialMean, m.initialCov, 2);
  }

  @Override
  public List<String> parameterNames(StateSpaceModel model) {
    List<String> names = new ArrayList<>(List.of("initial.mean", "initial.cov"));
    if (cast(model).hasFixedDt()) names.add("dt");
    names.addAll(List.of(SCALES));
    return names;
  }

  @Override
  public Parameterization parameterization(StateSpaceModel model, List<String> free) {
    return new Fit(cast(model), free, parameterNames(model));
  }

  @Override
  public double fixedDt(StateSpaceModel model) {
    return cast(model).fixedDt;
  }

  /** The model: immutable, its arrays owned. */
  static final class Model implements StateSpaceModel {
    private static final long serialVersionUID = 1L;

    final double fixedDt;
    final double levelStd;
    final double slopeStd;
    final double measurementStd;
    private final double[] initialMean;
    private final double[] initialCov;

    /** @param fixedDt the step, or NaN to take dt from the time column */
    Model(double fixedDt, double levelStd, double slopeStd, double measurementStd, double[] initialMean,
        double[] initialCov) {
      if (initialMean.length != 2 || initialCov.length != 4) {
        throw new IllegalArgumentException("initial: expected a mean of 2 and a 2x2 cov");
      }
      this.fixedDt = fixedDt;
      this.levelStd = levelStd;
      this.slopeStd = slopeStd;
      this.measurementStd = measurementStd;
      this.initialMean = initialMean.clone();
      this.initialCov = initialCov.clone();
    }

    boolean hasFixedDt() {
      return !Double.isNaN(fixedDt);
    }

    @Override
    public int stateDim() {
      return 2;
    }

    @Override
    public int obsDim() {
      return 1;
    }

    @Override
    public int inputDim() {
      return 0;
    }

    @Override
    public boolean usesTimeGaps() {
      return !hasFixedDt();
    }

    /** Writes F(dt) and Q (2×2 each). */
    void transition(double dt, double[] weights, double[] cov) {
      weights[0] = 1.0;
      weights[1] = dt;
      weights[2] = 0.0;
      weights[3] = 1.0;
      cov[0] = levelStd * levelStd;
      cov[1] = 0.0;
      cov[2] = 0.0;
      cov[3] = slopeStd * slopeStd;
    }

    /** F and Q at {@code dt} as an explicit linear model with the same H, R and prior. */
    private LinearModel linear(double dt) {
      double[] f = new double[4];
      double[] q = new double[4];
      transition(dt, f, q);
      return new LinearModel(2, 1, 0, initialMean, initialCov, f, null, null, q, new double[] {1.0, 0.0}, null,
          null, new double[] {measurementStd * measurementStd});
    }

    /** Constant with a fixed dt; otherwise F_01 is the one gap term, Q constant. */
    @Override
    public StepForm stepForm() {
      if (hasFixedDt()) return new StepForm.Constant(linear(fixedDt));
      return new StepForm.TimeGaps(linear(1.0), 1, (dt, out, lane) -> out[0][lane] = dt, new int[] {-1, 0, -1, -1},
          new int[] {-1, -1, -1, -1}, null);
    }

    @Override
    public StepParameters bind(Trajectory trajectory) {
      if (trajectory.obsDim() != 1) {
        throw new IllegalArgumentException("trajectory '" + trajectory.id() + "' has " + trajectory.obsDim()
            + " observation columns, the model expects 1");
      }
      final double[] times = trajectory.times();
      return new BoundParameters(2, 1, initialMean, initialCov) {
        @Override
        public void dynamics(int t, double[] weights, double[] bias, double[] cov) {
          transition(hasFixedDt() ? fixedDt : times[t + 1] - times[t], weights, cov);
          bias[0] = 0.0;
          bias[1] = 0.0;
        }

        @Override
        public void emissions(int t, double[] weights, double[] bias, double[] cov) {
          weights[0] = 1.0;
          weights[1] = 0.0;
          bias[0] = 0.0;
          cov[0] = measurementStd * measurementStd;
        }

        @Override
        public boolean timeInvariant() {
          return hasFixedDt();
        }
      };
    }
  }

  /**
   * θ: the free positive scalars (dt, level_std, slope_std, measurement_std) as logarithms, then
   * initial.mean and initial.cov's log-Cholesky coordinates, in the order of the free list.
   */
  static final class Fit implements Parameterization {
    private static final long serialVersionUID = 1L;
    /** Positions of the positive scalars in {@link #scalarIndex}. */
    private static final int DT = 0;
    private static final int LEVEL = 1;
    private static final int SLOPE = 2;
    private static final int MEASUREMENT = 3;
    private static final String[] SCALAR_KEYS = {"dt", "level_std", "slope_std", "measurement_std"};

    private final Model base;
    private final List<String> free;
    /** θ index of each positive scalar, -1 when frozen. */
    private final int[] scalarIndex = {-1, -1, -1, -1};
    private final int meanOffset;
    private final int covOffset;
    private final int size;
    private final List<String> names;
    private final List<String> naturalNames;

    Fit(Model base, List<String> free, List<String> known) {
      this.base = base;
      this.free = List.copyOf(free);
      List<String> thetaNames = new ArrayList<>();
      List<String> natNames = new ArrayList<>();
      int mean = -1;
      int cov = -1;
      int o = 0;
      for (String key : this.free) {
        int scalar = Arrays.asList(SCALAR_KEYS).indexOf(key);
        if (scalar >= 0 && scalarIndex[scalar] < 0 && known.contains(key)) {
          scalarIndex[scalar] = o++;
          thetaNames.add("log " + key);
          natNames.add(key);
        } else if (key.equals("initial.mean") && mean < 0) {
          mean = o;
          o += 2;
          for (int i = 0; i < 2; i++) {
            thetaNames.add("initial.mean[" + i + "]");
            natNames.add("initial.mean[" + i + "]");
          }
        } else if (key.equals("initial.cov") && cov < 0) {
          cov = o;
          o += CovarianceCoordinates.count(2);
          CovarianceCoordinates.names("initial.cov", 2, thetaNames);
          CovarianceCoordinates.naturalNames("initial.cov", 2, natNames);
        } else {
          throw new IllegalArgumentException("'" + key + "' is not a parameter of this " + NAME
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

    @Override
    public String family() {
      return NAME;
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

    private static double[] scalars(Model m) {
      return new double[] {m.fixedDt, m.levelStd, m.slopeStd, m.measurementStd};
    }

    @Override
    public double[] theta(StateSpaceModel model) {
      Model m = cast(model);
      if (m.hasFixedDt() != base.hasFixedDt()) throw new IllegalArgumentException("expected a " + NAME + " model like the base model");
      double[] theta = new double[size];
      double[] values = scalars(m);
      for (int k = 0; k < 4; k++) {
        if (scalarIndex[k] < 0) continue;
        double v = values[k];
        if (!(v > 0) || Double.isInfinite(v)) {
          throw new IllegalArgumentException(SCALAR_KEYS[k] + ": a free positive parameter is fitted in log space"
              + " and must start positive and finite, got " + v);
        }
        theta[scalarIndex[k]] = Math.log(v);
      }
      if (meanOffset >= 0) System.arraycopy(m.initialMean, 0, theta, meanOffset, 2);
      if (covOffset >= 0) CovarianceCoordinates.coordinates("initial.cov", m.initialCov, 2, theta, covOffset);
      return theta;
    }

    private double[] scalars(double[] theta) {
      if (theta.length != size) {
        throw new IllegalArgumentException("θ has " + theta.length + " values, the parameterisation " + size);
      }
      double[] values = scalars(base);
      for (int k = 0; k < 4; k++) {
        if (scalarIndex[k] >= 0) values[k] = Math.exp(theta[scalarIndex[k]]);
      }
      return values;
    }

    @Override
    public Model model(double[] theta) {
      double[] v = scalars(theta);
      double[] mean = base.initialMean.clone();
      if (meanOffset >= 0) System.arraycopy(theta, meanOffset, mean, 0, 2);
      double[] cov = base.initialCov.clone();
      if (covOffset >= 0) CovarianceCoordinates.covariance(theta, covOffset, 2, new double[4], cov);
      return new Model(v[DT], v[LEVEL], v[SLOPE], v[MEASUREMENT], mean, cov);
    }

    @Override
    public List<String> naturalNames() {
      return naturalNames;
    }

    @Override
    public double[] natural(double[] theta) {
      double[] v = scalars(theta);
      double[] out = theta.clone();
      for (int k = 0; k < 4; k++) {
        if (scalarIndex[k] >= 0) out[scalarIndex[k]] = v[k];
      }
      if (covOffset >= 0) {
        double[] cov = new double[4];
        CovarianceCoordinates.covariance(theta, covOffset, 2, new double[4], cov);
        CovarianceCoordinates.natural(cov, 2, out, covOffset);
      }
      return out;
    }

    @Override
    public double[][] naturalJacobian(double[] theta) {
      double[] v = scalars(theta);
      double[][] jac = new double[size][size];
      for (int i = 0; i < size; i++) jac[i][i] = 1.0;
      for (int k = 0; k < 4; k++) {
        if (scalarIndex[k] >= 0) jac[scalarIndex[k]][scalarIndex[k]] = v[k];
      }
      if (covOffset >= 0) {
        double[] l = new double[4];
        CovarianceCoordinates.factor(theta, covOffset, 2, l);
        CovarianceCoordinates.naturalJacobian(l, 2, jac, covOffset, covOffset);
      }
      return jac;
    }

    @Override
    public GradientChain chain(double[] theta) {
      return new Chain(theta);
    }

    /** Sums dL/dF_01, dL/dQ_00, dL/dQ_11, dL/dR and the prior's gradients over a trajectory, then chains them. */
    private final class Chain implements GradientChain {
      private final double[] value;
      private final double[] factor = new double[4];
      private final double[] sum = new double[4];
      private final double[] sumMean = new double[2];
      private final double[] sumCov = new double[4];

      Chain(double[] theta) {
        value = scalars(theta);
        if (covOffset >= 0) CovarianceCoordinates.factor(theta, covOffset, 2, factor);
      }

      @Override
      public void begin(Trajectory trajectory) {
        Arrays.fill(sum, 0.0);
        Arrays.fill(sumMean, 0.0);
        Arrays.fill(sumCov, 0.0);
      }

      @Override
      public void initial(double[] dMean, double[] dCov) {
        for (int i = 0; i < 2; i++) sumMean[i] += dMean[i];
        for (int i = 0; i < 4; i++) sumCov[i] += dCov[i];
      }

      @Override
      public void dynamics(int t, double[] dWeights, double[] dBias, double[] dCov) {
        sum[DT] += dWeights[1];
        sum[LEVEL] += dCov[0];
        sum[SLOPE] += dCov[3];
      }

      @Override
      public void emissions(int t, double[] dWeights, double[] dBias, double[] dCov) {
        sum[MEASUREMENT] += dCov[0];
      }

      @Override
      public void end(double[] gradient) {
        if (scalarIndex[DT] >= 0) gradient[scalarIndex[DT]] += sum[DT] * value[DT];
        for (int k = LEVEL; k <= MEASUREMENT; k++) {
          if (scalarIndex[k] >= 0) gradient[scalarIndex[k]] += sum[k] * 2.0 * value[k] * value[k];
        }
        if (meanOffset >= 0) {
          for (int i = 0; i < 2; i++) gradient[meanOffset + i] += sumMean[i];
        }
        if (covOffset >= 0) CovarianceCoordinates.chain(factor, 2, sumCov, gradient, covOffset);
      }
    }
  }
}
