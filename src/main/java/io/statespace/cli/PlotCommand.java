package io.statespace.cli;

import static org.apache.spark.sql.functions.col;

import io.statespace.data.Trajectory;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.Columns;
import io.statespace.model.spec.ModelSpec;
import io.statespace.plot.HistoryPlot;
import io.statespace.plot.HistoryTable;
import io.statespace.plot.ObservationBands;
import io.statespace.plot.TrajectoryPlot;
import io.statespace.spark.DriverFiles;
import io.statespace.spark.Provenance;
import java.io.IOException;
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
 * standard deviation bands) from a {@code smooth} output, or of a {@code fit}'s loss history. The output's
 * format is read from its files' content unless given; every failure is one line (exit 2), never a trace.
 */
@Command(name = "plot", mixinStandardHelpOptions = true,
    description = "Plot one trajectory of a smooth output (--smoothed DIR [--id ID] [--model FILE]) or a fit history (--history FILE).")
public final class PlotCommand implements Callable<Integer> {
  /** The model copy a smooth output may hold, used when --model is not given. */
  static final String MODEL_COPY = Provenance.MODEL_FILE;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  /** What to plot. */
  static final class Source {
    @Option(names = "--smoothed", paramLabel = "DIR", description = "Output directory of smooth (reads DIR/states).")
    String smoothed;

    @Option(names = "--history", paramLabel = "FILE", description = "history.csv of a fit.")
    Path history;
  }

  @Option(names = "--id", paramLabel = "ID", description = "With --smoothed: the trajectory to plot (default: the only one).")
  String id;

  @Option(names = "--model", paramLabel = "FILE", description = "With --smoothed: the model file the output was smoothed with (default: its copy DIR/" + MODEL_COPY + "; must match it).")
  String model;

  @Option(names = "--format", paramLabel = "F", description = "With --smoothed: format of states/ (default: from its files' content).")
  String format;

  @Option(names = "--output", required = true, paramLabel = "PNG", description = "PNG file to write.")
  Path output;

  @Override
  public Integer call() {
    try {
      return source.history != null ? history() : smoothed();
    } catch (Exception e) {
      if (Main.isConfigError(e)) throw (RuntimeException) e;
      throw new ConfigException("plot: " + firstLine(e));
    }
  }

  private int smoothed() throws IOException {
    DriverFiles files = DriverFiles.fromSparkProperties();
    String dir = source.smoothed.replaceAll("/+$", "");
    String states = dir + "/states";
    ModelSpec spec = SmoothedModel.resolve(files, dir, model);
    java.util.Optional<String> found = files.probe("--smoothed", states);
    String fmt = format != null ? format.toLowerCase(java.util.Locale.ROOT)
        : found.orElseThrow(() -> new ConfigException("--smoothed: " + states + " holds no readable data file (give --format)"));
    InputOptions.checkFormat("--format", fmt);
    boolean binary = fmt.equals("parquet") || fmt.equals("orc");
    if (found.isPresent() && !found.get().equals(fmt) && (binary || found.get().equals("parquet") || found.get().equals("orc"))) {
      throw new ConfigException("--format " + fmt + ": " + states + " holds " + found.get() + " files (omit --format to detect it)");
    }
    SparkSession spark = SparkSessions.start("statespace plot", null);
    try {
      return smoothed(spark, spec, states, fmt);
    } catch (RuntimeException e) {
      if (Main.isConfigError(e)) throw e;
      throw new ConfigException("plot: cannot read " + states + " as " + fmt + ": " + firstLine(e));
    } finally {
      SparkSessions.stop(spark);
    }
  }

  /** history.csv read with a CSV parser: the header names the columns, every cell must be a number. */
  private int history() throws IOException {
    HistoryTable table = HistoryTable.read(source.history);
    HistoryPlot.write(source.history.toString(), table.iterations(), table.loss(), table.gradientNorm(), output);
    System.out.println("plot: wrote " + output);
    return 0;
  }

  private int smoothed(SparkSession spark, ModelSpec spec, String states, String fmt) throws IOException {
    Columns c = spec.columns();
    StateSpaceModel m = spec.model();
    int n = m.stateDim();
    int obsDim = m.obsDim();
    int inputDim = m.inputDim();
    Dataset<Row> all = spark.read().format(fmt).option("header", "true").option("escape", "\"").load(states);
    String idColumn = idColumn(all, c);
    String which = id != null ? id : onlyId(all, idColumn, states);
    Dataset<Row> data = all.filter(col(idColumn).cast("string").equalTo(which))
        .orderBy(col(c.time()).cast("double"));
    List<Row> rows = data.collectAsList();
    if (rows.isEmpty()) throw new ConfigException("--id: no trajectory '" + which + "' in " + states);
    boolean flat = fmt.equals("csv");
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
    Trajectory tr = new Trajectory(which, times, obs, obsDim, inputs, inputDim);
    TrajectoryPlot.write(which, times, obs, c.observations(), ObservationBands.of(m, tr, fm, fc),
        ObservationBands.of(m, tr, sm, sc), output);
    System.out.println("plot: wrote " + output + " (" + steps + " steps of '" + which + "')");
    return 0;
  }

  /**
   * The id column of the output: the model's, or for a model without {@code columns.id} the column a single
   * series was written under; refused, naming the columns, when the output has none of them.
   */
  private static String idColumn(Dataset<Row> states, Columns c) {
    List<String> names = List.of(states.columns());
    if (names.contains(c.id())) return c.id();
    for (String n : names) {
      if (n.equalsIgnoreCase(c.id())) return n;
    }
    throw new ConfigException("--smoothed: states/ has no id column '" + c.id() + "' of the model file (columns: "
        + String.join(", ", names) + ")");
  }

  /** The id of an output holding exactly one trajectory; else the ids are listed (up to 5) and --id asked for. */
  private static String onlyId(Dataset<Row> states, String idColumn, String where) {
    List<Row> ids = states.select(col(idColumn).cast("string")).distinct().limit(6).collectAsList();
    if (ids.size() == 1 && !ids.get(0).isNullAt(0)) return ids.get(0).getString(0);
    if (ids.isEmpty()) throw new ConfigException("--smoothed: no rows in " + where);
    List<String> some = ids.stream().limit(5).map(r -> String.valueOf(r.get(0))).toList();
    throw new ConfigException("--id: " + where + " holds several trajectories (" + String.join(", ", some)
        + (ids.size() > 5 ? ", ..." : "") + "): name one");
  }

  private static String firstLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
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
