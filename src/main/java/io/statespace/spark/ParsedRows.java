package io.statespace.spark;

import io.statespace.model.spec.Columns;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Row-by-row validation of the input: each input row becomes exactly one parsed row, either valid
 * (trajectory key, exact time key, observations with NaN for missing, inputs) or rejected with a
 * reason. One to one, so nothing can be dropped here. The trajectory key is the id's value as text
 * ({@link CellText#key}: binary ids by content), the time a {@link TimeKey} struct (whole seconds, fraction)
 * that Spark sorts exactly, so that neither ids nor times are merged by rounding.
 */
final class ParsedRows implements MapPartitionsFunction<Row, Row>, Serializable {
  private static final long serialVersionUID = 1L;

  static final String KEY = "key";
  static final String VALID = "valid";
  static final String ID = "id";
  static final String TIME = "time";
  static final String TIME_VALUE = "time_value";
  static final String OBS = "obs";
  static final String INPUTS = "inputs";
  static final String CODE = "code";
  static final String REASON = "reason";
  static final String RAW = "raw";
  /** The fields of the {@link #TIME} struct: whole seconds toward zero and the signed rest. */
  static final String SECONDS = "seconds";
  static final String FRACTION = "fraction";
  static final StructType TIME_TYPE = new StructType(new StructField[] {
      DataTypes.createStructField(SECONDS, DataTypes.LongType, false),
      DataTypes.createStructField(FRACTION, DataTypes.DoubleType, false)});
  static final int KEY_INDEX = 0;
  static final int VALID_INDEX = 1;
  static final int ID_INDEX = 2;
  static final int TIME_INDEX = 3;
  static final int TIME_VALUE_INDEX = 4;
  static final int OBS_INDEX = 5;
  static final int INPUTS_INDEX = 6;
  static final int CODE_INDEX = 7;
  static final int REASON_INDEX = 8;
  static final int RAW_INDEX = 9;

  private final Columns columns;
  private final StructType inputSchema;
  private final String corruptColumn;

  ParsedRows(Columns columns, StructType inputSchema, String corruptColumn) {
    this.columns = columns;
    this.inputSchema = inputSchema;
    this.corruptColumn = corruptColumn;
  }

  /**
   * The schema of parsed rows; id and time_value keep the input's types.
   *
   * @throws InputException when the id column is a struct, array or map (ids must be single values)
   */
  static StructType schema(StructType inputSchema, Columns columns) {
    DataType idType = inputSchema.apply(columns.id()).dataType();
    DataType timeType = inputSchema.apply(columns.time()).dataType();
    if (idType instanceof StructType || idType instanceof ArrayType || idType instanceof MapType) {
      throw new InputException("id column '" + columns.id() + "' has type " + idType.simpleString()
          + "; an id must be a single value (string, number, boolean, date, timestamp or binary)");
    }
    return new StructType(new StructField[] {
        DataTypes.createStructField(KEY, DataTypes.StringType, true),
        DataTypes.createStructField(VALID, DataTypes.BooleanType, false),
        DataTypes.createStructField(ID, idType, true),
        DataTypes.createStructField(TIME, TIME_TYPE, true),
        DataTypes.createStructField(TIME_VALUE, timeType, true),
        DataTypes.createStructField(OBS, DataTypes.createArrayType(DataTypes.DoubleType, false), true),
        DataTypes.createStructField(INPUTS, DataTypes.createArrayType(DataTypes.DoubleType, false), true),
        DataTypes.createStructField(CODE, DataTypes.StringType, true),
        DataTypes.createStructField(REASON, DataTypes.StringType, true),
        DataTypes.createStructField(RAW, DataTypes.StringType, true)});
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    int idIdx = inputSchema.fieldIndex(columns.id());
    int timeIdx = inputSchema.fieldIndex(columns.time());
    int[] obsIdx = columns.observations().stream().mapToInt(inputSchema::fieldIndex).toArray();
    int[] inIdx = columns.inputs().stream().mapToInt(inputSchema::fieldIndex).toArray();
    int corruptIdx = corruptColumn == null ? -1 : inputSchema.fieldIndex(corruptColumn);
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Row next() {
        return parse(rows.next(), idIdx, timeIdx, obsIdx, inIdx, corruptIdx);
      }
    };
  }

  private Row parse(Row row, int idIdx, int timeIdx, int[] obsIdx, int[] inIdx, int corruptIdx) {
    Object id = row.get(idIdx);
    Object timeValue = row.get(timeIdx);
    if (corruptIdx >= 0 && !row.isNullAt(corruptIdx)) {
      return reject(row, id, timeValue, RejectReason.CORRUPT_RECORD,
          "malformed record (wrong number of fields or bad quoting): " + row.getString(corruptIdx), row.getString(corruptIdx));
    }
    if (id == null) return reject(row, null, timeValue, RejectReason.NULL_ID, "null id", null);
    if (timeValue == null) return reject(row, id, null, RejectReason.BAD_TIME, "null time", null);
    TimeKey time;
    try {
      time = ValueParser.time(timeValue);
    } catch (ValueParser.NotANumber e) {
      return reject(row, id, timeValue, RejectReason.BAD_TIME, "time column '" + columns.time() + "': " + e.problem(), null);
    }
    double[] obs = new double[obsIdx.length];
    for (int i = 0; i < obsIdx.length; i++) {
      String name = columns.observations().get(i);
      try {
        obs[i] = ValueParser.number(row.get(obsIdx[i]));
      } catch (ValueParser.NotANumber e) {
        return reject(row, id, timeValue, RejectReason.BAD_VALUE, "column '" + name + "': cannot parse '" + e.getMessage() + "' as a number", null);
      }
      if (Double.isInfinite(obs[i])) {
        return reject(row, id, timeValue, RejectReason.INFINITE_VALUE, "column '" + name + "': infinite value", null);
      }
    }
    double[] inputs = new double[inIdx.length];
    for (int i = 0; i < inIdx.length; i++) {
      String name = columns.inputs().get(i);
      try {
        inputs[i] = ValueParser.number(row.get(inIdx[i]));
      } catch (ValueParser.NotANumber e) {
        return reject(row, id, timeValue, RejectReason.BAD_INPUT, "input column '" + name + "': cannot parse '" + e.getMessage() + "' as a number", null);
      }
      if (!Double.isFinite(inputs[i])) {
        return reject(row, id, timeValue, RejectReason.BAD_INPUT, "input column '" + name + "': "
            + (Double.isNaN(inputs[i]) ? "missing value (inputs cannot be missing)" : "infinite value"), null);
      }
    }
    return RowFactory.create(CellText.key(id), true, id, RowFactory.create(time.seconds(), time.fraction()), timeValue,
        obs, inputs, null, null, null);
  }

  private Row reject(Row row, Object id, Object timeValue, RejectReason reason, String message, String raw) {
    return RowFactory.create(null, false, id, null, timeValue, null, null, reason.code(), message,
        raw != null ? raw : render(row));
  }

  /** The input row as name=value pairs (the user's own columns, not ours: neither the corrupt-record column nor a single series' id). */
  private String render(Row row) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < inputSchema.size(); i++) {
      String name = inputSchema.fields()[i].name();
      if (name.equals(corruptColumn) || inputSchema.fields()[i].metadata().contains(InputSource.SINGLE_SERIES_MARK)) continue;
      parts.add(name + "=" + CellText.of(row.get(i)));
    }
    return String.join(", ", parts);
  }
}
