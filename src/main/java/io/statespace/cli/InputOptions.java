package io.statespace.cli;

import io.statespace.model.spec.Columns;
import io.statespace.model.spec.ModelSpec;
import io.statespace.spark.DriverFiles;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** Options shared by jobs that read trajectories under a model file (smooth, fit). */
public final class InputOptions {
  @Option(names = "--input", required = true, paramLabel = "PATH", description = "Input file or directory (any Spark source).")
  String input;

  @Option(names = "--model", required = true, paramLabel = "FILE", description = "Model file (JSON): a local path or any Hadoop path (file://, hdfs://, s3a://), read on the driver.")
  String model;

  @Option(names = "--format", paramLabel = "F", description = "Input format: csv, parquet, json, orc (default: from the extension, else from the first data file's content, else csv).")
  String format;

  @Option(names = "--id-column", paramLabel = "NAME", description = "Trajectory id column (overrides columns.id); \"\" for none: the whole input is one trajectory, id '" + Columns.SINGLE_SERIES_ID + "'.")
  String idColumn;

  @Option(names = "--time-column", paramLabel = "NAME", description = "Time column (overrides columns.time).")
  String timeColumn;

  @Option(names = "--observation-columns", split = ",", paramLabel = "NAMES", description = "Observation columns, comma-separated (overrides columns.observations).")
  List<String> observationColumns;

  @Option(names = "--input-columns", split = ",", paramLabel = "NAMES", description = "Input (control) columns (overrides columns.inputs).")
  List<String> inputColumns;

  @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: spark-submit's, else local[*]).")
  String master;

  private DriverFiles files;

  /** The model file with command-line column overrides applied, fully validated. */
  ModelSpec spec() {
    ModelSpec spec = ModelSpec.parse(files().readText("--model", model));
    Columns columns = spec.columns().withOverrides(idColumn, timeColumn, observationColumns, inputColumns);
    ModelSpec.checkColumns(columns, spec.model(), "columns.");
    if (columns.observations().isEmpty()) {
      throw new ConfigException("columns.observations: name the " + spec.model().obsDim()
          + " observation columns in the model file or with --observation-columns");
    }
    return spec.withColumns(columns);
  }

  /** The model file's path, fully qualified (a local path as a {@code file:} URI). */
  String modelUri() {
    return files().qualified(model);
  }

  /**
   * The input format: --format, else the input's extension, else what its first data file's content
   * declares (Parquet or ORC magic bytes), else csv. Refuses, before Spark starts, an input that does not
   * exist.
   */
  String format() {
    java.util.Optional<String> byContent = files().probe("--input", input);
    if (format != null) return format.toLowerCase(Locale.ROOT);
    String byName = formatOf(input);
    if (!byName.equals("csv") || hasExtension(input, "csv")) return byName;
    return byContent.orElse("csv");
  }

  private DriverFiles files() {
    if (files == null) files = DriverFiles.fromSparkProperties();
    return files;
  }

  /** Whether the last name of the path ends in {@code .ext} (compressed variants included: {@code x.csv.gz}). */
  static boolean hasExtension(String path, String ext) {
    String p = path.toLowerCase(Locale.ROOT).replaceAll("/+$", "");
    String name = p.substring(p.lastIndexOf('/') + 1);
    return name.endsWith("." + ext) || name.contains("." + ext + ".");
  }

  static String formatOf(String path) {
    String p = path.toLowerCase(Locale.ROOT).replaceAll("/+$", "");
    if (p.endsWith(".parquet")) return "parquet";
    if (p.endsWith(".json") || p.endsWith(".jsonl") || p.endsWith(".ndjson")) return "json";
    if (p.endsWith(".orc")) return "orc";
    return "csv";
  }

  static void checkFormat(String option, String format) {
    if (!List.of("csv", "parquet", "json", "orc").contains(format)) {
      throw new ConfigException(option + ": must be csv, parquet, json or orc, got '" + format + "'");
    }
  }
}
