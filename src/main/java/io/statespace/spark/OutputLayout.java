package io.statespace.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.hex;

import io.statespace.model.spec.Columns;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.StructField;

/**
 * The public output layout of {@code smooth} (docs/ARCHITECTURE.md §4): which columns each of states/,
 * summary/ and quarantine/ holds, under the user's own id, time and observation names. CSV cannot hold
 * arrays, so there each array becomes one column per element ({@code smoothed_cov_0_1} = entry [0][1],
 * {@code smoothed_std_1} = the standard deviation of component 1). Which state arrays are written is the
 * {@link OutputChoice}'s.
 */
public final class OutputLayout {
  private static final Set<String> RESERVED = Set.of(UnionRows.FILTERED_MEAN, UnionRows.FILTERED_COV,
      UnionRows.SMOOTHED_MEAN, UnionRows.SMOOTHED_COV, UnionRows.STEPS, UnionRows.MISSING,
      UnionRows.MISSING_VALUES, UnionRows.LOGLIK, UnionRows.REASON_CODE, UnionRows.REASON, UnionRows.RAW);

  private final Columns columns;
  private final int stateDim;
  private final OutputChoice choice;
  /** Whether states/ ends with the boolean {@code forecast} column (only with forecast rows). */
  private final boolean forecast;

  /** The layout with every state array ({@link OutputChoice#FULL}). */
  public OutputLayout(Columns columns, int stateDim) {
    this(columns, stateDim, OutputChoice.FULL);
  }

  /** The layout whose state rows carry the arrays of {@code choice}. */
  public OutputLayout(Columns columns, int stateDim, OutputChoice choice) {
    this(columns, stateDim, choice, false);
  }

  /** As above, states/ ending with the {@code forecast} column when {@code forecast} is true. */
  public OutputLayout(Columns columns, int stateDim, OutputChoice choice, boolean forecast) {
    this.columns = columns;
    this.stateDim = stateDim;
    this.choice = choice;
    this.forecast = forecast;
  }

  /** Fails when a user column would collide with an output column. */
  public static void checkNames(Columns columns) {
    checkNames(columns, OutputChoice.FULL);
  }

  /**
   * Fails when a user column would collide with an output column of {@code choice} (the names of an extra are
   * reserved only when it is asked for, so that inputs that worked before keep working).
   */
  public static void checkNames(Columns columns, OutputChoice choice) {
    for (String name : columns.all()) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (RESERVED.contains(lower) || lower.startsWith("filtered_") || lower.startsWith("smoothed_") || lower.startsWith("u_")
          || clashesWithExtra(lower, choice)) {
        throw new InputException("column name '" + name + "' clashes with an output column; rename it in the input "
            + "or map it with the column options");
      }
    }
  }

  private static boolean clashesWithExtra(String lower, OutputChoice choice) {
    if (choice.has(OutputChoice.Extra.PREDICTED)
        && (lower.startsWith("predicted_") || lower.startsWith("innovation") || lower.startsWith("standardized_innovation"))) {
      return true;
    }
    return choice.has(OutputChoice.Extra.DIAGNOSTICS) && UnionRows.DIAGNOSTICS.contains(lower);
  }

  /** The states/ columns of {@code union}'s rows, which must all be state rows. */
  Dataset<Row> states(Dataset<Row> union, boolean flatten) {
    List<Column> cols = new ArrayList<>();
    cols.add(col(UnionRows.ID).as(columns.id()));
    cols.add(col(UnionRows.TIME).as(columns.time()));
    for (int i = 0; i < columns.observations().size(); i++) {
      cols.add(col(UnionRows.OBS_PREFIX + i).as(columns.observations().get(i)));
    }
    for (int i = 0; i < columns.inputs().size(); i++) {
      cols.add(col(UnionRows.INPUT_PREFIX + i).as(columns.inputs().get(i)));
    }
    for (OutputChoice.StateArray array : choice.stateArrays()) {
      String name = array.name();
      int d = array.dimension(stateDim, columns.observations().size());
      if (!flatten) {
        cols.add(col(name));
      } else if (array.matrix()) {
        for (int i = 0; i < d; i++) {
          for (int j = 0; j < d; j++) cols.add(col(name).getItem(i * d + j).as(name + "_" + i + "_" + j));
        }
      } else {
        for (int i = 0; i < d; i++) cols.add(col(name).getItem(i).as(name + "_" + i));
      }
    }
    if (forecast) cols.add(col(UnionRows.FORECAST));
    return union.select(cols.toArray(new Column[0]));
  }

  /**
   * A writer that gives ids and times back exactly in {@code format}: in CSV and JSON, timestamps to the
   * microsecond (Spark's defaults cut them to milliseconds) and binary columns as upper-case hex text (CSV
   * cannot hold binary; hex is also quarantine's text); in CSV, spaces around values kept (Spark's CSV writer
   * trims them by default, which would merge the ids " 1" and "1"). Parquet and ORC hold the types natively.
   */
  static DataFrameWriter<Row> writer(Dataset<Row> data, String format) {
    boolean csv = format.equals("csv");
    if (!csv && !format.equals("json")) return data.write().format(format);
    List<Column> cols = new ArrayList<>();
    for (StructField f : data.schema().fields()) {
      cols.add(f.dataType() instanceof BinaryType ? hex(col(f.name())).as(f.name()) : col(f.name()));
    }
    DataFrameWriter<Row> w = data.select(cols.toArray(new Column[0])).write().format(format)
        .option("timestampFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX")
        .option("timestampNTZFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSSSS");
    if (csv) {
      w = w.option("header", "true").option("escape", "\"")
          .option("ignoreLeadingWhiteSpace", "false").option("ignoreTrailingWhiteSpace", "false");
    }
    return w;
  }

  /** id, steps, missing, missing_values, loglik, and with diagnostics observed ... ljung_box_lag. */
  Dataset<Row> summary(Dataset<Row> union) {
    List<Column> cols = new ArrayList<>(List.of(col(UnionRows.ID).as(columns.id()), col(UnionRows.STEPS),
        col(UnionRows.MISSING), col(UnionRows.MISSING_VALUES), col(UnionRows.LOGLIK)));
    if (choice.has(OutputChoice.Extra.DIAGNOSTICS)) {
      for (String name : UnionRows.DIAGNOSTICS) cols.add(col(name));
    }
    return union.filter(col(UnionRows.KIND).equalTo(UnionRows.SUMMARY)).select(cols.toArray(new Column[0]));
  }

  Dataset<Row> quarantine(Dataset<Row> union) {
    return union.filter(col(UnionRows.KIND).equalTo(UnionRows.QUARANTINE)).select(
        col(UnionRows.Q_ID).as(columns.id()), col(UnionRows.Q_TIME).as(columns.time()),
        col(UnionRows.REASON_CODE), col(UnionRows.REASON), col(UnionRows.RAW));
  }
}
