package io.statespace.spark;

import io.statespace.model.spec.Columns;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The one internal row type the engine stage emits, tagged by {@link #KIND}: a state row per input row,
 * a summary row per trajectory, or a quarantine row. One pass of the engine feeds all three outputs.
 * Internal names start with "u_" so that they cannot clash with the user's column names.
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
  static final String STEPS = "steps";
  static final String MISSING = "missing";
  static final String MISSING_VALUES = "missing_values";
  static final String LOGLIK = "loglik";
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
  private final int width;

  UnionRows(int obsDim, int inputDim) {
    this.obsDim = obsDim;
    this.inputDim = inputDim;
    this.width = 3 + obsDim + inputDim + 4 + 4 + 5 + 2;
  }

  static StructType schema(DataType idType, DataType timeType, Columns columns) {
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
    for (String name : new String[] {FILTERED_MEAN, FILTERED_COV, SMOOTHED_MEAN, SMOOTHED_COV}) {
      f.add(DataTypes.createStructField(name, DataTypes.createArrayType(DataTypes.DoubleType, false), true));
    }
    f.add(DataTypes.createStructField(STEPS, DataTypes.IntegerType, true));
    f.add(DataTypes.createStructField(MISSING, DataTypes.IntegerType, true));
    f.add(DataTypes.createStructField(MISSING_VALUES, DataTypes.IntegerType, true));
    f.add(DataTypes.createStructField(LOGLIK, DataTypes.DoubleType, true));
    f.add(DataTypes.createStructField(Q_ID, DataTypes.StringType, true));
    f.add(DataTypes.createStructField(Q_TIME, DataTypes.StringType, true));
    f.add(DataTypes.createStructField(REASON_CODE, DataTypes.StringType, true));
    f.add(DataTypes.createStructField(REASON, DataTypes.StringType, true));
    f.add(DataTypes.createStructField(RAW, DataTypes.StringType, true));
    f.add(DataTypes.createStructField(BACKEND, DataTypes.StringType, true));
    f.add(DataTypes.createStructField(ENGINE, DataTypes.StringType, true));
    return DataTypes.createStructType(f);
  }

  /** A state row; obs and inputs are taken from the flat arrays at step t, NaN observations as null. */
  Row state(Object id, Object timeValue, double[] obs, double[] inputs, int t,
      double[] filteredMean, double[] filteredCov, double[] smoothedMean, double[] smoothedCov) {
    Object[] v = new Object[width];
    v[0] = STATE;
    v[1] = id;
    v[2] = timeValue;
    int c = 3;
    for (int i = 0; i < obsDim; i++) {
      double y = obs[t * obsDim + i];
      v[c++] = Double.isNaN(y) ? null : y;
    }
    for (int i = 0; i < inputDim; i++) v[c++] = inputs[t * inputDim + i];
    v[c++] = filteredMean;
    v[c++] = filteredCov;
    v[c++] = smoothedMean;
    v[c] = smoothedCov;
    return RowFactory.create(v);
  }

  Row summary(Object id, int steps, int missing, int missingValues, double logLik, String backend, String engine) {
    Object[] v = new Object[width];
    v[0] = SUMMARY;
    v[1] = id;
    int c = 3 + obsDim + inputDim + 4;
    v[c++] = steps;
    v[c++] = missing;
    v[c++] = missingValues;
    v[c] = logLik;
    v[width - 2] = backend;
    v[width - 1] = engine;
    return RowFactory.create(v);
  }

  Row quarantine(Object id, Object timeValue, RejectReason reason, String message, String raw) {
    Object[] v = new Object[width];
    v[0] = QUARANTINE;
    int c = 3 + obsDim + inputDim + 8;
    v[c++] = CellText.of(id);
    v[c++] = CellText.of(timeValue);
    v[c++] = reason.code();
    v[c++] = message;
    v[c] = raw;
    return RowFactory.create(v);
  }
}
