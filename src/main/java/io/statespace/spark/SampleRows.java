package io.statespace.spark;

import io.statespace.model.spec.Columns;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.catalyst.CatalystTypeConverters$;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import scala.Function1;

/**
 * The one internal row type the {@code sample} job's engine pass emits, tagged by {@link UnionRows#KIND} as the
 * smooth job's rows are: a sample row per (input row, draw), a summary row per sampled trajectory (its steps, for
 * the accounting; never written), or a quarantine row with the columns {@link OutputLayout#quarantine} selects.
 * Built in Spark's internal form, like {@link UnionRows}.
 */
final class SampleRows {
  static final int SAMPLE = UnionRows.STATE;
  static final int SUMMARY = UnionRows.SUMMARY;
  static final int QUARANTINE = UnionRows.QUARANTINE;

  /** The draw index, 0..K−1 (a public column). */
  static final String DRAW = "draw";
  /** The sampled state x_t, n values (a public column; in CSV {@code sample_0..}). */
  static final String SAMPLE_COLUMN = "sample";

  private final int obsDim;
  private final int inputDim;
  private final int width;
  private final Function1<Object, Object> idToInternal;
  private final Function1<Object, Object> timeToInternal;

  SampleRows(int obsDim, int inputDim, DataType idType, DataType timeType) {
    this.obsDim = obsDim;
    this.inputDim = inputDim;
    this.width = 3 + obsDim + inputDim + 3 + 5;
    this.idToInternal = CatalystTypeConverters$.MODULE$.createToCatalystConverter(idType);
    this.timeToInternal = CatalystTypeConverters$.MODULE$.createToCatalystConverter(timeType);
  }

  static StructType schema(DataType idType, DataType timeType, Columns columns) {
    List<StructField> f = new ArrayList<>();
    f.add(DataTypes.createStructField(UnionRows.KIND, DataTypes.IntegerType, false));
    f.add(DataTypes.createStructField(UnionRows.ID, idType, true));
    f.add(DataTypes.createStructField(UnionRows.TIME, timeType, true));
    for (int i = 0; i < columns.observations().size(); i++) {
      f.add(DataTypes.createStructField(UnionRows.OBS_PREFIX + i, DataTypes.DoubleType, true));
    }
    for (int i = 0; i < columns.inputs().size(); i++) {
      f.add(DataTypes.createStructField(UnionRows.INPUT_PREFIX + i, DataTypes.DoubleType, true));
    }
    f.add(DataTypes.createStructField(DRAW, DataTypes.IntegerType, true));
    f.add(DataTypes.createStructField(SAMPLE_COLUMN, DataTypes.createArrayType(DataTypes.DoubleType, false), true));
    f.add(DataTypes.createStructField(UnionRows.STEPS, DataTypes.IntegerType, true));
    f.add(DataTypes.createStructField(UnionRows.Q_ID, DataTypes.StringType, true));
    f.add(DataTypes.createStructField(UnionRows.Q_TIME, DataTypes.StringType, true));
    f.add(DataTypes.createStructField(UnionRows.REASON_CODE, DataTypes.StringType, true));
    f.add(DataTypes.createStructField(UnionRows.REASON, DataTypes.StringType, true));
    f.add(DataTypes.createStructField(UnionRows.RAW, DataTypes.StringType, true));
    return DataTypes.createStructType(f);
  }

  /** The sample row of step t of a draw: id, time, observations (NaN as null), inputs, draw and x_t = x[t·n, t·n+n). */
  InternalRow sample(Object id, Object timeValue, double[] obs, double[] inputs, int t, int draw, double[] x, int n) {
    Object[] v = new Object[width];
    v[0] = SAMPLE;
    v[1] = idToInternal.apply(id);
    v[2] = timeToInternal.apply(timeValue);
    int c = 3;
    for (int i = 0; i < obsDim; i++) {
      double y = obs[t * obsDim + i];
      v[c++] = Double.isNaN(y) ? null : y;
    }
    for (int i = 0; i < inputDim; i++) v[c++] = inputs[t * inputDim + i];
    v[c++] = draw;
    double[] state = new double[n];
    System.arraycopy(x, t * n, state, 0, n);
    v[c] = UnsafeArrayData.fromPrimitiveArray(state);
    return new GenericInternalRow(v);
  }

  /** The summary row of a sampled trajectory of {@code steps} steps. */
  InternalRow summary(Object id, int steps) {
    Object[] v = new Object[width];
    v[0] = SUMMARY;
    v[1] = idToInternal.apply(id);
    v[3 + obsDim + inputDim + 2] = steps;
    return new GenericInternalRow(v);
  }

  InternalRow quarantine(Object id, Object timeValue, RejectReason reason, String message, String raw) {
    Object[] v = new Object[width];
    v[0] = QUARANTINE;
    int c = 3 + obsDim + inputDim + 3;
    v[c++] = UTF8String.fromString(CellText.of(id));
    v[c++] = UTF8String.fromString(CellText.of(timeValue));
    v[c++] = UTF8String.fromString(reason.code());
    v[c++] = UTF8String.fromString(message);
    v[c] = UTF8String.fromString(raw);
    return new GenericInternalRow(v);
  }
}
