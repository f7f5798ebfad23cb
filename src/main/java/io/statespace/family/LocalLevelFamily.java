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
 * The {@code local-level} family (statsmodels UnobservedComponents' "local level"): state [level],
 * level_{t+1} = level_t + η_t, y_t = level_t + ε_t, so F = 1, Q = level_std², H = 1, R = measurement_std².
 * A random walk per step whatever the time gap: the family has no dt and its steps are constant.
 *
 * <p>Fitting: {@code level_std} and {@code measurement_std} in log space, {@code initial.mean} as is,
 * {@code initial.cov} through a log-Cholesky factor. Chain rule per step: dQ/dlevel_std = 2 level_std,
 * dR/dmeasurement_std = 2 measurement_std.
 */
final class LocalLevelFamily implements Family {
  static final String NAME = "local-level";
  private static final String[] SCALES = {"level_std", "measurement_std"};

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
    top.allowOnly(SpecBlocks.keys(SCALES[0], SCALES[1]));
    double level = SpecBlocks.nonNegative(top, "level_std");
    double measurement = SpecBlocks.positive(top, "measurement_std");
    SpecBlocks.noInputs(top, NAME);
    double[][] initial = SpecBlocks.initial(top, 1);
    return new Model(level, measurement, initial[0], initial[1]);
  }

  @Override
  public void write(StateSpaceModel model, ObjectNode root) {
    Model m = cast(model);
    root.put("level_std", m.levelStd);
    root.put("measurement_std", m.measurementStd);
    SpecBlocks.writeInitial(root, m.initialMean, m.initialCov, 1);
  }

  @Override
  public List<String> parameterNames(StateSpaceModel model) {
    cast(model);
    List<String> names = new ArrayList<>(List.of("initial.mean", "initial.cov"));
    names.addAll(List.of(SCALES));
    return names;
  }

  @Override
  public Parameterization parameterization(StateSpaceModel model, List<String> free) {
    return new Fit(cast(model), free, parameterNames(model));
  }

  /** The model: immutable, its arrays owned. */
  static final class Model implements StateSpaceModel {
    private static final long serialVersionUID = 1L;

    final double levelStd;
    final double measurementStd;
    private final double[] initialMean;
    private final double[] initialCov;

    Model(double levelStd, double measurementStd, double[] initialMean, double[] initialCov) {
      if (initialMean.length != 1 || initialCov.length != 1) {
        throw new IllegalArgumentException("initial: expected a mean of 1 and a 1x1 cov");
      }
      this.levelStd = levelStd;
      this.measurementStd = measurementStd;
      this.initialMean = initialMean.clone();
      this.initialCov = initialCov.clone();
    }

    @Override
    public int stateDim() {
      return 1;
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
      return false;
    }

    /** Every step is F = 1, Q = level_std², H = 1, R = measurement_std²: constant, packed as linear. */
    @Override
    public StepForm stepForm() {
      return new StepForm.Constant(new LinearModel(1, 1, 0, initialMean, initialCov, new double[] {1.0}, null, null,
          new double[] {levelStd * levelStd}, new double[] {1.0}, null, null,
          new double[] {measurementStd * measurementStd}));
    }

    @Override
    public StepParameters bind(Trajectory trajectory) {
      if (trajectory.obsDim() != 1) {
        throw new IllegalArgumentException("trajectory '" + trajectory.id() + "' has " + trajectory.obsDim()
            + " observation columns, the model expects 1");
      }
      return new BoundParameters(1, 1, initialMean, initialCov) {
        @Override
        public void dynamics(int t, double[] weights, double[] bias, double[] cov) {
          weights[0] = 1.0;
          bias[0] = 0.0;
          cov[0] = levelStd * levelStd;
        }

        @Override
        public void emissions(int t, double[] weights, double[] bias, double[] cov) {
          weights[0] = 1.0;
          bias[0] = 0.0;
          cov[0] = measurementStd * measurementStd;
        }

        @Override
        public boolean timeInvariant() {
          return true;
        }
      };
    }
  }

  /**
   * θ: the free positive scalars (level_std, measurement_std) as logarithms, then initial.mean and
   * initial.cov's log-Cholesky coordinate, in the order of the free list.
   */
  static final class Fit implements Parameterization {
    private static final long serialVersionUID = 1L;
    /** Positions of the positive scalars in {@link #scalarIndex}. */
    private static final int LEVEL = 0;
    private static final int MEASUREMENT = 1;

    private final Model base;
    private final List<String> free;
    /** θ index of each positive scalar, -1 when frozen. */
    private final int[] scalarIndex = {-1, -1};
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
        int scalar = Arrays.asList(SCALES).indexOf(key);
        if (scalar >= 0 && scalarIndex[scalar] < 0) {
          scalarIndex[scalar] = o++;
          thetaNames.add("log " + key);
          natNames.add(key);
        } else if (key.equals("initial.mean") && mean < 0) {
          mean = o++;
          thetaNames.add("initial.mean[0]");
          natNames.add("initial.mean[0]");
        } else if (key.equals("initial.cov") && cov < 0) {
          cov = o;
          o += CovarianceCoordinates.count(1);
          CovarianceCoordinates.names("initial.cov", 1, thetaNames);
          CovarianceCoordinates.naturalNames("initial.cov", 1, natNames);
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
      return new double[] {m.levelStd, m.measurementStd};
    }

    @Override
    public double[] theta(StateSpaceModel model) {
      Model m = cast(model);
      double[] theta = new double[size];
      double[] values = scalars(m);
      for (int k = 0; k < 2; k++) {
        if (scalarIndex[k] < 0) continue;
        double v = values[k];
        if (!(v > 0) || Double.isInfinite(v)) {
          throw new IllegalArgumentException(SCALES[k] + ": a free positive parameter is fitted in log space"
              + " and must start positive and finite, got " + v);
        }
        theta[scalarIndex[k]] = Math.log(v);
      }
      if (meanOffset >= 0) theta[meanOffset] = m.initialMean[0];
      if (covOffset >= 0) CovarianceCoordinates.coordinates("initial.cov", m.initialCov, 1, theta, covOffset);
      return theta;
    }

    private double[] scalars(double[] theta) {
      if (theta.length != size) {
        throw new IllegalArgumentException("θ has " + theta.length + " values, the parameterisation " + size);
      }
      double[] values = scalars(base);
      for (int k = 0; k < 2; k++) {
        if (scalarIndex[k] >= 0) values[k] = Math.exp(theta[scalarIndex[k]]);
      }
      return values;
    }

    @Override
    public Model model(double[] theta) {
      double[] v = scalars(theta);
      double[] mean = base.initialMean.clone();
      if (meanOffset >= 0) mean[0] = theta[meanOffset];
      double[] cov = base.initialCov.clone();
      if (covOffset >= 0) CovarianceCoordinates.covariance(theta, covOffset, 1, new double[1], cov);
      return new Model(v[LEVEL], v[MEASUREMENT], mean, cov);
    }

    @Override
    public List<String> naturalNames() {
      return naturalNames;
    }

    @Override
    public double[] natural(double[] theta) {
      double[] v = scalars(theta);
      double[] out = theta.clone();
      for (int k = 0; k < 2; k++) {
        if (scalarIndex[k] >= 0) out[scalarIndex[k]] = v[k];
      }
      if (covOffset >= 0) {
        double[] cov = new double[1];
        CovarianceCoordinates.covariance(theta, covOffset, 1, new double[1], cov);
        CovarianceCoordinates.natural(cov, 1, out, covOffset);
      }
      return out;
    }

    @Override
    public double[][] naturalJacobian(double[] theta) {
      double[] v = scalars(theta);
      double[][] jac = new double[size][size];
      for (int i = 0; i < size; i++) jac[i][i] = 1.0;
      for (int k = 0; k < 2; k++) {
        if (scalarIndex[k] >= 0) jac[scalarIndex[k]][scalarIndex[k]] = v[k];
      }
      if (covOffset >= 0) {
        double[] l = new double[1];
        CovarianceCoordinates.factor(theta, covOffset, 1, l);
        CovarianceCoordinates.naturalJacobian(l, 1, jac, covOffset, covOffset);
      }
      return jac;
    }

    @Override
    public GradientChain chain(double[] theta) {
      return new Chain(theta);
    }

    /** Sums dL/dQ, dL/dR and the prior's gradients over a trajectory, then chains them. */
    private final class Chain implements GradientChain {
      private final double[] value;
      private final double[] factor = new double[1];
      private final double[] sum = new double[2];
      private final double[] sumMean = new double[1];
      private final double[] sumCov = new double[1];

      Chain(double[] theta) {
        value = scalars(theta);
        if (covOffset >= 0) CovarianceCoordinates.factor(theta, covOffset, 1, factor);
      }

      @Override
      public void begin(Trajectory trajectory) {
        Arrays.fill(sum, 0.0);
        sumMean[0] = 0.0;
        sumCov[0] = 0.0;
      }

      @Override
      public void initial(double[] dMean, double[] dCov) {
        sumMean[0] += dMean[0];
        sumCov[0] += dCov[0];
      }

      @Override
      public void dynamics(int t, double[] dWeights, double[] dBias, double[] dCov) {
        sum[LEVEL] += dCov[0];
      }

      @Override
      public void emissions(int t, double[] dWeights, double[] dBias, double[] dCov) {
        sum[MEASUREMENT] += dCov[0];
      }

      @Override
      public void end(double[] gradient) {
        for (int k = LEVEL; k <= MEASUREMENT; k++) {
          if (scalarIndex[k] >= 0) gradient[scalarIndex[k]] += sum[k] * 2.0 * value[k] * value[k];
        }
        if (meanOffset >= 0) gradient[meanOffset] += sumMean[0];
        if (covOffset >= 0) CovarianceCoordinates.chain(factor, 1, sumCov, gradient, covOffset);
      }
    }
  }
}
