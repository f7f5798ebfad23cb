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

  /** θ ({@link LogScalarParameterization}): log level_std, log measurement_std, initial.mean, initial.cov. */
  static final class Fit extends LogScalarParameterization<Model> {
    private static final long serialVersionUID = 2L;
    private static final int LEVEL = 0;
    private static final int MEASUREMENT = 1;

    Fit(Model base, List<String> free, List<String> known) {
      super(NAME, base, free, known, SCALES, new int[] {2, 2});
    }

    @Override
    Model cast(StateSpaceModel model) {
      return LocalLevelFamily.cast(model);
    }

    @Override
    double[] scalars(Model m) {
      return new double[] {m.levelStd, m.measurementStd};
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
      return new Model(scalars[LEVEL], scalars[MEASUREMENT], initialMean, initialCov);
    }

    /** dL/dQ: Q = level_std². */
    @Override
    void dynamics(int t, double[] dWeights, double[] dBias, double[] dCov, double[] sums) {
      sums[LEVEL] += dCov[0];
    }

    /** dL/dR: R = measurement_std². */
    @Override
    void emissions(int t, double[] dWeights, double[] dBias, double[] dCov, double[] sums) {
      sums[MEASUREMENT] += dCov[0];
    }
  }
}
