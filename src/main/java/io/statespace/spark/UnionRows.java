package io.statespace.spark;

import io.statespace.inference.InnovationDiagnostics;
import io.statespace.model.spec.Columns;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.catalyst.CatalystTypeConverters$;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;
import scala.Function1;

/**
 * The one internal row type the engine stage emits, tagged by {@link #KIND}: a state row per input row,
 * a summary row per trajectory, or a quarantine row. One pass of the engine feeds all three outputs.
 * Rows are built in Spark's internal form (ids and times converted once per value, arrays copied straight
 * from the posterior's flat arrays), so no per-row encoder runs between the engine and the writers. The
 * state arrays are those of the {@link OutputChoice}, in its order. Internal names start with "u_" so that
 * they cannot clash with the user's column names.
 */
final class UnionRows {
  static final int STATE = 0;
  static final int SUMMARY = 1;
  static final int QUARANTINE = 2;

  static final String KIND = "u_kind";
  static final String ID = "u_id";
  static final String TIME = "u_time";
  static final String OBS_PREFIX = "u_obs_";
  static final String INPUT_PREFIX = "u_in_";
  static final String FILTERED_MEAN = "filtered_mean";
  static final String FILTERED_COV = "filtered_cov";
  static final String SMOOTHED_MEAN = "smoothed_mean";
  static final String SMOOTHED_COV = "smoothed_cov";
  static final String FILTERED_STD = "filtered_std";
  static final String SMOOTHED_STD = "smoothed_std";
  /** True on a forecast row (appended after the trajectory's last time), false on the others; states only. */
  static final String FORECAST = "forecast";
  static final String STEPS = "steps";
  static final String MISSING = "missing";
  static final String MISSING_VALUES = "missing_values";
  static final String LOGLIK = "loglik";
  static final String OBSERVED = "observed";
  static final String MEAN_NIS = "mean_nis";
  static final String LJUNG_BOX = "ljung_box";
  static final String LJUNG_BOX_PVALUE = "ljung_box_pvalue";
  static final String LJUNG_BOX_LAG = "ljung_box_lag";
  /** The summary's columns of {@code --outputs diagnostics}, in order. */
  static final List<String> DIAGNOSTICS = List.of(OBSERVED, MEAN_NIS, LJUNG_BOX, LJUNG_BOX_PVALUE, LJUNG_BOX_LAG);
  static final String Q_ID = "u_q_id";
  static final String Q_TIME = "u_q_time";
  static final String REASON_CODE = "reason_code";
  static final String REASON = "reason";
  static final String RAW = "row";
  /** Where a summary row's trajectory was smoothed ({@link io.statespace.execution.Outcome#backendLabel}). */
  static final String BACKEND = "u_backend";
  /** Which engine smoothed it ({@link io.statespace.execution.Outcome#engineLabel}). */
  static final String ENGINE = "u_engine";

  private final int obsDim;
  private final int inputDim;
  private final int arrays;
  private final boolean diagnostics;
  private final int width;
  private final Function1<Object, Object> idToInternal;
  private final Function1<Object, Object> timeToInternal;

  /**
   * @param arrays number of state arrays ({@link OutputChoice#stateArrays()})
   * @param idType the id column's type, @param timeType the time column's, for the conversion to Spark's
   *     internal values
   */
  UnionRows(int obsDim, int inputDim, int arrays, DataType idType, DataType timeType) {
    this(obsDim, inputDim, arrays, false, idType, timeType);
  }

  /** As above, with the summary's diagnostics columns when {@code diagnostics} ({@link OutputChoice.Extra#DIAGNOSTICS}). */
  UnionRows(int obsDim, int inputDim, int arrays, boolean diagnostics, DataType idType, DataType timeType) {
    this.obsDim = obsDim;
    this.inputDim = inputDim;
    this.arrays = arrays;
    this.diagnostics = diagnostics;
    this.width = 3 + obsDim + inputDim + arrays + 1 + 4 + 5 + (diagnostics ? DIAGNOSTICS.size() : 0) + 2;
    this.idToInternal = CatalystTypeConverters$.MODULE$.createToCatalystConverter(idType);
    this.timeToInternal = CatalystTypeConverters$.MODULE$.createToCatalystConverter(timeType);
  }

  static StructType schema(DataType idType, DataType timeType, Columns columns, OutputChoice choice) {
    List<StructField> f = new ArrayList<>();
    f.add(DataTypes.createStructField(KIND, DataTypes.IntegerType, false));
    f.add(DataTypes.createStructField(ID, idType, true));
    f.add(DataTypes.createStructField(TIME, timeType, true));
    for (int i = 0; i < columns.observations().size(); i++) {
      f.add(DataTypes.createStructField(OBS_PREFIX + i, DataTypes.DoubleType, true));
    }
    for (int i = 0; i < columns.inputs().size(); i++) {
      f.add(DataTypes.createStructField(INPUT_PREFIX + i, DataTypes.DoubleType, true));
    }
    for (OutputChoice.StateArray a : choice.stateArrays()) {
      f.add(DataTypes.createStructField(a.name(), a.sqlType(), true));
    }
    f.add(DataTypes.createStructField(FORECAST, DataTypes.BooleanType, true));
    f.add(DataTypes.createStructField(STEPS, DataTypes.IntegerType, true));
    f.add(DataTypes.createStructField(MISSING, DataTypes.IntegerType, true));
    f.add(DataTypes.createStructField(MISSING_VALUES, DataTypes.IntegerType, true));
    f.add(DataTypes.createStructField(LOGLIK, DataTypes.DoubleType, true));
    f.add(DataTypes.createStructField(Q_ID, DataTypes.StringType, true));
    f.add(DataTypes.createStructField(Q_TIME, DataTypes.StringType, true));
    f.add(DataTypes.createStructField(REASON_CODE, DataTypes.StringType, true));
    f.add(DataTypes.createStructField(REASON, DataTypes.StringType, true));
    f.add(DataTypes.createStructField(RAW, DataTypes.StringType, true));
    if (choice.has(OutputChoice.Extra.DIAGNOSTICS)) {
      f.add(DataTypes.createStructField(OBSERVED, DataTypes.LongType, true));
      f.add(DataTypes.createStructField(MEAN_NIS, DataTypes.DoubleType, true));
      f.add(DataTypes.createStructField(LJUNG_BOX, DataTypes.DoubleType, true));
      f.add(DataTypes.createStructField(LJUNG_BOX_PVALUE, DataTypes.DoubleType, true));
      f.add(DataTypes.createStructField(LJUNG_BOX_LAG, DataTypes.IntegerType, true));
    }
    f.add(DataTypes.createStructField(BACKEND, DataTypes.StringType, true));
    f.add(DataTypes.createStructField(ENGINE, DataTypes.StringType, true));
    return DataTypes.createStructType(f);
  }

