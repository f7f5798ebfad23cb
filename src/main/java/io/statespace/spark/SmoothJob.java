package io.statespace.spark;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;

import io.statespace.execution.ExecutionPolicy;
import io.statespace.model.spec.Columns;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code smooth} job: rows → validated rows → trajectories (one shuffle by id, sorted by time within
 * partitions) → engine → states, summary and quarantine, committed atomically. The engine runs once and its
 * output is never cached whole: the states are written straight from the engine, and the same tasks keep the
 * narrow summary and quarantine rows on local disk ({@link EngineStage}; on disk so that they never compete for
 * heap with a long trajectory's arrays, which Spark does not account for), where their two writes and the row
 * accounting read them. The job counts its input independently and refuses to commit unless rows in = state
 * rows written + rows quarantined, and unless the summary and quarantine rows read back are those the states
 * pass counted.
 */
public final class SmoothJob {
  private static final Logger LOG = LoggerFactory.getLogger(SmoothJob.class);

  private SmoothJob() {}

  public static SmoothReport run(SparkSession spark, SmoothSettings s) {
    return run(spark, s, QuarantineLimit.NONE, SegmentSteps.auto());
  }

  /** As {@link #run(SparkSession, SmoothSettings)}, committing nothing when more rows than {@code limit} allows are quarantined. */
  public static SmoothReport run(SparkSession spark, SmoothSettings s, QuarantineLimit limit) {
    return run(spark, s, limit, SegmentSteps.auto());
  }

  /** As {@link #run(SparkSession, SmoothSettings)}, trajectories longer than {@code segmentSteps} in segments (§7.5). */
  public static SmoothReport run(SparkSession spark, SmoothSettings s, SegmentSteps segmentSteps) {
    return run(spark, s, QuarantineLimit.NONE, segmentSteps);
  }

  /** The job with its safeguard and its segment threshold. */
  public static SmoothReport run(SparkSession spark, SmoothSettings s, QuarantineLimit limit, SegmentSteps segmentSteps) {
    long start = System.nanoTime();
    Provenance provenance = Provenance.start(spark, "smooth", s.input, s.format, s.spec.toJson(), Provenance.options(s, limit));
    Columns columns = s.spec.columns();
    OutputLayout.checkNames(columns, s.outputs);
    InputSource source = InputSource.read(spark, s.input, s.format, columns);
    s = SmoothCore.withForecastFor(source, s);
    ExecutionPolicy policy = new ExecutionPolicy(s.engine, s.backend.option(), s.threads);
    LOG.info("smooth: engine {}; backend {} (decided per task and block, logged by the executors); writing {}; {}",
        policy.describe(), s.backend.option().label(), s.outputs, s.forecast.describe());
    AtomicOutput out = AtomicOutput.open(s.output, s.overwrite, spark.sparkContext().hadoopConfiguration(), s.input);
    provenance = provenance.withSweep(out.sweep()).withDecision("engine", policy.describe())
        .withDecision("backend", "--backend " + s.backend.option().label() + ": decided per task and block (trajectories_by_backend)");
    SmoothCore core = null;
    RowProgress progress = null;
    boolean committed = false;
    try {
      progress = RowProgress.start(spark.sparkContext(), "smooth");
      core = SmoothCore.run(spark, source, s, progress, segmentSteps);
      LOG.info("smooth: {} input rows counted after {} s", core.rowsIn(), elapsed(start));
      spark.sparkContext().setJobDescription("smooth: read, parse, group, smooth and write states");
      write(core.states(s.outputFormat.equals("csv")), s.outputFormat, out.part("states"));
      LOG.info("smooth: rows grouped, trajectories smoothed and states written after {} s", elapsed(start));
      spark.sparkContext().setJobDescription("smooth: write summary");
      write(core.summary(), s.outputFormat, out.part("summary"));
      spark.sparkContext().setJobDescription("smooth: write quarantine");
      write(core.quarantine(), s.outputFormat, out.part("quarantine"));
      LOG.info("smooth: summary and quarantine written after {} s", elapsed(start));
      SmoothReport report = core.report(start, out.target()).with(provenance.end());
      limit.check("smooth", report.rowsIn, report.rowsQuarantined, report.quarantineByReason);
      out.writeText("report.json", s.outputs.addTo(report.toJson()));
      out.writeText(Provenance.MODEL_FILE, s.spec.toJson());
      out.commit();
      committed = true;
      LOG.info("smooth: {}", report.accountingLine());
      return report;
    } finally {
      if (progress != null) progress.close();
      if (!committed) out.abortQuietly();
      if (core != null) core.close();
      spark.sparkContext().setJobDescription(null);
    }
  }

  /**
   * Throws IllegalStateException (the output is then not committed) unless rows in = state rows written + rows
   * quarantined, and the states pass counted as many trajectories and quarantined rows as the summary and
   * quarantine rows read back hold.
   */
  static void refuseUnlessBalanced(SmoothReport report, long statesPassSummaries, long statesPassQuarantined) {
    refuseUnlessBalanced(report, statesPassSummaries, statesPassQuarantined, 0);
  }

  /**
   * As above, with {@code forecastSteps} forecast rows per trajectory: rows in + forecast rows = state rows written
   * + rows quarantined, and the forecast rows written are exactly {@code forecastSteps} × the trajectories.
   */
  static void refuseUnlessBalanced(SmoothReport report, long statesPassSummaries, long statesPassQuarantined,
      int forecastSteps) {
    if (!report.balanced()) {
      throw new IllegalStateException("row accounting failed, output not committed: " + report.accountingLine());
    }
    if (report.rowsForecast != (long) forecastSteps * report.trajectories) {
      throw new IllegalStateException("row accounting failed, output not committed: " + report.rowsForecast
          + " forecast rows written for " + report.trajectories + " trajectories of " + forecastSteps + " forecast steps each");
    }
    if (statesPassSummaries != report.trajectories || statesPassQuarantined != report.rowsQuarantined) {
      throw new IllegalStateException("row accounting failed, output not committed: the states pass and the summary "
          + "and quarantine rows disagree (states pass: " + statesPassSummaries + " trajectories, " + statesPassQuarantined
          + " rows quarantined; summary and quarantine rows: " + report.trajectories + " and " + report.rowsQuarantined + ")");
    }
  }

  /**
   * Parsed rows, one shuffle by trajectory key (rejected rows spread by their raw text), sorted by (key, time)
   * within partitions: the grouping the engine stage needs, shared with {@link IoOnlyJob}.
   *
   * @param partitions 0 for Spark's default parallelism
   */
  static Dataset<Row> grouped(SparkSession spark, InputSource source, Columns columns, int partitions) {
    return grouped(spark, source, columns, partitions, functions.lit(true));
  }

  /** As above, only the parsed rows for which {@code keep} holds (the segmented path takes the others). */
  static Dataset<Row> grouped(SparkSession spark, InputSource source, Columns columns, int partitions, Column keep) {
    Dataset<Row> input = source.rows();
    StructType parsedSchema = ParsedRows.schema(input.schema(), columns);
    Dataset<Row> parsed = input.mapPartitions(new ParsedRows(columns, input.schema(), source.corruptColumn()),
        Encoders.row(parsedSchema));
    int count = partitions > 0 ? partitions : Math.max(1, spark.sparkContext().defaultParallelism());
    return parsed.filter(keep)
        .repartition(count, coalesce(col(ParsedRows.KEY), col(ParsedRows.RAW)))
        .sortWithinPartitions(col(ParsedRows.KEY).asc_nulls_first(), col(ParsedRows.TIME));
  }

  /**
   * {@link #grouped}'s rows as its plan produces them, in Spark's internal form: no conversion to {@code Row}
   * (a deserializer per row with boxed values), for the engine stage ({@link InternalRowCursor}). The iterator
   * of a partition may reuse one row object, so a consumer copies what it keeps.
   */
  static JavaRDD<InternalRow> internalRows(Dataset<Row> grouped) {
    return ((org.apache.spark.sql.classic.Dataset<Row>) grouped).queryExecution().toRdd().toJavaRDD();
  }

  private static String elapsed(long start) {
    return String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9);
  }

  static void write(Dataset<Row> data, String format, String path) {
    OutputLayout.writer(data, format).mode(SaveMode.ErrorIfExists).save(path);
  }
}
