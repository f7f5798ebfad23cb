package io.statespace.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.model.LinearModel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A fit killed after iteration k and resumed from its snapshot in a fresh loop with a fresh optimiser
 * ends with exactly the θ, loss and history of the uninterrupted run, for L-BFGS (NLL), Adam (the
 * prediction loss with per-epoch dropout) and EM.
 */
class CheckpointTest {
  static final GradientCheckTest.Case CV = GradientCheckTest.cvFixedDt();
  static final LinearModel ROTATION = EmTest.rotation();
  static final List<Trajectory> LINEAR_DATA = EmTest.data(ROTATION, 10, 30, 51, 0.1, 0.2);

  /** Runs N iterations straight, then k + resume, and compares. */
  static void resumesExactly(Supplier<Optimizer> fresh, double[] start, int total, int killAt) {
    StopRules rules = new StopRules(total, 0, 0);
    FitResult straight = new FitLoop(fresh.get(), rules, null).run(start);
    assertEquals(total, straight.iterations(), "the test needs a run that uses every iteration");

    String[] snapshot = new String[1];
    FitLoop[] first = new FitLoop[1];
    first[0] = new FitLoop(fresh.get(), new StopRules(killAt, 0, 0), row -> {
      if (row.iteration() == killAt) snapshot[0] = first[0].snapshot();
    });
    first[0].run(start);
    List<HistoryRow> resumedRows = new ArrayList<>();
    FitResult resumed = new FitLoop(fresh.get(), rules, resumedRows::add).resume(snapshot[0]);

    assertArrayEquals(straight.theta(), resumed.theta(), 0.0);
    assertEquals(straight.evaluation().loss(), resumed.evaluation().loss(), 0.0);
    assertEquals(total, resumed.iterations());
    assertEquals(total - killAt, resumedRows.size());
    assertEquals(straight.history().size(), resumed.history().size());
    for (int i = 0; i < straight.history().size(); i++) {
      HistoryRow a = straight.history().get(i);
      HistoryRow b = resumed.history().get(i);
      assertEquals(a.iteration(), b.iteration());
      assertEquals(a.loss(), b.loss(), 0.0);
      assertEquals(a.step(), b.step(), 0.0);
      assertEquals(a.evaluations(), b.evaluations());
      assertArrayEquals(a.theta(), b.theta(), 0.0, "θ of history row " + i + " survives the checkpoint");
    }
    assertTrue(resumed.history().get(total).seconds() >= resumed.history().get(killAt).seconds());
  }

  @Test
  void lbfgsResumesExactly() {
    LocalObjective nll = new LocalObjective(LossFunction.negativeLogLikelihood(CV.parameterization()), CV.data());
    resumesExactly(() -> new Lbfgs(nll, 4, 20), GradientCheckTest.perturbed(CV.parameterization(), 1), 12, 5);
  }

  @Test
  void adamResumesExactly() {
    LocalObjective pred = new LocalObjective(LossFunction.prediction(CV.parameterization(), 0.3, 5L, true), CV.data());
    resumesExactly(() -> new Adam(pred, 0.02), CV.parameterization().initial(), 15, 7);
  }

  @Test
  void emResumesExactly() {
    LinearParameterization param = new LinearParameterization(ROTATION,
        List.of("dynamics.weights", "dynamics.cov", "emissions.cov", "initial.mean", "initial.cov"));
    resumesExactly(() -> new EmOptimizer(param, new LocalExpectationStep(param, LINEAR_DATA, true)),
        GradientCheckTest.perturbed(param, 2), 10, 4);
  }

  @Test
  void badCheckpointsAreClearErrors() {
    LocalObjective nll = new LocalObjective(LossFunction.negativeLogLikelihood(CV.parameterization()), CV.data());
    FitLoop loop = new FitLoop(new Lbfgs(nll), new StopRules(2, 0, 0), null);
    loop.run(CV.parameterization().initial());
    String snapshot = loop.snapshot();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new FitLoop(new Adam(nll, 0.1), StopRules.defaults(), null).resume(snapshot));
    assertTrue(e.getMessage().contains("lbfgs"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new FitLoop(new Lbfgs(nll), StopRules.defaults(), null).resume("{\"format\": \"something else\"}"));
    assertThrows(IllegalArgumentException.class,
        () -> new FitLoop(new Lbfgs(nll), StopRules.defaults(), null).resume("{ not json"));
  }
}
