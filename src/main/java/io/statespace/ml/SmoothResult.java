package io.statespace.ml;

import io.statespace.spark.SmoothCore;
import io.statespace.spark.SmoothReport;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What {@link KalmanSmoother#smooth} returns: the smooth job's three outputs as Datasets (the same columns as its
 * Parquet output) and its report (the numbers of report.json; its output is null). The states are recomputed from
 * the grouped input's shuffle files each time they are used; the summary and quarantine rows are persisted on
 * local disk until {@link #close}, after which they are recomputed too.
 */
public final class SmoothResult implements AutoCloseable {
  private final SmoothCore core;
  private final SmoothReport report;

  SmoothResult(SmoothCore core, SmoothReport report) {
    this.core = core;
    this.report = report;
  }

  /** One row per smoothed input row: id, time, observations, inputs, filtered and smoothed means and covariances. */
  public Dataset<Row> states() {
    return core.states(false);
  }

  /** One row per smoothed trajectory: id, steps, missing, missing_values, loglik. */
  public Dataset<Row> summary() {
    return core.summary();
  }

  /** One row per quarantined input row: id and time as text, reason_code, reason, row. */
  public Dataset<Row> quarantine() {
    return core.quarantine();
  }

  /** Row accounting, quarantine reasons, engines and backends: report.json's numbers. */
  public SmoothReport report() {
    return report;
  }

  /** Releases the persisted engine output. */
  @Override
  public void close() {
    core.close();
  }
}
