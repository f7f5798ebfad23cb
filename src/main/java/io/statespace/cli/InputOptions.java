package io.statespace.cli;

import io.statespace.model.spec.Columns;
import io.statespace.model.spec.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** Options shared by jobs that read trajectories under a model file (smooth, fit). */
public final class InputOptions {
  @Option(names = "--input", required = true, paramLabel = "PATH", description = "Input file or directory (any Spark source).")
  String input;

  @Option(names = "--model", required = true, paramLabel = "FILE", description = "Model file (JSON).")
  Path model;

  @Option(names = "--format", paramLabel = "F", description = "Input format: csv, parquet, json, orc (default: from the extension, else csv).")
  String format;

  @Option(names = "--id-column", paramLabel = "NAME", description = "Trajectory id column (overrides columns.id).")
  String idColumn;

  @Option(names = "--time-column", paramLabel = "NAME", description = "Time column (overrides columns.time).")
  String timeColumn;

  @Option(names = "--observation-columns", split = ",", paramLabel = "NAMES", description = "Observation columns, comma-separated (overrides columns.observations).")
  List<String> observationColumns;

  @Option(names = "--input-columns", split = ",", paramLabel = "NAMES", description = "Input (control) columns (overrides columns.inputs).")
  List<String> inputColumns;

  @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: spark-submit's, else local[*]).")
  String master;

  /** The model file with command-line column overrides applied, fully validated. */
  ModelSpec spec() {
    if (!Files.isRegularFile(model)) throw new ConfigException("--model: no such file " + model);
    ModelSpec spec = ModelSpec.read(model);
    Columns columns = spec.columns().withOverrides(idColumn, timeColumn, observationColumns, inputColumns);
    ModelSpec.checkColumns(columns, spec.model(), "columns.");
    if (columns.observations().isEmpty()) {
      throw new ConfigException("columns.observations: name the " + spec.model().obsDim()
          + " observation columns in the model file or with --observation-columns");
    }
    return spec.withColumns(columns);
  }

  /** The model file as a local file URI (it is read with java.nio, whatever Hadoop's default file system). */
  String modelUri() {
    return model.toAbsolutePath().normalize().toUri().toString();
  }

  /** The input format, from --format or the input's extension. */
  String format() {
    if (format != null) return format.toLowerCase(Locale.ROOT);
    return formatOf(input);
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
