package io.statespace.spark;

import static org.apache.spark.sql.functions.col;

import io.statespace.execution.ExecutionPolicy;
import io.statespace.model.spec.Columns;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The core of {@code smooth}, shared by the CLI job and the library API (io.statespace.ml) so that both run
 * one code path: rows → validated rows → trajectories → engine stage ({@link EngineStage}) → the states,
 * summary and quarantine Datasets and the row accounting of report.json. It reads no file and writes none:
 * {@link SmoothJob} writes what it returns. The engine runs once: the states come straight from it, and the
 * same tasks keep the summary and quarantine rows on local disk, where their two writes and the accounting
 * read them ({@link EngineStage}; a partition whose rows are missing there is recomputed by a second engine pass
 * over the same shuffle files) until {@link #close}. Trajectories longer than the segment threshold take the
 * segmented path ({@link SegmentedSmoothing}) and join both the states and the side rows.
 */
public final class SmoothCore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SmoothCore.class);
  private final SparkSession spark;
  private final SmoothSettings settings;
  private final InputSource source;
  private final long rowsIn;
  private final TextTimes.Kind timeKind;
  private final EngineStage engine;
  private final SegmentedSmoothing segments;
  private final OutputLayout layout;
  private boolean statesCounted;

  private SmoothCore(SparkSession spark, SmoothSettings settings, InputSource source, long rowsIn, TextTimes.Kind timeKind,
      EngineStage engine, SegmentedSmoothing segments) {
    this.timeKind = timeKind;
    this.spark = spark;
    this.settings = settings;
    this.source = source;
    this.rowsIn = rowsIn;
    this.engine = engine;
    this.segments = segments;
    this.layout = new OutputLayout(settings.spec.columns(), settings.spec.model().stateDim(), settings.outputs,
        settings.forecast.active());
  }

  /**
   * Counts the input rows and sets up the engine stage over them; nothing is smoothed until one of the
   * Datasets or the report is computed.
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
    s = withForecastFor(source, s);
    spark.sparkContext().setJobDescription("smooth: count input rows");
    TextTimes.Counted counted = TextTimes.applies(s.format, s.outputFormat)
        ? TextTimes.count(source.rows(), s.spec.columns().time(), s.forecast)
        : new TextTimes.Counted(source.rows().count(), null);
    long rowsIn = counted.rows();
    if (progress != null) progress.total(rowsIn);
    SegmentedSmoothing segments = SegmentedSmoothing.prepare(spark, source, s.spec.columns(), s.spec.model(),
        oneTaskUnlessPlain(s, segmentSteps), rowsIn);
    try {
      Dataset<Row> grouped = SmoothJob.grouped(spark, source, s.spec.columns(), s.partitions, segments.oneTask());
      return new SmoothCore(spark, s, source, rowsIn, counted.kind(), EngineStage.of(spark, grouped, s, progress, segments),
          segments);
    } catch (RuntimeException e) {
      segments.close();
      throw e;
    }
  }

  /**
   * {@code segmentSteps}, or none when {@code s} forecasts or asks for extras, which the segmented path does not
   * make: every trajectory is then smoothed in one task (one INFO line says so).
   */
  private static SegmentSteps oneTaskUnlessPlain(SmoothSettings s, SegmentSteps segmentSteps) {
    if (s.forecast.active()) {
      LOG.info("smooth: {}; every trajectory is smoothed in one task (the segmented path appends no forecast rows)",
          s.forecast.describe());
    } else if (s.outputs.hasExtras()) {
      LOG.info("smooth: --outputs {}: every trajectory is smoothed in one task (the segmented path makes none of these)",
          s.outputs.extras().stream().map(OutputChoice.Extra::label)
              .collect(java.util.stream.Collectors.joining(",")));
    } else {
      return segmentSteps;
    }
    return SegmentSteps.parse(Long.toString(Long.MAX_VALUE));
  }

  /**
   * Every union row of the engine (the state arrays of {@code s}'s output choice; no segmented path): the
   * library's row-wise join ({@link RowwiseSmoothing}).
   */
  static Dataset<Row> union(SparkSession spark, InputSource source, SmoothSettings s) {
    Columns columns = s.spec.columns();
    OutputLayout.checkNames(columns, s.outputs);
    Dataset<Row> grouped = SmoothJob.grouped(spark, source, columns, s.partitions, functions.lit(true));
    return EngineStage.of(spark, grouped, withForecastFor(source, s), null, null).union();
  }

  /**
   * {@code s} with its forecast checked against the input's time column (refused with one line when a forecast
   * time could not be of the column's type, {@link ForecastTimes#forColumn}).
   */
  static SmoothSettings withForecastFor(InputSource source, SmoothSettings s) {
    String time = s.spec.columns().time();
    for (String name : s.spec.columns().all()) {
      if (s.forecast.active() && name.equalsIgnoreCase(UnionRows.FORECAST)) {
        throw new InputException("column name '" + name + "' clashes with the output column forecast; rename it in the "
            + "input or map it with the column options");
      }
    }
    return s.withForecast(s.forecast.forColumn(source.rows().schema().apply(time).dataType(), time));
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

  /**
   * One row per smoothed input row: id, time, observations, inputs and the chosen state arrays (flattened for
   * CSV; a CSV input's numeric times typed for a typed output, {@link TextTimes}). Its rows are counted as they
   * are consumed, for {@link #report}: consume it once (write it).
   */
  public Dataset<Row> states(boolean flatten) {
    statesCounted = true;
    return TextTimes.typed(layout.states(engine.states(), flatten), settings.spec.columns().time(), timeKind);
  }

  /** One row per smoothed trajectory: id, steps, missing steps and values, log-likelihood. */
  public Dataset<Row> summary() {
    return layout.summary(side());
  }

  /** One row per quarantined input row: id and time as text, reason_code, reason, the row as text. */
  public Dataset<Row> quarantine() {
    return layout.quarantine(side());
  }

  private Dataset<Row> side() {
    return engine.summaryAndQuarantine();
  }

  /**
   * The row accounting and engine counts of report.json. The state rows are those counted while {@link #states}
   * was consumed (written); when it was not, they are counted here by the states pass (which keeps the summary
   * and quarantine rows, as the write does). The summary and quarantine rows are counted as read back.
   *
   * @param startNanos {@link System#nanoTime} when the run began, for the report's seconds
   * @param output where the outputs went (null when they were not written)
   * @throws IllegalStateException when rows in != rows out + rows quarantined, or the engine's passes disagree
   */
  public SmoothReport report(long startNanos, String output) {
    if (!statesCounted) {
      spark.sparkContext().setJobDescription("smooth: count state rows");
      engine.states().count();
      statesCounted = true;
    }
    spark.sparkContext().setJobDescription("smooth: row accounting");
    Dataset<Row> rows = side();
    Map<Integer, Long> byKind = new HashMap<>();
    Map<String, Long> byBackend = new HashMap<>();
    Map<String, Long> byEngine = new HashMap<>();
    for (Row r : rows.groupBy(UnionRows.KIND, UnionRows.BACKEND, UnionRows.ENGINE).count().collectAsList()) {
      byKind.merge(r.getInt(0), r.getLong(3), Long::sum);
      if (r.getInt(0) == UnionRows.SUMMARY) {
        byBackend.merge(r.getString(1), r.getLong(3), Long::sum);
        byEngine.merge(r.getString(2), r.getLong(3), Long::sum);
      }
    }
    Map<String, Long> byReason = new HashMap<>();
    for (Row r : rows.filter(col(UnionRows.KIND).equalTo(UnionRows.QUARANTINE)).groupBy(UnionRows.REASON_CODE)
        .count().collectAsList()) {
      byReason.put(r.getString(0), r.getLong(1));
    }
    SmoothReport report = new SmoothReport(rowsIn, engine.statesWritten(), byKind.getOrDefault(UnionRows.QUARANTINE, 0L),
        engine.forecastWritten(), byKind.getOrDefault(UnionRows.SUMMARY, 0L), byReason, engineLabel(), byBackend, byEngine,
        (System.nanoTime() - startNanos) / 1e9, output, source.inputFiles());
    LOG.info("smooth: summary and quarantine rows of {} of {} partitions kept by the states pass; {} recomputed by "
        + "a second engine pass", engine.sideBlocksKept(), engine.sidePartitions(), engine.sidePartitionsRecomputed());
    SmoothJob.refuseUnlessBalanced(report, engine.summariesSeenByStatesPass(), engine.quarantineSeenByStatesPass(),
        settings.forecast.steps());
    return report;
  }

  /** The engine stage, for the tests of its passes. */
  EngineStage engine() {
    return engine;
  }

  /**
   * Releases the kept summary and quarantine rows (later reads recompute them) and the segmented path's cached
   * rows.
   */
  @Override
  public void close() {
    engine.close();
    segments.close();
  }
}
