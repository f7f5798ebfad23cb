package io.statespace.ml;

import java.util.NoSuchElementException;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * A fitted state-space model as a Spark ML {@link Model}: {@link #transform} smooths with the fitted parameters
 * exactly as {@link KalmanSmoother} does, {@link #modelJson} is the model file {@code fit} writes, and
 * {@code write().save(path)} / {@link #load} keep it (its parameters, the fitted model file among them).
 */
public final class StateSpaceFitModel extends Model<StateSpaceFitModel>
    implements SmoothingParams<StateSpaceFitModel>, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;
  private final String uid;
  private final SmoothingParamSet params;
  private transient FitSummary summary;

  public StateSpaceFitModel() {
    this(Identifiable$.MODULE$.randomUID("stateSpaceFitModel"));
  }

  /** With a given uid (Spark ML's copy and load use this). */
  public StateSpaceFitModel(String uid) {
    this.uid = uid;
    this.params = new SmoothingParamSet(this);
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public SmoothingParamSet smoothingParamSet() {
    return params;
  }

  /** The fitted model file (JSON), as {@code fit} writes model.json. */
  public String modelJson() {
    return getModelJson();
  }

  /** True when this model came from {@link StateSpaceEstimator#fit} in this session (not from {@link #load}). */
  public boolean hasSummary() {
    return summary != null;
  }

  /** The fit's summary. */
  public FitSummary summary() {
    if (summary == null) throw new NoSuchElementException(uid + ": no summary (the model was loaded, not fitted here)");
    return summary;
  }

  StateSpaceFitModel withSummary(FitSummary s) {
    this.summary = s;
    return this;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    return Smoothing.transform(this, dataset);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return Smoothing.schema(this, schema);
  }

  /** The smooth job's outputs and report with the fitted parameters; close the result when done. */
  public SmoothResult smooth(Dataset<?> dataset) {
    return Smoothing.smooth(this, dataset);
  }

  @Override
  public StateSpaceFitModel copy(ParamMap extra) {
    StateSpaceFitModel copy = defaultCopy(extra);
    copy.summary = summary;
    if (hasParent()) copy.setParent(parent());
    return copy;
  }

  public static MLReader<StateSpaceFitModel> read() {
    return new DefaultParamsReader<>();
  }

  public static StateSpaceFitModel load(String path) {
    return read().load(path);
  }
}
