package io.statespace.spark;

import io.statespace.model.spec.Columns;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The smooth job's output per input row, for the library API's {@code transform}: each input row keeps all
 * its own columns (its values untouched, so ids and times come back exactly) and gains the state columns and
 * reason_code/reason. The states come from the same engine stage as {@code smooth} ({@link SmoothCore#union});
 * each input row is joined back to its own state row or quarantine reason by (trajectory key, time as exact
 * text) from {@link RowKeys}; rows rejected while parsing carry their reason from that same pass. With a
 * forecast, the forecast rows follow: the input's columns null but for the id and the forecast time, their state
 * arrays, and {@code forecast} true (false on every input row). Lazy: nothing runs until the result is used.
 */
public final class RowwiseSmoothing {
  /** Spark ML's handleInvalid: keep quarantined rows with null states, drop them, or fail on the first. */
  public enum Invalid {
    KEEP, SKIP, ERROR;

    /** keep, skip or error (Spark ML's names). */
    public static Invalid parse(String text) {
      for (Invalid i : values()) {
        if (i.name().toLowerCase(Locale.ROOT).equals(text)) return i;
      }
      throw new IllegalArgumentException("handleInvalid: must be keep, skip or error, got '" + text + "'");
    }
  }

  /** Every name a state array or reason column can have: no input column may take one, whatever the choice. */
  private static final List<String> RESERVED = List.of(UnionRows.FILTERED_MEAN, UnionRows.FILTERED_COV,
      UnionRows.FILTERED_STD, UnionRows.SMOOTHED_MEAN, UnionRows.SMOOTHED_COV, UnionRows.SMOOTHED_STD,
      UnionRows.REASON_CODE, UnionRows.REASON);

  private static final String R_KEY = "__statespace_r_key";
  private static final String R_TIME = "__statespace_r_time";
  private static final String R_KIND = "__statespace_r_kind";

  private RowwiseSmoothing() {}

  /**
   * The columns added after the input's own, in order: the state arrays of {@code choice} (as in the job's
   * {@code states/}), then reason_code and reason.
   */
  public static List<String> added(OutputChoice choice) {
    List<String> names = new ArrayList<>();
    for (OutputChoice.StateArray a : choice.stateArrays()) names.add(a.name());
    names.add(UnionRows.REASON_CODE);
    names.add(UnionRows.REASON);
    return List.copyOf(names);
  }

  /**
   * The output schema: the input's fields, then the state arrays of {@code choice} and reason_code/reason (all
   * nullable).
   *
   * @throws InputException when a column the model needs is missing or of an unusable type, or an input
   *     column has the name of a state array (of any choice) or reason column
   */
  public static StructType schema(StructType input, Columns columns, OutputChoice choice) {
    return schema(input, columns, choice, false);
  }

  /**
   * As above, with the boolean {@code forecast} column after the state arrays when {@code forecast} is true (an
   * input column of that name is then refused).
   */
  public static StructType schema(StructType input, Columns columns, OutputChoice choice, boolean forecast) {
    if (forecast) {
      for (String name : input.fieldNames()) {
        if (name.equalsIgnoreCase(UnionRows.FORECAST)) {
          throw new InputException("input DataFrame: column '" + name + "' clashes with the output column forecast; rename or drop it");
        }
      }
    }
    return checkedSchema(input, columns, choice, forecast);
  }

  private static StructType checkedSchema(StructType input, Columns columns, OutputChoice choice, boolean forecast) {
    List<String> names = Arrays.asList(input.fieldNames());
    for (String name : columns.all()) {
      if (!names.contains(name)) {
        throw new InputException("input DataFrame: no column '" + name + "' (columns: " + String.join(", ", names) + ")");
      }
    }
    OutputLayout.checkNames(columns, choice);
    ParsedRows.schema(input, columns);
    List<String> added = added(choice);
    for (String name : names) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (RESERVED.contains(lower) || added.contains(lower) || lower.startsWith("__statespace_")) {
        throw new InputException("input DataFrame: column '" + name + "' clashes with an output column; rename or drop it");
      }
    }
    return withAdded(input, choice, forecast);
  }

  /** {@code fields} followed by the state arrays of {@code choice}, {@code forecast} if asked, and reason_code/reason. */
  private static StructType withAdded(StructType fields, OutputChoice choice, boolean forecast) {
    StructType out = fields;
    for (OutputChoice.StateArray a : choice.stateArrays()) {
      out = out.add(a.name(), a.sqlType(), true);
    }
    if (forecast) out = out.add(UnionRows.FORECAST, DataTypes.BooleanType, true);
    return out.add(UnionRows.REASON_CODE, DataTypes.StringType, true).add(UnionRows.REASON, DataTypes.StringType, true);
  }

  /** One output row per input row (fewer with {@link Invalid#SKIP}), schema {@link #schema}. */
  public static Dataset<Row> transform(SparkSession spark, Dataset<Row> df, SmoothSettings s, Invalid invalid) {
    Columns columns = s.spec.columns();
    OutputChoice choice = s.outputs;
    int arrays = choice.stateArrays().size();
    boolean forecast = s.forecast.active();
    StructType outSchema = schema(df.schema(), columns, choice, forecast);
    InputSource source = InputSource.of(df, columns);
    Dataset<Row> union = SmoothCore.union(spark, source, s);
    DataType idType = df.schema().apply(columns.id()).dataType();
    StructType rightSchema = withAdded(new StructType().add(R_KEY, DataTypes.StringType, true)
        .add(R_TIME, DataTypes.StringType, true).add(R_KIND, DataTypes.IntegerType, false), choice, false);
    Dataset<Row> right = union.mapPartitions(new Outcomes(union.schema(), idType, choice), Encoders.row(rightSchema))
        .dropDuplicates(new String[] {R_KEY, R_TIME, R_KIND});
    Dataset<Row> left = df.mapPartitions(new RowKeys(columns, df.schema(), source.corruptColumn()),
        Encoders.row(RowKeys.schema(df.schema())));
    Column on = left.col(RowKeys.KEY).equalTo(right.col(R_KEY)).and(left.col(RowKeys.TIME).equalTo(right.col(R_TIME)));
    Dataset<Row> joined = left.join(right, on, "left_outer");
    Dataset<Row> rows = joined.mapPartitions(new Finish(df.schema().size(), df.schema().fieldIndex(columns.id()),
        df.schema().fieldIndex(columns.time()), arrays, invalid, forecast), Encoders.row(outSchema));
    if (!forecast) return rows;
    List<String> names = Arrays.asList(df.schema().fieldNames());
    Dataset<Row> forecastRows = union.filter(union.col(UnionRows.KIND).equalTo(UnionRows.STATE)
        .and(union.col(UnionRows.FORECAST))).mapPartitions(new ForecastRows(union.schema(), choice, df.schema().size(),
            names.indexOf(columns.id()), names.indexOf(columns.time())), Encoders.row(outSchema));
    return rows.union(forecastRows);
  }

  /**
   * The forecast rows as output rows: every input column null but the id and the time, then the state arrays,
   * {@code forecast} true and no reason.
   */
  private static final class ForecastRows implements MapPartitionsFunction<Row, Row>, Serializable {
    private static final long serialVersionUID = 1L;
    private final int width;
    private final int idIndex;
    private final int timeIndex;
    private final int id;
    private final int time;
    private final int[] states;

    /** @param idIndex the id's position among the input's columns, -1 when it has none (one series) */
    ForecastRows(StructType union, OutputChoice choice, int width, int idIndex, int timeIndex) {
      this.width = width;
      this.idIndex = idIndex;
      this.timeIndex = timeIndex;
      this.id = union.fieldIndex(UnionRows.ID);
      this.time = union.fieldIndex(UnionRows.TIME);
      List<OutputChoice.StateArray> arrays = choice.stateArrays();
      this.states = new int[arrays.size()];
      for (int i = 0; i < states.length; i++) states[i] = union.fieldIndex(arrays.get(i).name());
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      return Iterators.mapping(rows, u -> {
        Object[] v = new Object[width + states.length + 3];
        if (idIndex >= 0) v[idIndex] = u.get(id);
        v[timeIndex] = u.get(time);
        for (int i = 0; i < states.length; i++) v[width + i] = u.get(states[i]);
        v[width + states.length] = true;
        return RowFactory.create(v);
      });
    }
  }

  /**
   * The engine's outcome per parsed row: each state row, and each quarantine row of a row that parsed (a shared
   * time, or a trajectory no engine could smooth), keyed as {@link RowKeys} keys the input rows.
   */
  private static final class Outcomes implements MapPartitionsFunction<Row, Row>, Serializable {
    private static final long serialVersionUID = 1L;
    private final int kind;
    private final int id;
    private final int time;
    private final int qId;
    private final int qTime;
    private final int code;
    private final int reason;
    private final int[] states;
    private final DataType idType;
    private final int forecast;

    /** @param choice the state arrays to carry, looked up in {@code union} by name, in the choice's order */
    Outcomes(StructType union, DataType idType, OutputChoice choice) {
      this.kind = union.fieldIndex(UnionRows.KIND);
      this.id = union.fieldIndex(UnionRows.ID);
      this.time = union.fieldIndex(UnionRows.TIME);
      this.qId = union.fieldIndex(UnionRows.Q_ID);
      this.qTime = union.fieldIndex(UnionRows.Q_TIME);
      this.code = union.fieldIndex(UnionRows.REASON_CODE);
      this.reason = union.fieldIndex(UnionRows.REASON);
      List<OutputChoice.StateArray> arrays = choice.stateArrays();
      this.states = new int[arrays.size()];
      for (int i = 0; i < states.length; i++) states[i] = union.fieldIndex(arrays.get(i).name());
      this.idType = idType;
      this.forecast = union.fieldIndex(UnionRows.FORECAST);
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      return Iterators.mapping(rows, this::outcome);
    }

    private Row outcome(Row u) {
      int k = u.getInt(kind);
      if (k == UnionRows.STATE && !u.isNullAt(forecast) && u.getBoolean(forecast)) return null;
      if (k == UnionRows.STATE) {
        Object[] v = new Object[3 + states.length + 2];
        v[0] = CellText.key(u.get(id));
        v[1] = CellText.of(u.get(time));
        v[2] = k;
        for (int i = 0; i < states.length; i++) v[3 + i] = u.get(states[i]);
        return RowFactory.create(v);
      }
      if (k == UnionRows.QUARANTINE && !RowKeys.PARSE_REASONS.contains(u.getString(code))) {
        Object[] v = new Object[3 + states.length + 2];
        v[0] = RowKeys.keyOfIdText(u.getString(qId), idType);
        v[1] = u.getString(qTime);
        v[2] = k;
        v[3 + states.length] = u.getString(code);
        v[4 + states.length] = u.getString(reason);
        return RowFactory.create(v);
      }
      return null;
    }
  }

  /** The output rows from the joined ones, with handleInvalid applied. */
  private static final class Finish implements MapPartitionsFunction<Row, Row>, Serializable {
    private static final long serialVersionUID = 1L;
    private final int width;
    private final int idIndex;
    private final int timeIndex;
    private final int arrays;
    private final Invalid invalid;
    private final boolean forecast;

    /**
     * @param arrays how many state arrays the joined rows carry after (key, time, kind)
     * @param forecast whether the output has the {@code forecast} column (false on these rows)
     */
    Finish(int width, int idIndex, int timeIndex, int arrays, Invalid invalid, boolean forecast) {
      this.width = width;
      this.idIndex = idIndex;
      this.timeIndex = timeIndex;
      this.arrays = arrays;
      this.invalid = invalid;
      this.forecast = forecast;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      return Iterators.mapping(rows, this::finish);
    }

    private Row finish(Row j) {
      int keys = width;
      int right = width + RowKeys.WIDTH;
      String code = j.getString(keys + 2);
      String reason = j.getString(keys + 3);
      boolean matched = !j.isNullAt(right + 2);
      if (code == null && matched) {
        code = j.getString(right + 3 + arrays);
        reason = j.getString(right + 4 + arrays);
      }
      if (code == null && (!matched || j.isNullAt(right + 3))) {
        throw new IllegalStateException("row with id " + CellText.of(j.get(idIndex)) + ", time " + CellText.of(j.get(timeIndex))
            + " came back from neither the engine nor the quarantine");
      }
      if (code != null && invalid == Invalid.SKIP) return null;
      if (code != null && invalid == Invalid.ERROR) {
        throw new QuarantinedRowException("handleInvalid=error: the row with id " + CellText.of(j.get(idIndex)) + ", time "
            + CellText.of(j.get(timeIndex)) + " was quarantined (" + code + ": " + reason + "); set handleInvalid to keep or skip");
      }
      List<Object> v = new ArrayList<>(width + arrays + 2);
      for (int i = 0; i < width; i++) v.add(j.get(i));
      for (int i = 0; i < arrays; i++) v.add(code == null ? j.get(right + 3 + i) : null);
      if (forecast) v.add(false);
      v.add(code);
      v.add(reason);
      return RowFactory.create(v.toArray());
    }
  }

  /** handleInvalid=error met a row that cannot be smoothed; the message names it and why. */
  public static final class QuarantinedRowException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    QuarantinedRowException(String message) {
      super(message);
    }
  }
}
