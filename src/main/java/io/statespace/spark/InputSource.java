package io.statespace.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.statespace.model.spec.Columns;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reads the long-format input from any Spark source. The data files are listed first ({@link InputFiles}:
 * every file under a directory, at any depth, hidden ones skipped) and each file's own schema is read
 * ({@link FileSchemas}), so that columns are matched by each file's own names: files that share a schema are
 * read together and the groups are unioned by column name, Parquet and ORC types that differ between files
 * are widened (or the input is refused, naming the file and the column). CSV follows RFC 4180 (a quote
 * inside a quoted field is doubled, as pandas and spreadsheets write it) and is read with every column as
 * a string plus Spark's corrupt-record column, so that unparsable numbers and rows with the wrong number of
 * fields reach our own validation (and quarantine) instead of becoming silent nulls. JSON lines are read by
 * {@link JsonLines}.
 */
public final class InputSource {
  /** Spark's default name for the malformed-record column. */
  public static final String CORRUPT = "_corrupt_record";

  /** Metadata key that marks the id column added to a single series (not one of the user's columns). */
  static final String SINGLE_SERIES_MARK = "statespace_single_series";

  private final Dataset<Row> rows;
  private final String corruptColumn;
  private final int inputFiles;
  private final Columns columns;

  private InputSource(Dataset<Row> rows, String corruptColumn, int inputFiles, Columns columns) {
    this.rows = rows;
    this.corruptColumn = corruptColumn;
    this.inputFiles = inputFiles;
    this.columns = columns;
  }

  /**
   * The columns as read: a defaulted id resolved to the input's column {@code id} or to a single series
   * (whose id column, holding {@link Columns#SINGLE_SERIES_ID}, this source adds).
   */
  public Columns columns() {
    return columns;
  }

  public Dataset<Row> rows() {
    return rows;
  }

  /** The malformed-record column when the source has one, else null. */
  public String corruptColumn() {
    return corruptColumn;
  }

  /** How many data files were read (report.json's {@code input_files}). */
  public int inputFiles() {
    return inputFiles;
  }

  /** Known formats; anything else is passed to Spark as a format name. */
  public static String normalizeFormat(String format) {
    return format.toLowerCase(Locale.ROOT);
  }

  public static InputSource read(SparkSession spark, String path, String format, Columns requested) {
    String fmt = normalizeFormat(format);
    InputFiles files = InputFiles.list(spark.sparkContext().hadoopConfiguration(), path);
    Dataset<Row> data;
    Columns columns = requested;
    try {
      if (fmt.equals("csv") || fmt.equals("parquet") || fmt.equals("orc")) {
        List<FileSchemas.FileSchema> schemas = FileSchemas.read(spark, files, fmt);
        columns = requested.resolve(schemas.stream().anyMatch(f -> f.schema() != null
            && Arrays.asList(f.schema().fieldNames()).contains(Columns.DEFAULT_ID)));
        data = fmt.equals("csv") ? csv(spark, files, schemas, columns) : typed(spark, files, schemas, fmt, columns);
      } else {
        data = fmt.equals("json") ? JsonLines.read(spark, files)
            : reader(spark, files).format(fmt).load(files.files().toArray(new String[0]));
        columns = requested.resolve(Arrays.asList(data.schema().fieldNames()).contains(Columns.DEFAULT_ID));
      }
    } catch (Exception e) {
      // Spark's AnalysisException (unknown format, no schema) is undeclared in Java.
      if (e instanceof AnalysisException || (e instanceof IllegalArgumentException && !(e instanceof InputException))) {
        throw new InputException("input " + path + " (" + fmt + "): " + firstLine(e.getMessage()));
      }
      throw e instanceof RuntimeException ? (RuntimeException) e : new IllegalStateException(e);
    }
    StructType schema = data.schema();
    for (String name : columns.fromInput()) {
      if (!Arrays.asList(schema.fieldNames()).contains(name)) {
        throw new InputException("input " + path + ": no column '" + name + "' (columns: "
            + Arrays.stream(schema.fieldNames()).filter(c -> !c.equals(CORRUPT)).collect(Collectors.joining(", ")) + ")");
      }
    }
    String corrupt = Arrays.asList(schema.fieldNames()).contains(CORRUPT) ? CORRUPT : null;
    if (columns.singleSeries()) data = withSeriesId(data, columns.id());
    return new InputSource(data, corrupt, files.count(), columns);
  }

