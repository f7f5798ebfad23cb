package io.statespace.cli;

import static org.apache.spark.sql.functions.col;

import io.statespace.model.spec.Columns;
import io.statespace.model.spec.ModelSpec;
import io.statespace.plot.DiagnosticsPlot;
import io.statespace.plot.HistoryPlot;
import io.statespace.plot.HistoryTable;
import io.statespace.plot.InnovationSeries;
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
 * standard deviation bands, forecast fan, missing steps marked) from a {@code smooth} output, the diagnostics
 * of its standardised innovations ({@code --diagnostics}, one trajectory or pooled), or a {@code fit}'s loss
 * history. The output's format is read from its files' content unless given; every failure is one line
 * (exit 2), never a trace.
 */
@Command(name = "plot", mixinStandardHelpOptions = true,
    description = "Plot one trajectory of a smooth output (--smoothed DIR [--id ID] [--model FILE]), its innovation diagnostics "
        + "(--smoothed DIR --diagnostics [--id ID] [--component I]) or a fit history (--history FILE).")
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

  @Option(names = "--diagnostics", description = "With --smoothed: the standardized innovations' diagnostics (time series, "
      + "histogram with densities, normal Q-Q, correlogram) of one trajectory (--id) or pooled over all; needs smooth --outputs predicted.")
  boolean diagnostics;

  @Option(names = "--component", paramLabel = "I|NAME", description = "With --diagnostics: the observed component, by index or "
      + "observation column name (default 0).")
  String component = "0";

  @Option(names = "--lags", paramLabel = "L", description = "With --diagnostics: the correlogram's largest lag (default 10).")
  int lags = 10;

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
    if (lags < 1) throw new ConfigException("--lags: must be at least 1, got " + lags);
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
    int componentIndex = diagnostics ? componentIndex(spec.columns().observations()) : 0;
    SparkSession spark = SparkSessions.start("statespace plot", null);
    try {
      return diagnostics ? diagnostics(spark, spec, states, fmt, componentIndex) : smoothed(spark, spec, states, fmt);
    } catch (RuntimeException e) {
      if (Main.isConfigError(e)) throw e;
      throw new ConfigException("plot: cannot read " + states + " as " + fmt + ": " + firstLine(e));
    } finally {
      SparkSessions.stop(spark);
    }
  }

  /** --component as an index into the observation columns, or one of their names. */
  private int componentIndex(List<String> observations) {
    for (int i = 0; i < observations.size(); i++) {
      if (observations.get(i).equals(component)) return i;
    }
    try {
      int i = Integer.parseInt(component.trim());
      if (i >= 0 && i < observations.size()) return i;
    } catch (NumberFormatException e) {
      // not an index: refused below, naming the columns
    }
    throw new ConfigException("--component " + component + ": not an observed component of the model (0.." + (observations.size() - 1)
        + " or one of " + String.join(", ", observations) + ")");
  }

  private Dataset<Row> load(SparkSession spark, String states, String fmt) {
    return spark.read().format(fmt).option("header", "true").option("escape", "\"").load(states);
  }

  private int diagnostics(SparkSession spark, ModelSpec spec, String states, String fmt, int i) throws IOException {
    Columns c = spec.columns();
    Dataset<Row> all = load(spark, states, fmt);
    StateRows rows = new StateRows(all.columns(), fmt.equals("csv"));
    String idColumn = idColumn(all, c);
    InnovationSeries series = InnovationReader.read(all, rows, idColumn, c.time(), id, i, c.observations().get(i), states);
    int observed = series.observed().length;
    if (observed <= lags) {
      throw new ConfigException("plot --diagnostics: " + observed + " observed standardized innovations of " + c.observations().get(i)
          + " in " + series.label() + ", too few for --lags " + lags);
    }
    try {
      DiagnosticsPlot.write(series, lags, output);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("plot --diagnostics: " + c.observations().get(i) + " in " + series.label() + ": " + e.getMessage());
    }
    System.out.println("plot: wrote " + output + " (diagnostics of " + c.observations().get(i) + ", " + series.label() + ", "
        + observed + " observed standardized innovations)");
    return 0;
  }

  /** history.csv read with a CSV parser: the header names the columns, every cell must be a number. */
  private int history() throws IOException {
    HistoryTable table = HistoryTable.read(source.history);
    HistoryPlot.write(source.history.toString(), table.iterations(), table.loss(), table.gradientNorm(), output);
    System.out.println("plot: wrote " + output);
    return 0;
  }

  private int smoothed(SparkSession spark, ModelSpec spec, String states, String fmt) throws IOException {
    Dataset<Row> all = load(spark, states, fmt);
    String idColumn = idColumn(all, spec.columns());
    String which = id != null ? id : onlyId(all, idColumn, states);
    TrajectoryReader.Read read = TrajectoryReader.read(all, new StateRows(all.columns(), fmt.equals("csv")), spec, idColumn, which, states);
    TrajectoryPlot.write(read.view(), output);
    System.out.println("plot: wrote " + output + " (" + read.view().times().length + " steps of '" + which + "'"
        + (read.notes().isEmpty() ? "" : "; " + String.join("; ", read.notes())) + ")");
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
}
