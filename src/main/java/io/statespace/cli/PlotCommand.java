package io.statespace.cli;

import static org.apache.spark.sql.functions.col;

import io.statespace.data.Trajectory;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.Columns;
import io.statespace.model.spec.ModelSpec;
import io.statespace.plot.HistoryPlot;
import io.statespace.plot.ObservationBands;
import io.statespace.plot.TrajectoryPlot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code plot}: a PNG of one smoothed trajectory (observations, filtered and smoothed estimates with ±2
 * standard deviation bands) from a {@code smooth} output, or of a {@code fit}'s loss history.
 */
@Command(name = "plot", mixinStandardHelpOptions = true,
    description = "Plot one trajectory of a smooth output (--smoothed DIR --id ID [--model FILE]) or a fit history (--history FILE).")
public final class PlotCommand implements Callable<Integer> {
  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  /** What to plot. */
  static final class Source {
    @Option(names = "--smoothed", paramLabel = "DIR", description = "Output directory of smooth (reads DIR/states).")
    String smoothed;

    @Option(names = "--history", paramLabel = "FILE", description = "history.csv of a fit.")
    Path history;
  }

  @Option(names = "--id", paramLabel = "ID", description = "With --smoothed: the trajectory to plot.")
  String id;

  @Option(names = "--model", paramLabel = "FILE", description = "With --smoothed: the model file the output was smoothed with (default: its copy DIR/model.json; must match it).")
  Path model;

  @Option(names = "--format", defaultValue = "csv", paramLabel = "F", description = "With --smoothed: format of states/ (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--output", required = true, paramLabel = "PNG", description = "PNG file to write.")
  Path output;

  @Override
  public Integer call() throws IOException {
    if (source.history != null) return history();
    if (id == null) throw new ConfigException("--smoothed needs --id");
    InputOptions.checkFormat("--format", format);
    ModelSpec spec = SmoothedModel.resolve(source.smoothed, model);
    SparkSession spark = SparkSessions.start("statespace plot", null);
    try {
      return smoothed(spark, spec);
    } finally {
      spark.stop();
    }
  }

  private int history() throws IOException {
    if (!Files.isRegularFile(source.history)) throw new ConfigException("--history: no such file " + source.history);
    List<String> lines = Files.readAllLines(source.history);
    int rows = lines.size() - 1;
    double[] it = new double[rows];
    double[] loss = new double[rows];
    double[] grad = new double[rows];
    for (int k = 0; k < rows; k++) {
      String[] f = lines.get(k + 1).split(",");
      it[k] = Double.parseDouble(f[0]);
      loss[k] = Double.parseDouble(f[1]);
      grad[k] = Double.parseDouble(f[2]);
    }
    HistoryPlot.write(source.history.toString(), it, loss, grad, output);
    System.out.println("plot: wrote " + output);
    return 0;
  }

  private int smoothed(SparkSession spark, ModelSpec spec) throws IOException {
    Columns c = spec.columns();
    StateSpaceModel m = spec.model();
    int n = m.stateDim();
    int obsDim = m.obsDim();
    int inputDim = m.inputDim();
    String states = source.smoothed.replaceAll("/+$", "") + "/states";
    Dataset<Row> data = spark.read().format(format).option("header", "true").option("escape", "\"").load(states)
        .filter(col(c.id()).cast("string").equalTo(id))
        .orderBy(col(c.time()).cast("double"));
    List<Row> rows = data.collectAsList();
    if (rows.isEmpty()) throw new ConfigException("--id: no trajectory '" + id + "' in " + states);
    boolean flat = format.equals("csv");
    int steps = rows.size();
    double[] times = new double[steps];
    double[] obs = new double[steps * obsDim];
    double[] inputs = inputDim == 0 ? null : new double[steps * inputDim];
    double[] fm = new double[steps * n];
    double[] fc = new double[steps * n * n];
    double[] sm = new double[steps * n];
    double[] sc = new double[steps * n * n];
    for (int t = 0; t < steps; t++) {
      Row r = rows.get(t);
      times[t] = number(r, c.time(), t);
      for (int i = 0; i < obsDim; i++) obs[t * obsDim + i] = number(r, c.observations().get(i), Double.NaN);
      for (int i = 0; i < inputDim; i++) inputs[t * inputDim + i] = number(r, c.inputs().get(i), 0.0);
      array(r, "filtered_mean", n, 1, flat, fm, t * n);
      array(r, "filtered_cov", n, n, flat, fc, t * n * n);
      array(r, "smoothed_mean", n, 1, flat, sm, t * n);
      array(r, "smoothed_cov", n, n, flat, sc, t * n * n);
    }
    Trajectory tr = new Trajectory(id, times, obs, obsDim, inputs, inputDim);
    TrajectoryPlot.write(id, times, obs, c.observations(), ObservationBands.of(m, tr, fm, fc),
        ObservationBands.of(m, tr, sm, sc), output);
    System.out.println("plot: wrote " + output + " (" + steps + " steps of '" + id + "')");
    return 0;
  }

  /** A numeric cell, or the fallback when it is null or not a number (e.g. an ISO time: plotted by index). */
  private static double number(Row r, String name, double fallback) {
    Object v = r.get(r.fieldIndex(name));
    if (v instanceof Number) return ((Number) v).doubleValue();
    if (v == null) return fallback;
    try {
      return Double.parseDouble(v.toString());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static void array(Row r, String name, int rows, int cols, boolean flat, double[] out, int offset) {
    if (!flat) {
      List<Double> values = r.getList(r.fieldIndex(name));
      for (int k = 0; k < values.size(); k++) out[offset + k] = values.get(k);
      return;
    }
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        String column = cols == 1 ? name + "_" + i : name + "_" + i + "_" + j;
        out[offset + i * cols + j] = number(r, column, Double.NaN);
      }
    }
  }
}
