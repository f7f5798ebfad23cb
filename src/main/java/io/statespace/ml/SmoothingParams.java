package io.statespace.ml;

import io.statespace.model.spec.ModelSpec;
import java.util.Arrays;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.param.StringArrayParam;

/**
 * The parameters of smoothing, shared by {@link KalmanSmoother}, {@link StateSpaceEstimator} and
 * {@link StateSpaceFitModel}: the model file, the column mapping (unset: the model file's {@code columns}), the
 * engine and backend, the output choices, and Spark ML's {@code handleInvalid}. Each accessor returns a Spark ML
 * {@link Param}, so Java and Scala callers, {@code explainParams} and Pipeline persistence all see them.
 *
 * @param <T> the implementing stage, returned by the setters for chaining
 */
public interface SmoothingParams<T extends SmoothingParams<T>> extends Params {
  /** The Param objects of the implementing instance (created with it, owned by it). */
  SmoothingParamSet smoothingParamSet();

  /** The model file's text (JSON), the only required parameter. */
  default Param<String> modelSpec() {
    return smoothingParamSet().modelSpec;
  }

  /** The trajectory id column; unset: the model file's {@code columns.id}. */
  default Param<String> idCol() {
    return smoothingParamSet().idCol;
  }

  /** The time column; unset: the model file's {@code columns.time}. */
  default Param<String> timeCol() {
    return smoothingParamSet().timeCol;
  }

  /** The observation columns; unset: the model file's {@code columns.observations}. */
  default StringArrayParam observationCols() {
    return smoothingParamSet().observationCols;
  }

  /** The input (control) columns; unset: the model file's {@code columns.inputs}. */
  default StringArrayParam inputCols() {
    return smoothingParamSet().inputCols;
  }

  /** sequential, parallel, batched or auto (smooth's {@code --engine}). */
  default Param<String> engine() {
    return smoothingParamSet().engine;
  }

  /** auto, cpu or gpu (smooth's {@code --backend}). */
  default Param<String> backend() {
    return smoothingParamSet().backend;
  }

  /** Threads per task for the parallel engine; 0: spark.task.cpus. */
  default IntParam threads() {
    return smoothingParamSet().threads;
  }

  /** Trajectory partitions; 0: Spark's default parallelism. */
  default IntParam partitions() {
    return smoothingParamSet().partitions;
  }

  /**
   * The uncertainty returned with each mean, as smooth's {@code --covariances}: full (n×n, row-major, in
   * {@code *_cov}), std (square roots of the diagonal, in {@code *_std}) or none.
   */
  default Param<String> covariances() {
    return smoothingParamSet().covariances;
  }

  /** Whether to return the filtered moments besides the smoothed ones; false as smooth's {@code --no-filtered}. */
  default BooleanParam filtered() {
    return smoothingParamSet().filtered;
  }

  /**
   * The opt-in outputs, as smooth's {@code --outputs}: any of predicted, smoothed_obs, diagnostics (default none).
   */
  default StringArrayParam outputs() {
    return smoothingParamSet().outputs;
  }

  /** keep (quarantined rows with null states and their reason), skip, or error. */
  default Param<String> handleInvalid() {
    return smoothingParamSet().handleInvalid;
  }

  /** Forecast rows appended per trajectory after its last time (smooth's {@code --forecast-steps}); 0: none. */
  default IntParam forecastSteps() {
    return smoothingParamSet().forecastSteps;
  }

  /**
   * Seconds between forecast rows (smooth's {@code --forecast-dt}, as the decimal the double prints as); unset: the
   * model's fixed dt.
   */
  default DoubleParam forecastDt() {
    return smoothingParamSet().forecastDt;
  }

  @SuppressWarnings("unchecked")
  default T setForecastSteps(int steps) {
    set(forecastSteps(), steps);
    return (T) this;
  }

  @SuppressWarnings("unchecked")
  default T setForecastDt(double seconds) {
    set(forecastDt(), seconds);
    return (T) this;
  }

  default int getForecastSteps() {
    return (Integer) getOrDefault(forecastSteps());
  }