  /** The input with the id column of a single series (replacing any column of that name), marked as ours. */
  private static Dataset<Row> withSeriesId(Dataset<Row> data, String name) {
    Metadata mark = new MetadataBuilder().putBoolean(SINGLE_SERIES_MARK, true).build();
    return data.drop(name).select(col("*"), lit(Columns.SINGLE_SERIES_ID).as(name, mark));
  }

  /**
   * Rows that are already a Dataset (the library API's input): its columns are matched by their exact names,
   * Spark's malformed-record column is honoured when present, and no file is counted.
   *
   * @throws InputException when a column the model needs is missing
   */
  public static InputSource of(Dataset<Row> rows, Columns requested) {
    List<String> names = Arrays.asList(rows.schema().fieldNames());
    Columns columns = requested.resolve(names.contains(Columns.DEFAULT_ID));
    for (String name : columns.fromInput()) {
      if (!names.contains(name)) {
        throw new InputException("input DataFrame: no column '" + name + "' (columns: "
            + names.stream().filter(c -> !c.equals(CORRUPT)).collect(Collectors.joining(", ")) + ")");
      }
    }
    Dataset<Row> data = columns.singleSeries() ? withSeriesId(rows, columns.id()) : rows;
    return new InputSource(data, names.contains(CORRUPT) ? CORRUPT : null, 0, columns);
  }

  /** A reader over exactly the listed files: no second glob expansion of their names. */
  static DataFrameReader reader(SparkSession spark, InputFiles files) {
    return spark.read().options(files.readerOptions()).option("__globPaths__", "false");
  }

  /** CSV: one read per distinct header, every column a string, unioned by name. */
  private static Dataset<Row> csv(SparkSession spark, InputFiles files, List<FileSchemas.FileSchema> schemas, Columns columns) {
    Map<List<String>, List<String>> groups = new LinkedHashMap<>();
    for (FileSchemas.FileSchema f : schemas) {
      if (f.error() != null) throw new InputException("input file " + f.file() + ": cannot read its header line (" + f.error() + ")");
      if (f.schema() == null) continue;
      groups.computeIfAbsent(checkedNames(f.file(), f.schema(), columns), k -> new ArrayList<>()).add(f.file());
    }
    if (groups.isEmpty()) {
      // Empty files have no header: zero rows of the columns the model needs.
      StructType schema = new StructType();
      for (String name : columns.fromInput()) schema = schema.add(name, DataTypes.StringType, true);
      return spark.createDataFrame(List.of(), schema.add(CORRUPT, DataTypes.StringType, true));
    }
    List<Dataset<Row>> parts = new ArrayList<>();
    for (Map.Entry<List<String>, List<String>> g : groups.entrySet()) {
      StructType schema = new StructType();
      for (String name : g.getKey()) schema = schema.add(name, DataTypes.StringType, true);
      schema = schema.add(CORRUPT, DataTypes.StringType, true);
      parts.add(reader(spark, files).option("header", "true").option("escape", "\"").option("mode", "PERMISSIVE")
          .option("columnNameOfCorruptRecord", CORRUPT).schema(schema).csv(g.getValue().toArray(new String[0])));
    }
    return unionByName(parts, null);
  }

