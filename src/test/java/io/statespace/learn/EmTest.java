package io.statespace.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.model.LinearModel;
import io.statespace.model.spec.ModelSpec;
import io.statespace.testing.RandomModels;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * EM for the linear family: the log-likelihood never decreases (random models, inputs, biases, whole and
 * partial missing steps, several frozen-block patterns), frozen blocks stay put, and EM reaches the same
 * optimum as L-BFGS on the negative log-likelihood with the same free parameters.
 */
class EmTest {
  static List<Trajectory> data(LinearModel truth, int count, int steps, long seed, double missing, double partial) {
    SplittableRandom rng = new SplittableRandom(seed);
    RandomModels.DataShape shape = new RandomModels.DataShape();
    shape.missingStepFraction = missing;
    shape.partialFraction = partial;
    shape.irregular = false;
    List<Trajectory> out = new ArrayList<>();
    for (int i = 0; i < count; i++) out.add(RandomModels.trajectory(rng, truth, "em-" + i, steps, shape));
    return out;
  }

  static Stream<Arguments> frozenPatterns() {
    List<String> all = List.of("initial.mean", "initial.cov", "dynamics.weights", "dynamics.bias",
        "dynamics.input_weights", "dynamics.cov", "emissions.weights", "emissions.bias", "emissions.input_weights",
        "emissions.cov");
    return Stream.of(
        Arguments.of(1L, all),
        Arguments.of(2L, all),
        Arguments.of(3L, List.of("dynamics.bias", "dynamics.input_weights", "emissions.cov", "initial.mean")),
        Arguments.of(4L, List.of("dynamics.weights", "dynamics.cov", "emissions.bias")),
        Arguments.of(5L, List.of("emissions.weights", "emissions.input_weights", "dynamics.cov", "initial.cov")));
  }

  @ParameterizedTest(name = "seed {0}: free {1}")
  @MethodSource("frozenPatterns")
  void logLikelihoodNeverDecreases(long seed, List<String> free) {
    SplittableRandom rng = new SplittableRandom(seed);
    int n = 2 + rng.nextInt(2);
    int m = 2 + rng.nextInt(2);
    LinearModel truth = RandomModels.linear(rng, n, m, 1);
    LinearModel start = RandomModels.linear(rng, n, m, 1);
    List<Trajectory> data = data(truth, 12, 40, seed + 100, 0.2, 0.3);
    LinearParameterization param = new LinearParameterization(start, free);
    EmOptimizer em = new EmOptimizer(param, new LocalExpectationStep(param, data, true));
    List<Double> lls = new ArrayList<>();
    FitResult r = new FitLoop(em, new StopRules(150, 0, 0), row -> lls.add(-row.loss())).run(param.initial());
    double worst = Double.POSITIVE_INFINITY;
    for (int k = 1; k < lls.size(); k++) {
      double increase = lls.get(k) - lls.get(k - 1);
      worst = Math.min(worst, increase);
      assertTrue(increase >= -1e-9 * Math.abs(lls.get(k)), "iteration " + k + ": log-likelihood fell by " + -increase);
    }
    System.out.printf("EM seed %d n=%d m=%d: ll %.6f -> %.6f over %d iterations, smallest increase %.3e%n",
        seed, n, m, lls.get(0), lls.get(lls.size() - 1), r.iterations(), worst);
    assertTrue(lls.get(lls.size() - 1) > lls.get(0) + 1.0, "EM should improve on a wrong start");
    LinearModel fitted = param.model(r.theta());
    if (!free.contains("dynamics.weights")) assertArrayEquals(start.dynamicsWeights(), fitted.dynamicsWeights());
    if (!free.contains("emissions.cov")) assertArrayEquals(start.emissionsCov(), fitted.emissionsCov());
    if (!free.contains("initial.mean")) assertArrayEquals(start.initialMean(), fitted.initialMean());
  }

