package io.statespace.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** L-BFGS and Adam on functions with known minima; every stop reason of the fit loop. */
class OptimizerTest {
  /** The Rosenbrock function in d dimensions, minimum 0 at (1, ..., 1). */
  static final class Rosenbrock implements Objective {
    int calls;

    @Override
    public Evaluation evaluate(double[] x) {
      calls++;
      double f = 0.0;
      double[] g = new double[x.length];
      for (int i = 0; i + 1 < x.length; i++) {
        double a = x[i + 1] - x[i] * x[i];
        double b = 1.0 - x[i];
        f += 100.0 * a * a + b * b;
        g[i] += -400.0 * x[i] * a - 2.0 * b;
        g[i + 1] += 200.0 * a;
      }
      return new Evaluation(f, g);
    }
  }

  static double[] filled(int d, double v) {
    double[] x = new double[d];
    java.util.Arrays.fill(x, v);
    return x;
  }

  @Test
  void lbfgsMinimisesRosenbrock() {
    for (int d : new int[] {2, 10}) {
      Rosenbrock f = new Rosenbrock();
      double[] start = filled(d, -1.2);
      start[d - 1] = 1.0;
      FitResult r = new FitLoop(new Lbfgs(f), new StopRules(500, 1e-10, 0), null).run(start);
      assertEquals(StopReason.GRADIENT_TOLERANCE, r.reason(), r.note());
      for (double v : r.theta()) assertEquals(1.0, v, 1e-7);
      System.out.printf("L-BFGS Rosenbrock d=%d: %d iterations, %d evaluations%n", d, r.iterations(), f.calls);
    }
  }

  @Test
  void lbfgsStepsBackFromInfeasiblePoints() {
    // f = Σ (x_i - 2)², but +∞ (a failed filter) beyond x_0 > 2.5: the first trial steps far past it
    Objective f = x -> {
      if (x[0] > 2.5) return new Evaluation(Double.POSITIVE_INFINITY, new double[x.length]);
      double[] g = new double[x.length];
      double v = 0.0;
      for (int i = 0; i < x.length; i++) {
        v += (x[i] - 2) * (x[i] - 2);
        g[i] = 2 * (x[i] - 2);
      }
      return new Evaluation(v, g);
    };
    FitResult r = new FitLoop(new Lbfgs(f), new StopRules(100, 1e-12, 0), null).run(new double[] {-300, 0});
    assertEquals(StopReason.GRADIENT_TOLERANCE, r.reason());
    assertEquals(2.0, r.theta()[0], 1e-9);
  }

  @Test
  void adamMinimisesAQuadratic() {
    Objective f = x -> new Evaluation((x[0] - 3) * (x[0] - 3) + 10 * (x[1] + 1) * (x[1] + 1),
        new double[] {2 * (x[0] - 3), 20 * (x[1] + 1)});
    FitResult r = new FitLoop(new Adam(f, 0.05), new StopRules(3000, 1e-8, 0), null).run(new double[] {0, 0});
    assertEquals(3.0, r.theta()[0], 1e-4);
    assertEquals(-1.0, r.theta()[1], 1e-4);
  }

  @Test
  void everyStopReasonIsReported() {
    Rosenbrock f = new Rosenbrock();
    List<HistoryRow> rows = new ArrayList<>();
    FitResult limit = new FitLoop(new Lbfgs(f), new StopRules(3, 0, 0), rows::add).run(new double[] {-1.2, 1});
    assertEquals(StopReason.ITERATION_LIMIT, limit.reason());
    assertEquals(3, limit.iterations());
    assertEquals(List.of(0, 1, 2, 3), rows.stream().map(HistoryRow::iteration).toList());
    assertEquals(0.0, rows.get(0).step());
    assertTrue(rows.get(3).loss() < rows.get(0).loss());
    assertTrue(rows.get(3).evaluations() >= 4);

    FitResult flat = new FitLoop(new Lbfgs(f), new StopRules(100, 0, 0.5), null).run(new double[] {-1.2, 1});
    assertEquals(StopReason.RELATIVE_LOSS_CHANGE, flat.reason());

    FitResult atMinimum = new FitLoop(new Lbfgs(f), new StopRules(100, 1e-8, 0), null).run(new double[] {1, 1});
    assertEquals(StopReason.GRADIENT_TOLERANCE, atMinimum.reason());
    assertEquals(0, atMinimum.iterations());

    Objective wrongSign = x -> new Evaluation(x[0] * x[0], new double[] {-2 * x[0]});
    FitResult stuck = new FitLoop(new Lbfgs(wrongSign), new StopRules(100, 1e-8, 0), null).run(new double[] {1});
    assertEquals(StopReason.NO_PROGRESS, stuck.reason());
    assertTrue(stuck.note().contains("line search"), stuck.note());

    Objective blowsUp = x -> new Evaluation(x[0] > 0.5 ? Double.NaN : -x[0], new double[] {-1});
    FitResult adamStuck = new FitLoop(new Adam(blowsUp, 1.0), new StopRules(100, 0, 0), null).run(new double[] {0});
    assertEquals(StopReason.NO_PROGRESS, adamStuck.reason());

    Objective infeasibleStart = x -> new Evaluation(Double.POSITIVE_INFINITY, new double[] {0});
    assertThrows(IllegalArgumentException.class,
        () -> new FitLoop(new Lbfgs(infeasibleStart), StopRules.defaults(), null).run(new double[] {0}));
  }
}
