package io.statespace.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.family.Families;
import io.statespace.family.Family;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.spec.Columns;
import io.statespace.model.spec.FitSpec;
import io.statespace.model.spec.ModelSpec;
import io.statespace.testing.LevelModels;
import io.statespace.testing.RandomModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * EM for the constant-velocity family (continuous q and piecewise std_acc, per-axis measurement stds, the
 * initial moments): the log-likelihood never decreases, EM's fixed point is L-BFGS's optimum, dt = 0 steps
 * contribute nothing, and EM is refused (one line) only with dt free. EM meets L-BFGS to within 1e-4 of a
 * standard error per θ coordinate (and the same NLL to 1e-8 relative): EM converges linearly and is stopped when
 * its NLL changes by less than 1e-15 relative, which leaves it about 5e-6 of a standard error from the optimum
 * here; a wrong M-step has a different fixed point, far outside the bound.
 */
class ConstantVelocityEmTest {
  private static final double[] COV = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};

  private static ConstantVelocityModel model(ConstantVelocityModel.Noise noise, double level, double sx, double sy) {
    return new ConstantVelocityModel(2, Double.NaN, noise, level, new double[] {sx, sy}, new double[] {0, 0, 1, 1}, COV);
  }

  /** Irregular dt (with 5% dt = 0 gaps), 10% missing steps and 10% partly missing ones. */
  private static List<Trajectory> data(ConstantVelocityModel truth, long seed, int trajectories) {
    SplittableRandom rng = new SplittableRandom(seed);
    RandomModels.DataShape shape = new RandomModels.DataShape();
    List<Trajectory> out = new ArrayList<>();
    for (int i = 0; i < trajectories; i++) out.add(RandomModels.trajectory(rng, truth, "cv" + i, 15 + rng.nextInt(15), shape));
    return out;
  }

  private static FitResult em(Parameterization param, List<Trajectory> data, int iterations) {
    ExpectationMaximization em = Families.expectationMaximization(((ConstantVelocityParameterization) param).base(), param);
    return new FitLoop(new EmOptimizer(em, new LocalExpectationStep(em, data, true)), new StopRules(iterations, 0.0, 1e-15), null)
        .run(param.initial());
  }

  @Test
  void likelihoodNeverDecreasesAndEmMeetsLbfgs() {
    for (ConstantVelocityModel.Noise noise : ConstantVelocityModel.Noise.values()) {
      double level = noise == ConstantVelocityModel.Noise.CONTINUOUS ? 0.8 : 0.9;
      List<Trajectory> data = data(model(noise, level, 0.3, 0.6), 41, 40);
      ConstantVelocityModel start = model(noise, 3 * level, 1.0, 1.0);
      Parameterization param = Families.parameterization(start, List.of(noise.levelKey(), "measurement_std"));
      assertEquals(data.stream().anyMatch(t -> {
        for (int k = 1; k < t.length(); k++) {
          if (t.times()[k] == t.times()[k - 1]) return true;
        }
        return false;
      }), true, "the data hold dt = 0 steps");
      FitResult em = em(param, data, 300);
      List<HistoryRow> h = em.history();
      for (int k = 1; k < h.size(); k++) {
        assertTrue(h.get(k).loss() <= h.get(k - 1).loss() + 1e-9 * Math.abs(h.get(k - 1).loss()),
            noise + ": the NLL rose at EM iteration " + k + ": " + h.get(k - 1).loss() + " -> " + h.get(k).loss());
      }
      assertTrue(h.get(h.size() - 1).loss() < h.get(0).loss() - 10, noise + ": EM moved");
      LocalObjective nll = new LocalObjective(LossFunction.negativeLogLikelihood(param), data);
      FitResult lbfgs = new FitLoop(new Lbfgs(nll), new StopRules(300, 1e-10, 0.0), null).run(param.initial());
      StandardErrors.Result se = StandardErrors.compute(nll, param, lbfgs.theta());
      assertTrue(se.ok(), se.message());
      System.out.printf("[CV EM] %s: EM NLL %.9f after %d iterations, L-BFGS %.9f; EM %s, L-BFGS %s, se %s%n", noise,
          em.evaluation().loss(), em.iterations(), lbfgs.evaluation().loss(), Arrays.toString(param.natural(em.theta())),
          Arrays.toString(param.natural(lbfgs.theta())), Arrays.toString(se.thetaStandardErrors()));
      assertEquals(lbfgs.evaluation().loss(), em.evaluation().loss(), 1e-8 * Math.abs(lbfgs.evaluation().loss()),
          noise + ": the same maximum likelihood");
      for (int i = 0; i < param.size(); i++) {
        assertEquals(lbfgs.theta()[i], em.theta()[i], 1e-4 * se.thetaStandardErrors()[i],
            noise + ": " + param.names().get(i) + " within 1e-4 of its standard error");
      }
    }
  }

  @Test
  void initialMomentsAreFreeForEmToo() {
    List<Trajectory> data = data(model(ConstantVelocityModel.Noise.CONTINUOUS, 0.5, 0.4, 0.4), 43, 60);
    Parameterization param = Families.parameterization(model(ConstantVelocityModel.Noise.CONTINUOUS, 1.0, 1.0, 1.0),
        List.of("q", "measurement_std[1]", "initial.mean", "initial.cov"));
    FitResult em = em(param, data, 60);
    List<HistoryRow> h = em.history();
    for (int k = 1; k < h.size(); k++) {
      assertTrue(h.get(k).loss() <= h.get(k - 1).loss() + 1e-9 * Math.abs(h.get(k - 1).loss()), "iteration " + k);
    }
    ConstantVelocityParameterization cv = (ConstantVelocityParameterization) param;
    ExpectationMaximization step = Families.expectationMaximization(cv.base(), param);
    ConstantVelocityModel next = cv.model(step.maximize(param.initial(),
        new LocalExpectationStep(step, data, true).expectation(param.initial())));
    double[] mean = new double[4];
    for (Trajectory t : data) {
      double[] m = new io.statespace.inference.sequential.SequentialEngine()
          .smooth(param.model(param.initial()), t, io.statespace.inference.Outputs.of(false, true)).smoothedMeans();
      for (int i = 0; i < 4; i++) mean[i] += m[i] / data.size();
    }
    for (int i = 0; i < 4; i++) assertEquals(mean[i], next.initialMean()[i], 1e-12, "μ0 = the mean smoothed x_0, component " + i);
    ConstantVelocityModel fitted = (ConstantVelocityModel) param.model(em.theta());
    assertEquals(1.0, fitted.measurementStd()[0], 0.0, "measurement_std[0] stays frozen");
    assertTrue(Math.abs(fitted.initialMean()[2] - 1.0) > 1e-6, "initial.mean moved");
  }

  /** A fully missing step inserted at the same time as its predecessor (dt = 0) changes neither the likelihood nor the M-step. */
  @Test
  void zeroGapStepsContributeNothing() {
    for (ConstantVelocityModel.Noise noise : ConstantVelocityModel.Noise.values()) {
      ConstantVelocityModel truth = model(noise, 0.7, 0.3, 0.5);
      RandomModels.DataShape shape = new RandomModels.DataShape();
      shape.zeroGapFraction = 0.0;
      List<Trajectory> plain = new ArrayList<>();
      List<Trajectory> padded = new ArrayList<>();
      SplittableRandom rng = new SplittableRandom(5);
      for (int i = 0; i < 20; i++) {
        Trajectory t = RandomModels.trajectory(rng, truth, "z" + i, 12, shape);
        plain.add(t);
        int k = 5;
        double[] times = new double[t.length() + 1];
        double[] y = new double[2 * (t.length() + 1)];
        for (int s = 0, d = 0; s < t.length(); s++, d++) {
          times[d] = t.times()[s];
          y[2 * d] = t.observations()[2 * s];
          y[2 * d + 1] = t.observations()[2 * s + 1];
          if (s == k) {
            d++;
            times[d] = t.times()[s];
            y[2 * d] = Double.NaN;
            y[2 * d + 1] = Double.NaN;
          }
        }
        padded.add(new Trajectory(t.id(), times, y, 2));
      }
      Parameterization param = Families.parameterization(model(noise, 2.0, 1.0, 1.0), List.of(noise.levelKey(), "measurement_std"));
      ExpectationMaximization em = Families.expectationMaximization(((ConstantVelocityParameterization) param).base(), param);
      EmStatistics a = new LocalExpectationStep(em, plain, true).expectation(param.initial());
      EmStatistics b = new LocalExpectationStep(em, padded, true).expectation(param.initial());
      assertEquals(a.logLikelihood(), b.logLikelihood(), 1e-10 * Math.abs(a.logLikelihood()));
      double[] ta = em.maximize(param.initial(), a);
      double[] tb = em.maximize(param.initial(), b);
      for (int i = 0; i < ta.length; i++) assertEquals(ta[i], tb[i], 1e-10, noise + " " + param.names().get(i));
    }
  }

  @Test
  void emIsRefusedOnlyWithDtFree() {
    ConstantVelocityModel fixed = new ConstantVelocityModel(2, 0.5, ConstantVelocityModel.Noise.PIECEWISE, 1.0,
        new double[] {1, 1}, new double[] {0, 0, 0, 0}, COV);
    Columns columns = new Columns("id", "t", List.of("x", "y"), List.of());
    for (List<String> free : List.of(List.of("std_acc"), List.of("measurement_std[0]"), List.of("std_acc", "measurement_std",
        "initial.mean", "initial.cov"))) {
      assertEquals(Optional.empty(), Families.refusal(new ModelSpec(fixed, columns, new FitSpec(free), null), Family.Capability.EM), free.toString());
    }
    Optional<String> refused = Families.refusal(new ModelSpec(fixed, columns, new FitSpec(List.of("std_acc", "dt")), null),
        Family.Capability.EM);
    assertTrue(refused.isPresent());
    assertTrue(refused.get().startsWith("EM for constant-velocity: dt has no closed-form M-step") && !refused.get().contains("\n"),
        refused.get());
    Parameterization withDt = Families.parameterization(fixed, List.of("dt"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Families.expectationMaximization(fixed, withDt));
    assertTrue(e.getMessage().contains("dt has no closed-form M-step"), e.getMessage());
    assertFalse(Families.refusal(LevelModels.model(1, 1), Family.Capability.EM).isEmpty(), "local-level still has no EM");
  }
}
