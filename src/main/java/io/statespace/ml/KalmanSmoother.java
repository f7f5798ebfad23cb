package io.statespace.ml;

import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Kalman filtering and RTS smoothing of every trajectory of a DataFrame as a Spark ML {@link Transformer}: the
 * smooth job's engine, row validation and quarantine on a Dataset. {@link #transform} returns one row per input
 * row (its own columns, then filtered_mean, filtered_cov, smoothed_mean, smoothed_cov, reason_code, reason);
 * {@link #smooth} returns the job's states, summary and quarantine and its report. Saved and loaded with its
 * parameters ({@code write().save(path)}, {@link #load}), alone or in a Pipeline.
 */
public final class KalmanSmoother extends Transformer implements SmoothingParams<KalmanSmoother>, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;
  private final String uid;
  private final SmoothingParamSet params;

  public KalmanSmoother() {
    this(Identifiable$.MODULE$.randomUID("kalmanSmoother"));
  }

  /** With a given uid (Spark ML's copy and load use this). */
  public KalmanSmoother(String uid) {
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

  /** One row per input row (fewer with handleInvalid=skip); lazy, like every Spark ML transform. */
  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    return Smoothing.transform(this, dataset);
  }

  /**
   * The exact schema of {@link #transform}: the input's fields, the four state arrays (array&lt;double&gt;) and
   * reason_code, reason (string), all nullable. Checks the model and the input's columns without running a job.
   */
  @Override
  public StructType transformSchema(StructType schema) {
    return Smoothing.schema(this, schema);
  }

  /** Runs the smooth job's core on the rows now and returns its outputs and report; close the result when done. */
  public SmoothResult smooth(Dataset<?> dataset) {
    return Smoothing.smooth(this, dataset);
  }

  /**
   * {@code draws} joint draws per trajectory from the smoothing distribution p(x_0..x_{T-1} | y), as the
   * {@code sample} job writes them to {@code samples/}: one row per (input row, draw) with id, time, observations,
   * inputs, {@code draw} (int) and {@code sample} (array&lt;double&gt;, n values). Draw d of trajectory k depends
   * on ({@code seed}, k's id, d) only. Quarantined rows are left out ({@code handleInvalid} keep or skip) or fail
   * the job naming the row (error). Lazy.
   */
  public Dataset<Row> sample(Dataset<?> dataset, int draws, long seed) {
    return Sampling.sample(this, dataset, draws, seed);
  }

  @Override
  public KalmanSmoother copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /** The reader Pipeline persistence calls by reflection. */
  public static MLReader<KalmanSmoother> read() {
    return new DefaultParamsReader<>();
  }

  public static KalmanSmoother load(String path) {
    return read().load(path);
  }
}
