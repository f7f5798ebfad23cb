package io.statespace.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.family.Families;
import io.statespace.inference.Outputs;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.LinearModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.ModelSpec;
import io.statespace.testing.RandomModels;
import io.statespace.testing.TrendModels;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** θ <-> model round trips, frozen parts, names, natural units and the fitted model file. */
class ParameterizationTest {
  static final double[] EYE4 = GradientCheckTest.diag(4, 1.0);

  @Test
  void linearRoundTripsAndKeepsFrozenBlocks() {
    LinearModel base = RandomModels.linear(new SplittableRandom(3), 3, 2, 1);
    Parameterization all = Families.parameterization(base, ModelSpec.parameterNames(base));
    assertEquals(9 + 3 + 3 + 6 + 6 + 2 + 2 + 3 + 3 + 6, all.size());
    LinearModel again = (LinearModel) all.model(all.initial());
    assertArrayEquals(base.dynamicsCov(), again.dynamicsCov(), 1e-14);
    assertArrayEquals(base.emissionsCov(), again.emissionsCov(), 1e-14);
    assertArrayEquals(base.initialCov(), again.initialCov(), 1e-14);
    assertArrayEquals(base.emissionsInputWeights(), again.emissionsInputWeights(), 0.0);
    double[] theta = GradientCheckTest.perturbed(all, 4);
    assertArrayEquals(theta, all.theta(all.model(theta)), 1e-12);

    Parameterization some = Families.parameterization(base, List.of("dynamics.bias", "emissions.cov"));
    assertEquals(List.of("dynamics.bias[0]", "dynamics.bias[1]", "dynamics.bias[2]", "emissions.cov.log_chol[0][0]",
        "emissions.cov.chol[1][0]", "emissions.cov.log_chol[1][1]"), some.names());
    LinearModel moved = (LinearModel) some.model(GradientCheckTest.perturbed(some, 5));
    assertArrayEquals(base.dynamicsWeights(), moved.dynamicsWeights(), 0.0);
    assertArrayEquals(base.dynamicsCov(), moved.dynamicsCov(), 0.0);
    assertArrayEquals(base.emissionsWeights(), moved.emissionsWeights(), 0.0);
    assertArrayEquals(base.initialMean(), moved.initialMean(), 0.0);
    assertTrue(Math.abs(moved.dynamicsBias()[0] - base.dynamicsBias()[0]) > 1e-6);
    assertTrue(Math.abs(moved.emissionsCov()[1] - base.emissionsCov()[1]) > 1e-6);
    assertEquals(moved.emissionsCov()[1], moved.emissionsCov()[2], 0.0);
  }

  @Test
  void constantVelocityNamesExpandPerAxis() {
    ConstantVelocityModel base = new ConstantVelocityModel(3, 0.1, ConstantVelocityModel.Noise.PIECEWISE, 2.0,
        new double[] {0.5, 0.6, 0.7}, new double[6], GradientCheckTest.diag(6, 1.0));
    Parameterization p = Families.parameterization(base, List.of("measurement_std[1]", "std_acc", "measurement_std", "dt"));
    assertEquals(List.of("log measurement_std[1]", "log std_acc", "log measurement_std[0]", "log measurement_std[2]",
        "log dt"), p.names());
    assertEquals(List.of("measurement_std[1]", "std_acc", "measurement_std[0]", "measurement_std[2]", "dt"),
        p.naturalNames());
    assertArrayEquals(new double[] {0.6, 2.0, 0.5, 0.7, 0.1}, p.natural(p.initial()), 1e-15);
    ConstantVelocityModel m = (ConstantVelocityModel) p.model(new double[] {0, Math.log(3), 0, 0, Math.log(0.2)});
    assertArrayEquals(new double[] {1, 1, 1}, m.measurementStd(), 1e-15);
    assertEquals(3.0, m.noiseLevel(), 1e-15);
    assertEquals(0.2, m.fixedDt(), 1e-15);
    assertEquals(ConstantVelocityModel.Noise.PIECEWISE, m.noise());
  }

  @Test
  void localLinearTrendRoundTripsThroughItsModelFile() {
    ModelSpec spec = ModelSpec.parse(TrendModels.file(0.5, 0.4, 0.15, 0.6));
    Parameterization p = Families.parameterization(spec.model(),
        List.of("slope_std", "initial.mean", "dt", "measurement_std", "level_std", "initial.cov"));
    assertEquals("local-linear-trend", p.family());
    assertEquals(List.of("log slope_std", "initial.mean[0]", "initial.mean[1]", "log dt", "log measurement_std",
        "log level_std", "initial.cov.log_chol[0][0]", "initial.cov.chol[1][0]", "initial.cov.log_chol[1][1]"), p.names());
    assertArrayEquals(new double[] {0.15, 0.5, -0.2, 0.5, 0.6, 0.4, 2.0, 0.3, 1.0}, p.natural(p.initial()), 1e-14);
    double[] theta = GradientCheckTest.perturbed(p, 12);
    assertArrayEquals(theta, p.theta(p.model(theta)), 1e-12);
    ModelSpec fitted = ModelSpec.parse(p.fittedSpec(spec, theta).toJson());
    assertArrayEquals(theta, p.theta(fitted.model()), 1e-12);
    Parameterization frozen = Families.parameterization(spec.model(), List.of("level_std"));
    StateSpaceModel moved = frozen.model(new double[] {Math.log(2.0)});
    String json = spec.withModel(moved).toJson();
    assertTrue(json.contains("\"level_std\" : 2.0") && json.contains("\"slope_std\" : 0.15")
        && json.contains("\"measurement_std\" : 0.6") && json.contains("\"dt\" : 0.5"), json);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Families.parameterization(TrendModels.model(Double.NaN, 0.4, 0.15, 0.6), List.of("dt")));
    assertTrue(e.getMessage().contains("'dt' is not a parameter of this local-linear-trend model"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Families.parameterization(TrendModels.model(1.0, 0.0, 0.15, 0.6), List.of("level_std")));
    assertTrue(e.getMessage().startsWith("level_std: a free positive parameter"), e.getMessage());
  }

