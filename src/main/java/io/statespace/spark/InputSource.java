package io.statespace.spark;

import io.statespace.model.spec.Columns;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reads the long-format input from any Spark source. CSV follows RFC 4180 (a quote inside a quoted
 * field is doubled, as pandas and spreadsheets write it) and is read with every column as a string plus
 * Spark's corrupt-record column, so that unparsable numbers and rows with the wrong number of fields
 * reach our own validation (and quarantine) instead of becoming silent nulls.
 */
public final class InputSource {
  /** Spark's default name for the malformed-record column. */
  public static final String CORRUPT = "_corrupt_record";

  private final Dataset<Row> rows;
  private final String corruptColumn;

  private InputSource(Dataset<Row> rows, String corruptColumn) {
    this.rows = rows;
    this.corruptColumn = corruptColumn;
  }

  public Dataset<Row> rows() {
    return rows;
  }

  /** The malformed-record column when the source has one, else null. */
  public String corruptColumn() {
    return corruptColumn;
  }

  /** Known formats; anything else is passed to Spark as a format name. */
  public static String normalizeFormat(String format) {
    return format.toLowerCase(Locale.ROOT);
  }

  public static InputSource read(SparkSession spark, String path, String format, Columns columns) {
    String fmt = normalizeFormat(format);
    Dataset<Row> data;
    try {
      if (fmt.equals("csv")) {
        StructType header = spark.read().option("header", "true").option("escape", "\"").csv(path).schema();
        StructType schema = new StructType();
        for (StructField f : header.fields()) schema = schema.add(f.name(), DataTypes.StringType, true);
        if (header.fields().length == 0) {
          // Empty files have no header: zero rows of the columns the model needs.
          for (String name : columns.all()) schema = schema.add(name, DataTypes.StringType, true);
          schema = schema.add(CORRUPT, DataTypes.StringType, true);
          data = spark.createDataFrame(java.util.List.of(), schema);
        } else {
          schema = schema.add(CORRUPT, DataTypes.StringType, true);
          data = spark.read().option("header", "true").option("escape", "\"").option("mode", "PERMISSIVE")
              .option("columnNameOfCorruptRecord", CORRUPT).schema(schema).csv(path);
        }
      } else {
        data = spark.read().format(fmt).load(path);
      }
    } catch (Exception e) {
      // Spark's AnalysisException (path not found, unknown format, no schema) is undeclared in Java.
      if (e instanceof AnalysisException || e instanceof IllegalArgumentException) {
        throw new InputException("input " + path + " (" + fmt + "): " + firstLine(e.getMessage()));
      }
      throw e instanceof RuntimeException ? (RuntimeException) e : new IllegalStateException(e);
    }
    StructType schema = data.schema();
    for (String name : columns.all()) {
      if (!Arrays.asList(schema.fieldNames()).contains(name)) {
        throw new InputException("input " + path + ": no column '" + name + "' (columns: "
            + Arrays.stream(schema.fieldNames()).filter(c -> !c.equals(CORRUPT)).collect(Collectors.joining(", ")) + ")");
      }
    }
    String corrupt = Arrays.asList(schema.fieldNames()).contains(CORRUPT) ? CORRUPT : null;
    return new InputSource(data, corrupt);
  }

  private static String firstLine(String message) {
    if (message == null) return "unreadable";
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
