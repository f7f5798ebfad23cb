package io.statespace.learn;

import io.statespace.family.Families;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.inference.Outputs;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.LinearModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.ModelSpec;
import io.statespace.testing.RandomModels;
import io.statespace.testing.LevelModels;
import io.statespace.testing.TrendModels;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every loss's exact gradient against central finite differences in θ space (Richardson-extrapolated,
 * h = 1e-4 relative), for every parameterisation, on data with whole and partial missing steps, irregular
 * gaps (including dt = 0 where the Fisher form is not defined), inputs and biases: every component within
 * 1e-7 of its finite difference, relative to itself down to a floor of 1e-3 of the largest
 * ({@link FiniteDifferences#componentError}). The Fisher-identity gradient also against the adjoint directly.
 */
class GradientCheckTest {
  static final double TOLERANCE = 1e-7;
  /** Components below this fraction of the largest are held to it ({@link FiniteDifferences#componentError}). */
  static final double FLOOR = 1e-3;

  /** A named parameterisation with data simulated from (a perturbation of) its model. */
  record Case(String name, Parameterization parameterization, List<Trajectory> data, boolean fisherDefined) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Case cvFixedDt() {
    ConstantVelocityModel model = new ConstantVelocityModel(2, 0.3, ConstantVelocityModel.Noise.CONTINUOUS, 0.8,
        new double[] {0.4, 0.7}, new double[] {1.0, -2.0, 0.5, 0.3}, diag(4, 0.5));
    Parameterization param = Families.parameterization(model,
        List.of("dt", "q", "measurement_std", "initial.mean", "initial.cov"));
    return new Case("cv-fixed-dt", param, data(model, 5, 25, 21, true, false), true);
  }

  static Case cvIrregularPiecewise() {
    ConstantVelocityModel model = new ConstantVelocityModel(2, Double.NaN, ConstantVelocityModel.Noise.PIECEWISE, 1.3,
        new double[] {0.5, 0.3}, new double[] {0.0, 1.0, 1.0, -1.0}, diag(4, 0.8));
    Parameterization param = Families.parameterization(model,
        List.of("std_acc", "measurement_std[1]", "initial.mean", "initial.cov"));
    return new Case("cv-irregular-piecewise(dt=0 gaps)", param, data(model, 5, 25, 22, true, true), false);
  }

  static Case cvIrregularContinuous() {
    ConstantVelocityModel model = new ConstantVelocityModel(1, Double.NaN, ConstantVelocityModel.Noise.CONTINUOUS, 0.6,
        new double[] {0.5}, new double[] {0.0, 1.0}, diag(2, 1.0));
    Parameterization param = Families.parameterization(model, List.of("q", "measurement_std"));
    return new Case("cv-irregular-continuous", param, data(model, 5, 30, 23, true, false), true);
  }

  static Case linearAllFree() {
    LinearModel model = RandomModels.linear(new SplittableRandom(24), 3, 2, 1);
    Parameterization param = Families.parameterization(model, ModelSpec.parameterNames(model));
    return new Case("linear-all-free", param, data(model, 5, 25, 25, true, false), true);
  }

  static Case linearSomeFrozen() {
    LinearModel model = RandomModels.linear(new SplittableRandom(26), 2, 3, 2);
    Parameterization param = Families.parameterization(model,
        List.of("emissions.input_weights", "dynamics.cov", "dynamics.bias", "emissions.cov"));
    return new Case("linear-some-frozen", param, data(model, 4, 20, 27, true, false), true);
  }

  static Case trendFixedDt() {
    StateSpaceModel model = TrendModels.model(0.7, 0.4, 0.15, 0.6);
    Parameterization param = Families.parameterization(model, ModelSpec.parameterNames(model));
    return new Case("local-linear-trend-fixed-dt", param, data(model, 5, 25, 28, false, false), true);
  }

  static Case trendIrregular() {
    StateSpaceModel model = TrendModels.model(Double.NaN, 0.5, 0.2, 0.4);
    Parameterization param = Families.parameterization(model,
        List.of("measurement_std", "slope_std", "initial.cov", "level_std", "initial.mean"));
    return new Case("local-linear-trend-irregular(dt=0 gaps)", param, data(model, 5, 25, 29, true, true), true);
  }

  static Case levelAllFree() {
    StateSpaceModel model = LevelModels.model(0.5, 0.4);
    Parameterization param = Families.parameterization(model,
        List.of("measurement_std", "initial.cov", "level_std", "initial.mean"));
    return new Case("local-level-all-free", param, data(model, 5, 25, 30, true, true), true);
  }

  static List<Case> cases() {
    return List.of(cvFixedDt(), cvIrregularPiecewise(), cvIrregularContinuous(), linearAllFree(), linearSomeFrozen(),
        trendFixedDt(), trendIrregular(), levelAllFree());
  }

  static double[] diag(int n, double v) {
    double[] a = new double[n * n];
    for (int i = 0; i < n; i++) a[i * n + i] = v;
    return a;
  }

  /** Trajectories with whole (15%) and partial (15%) missing steps; irregular gaps, some 0 if asked. */
  static List<Trajectory> data(StateSpaceModel model, int count, int steps, long seed, boolean irregular,
      boolean zeroGaps) {
    SplittableRandom rng = new SplittableRandom(seed);
    RandomModels.DataShape shape = new RandomModels.DataShape();
    shape.missingStepFraction = 0.15;
    shape.partialFraction = 0.15;
    shape.irregular = irregular;
    shape.zeroGapFraction = zeroGaps ? 0.1 : 0.0;
    List<Trajectory> out = new ArrayList<>();
    for (int i = 0; i < count; i++) out.add(RandomModels.trajectory(rng, model, "traj-" + i, steps, shape));
    return out;
  }

  static Stream<Arguments> lossesByCase() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (Case c : cases()) {
      b.add(Arguments.of(c, "nll-adjoint"));
      if (c.fisherDefined()) b.add(Arguments.of(c, "nll-fisher"));
      b.add(Arguments.of(c, "prediction-missing"));
      b.add(Arguments.of(c, "prediction-feedback"));
    }
    return b.build();
  }

  static LossFunction loss(Parameterization param, String which) {
    switch (which) {
      case "nll-adjoint":
        return LossFunction.negativeLogLikelihood(param);
      case "nll-fisher":
        return LossFunction.negativeLogLikelihood(param, LossFunction.GradientMethod.FISHER);
      case "prediction-missing":
        return LossFunction.prediction(param, 0.3, 99L, false);
      default:
        return LossFunction.prediction(param, 0.3, 99L, true);
    }
  }

  /** θ away from the data-generating point, so that no gradient component is trivially near zero. */
  static double[] perturbed(Parameterization param, long seed) {
    double[] theta = param.initial();
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = 0; i < theta.length; i++) theta[i] += 0.15 * rng.nextDouble(-1, 1);
    return theta;
  }

  @ParameterizedTest(name = "{1} / {0}")
  @MethodSource("lossesByCase")
  void gradientMatchesFiniteDifferences(Case c, String which) {
    LocalObjective objective = new LocalObjective(loss(c.parameterization(), which), c.data());
    double[] theta = perturbed(c.parameterization(), 7);
    Evaluation e = objective.evaluate(theta, 3);
    double[] fd = FiniteDifferences.gradient(x -> objective.evaluate(x, 3).loss(), theta, 1e-4);
    double err = FiniteDifferences.componentError(e.gradient(), fd, FLOOR);
    int at = FiniteDifferences.worstComponent(e.gradient(), fd, FLOOR);
    System.out.printf("gradient check %-20s %-36s p=%2d  worst component %2d: rel err %.2e (exact %.17g, fd %.17g)%n",
        which, c.name(), theta.length, at, err, e.gradient()[at], fd[at]);
    assertTrue(err < TOLERANCE, which + " / " + c.name() + ": component " + at + " (" + c.parameterization().names().get(at)
        + "): exact " + e.gradient()[at] + ", finite differences " + fd[at] + ", relative error " + err);
    assertTrue(e.gradientNorm() > 1e-3, "a gradient that is all but zero checks nothing");
  }

  /** The cases where the Fisher form is defined (the dt = 0 case is checked to refuse it, below). */
  static Stream<Case> fisherCases() {
    return cases().stream().filter(Case::fisherDefined);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fisherCases")
  void fisherIdentityEqualsAdjoint(Case c) {
    double[] theta = perturbed(c.parameterization(), 8);
    Evaluation adjoint = new LocalObjective(loss(c.parameterization(), "nll-adjoint"), c.data()).evaluate(theta);
    Evaluation fisher = new LocalObjective(loss(c.parameterization(), "nll-fisher"), c.data()).evaluate(theta);
    assertEquals(adjoint.loss(), fisher.loss(), 1e-10 * Math.abs(adjoint.loss()));
    double err = FiniteDifferences.componentError(fisher.gradient(), adjoint.gradient(), FLOOR);
    System.out.printf("fisher vs adjoint %-36s max rel diff %.2e%n", c.name(), err);
    assertTrue(err < 1e-9, c.name() + ": " + err);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void negativeLogLikelihoodEqualsReferenceFilter(Case c) {
    double[] theta = perturbed(c.parameterization(), 9);
    StateSpaceModel model = c.parameterization().model(theta);
    double reference = 0.0;
    SequentialEngine engine = new SequentialEngine();
    for (Trajectory t : c.data()) reference -= engine.filter(model, t, Outputs.MOMENTS).logLikelihood();
    double nll = new LocalObjective(loss(c.parameterization(), "nll-adjoint"), c.data()).evaluate(theta).loss();
    assertEquals(reference, nll, 1e-10 * Math.abs(reference));
  }

  @Test
  void fisherFormRefusesSingularProcessNoise() {
    Case c = cvIrregularPiecewise();
    LossAccumulator acc = new LocalObjective(loss(c.parameterization(), "nll-fisher"), c.data())
        .accumulate(c.parameterization().initial(), 0);
    assertTrue(acc.failures() > 0, "dt = 0 makes Q_t = 0: the Fisher form must fail, not return garbage");
    assertTrue(acc.firstFailure().contains("dynamics.cov"), acc.firstFailure());
    assertEquals(Double.POSITIVE_INFINITY, acc.loss());
  }
}
