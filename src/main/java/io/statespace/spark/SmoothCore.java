package io.statespace.spark;

import static org.apache.spark.sql.functions.col;

import io.statespace.execution.ExecutionPolicy;
import io.statespace.model.spec.Columns;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * The core of {@code smooth}, shared by the CLI job and the library API (io.statespace.ml) so that both run
 * one code path: rows → validated rows → trajectories → engine stage → the union rows, from which the states,
 * summary and quarantine Datasets and the row accounting of report.json are taken. It reads no file and writes
 * none: {@link SmoothJob} writes what it returns. Trajectories longer than the segment threshold take the
 * segmented path ({@link SegmentedSmoothing}) and rejoin the union rows. The engine output is persisted once, on local disk only
 * (why: {@link SmoothJob}), and released by {@link #close}.
 */
public final class SmoothCore implements AutoCloseable {
  private final SparkSession spark;
  private final SmoothSettings settings;
  private final InputSource source;
  private final long rowsIn;
  private final Dataset<Row> union;
  private final OutputLayout layout;
  private final SegmentedSmoothing segments;

  private SmoothCore(SparkSession spark, SmoothSettings settings, InputSource source, long rowsIn, Dataset<Row> union,
      SegmentedSmoothing segments) {
    this.segments = segments;
    this.spark = spark;
    this.settings = settings;
    this.source = source;
    this.rowsIn = rowsIn;
    this.union = union;
    this.layout = new OutputLayout(settings.spec.columns(), settings.spec.model().stateDim());
  }

  /**
   * Counts the input rows and sets up the engine stage over them, persisted; nothing is smoothed until one of
   * the Datasets or the report is computed.
   */
  public static SmoothCore run(SparkSession spark, InputSource source, SmoothSettings s) {
    return run(spark, source, s, null, SegmentSteps.auto());
  }

  /**
   * As {@link #run(SparkSession, InputSource, SmoothSettings)}, counting state rows into {@code progress} (may be
   * null), and smoothing trajectories longer than {@code segmentSteps} in segments across tasks (§7.5).
   */
  static SmoothCore run(SparkSession spark, InputSource source, SmoothSettings s, RowProgress progress,
      SegmentSteps segmentSteps) {
    spark.sparkContext().setJobDescription("smooth: count input rows");
    long rowsIn = source.rows().count();
    if (progress != null) progress.total(rowsIn);
    SegmentedSmoothing segments = SegmentedSmoothing.prepare(spark, source, s.spec.columns(), s.spec.model(), segmentSteps,
        rowsIn);
    try {
      Dataset<Row> union = union(spark, source, s, progress, segments).persist(StorageLevel.DISK_ONLY());
      return new SmoothCore(spark, s, source, rowsIn, union, segments);
    } catch (RuntimeException e) {
      segments.close();
      throw e;
    }
  }

  /**
   * The engine stage's union rows ({@link UnionRows}), lazily: the grouping shuffle, then {@link PartitionSmoother}
   * over each partition.
   */
  static Dataset<Row> union(SparkSession spark, InputSource source, SmoothSettings s, RowProgress progress,
      SegmentedSmoothing segments) {
    Columns columns = s.spec.columns();
    OutputLayout.checkNames(columns);
    StructType parsedSchema = ParsedRows.schema(source.rows().schema(), columns);
    StructType unionSchema = UnionRows.schema(parsedSchema.apply(ParsedRows.ID).dataType(),
        parsedSchema.apply(ParsedRows.TIME_VALUE).dataType(), columns);
    PartitionSmoother engine = new PartitionSmoother(s.spec.model(), columns, s.engine, s.threads, s.backend);
    Dataset<Row> oneTask = SmoothJob.grouped(spark, source, columns, s.partitions,
            segments == null ? functions.lit(true) : segments.oneTask())
        .mapPartitions(progress == null ? engine : progress.counting(engine), Encoders.row(unionSchema));
    return segments == null ? oneTask : oneTask.union(segments.rows(spark, unionSchema));
  }

  /** The engine and backend as report.json names them. */
  public String engineLabel() {
    return new ExecutionPolicy(settings.engine, settings.backend.option(), settings.threads).describe()
        + "; backend " + settings.backend.option().label();
  }

  /** Input rows counted independently of the engine stage. */
  public long rowsIn() {
    return rowsIn;
  }

  /** One row per smoothed input row: id, time, observations, inputs and the state arrays (flattened for CSV). */
  public Dataset<Row> states(boolean flatten) {
    return layout.states(union, flatten);
  }

  /** One row per smoothed trajectory: id, steps, missing steps and values, log-likelihood. */
  public Dataset<Row> summary() {
    return layout.summary(union);
  }

  /** One row per quarantined input row: id and time as text, reason_code, reason, the row as text. */
  public Dataset<Row> quarantine() {
    return layout.quarantine(union);
  }

  /**
   * The row accounting and engine counts of report.json, computed from the engine output (which this smooths
   * if nothing has yet).
   *
   * @param startNanos {@link System#nanoTime} when the run began, for the report's seconds
   * @param output where the outputs went (null when they were not written)
   * @throws IllegalStateException when rows in != rows out + rows quarantined
   */
  public SmoothReport report(long startNanos, String output) {
    spark.sparkContext().setJobDescription("smooth: row accounting");
    Map<Integer, Long> byKind = new HashMap<>();
    Map<String, Long> byBackend = new HashMap<>();
    Map<String, Long> byEngine = new HashMap<>();
    for (Row r : union.groupBy(UnionRows.KIND, UnionRows.BACKEND, UnionRows.ENGINE).count().collectAsList()) {
      byKind.merge(r.getInt(0), r.getLong(3), Long::sum);
      if (r.getInt(0) == UnionRows.SUMMARY) {
        byBackend.merge(r.getString(1), r.getLong(3), Long::sum);
        byEngine.merge(r.getString(2), r.getLong(3), Long::sum);
      }
    }
    Map<String, Long> byReason = new HashMap<>();
    for (Row r : union.filter(col(UnionRows.KIND).equalTo(UnionRows.QUARANTINE)).groupBy(UnionRows.REASON_CODE)
        .count().collectAsList()) {
      byReason.put(r.getString(0), r.getLong(1));
    }
    SmoothReport report = new SmoothReport(rowsIn, byKind.getOrDefault(UnionRows.STATE, 0L),
        byKind.getOrDefault(UnionRows.QUARANTINE, 0L), byKind.getOrDefault(UnionRows.SUMMARY, 0L), byReason,
        engineLabel(), byBackend, byEngine, (System.nanoTime() - startNanos) / 1e9, output, source.inputFiles());
    if (!report.balanced()) {
      throw new IllegalStateException("row accounting failed, output not committed: " + report.accountingLine());
    }
    return report;
  }

  /** Releases the persisted engine output; the Datasets are recomputed if used afterwards. */
  @Override
  public void close() {
    union.unpersist();
    if (segments != null) segments.close();
  }
}
