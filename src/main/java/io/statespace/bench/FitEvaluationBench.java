package io.statespace.bench;

import io.statespace.data.Trajectory;
import io.statespace.execution.Blocker;
import io.statespace.family.Families;
import io.statespace.inference.batched.BatchedEngine;
import io.statespace.learn.LossAccumulator;
import io.statespace.learn.LossEvaluator;
import io.statespace.learn.LossFunction;
import io.statespace.learn.Parameterization;
import io.statespace.model.ConstantVelocityModel;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The fit-evaluation rows of {@code bench --throughput}: steps per second of one objective evaluation (loss and
 * exact gradient in θ = (log q, log measurement_std[0], log measurement_std[1])) by the sequential adjoint
 * filter and by the batched one, for the negative log-likelihood and for the prediction loss with 10% dropout
 * (the seed experiment's), and for the likelihood the batched one without shared covariances ("batched per
 * lane"), beside the batched smoother on the same data, in the blocks the fit job makes,
 * on one thread, interleaved. Cases: N × T as given (10,000 × 100 by default) and the seed experiment's shape,
 * 80,000 × 10.
 */
public final class FitEvaluationBench {
  private final int trajectories;
  private final int steps;
  private final int runs;
  private final double warmupSeconds;

  public FitEvaluationBench(int trajectories, int steps, int runs, double warmupSeconds) {
    this.trajectories = trajectories;
    this.steps = steps;
    this.runs = runs;
    this.warmupSeconds = warmupSeconds;
  }

  private record Row(String name, String pass, ToDoubleFunction<List<List<Trajectory>>> run) {}

  public void run(PrintStream out) {
    BenchModel bench = new BenchModel();
    ConstantVelocityModel model = bench.model();
    Parameterization param = Families.parameterization(model, List.of("q", "measurement_std"));
    double[] theta = param.initial();
    LossFunction nll = LossFunction.negativeLogLikelihood(param);
    LossFunction prediction = LossFunction.prediction(param, 0.1, 7L, false);
    List<Row> rows = new ArrayList<>();
    BatchedEngine smoother = new BatchedEngine();
    rows.add(new Row("batched smoother (reference)", "filter + smoother", blocks -> {
      double sum = 0.0;
      for (List<Trajectory> block : blocks) {
        for (var p : smoother.smooth(model, block, io.statespace.inference.Outputs.MOMENTS)) sum += p.logLikelihood();
      }
      return sum;
    }));
    rows.add(evaluation("fit evaluation, nll + exact gradient", "sequential", nll, theta));
    rows.add(evaluation("fit evaluation, nll + exact gradient", "batched", nll.withEngine(LossFunction.Engine.BATCHED), theta));
    rows.add(evaluation("fit evaluation, prediction loss + exact gradient", "sequential", prediction, theta));
    rows.add(evaluation("fit evaluation, prediction loss + exact gradient", "batched",
        prediction.withEngine(LossFunction.Engine.BATCHED), theta));
    rows.add(evaluation("fit evaluation, nll + exact gradient", "batched per lane",
        nll.withEngine(LossFunction.Engine.BATCHED_PER_LANE), theta));
    int[][] shapes = {{trajectories, steps}, {80_000, 10}};
    double[][] rates = new double[rows.size()][shapes.length];
    double[][] checks = new double[rows.size()][shapes.length];
    for (int c = 0; c < shapes.length; c++) {
      List<List<Trajectory>> blocks = blocks(bench.simulate(shapes[c][0], shapes[c][1], 3 + c));
      long total = (long) shapes[c][0] * shapes[c][1];
      out.printf(Locale.ROOT, "  measuring %d fit-evaluation workloads on %d x %d, interleaved ...%n", rows.size(),
          shapes[c][0], shapes[c][1]);
      List<DoubleSupplier> suppliers = new ArrayList<>();
      for (Row row : rows) suppliers.add(() -> row.run().applyAsDouble(blocks));
      Measurement[] measured = Measurement.interleaved(suppliers, 2, warmupSeconds, runs);
      for (int r = 0; r < rows.size(); r++) {
        rates[r][c] = measured[r].rate(total);
        checks[r][c] = measured[r].checksum;
      }
    }
    out.println();
    out.printf(Locale.ROOT, "Fit evaluation: loss + exact gradient in (log q, log measurement_std[0..1]), 2-D constant "
        + "velocity, complete data, one thread, blocks of <= %d trajectories; median of %d runs, interleaved%n",
        Blocker.MAX_TRAJECTORIES, runs);
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-50s %-17s", "workload", "engine"));
    for (int[] s : shapes) {
      header.append(String.format(Locale.ROOT, " | %-20s %11s", s[0] + " x " + s[1] + ": steps/s", "vs smoother"));
    }
    out.println(header);
    out.println("-".repeat(header.length()));
    for (int r = 0; r < rows.size(); r++) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-50s %-17s", rows.get(r).name(), rows.get(r).pass()));
      for (int c = 0; c < shapes.length; c++) {
        line.append(String.format(Locale.ROOT, " | %-20.3g %10.0f%%", rates[r][c], 100.0 * rates[r][c] / rates[0][c]));
      }
      out.println(line);
    }
    for (int c = 0; c < shapes.length; c++) {
      out.printf(Locale.ROOT, "%d x %d: batched / sequential, nll %.1fx, prediction %.1fx; nll batched / batched per "
          + "lane %.1fx; loss + gradient checksum batched vs sequential: nll %.1e (per lane %.1e), prediction %.1e "
          + "relative%n", shapes[c][0], shapes[c][1], rates[2][c] / rates[1][c], rates[4][c] / rates[3][c],
          rates[2][c] / rates[5][c], relative(checks[2][c], checks[1][c]), relative(checks[5][c], checks[1][c]),
          relative(checks[4][c], checks[3][c]));
    }
  }

  private static double relative(double a, double b) {
    return Math.abs(a - b) / Math.max(1e-300, Math.abs(b));
  }

  /** One objective evaluation as the fit job runs it: one evaluator per block, all accumulated. */
  private static Row evaluation(String name, String engine, LossFunction loss, double[] theta) {
    return new Row(name, engine, blocks -> {
      LossAccumulator acc = loss.zero();
      for (List<Trajectory> block : blocks) {
        LossEvaluator evaluator = loss.evaluator(theta, 0L);
        evaluator.addAll(block, acc);
      }
      double sum = acc.loss();
      for (double g : acc.gradient()) sum += g;
      return sum;
    });
  }

  /** The fit job's blocks ({@link Blocker}). */
  private static List<List<Trajectory>> blocks(List<Trajectory> data) {
    Blocker<Trajectory> blocker = new Blocker<>();
    List<List<Trajectory>> out = new ArrayList<>();
    for (Trajectory t : data) out.addAll(blocker.add(t, t.length()));
    List<Trajectory> last = blocker.flush();
    if (last != null) out.add(last);
    return out;
  }
}