  @Test
  void statisticsGradientIsTheScore() {
    SplittableRandom rng = new SplittableRandom(8);
    LinearModel model = RandomModels.linear(rng, 3, 2, 1);
    List<Trajectory> data = data(model, 4, 20, 9, 0.2, 0.3);
    LinearParameterization param = new LinearParameterization(model, ModelSpec.parameterNames(model));
    double[] theta = GradientCheckTest.perturbed(param, 3);
    Evaluation fromEm = new LocalExpectationStep(param, data, true).expectation(theta).evaluation();
    Evaluation adjoint = new LocalObjective(LossFunction.negativeLogLikelihood(param), data).evaluate(theta);
    assertEquals(adjoint.loss(), fromEm.loss(), 1e-10 * Math.abs(adjoint.loss()));
    assertTrue(FiniteDifferences.relativeError(fromEm.gradient(), adjoint.gradient()) < 1e-9);
  }

  /**
   * A 2-D damped rotation with inputs and biases, observed through a frozen invertible H (which fixes the
   * state basis). Persistent dynamics make F, Q and R well identified; random stable models with small
   * ‖F‖ give a likelihood so flat along the Q/R split that both methods crawl.
   */
  static LinearModel rotation() {
    double a = 0.95 * Math.cos(0.3);
    double b = 0.95 * Math.sin(0.3);
    return new LinearModel(2, 2, 1, new double[] {1.0, -0.5}, new double[] {1, 0.2, 0.2, 1},
        new double[] {a, -b, b, a}, new double[] {0.1, -0.2}, new double[] {0.5, -0.3},
        new double[] {0.05, 0.01, 0.01, 0.08},
        new double[] {1.0, 0.3, -0.2, 1.0}, new double[] {0.2, -0.1}, new double[] {0.3, 0.1},
        new double[] {0.1, 0.02, 0.02, 0.15});
  }

  /**
   * EM and L-BFGS from the same start on the same data with the same free blocks: H and d frozen (with b,
   * d and mu0 all free the shift x -> x + a would be absorbed by them), everything else of the dynamics,
   * D, R and mu0 free.
   */
  @Test
  void emAndLbfgsReachTheSameOptimum() {
    LinearModel truth = rotation();
    List<Trajectory> data = data(truth, 40, 40, 32, 0.1, 0.2);
    List<String> free = List.of("dynamics.weights", "dynamics.bias", "dynamics.input_weights", "dynamics.cov",
        "emissions.input_weights", "emissions.cov", "initial.mean");
    LinearParameterization param = new LinearParameterization(truth, free);
    double[] start = GradientCheckTest.perturbed(param, 33);

    EmOptimizer em = new EmOptimizer(param, new LocalExpectationStep(param, data, true));
    List<Double> losses = new ArrayList<>();
    FitResult emFit = new FitLoop(em, new StopRules(2000, 1e-10, 0), row -> losses.add(row.loss())).run(start);
    for (int k = 1; k < losses.size(); k++) {
      assertTrue(losses.get(k) <= losses.get(k - 1) + 1e-9, "EM iteration " + k + " increased the NLL near convergence");
    }
    LocalObjective nll = new LocalObjective(LossFunction.negativeLogLikelihood(param), data);
    FitResult lbfgsFit = new FitLoop(new Lbfgs(nll), new StopRules(500, 1e-10, 0), null).run(start);

    double llEm = -nll.evaluate(emFit.theta()).loss();
    double llLbfgs = -lbfgsFit.evaluation().loss();
    double maxParam = 0.0;
    double[] a = param.natural(emFit.theta());
    double[] b = param.natural(lbfgsFit.theta());
    for (int i = 0; i < a.length; i++) maxParam = Math.max(maxParam, Math.abs(a[i] - b[i]));
    System.out.printf("EM (%d it, %s) ll %.10f; L-BFGS (%d it, %s) ll %.10f; |Δll| %.2e; max |Δparam| %.2e%n",
        emFit.iterations(), emFit.reason(), llEm, lbfgsFit.iterations(), lbfgsFit.reason(), llLbfgs,
        Math.abs(llEm - llLbfgs), maxParam);
    assertTrue(-nll.evaluate(start).loss() < llEm - 100, "the start should be far from the optimum");
    assertEquals(llLbfgs, llEm, 1e-8);
    assertTrue(maxParam < 1e-4, "parameters differ by " + maxParam);
  }
}
