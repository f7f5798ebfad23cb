package io.statespace.family;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.statespace.data.Trajectory;
import io.statespace.learn.Parameterization;
import io.statespace.model.BoundParameters;
import io.statespace.model.LinearModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepForm;
import io.statespace.model.StepParameters;
import io.statespace.model.spec.SpecBlocks;
import io.statespace.model.spec.SpecNode;
import java.util.ArrayList;
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
   * θ ({@link LogScalarParameterization}): log dt (a fixed dt only), log level_std, log slope_std,
   * log measurement_std, initial.mean, initial.cov.
   */
  static final class Fit extends LogScalarParameterization<Model> {
    private static final long serialVersionUID = 2L;
    private static final int DT = 0;
    private static final int LEVEL = 1;
    private static final int SLOPE = 2;
    private static final int MEASUREMENT = 3;

    Fit(Model base, List<String> free, List<String> known) {
      super(NAME, base, free, known, new String[] {"dt", "level_std", "slope_std", "measurement_std"},
          new int[] {1, 2, 2, 2});
    }

    /** This family's model, with a fixed dt exactly when the base model has one. */
    @Override
    Model cast(StateSpaceModel model) {
      Model m = LocalLinearTrendFamily.cast(model);
      if (m.hasFixedDt() != base().hasFixedDt()) {
        throw new IllegalArgumentException("expected a " + NAME + " model like the base model");
      }
      return m;
    }

    @Override
    double[] scalars(Model m) {
      return new double[] {m.fixedDt, m.levelStd, m.slopeStd, m.measurementStd};
    }

    @Override
    double[] initialMean(Model m) {
      return m.initialMean;
    }

    @Override
    double[] initialCov(Model m) {
      return m.initialCov;
    }

    @Override
    Model build(double[] scalars, double[] initialMean, double[] initialCov) {
      return new Model(scalars[DT], scalars[LEVEL], scalars[SLOPE], scalars[MEASUREMENT], initialMean, initialCov);
    }

    /** dL/dF_01 (= dt), dL/dQ_00 (= level_std²), dL/dQ_11 (= slope_std²). */
    @Override
    void dynamics(int t, double[] dWeights, double[] dBias, double[] dCov, double[] sums) {
      sums[DT] += dWeights[1];
      sums[LEVEL] += dCov[0];
      sums[SLOPE] += dCov[3];
    }

    /** dL/dR: R = measurement_std². */
    @Override
    void emissions(int t, double[] dWeights, double[] dBias, double[] dCov, double[] sums) {
      sums[MEASUREMENT] += dCov[0];
    }
  }
}