  /** The forecast step set here, else null (the model's fixed dt). */
  default Double getForecastDt() {
    return isDefined(forecastDt()) ? (Double) getOrDefault(forecastDt()) : null;
  }

  /** The model file's text. */
  default String getModelJson() {
    return getOrDefault(modelSpec());
  }

  /** Sets the model from model-file JSON (validated here, so a bad file fails at once). */
  @SuppressWarnings("unchecked")
  default T setModelJson(String json) {
    ModelSpec.parse(json);
    set(modelSpec(), json);
    return (T) this;
  }

  /** Sets the model from a model file on any Hadoop file system (read now; the text is what is saved). */
  default T setModelFile(String path) {
    return setModelJson(HadoopText.read(path));
  }

  /** Sets the model from a typed model specification. */
  default T setModel(ModelSpec spec) {
    return setModelJson(spec.toJson());
  }

  @SuppressWarnings("unchecked")
  default T setIdCol(String name) {
    set(idCol(), name);
    return (T) this;
  }

  @SuppressWarnings("unchecked")
  default T setTimeCol(String name) {
    set(timeCol(), name);
    return (T) this;
  }

  @SuppressWarnings("unchecked")
  default T setObservationCols(String[] names) {
    set(observationCols(), names);
    return (T) this;
  }

  @SuppressWarnings("unchecked")
  default T setInputCols(String[] names) {
    set(inputCols(), names);
    return (T) this;
  }

  @SuppressWarnings("unchecked")
  default T setEngine(String engine) {
    set(engine(), engine);
    return (T) this;
  }

  @SuppressWarnings("unchecked")
  default T setBackend(String backend) {
    set(backend(), backend);
    return (T) this;
  }

  @SuppressWarnings("unchecked")
  default T setThreads(int threads) {
    set(threads(), threads);
    return (T) this;
  }

  @SuppressWarnings("unchecked")
  default T setPartitions(int partitions) {
    set(partitions(), partitions);
    return (T) this;
  }

  @SuppressWarnings("unchecked")
  default T setCovariances(String covariances) {
    set(covariances(), covariances);
    return (T) this;
  }

  @SuppressWarnings("unchecked")
  default T setFiltered(boolean filtered) {
    set(filtered(), filtered);
    return (T) this;
  }

  @SuppressWarnings("unchecked")
  default T setOutputs(String[] outputs) {
    set(outputs(), outputs);
    return (T) this;
  }

  @SuppressWarnings("unchecked")
  default T setHandleInvalid(String handleInvalid) {
    set(handleInvalid(), handleInvalid);
    return (T) this;
  }

  default String getEngine() {
    return getOrDefault(engine());
  }

  default String getBackend() {
    return getOrDefault(backend());
  }

  default int getThreads() {
    return (Integer) getOrDefault(threads());
  }

  default int getPartitions() {
    return (Integer) getOrDefault(partitions());
  }

  default String getCovariances() {
    return getOrDefault(covariances());
  }

  default boolean getFiltered() {
    return (Boolean) getOrDefault(filtered());
  }

  default String[] getOutputs() {
    String[] values = getOrDefault(outputs());
    return Arrays.copyOf(values, values.length);
  }

  default String getHandleInvalid() {
    return getOrDefault(handleInvalid());
  }

  /** The id column set here, else null (the model file's). */
  default String getIdCol() {
    return isDefined(idCol()) ? getOrDefault(idCol()) : null;
  }

  /** The time column set here, else null (the model file's). */
  default String getTimeCol() {
    return isDefined(timeCol()) ? getOrDefault(timeCol()) : null;
  }

  /** The observation columns set here, else null (the model file's). */
  default String[] getObservationCols() {
    return isDefined(observationCols()) ? Arrays.copyOf(getOrDefault(observationCols()), getOrDefault(observationCols()).length) : null;
  }

  /** The input columns set here, else null (the model file's). */
  default String[] getInputCols() {
    return isDefined(inputCols()) ? Arrays.copyOf(getOrDefault(inputCols()), getOrDefault(inputCols()).length) : null;
  }
}