  @Test
  void badFreeListsAreClearErrors() {
    LinearModel noInputs = RandomModels.linear(new SplittableRandom(6), 2, 1, 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Families.parameterization(noInputs, List.of("dynamics.input_weights")));
    assertTrue(e.getMessage().contains("dynamics.input_weights"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Families.parameterization(noInputs, List.of("q")));
    assertThrows(IllegalArgumentException.class,
        () -> Families.parameterization(noInputs, List.of("dynamics.cov", "dynamics.cov")));
    ConstantVelocityModel zeroQ = new ConstantVelocityModel(2, Double.NaN, ConstantVelocityModel.Noise.CONTINUOUS, 0.0,
        new double[] {0.5, 0.5}, new double[4], EYE4);
    e = assertThrows(IllegalArgumentException.class, () -> Families.parameterization(zeroQ, List.of("q")));
    assertTrue(e.getMessage().startsWith("q:"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Families.parameterization(zeroQ, List.of("dt")),
        "dt is data, not a parameter, when it comes from the time column");
    LinearModel singularQ = new LinearModel(1, 1, 0, new double[1], new double[] {1}, new double[] {1}, null,
        null, new double[] {0}, new double[] {1}, null, null, new double[] {1});
    e = assertThrows(IllegalArgumentException.class, () -> Families.parameterization(singularQ, List.of("dynamics.cov")));
    assertTrue(e.getMessage().startsWith("dynamics.cov:"), e.getMessage());
    Families.parameterization(singularQ, List.of("emissions.cov"));
  }

  @Test
  void naturalJacobianMatchesDifferences() {
    LinearModel base = RandomModels.linear(new SplittableRandom(7), 3, 2, 0);
    for (Parameterization p : List.of(Families.parameterization(base, List.of("dynamics.cov", "emissions.bias")),
        GradientCheckTest.cvFixedDt().parameterization(), GradientCheckTest.trendFixedDt().parameterization(),
        GradientCheckTest.levelAllFree().parameterization())) {
      double[] theta = GradientCheckTest.perturbed(p, 8);
      double[][] jac = p.naturalJacobian(theta);
      for (int a = 0; a < p.naturalNames().size(); a++) {
        int row = a;
        double[] fd = FiniteDifferences.gradient(x -> p.natural(x)[row], theta, 1e-4);
        assertArrayEquals(fd, jac[a], 1e-8, p.naturalNames().get(a));
      }
    }
  }

  @Test
  void fittedModelFileIsAValidSmoothInput() throws Exception {
    ModelSpec spec = ModelSpec.read(Path.of("conf/tracking.json"));
    Parameterization p = Families.parameterization(spec);
    assertEquals(List.of("log q", "log measurement_std[0]", "log measurement_std[1]"), p.names());
    double[] theta = {Math.log(2.5), Math.log(0.3), Math.log(0.4)};
    ModelSpec fitted = ModelSpec.parse(p.fittedSpec(spec, theta).toJson());
    assertInstanceOf(ConstantVelocityModel.class, fitted.model());
    ConstantVelocityModel cv = (ConstantVelocityModel) fitted.model();
    assertEquals(2.5, cv.noiseLevel(), 1e-15);
    assertArrayEquals(new double[] {0.3, 0.4}, cv.measurementStd(), 1e-15);
    assertEquals(spec.fit().free(), fitted.fit().free());
    assertEquals(spec.columns().all(), fitted.columns().all());

    LinearModel base = RandomModels.linear(new SplittableRandom(9), 2, 2, 1);
    Parameterization lp = Families.parameterization(base, ModelSpec.parameterNames(base));
    ModelSpec linearSpec = new ModelSpec(base, new io.statespace.model.spec.Columns("id", "t", List.of("a", "b"),
        List.of("u")), new io.statespace.model.spec.FitSpec(lp.free()), null);
    double[] lt = GradientCheckTest.perturbed(lp, 10);
    ModelSpec back = ModelSpec.parse(lp.fittedSpec(linearSpec, lt).toJson());
    assertArrayEquals(lt, lp.theta(back.model()), 1e-12);
    Trajectory t = RandomModels.trajectory(new SplittableRandom(11), back.model(), "x", 20, new RandomModels.DataShape());
    assertTrue(Double.isFinite(new SequentialEngine().smooth(back.model(), t, Outputs.MOMENTS).logLikelihood()));
  }
}