  /**
   * A state row with its id, time, observations (NaN as null) and inputs at step t; the caller then sets
   * each state array with {@link #setArray}.
   */
  GenericInternalRow state(Object id, Object timeValue, double[] obs, double[] inputs, int t) {
    Object[] v = new Object[width];
    v[0] = STATE;
    v[1] = idToInternal.apply(id);
    v[2] = timeToInternal.apply(timeValue);
    int c = 3;
    for (int i = 0; i < obsDim; i++) {
      double y = obs[t * obsDim + i];
      v[c++] = Double.isNaN(y) ? null : y;
    }
    for (int i = 0; i < inputDim; i++) v[c++] = inputs[t * inputDim + i];
    v[forecastIndex()] = false;
    return new GenericInternalRow(v);
  }

  /** Marks a state row as a forecast row: {@link #FORECAST} true, its inputs null (a forecast row has none). */
  void markForecast(GenericInternalRow row) {
    for (int i = 0; i < inputDim; i++) row.setNullAt(3 + obsDim + i);
    row.update(forecastIndex(), true);
  }

  /** The position of {@link #FORECAST} in the union rows. */
  int forecastIndex() {
    return 3 + obsDim + inputDim + arrays;
  }

  /** Sets state array {@code index} (in {@link OutputChoice#stateArrays()} order) to values[from, from+length). */
  void setArray(GenericInternalRow row, int index, double[] values, int from, int length) {
    long offset = Platform.DOUBLE_ARRAY_OFFSET + 8L * from;
    UnsafeArrayData array = offset <= Integer.MAX_VALUE
        ? UnsafeArrayData.fromPrimitiveArray(values, (int) offset, length, 8)
        : UnsafeArrayData.fromPrimitiveArray(Arrays.copyOfRange(values, from, from + length));
    row.update(3 + obsDim + inputDim + index, array);
  }

  /**
   * Sets state array {@code index} to the first {@code length} values, a NaN value as a null element (an
   * innovation's missing components).
   */
  void setNullableArray(GenericInternalRow row, int index, double[] values, int length) {
    double[] copy = Arrays.copyOf(values, length);
    for (int i = 0; i < length; i++) {
      if (Double.isNaN(copy[i])) copy[i] = 0.0;
    }
    UnsafeArrayData array = UnsafeArrayData.fromPrimitiveArray(copy);
    for (int i = 0; i < length; i++) {
      if (Double.isNaN(values[i])) array.setNullAt(i);
    }
    row.update(3 + obsDim + inputDim + index, array);
  }

  InternalRow summary(Object id, int steps, int missing, int missingValues, double logLik, String backend,
      String engine) {
    return summary(id, steps, missing, missingValues, logLik, null, backend, engine);
  }

  /**
   * A summary row; with the diagnostics columns, {@code d} gives their values (null ones where there is no NIS or
   * no Ljung-Box test).
   */
  InternalRow summary(Object id, int steps, int missing, int missingValues, double logLik,
      InnovationDiagnostics.Result d, String backend, String engine) {
    Object[] v = new Object[width];
    v[0] = SUMMARY;
    v[1] = idToInternal.apply(id);
    int c = 3 + obsDim + inputDim + arrays + 1;
    v[c++] = steps;
    v[c++] = missing;
    v[c++] = missingValues;
    v[c] = logLik;
    if (diagnostics) {
      if (d == null) throw new IllegalStateException("a summary row with diagnostics columns needs their values");
      int o = 3 + obsDim + inputDim + arrays + 1 + 4 + 5;
      v[o] = d.observed();
      v[o + 1] = Double.isNaN(d.meanNis()) ? null : d.meanNis();
      if (d.ljungBox() != null) {
        v[o + 2] = d.ljungBox().statistic();
        v[o + 3] = d.ljungBox().pValue();
        v[o + 4] = d.ljungBox().lag();
      }
    }
    v[width - 2] = UTF8String.fromString(backend);
    v[width - 1] = UTF8String.fromString(engine);
    return new GenericInternalRow(v);
  }

  InternalRow quarantine(Object id, Object timeValue, RejectReason reason, String message, String raw) {
    Object[] v = new Object[width];
    v[0] = QUARANTINE;
    int c = 3 + obsDim + inputDim + arrays + 1 + 4;
    v[c++] = UTF8String.fromString(CellText.of(id));
    v[c++] = UTF8String.fromString(CellText.of(timeValue));
    v[c++] = UTF8String.fromString(reason.code());
    v[c++] = UTF8String.fromString(message);
    v[c] = UTF8String.fromString(raw);
    return new GenericInternalRow(v);
  }
}