  /** Parquet and ORC: one read per distinct file schema, types widened across files, unioned by name. */
  private static Dataset<Row> typed(SparkSession spark, InputFiles files, List<FileSchemas.FileSchema> schemas, String fmt,
      Columns columns) {
    Map<StructType, List<String>> groups = new LinkedHashMap<>();
    Map<String, DataType> target = new LinkedHashMap<>();
    Map<String, String> firstFile = new LinkedHashMap<>();
    for (FileSchemas.FileSchema f : schemas) {
      if (f.error() != null) throw new InputException("input file " + f.file() + ": not a readable " + fmt + " file (" + f.error() + ")");
      checkedNames(f.file(), f.schema(), columns);
      for (StructField field : f.schema().fields()) {
        String key = field.name().toLowerCase(Locale.ROOT);
        DataType before = target.get(key);
        if (before == null) {
          target.put(key, TypeWidening.nullable(field.dataType()));
          firstFile.put(key, f.file());
          continue;
        }
        DataType wide = TypeWidening.widen(before, field.dataType(), field.name().equals(columns.id()));
        if (wide == null && columns.fromInput().contains(field.name())) {
          throw new InputException("input file " + f.file() + ": column '" + field.name() + "' is "
              + field.dataType().catalogString() + " but " + before.catalogString() + " in " + firstFile.get(key)
              + " (no common type)");
        }
        target.put(key, wide == null ? DataTypes.StringType : wide);
      }
      groups.computeIfAbsent(f.schema(), k -> new ArrayList<>()).add(f.file());
    }
    List<Dataset<Row>> parts = new ArrayList<>();
    for (Map.Entry<StructType, List<String>> g : groups.entrySet()) {
      parts.add(reader(spark, files).schema(g.getKey()).format(fmt).load(g.getValue().toArray(new String[0])));
    }
    return unionByName(parts, target);
  }

  /**
   * The header's names, refusing a file that lacks a column the model needs or names one of them twice
   * (names are matched ignoring case, as Spark resolves them); any other repeated name gets its position
   * appended, as Spark's CSV reader does.
   */
  private static List<String> checkedNames(String file, StructType schema, Columns columns) {
    List<String> names = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < schema.fields().length; i++) {
      String name = schema.fields()[i].name();
      String key = name.toLowerCase(Locale.ROOT);
      if (seen.contains(key)) {
        for (String needed : columns.fromInput()) {
          if (needed.toLowerCase(Locale.ROOT).equals(key)) {
            throw new InputException("input file " + file + ": column '" + needed
                + "' appears twice (names are matched ignoring case): which one holds the value?");
          }
        }
        name = name + i;
      }
      seen.add(key);
      names.add(name);
    }
    for (String needed : columns.fromInput()) {
      if (!names.contains(needed)) {
        String hint = file.contains("/" + needed + "=") ? "; directory names such as '" + needed + "=...' are not read as columns" : "";
        throw new InputException("input file " + file + ": no column '" + needed + "' (columns: " + String.join(", ", names) + hint + ")");
      }
    }
    return names;
  }

  /**
   * The union of the parts by column name (compared ignoring case): columns in the order first seen, a
   * column missing from a part is null there, and each is cast to its widened type when one is given.
   */
  private static Dataset<Row> unionByName(List<Dataset<Row>> parts, Map<String, DataType> widened) {
    if (parts.size() == 1 && widened == null) return parts.get(0);
    Map<String, StructField> all = new LinkedHashMap<>();
    for (Dataset<Row> p : parts) {
      for (StructField f : p.schema().fields()) all.putIfAbsent(f.name().toLowerCase(Locale.ROOT), f);
    }
    Dataset<Row> union = null;
    for (Dataset<Row> p : parts) {
      Map<String, StructField> own = new LinkedHashMap<>();
      for (StructField f : p.schema().fields()) own.put(f.name().toLowerCase(Locale.ROOT), f);
      List<Column> select = new ArrayList<>();
      for (Map.Entry<String, StructField> e : all.entrySet()) {
        String name = e.getValue().name();
        DataType type = widened != null && widened.containsKey(e.getKey()) ? widened.get(e.getKey()) : e.getValue().dataType();
        StructField mine = own.get(e.getKey());
        Column c = mine == null ? lit(null).cast(type)
            : mine.dataType().equals(type) ? col("`" + mine.name() + "`") : col("`" + mine.name() + "`").cast(type);
        select.add(c.as(name));
      }
      Dataset<Row> aligned = p.select(select.toArray(new Column[0]));
      union = union == null ? aligned : union.union(aligned);
    }
    return union;
  }

  private static String firstLine(String message) {
    if (message == null) return "unreadable";
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
