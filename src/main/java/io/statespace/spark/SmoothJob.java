package io.statespace.spark;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;

import io.statespace.execution.ExecutionPolicy;
import io.statespace.model.spec.Columns;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code smooth} job: rows → validated rows → trajectories (one shuffle by id, sorted by time within
 * partitions) → engine → states, summary and quarantine, committed atomically. The engine output is never
 * cached: the states are written straight from the engine, and the summary and quarantine rows come from a
 * second pass of the engine over the same shuffle files ({@link EngineStage}); only those narrow rows are
 * persisted, on local disk (so that the cache never competes for heap with a long trajectory's arrays, which
 * Spark does not account for), to feed their two writes and the row accounting. The job counts its input
 * independently and refuses to commit unless rows in = state rows written + rows quarantined, and unless
 * both passes of the engine saw the same summary and quarantine rows.
 */
public final class SmoothJob {
  private static final Logger LOG = LoggerFactory.getLogger(SmoothJob.class);

  private SmoothJob() {}

  public static SmoothReport run(SparkSession spark, SmoothSettings s) {
    long start = System.nanoTime();
    Columns columns = s.spec.columns();
    OutputLayout.checkNames(columns);
    InputSource source = InputSource.read(spark, s.input, s.format, columns);
    ExecutionPolicy policy = new ExecutionPolicy(s.engine, s.backend.option(), s.threads);
    LOG.info("smooth: engine {}; backend {} (decided per task and block, logged by the executors); writing {}",
        policy.describe(), s.backend.option().label(), s.outputs);
    AtomicOutput out = AtomicOutput.open(s.output, s.overwrite, spark.sparkContext().hadoopConfiguration(), s.input);
    Dataset<Row> side = null;
    boolean committed = false;
    try {
      long rowsIn = countInput(spark, source, start);
      spark.sparkContext().setJobDescription("smooth: read, parse and group the input");
      EngineStage engine = EngineStage.of(spark, grouped(spark, source, columns, s.partitions), s);
      OutputLayout layout = new OutputLayout(columns, s.spec.model().stateDim(), s.outputs);
      spark.sparkContext().setJobDescription("smooth: smooth and write states");
      write(layout.states(engine.states(), s.outputFormat.equals("csv")), s.outputFormat, out.part("states"));
      LOG.info("smooth: rows grouped, trajectories smoothed and states written after {} s", elapsed(start));
      side = engine.summaryAndQuarantine().persist(StorageLevel.DISK_ONLY());
      spark.sparkContext().setJobDescription("smooth: smooth again and write summary");
      write(layout.summary(side), s.outputFormat, out.part("summary"));
      spark.sparkContext().setJobDescription("smooth: write quarantine");
      write(layout.quarantine(side), s.outputFormat, out.part("quarantine"));
      LOG.info("smooth: summary and quarantine written after {} s", elapsed(start));
      SmoothReport report = account(spark, side, engine, rowsIn, policy.describe() + "; backend "
          + s.backend.option().label(), start, out.target(), source.inputFiles());
      out.writeText("report.json", s.outputs.addTo(report.toJson()));
      out.commit();
      committed = true;
      LOG.info("smooth: {}", report.accountingLine());
      return report;
    } finally {
      if (!committed) out.abortQuietly();
      if (side != null) side.unpersist();
      spark.sparkContext().setJobDescription(null);
    }
  }

  /** Rows in, counted on the input itself, independently of the engine stage. */
  private static long countInput(SparkSession spark, InputSource source, long start) {
    spark.sparkContext().setJobDescription("smooth: count input rows");
    long rowsIn = source.rows().count();
    LOG.info("smooth: {} input rows counted after {} s", rowsIn, elapsed(start));
    return rowsIn;
  }

  /**
   * The report from the written state rows and the summary and quarantine rows; refuses (IllegalStateException,
   * output not committed) an unbalanced run or one whose two engine passes disagree.
   */
  private static SmoothReport account(SparkSession spark, Dataset<Row> side, EngineStage engine, long rowsIn,
      String engineLabel, long start, String target, int inputFiles) {
    spark.sparkContext().setJobDescription("smooth: row accounting");
    Map<Integer, Long> byKind = new HashMap<>();
    Map<String, Long> byBackend = new HashMap<>();
    Map<String, Long> byEngine = new HashMap<>();
    for (Row r : side.groupBy(UnionRows.KIND, UnionRows.BACKEND, UnionRows.ENGINE).count().collectAsList()) {
      byKind.merge(r.getInt(0), r.getLong(3), Long::sum);
      if (r.getInt(0) == UnionRows.SUMMARY) {
        byBackend.merge(r.getString(1), r.getLong(3), Long::sum);
        byEngine.merge(r.getString(2), r.getLong(3), Long::sum);
      }
    }
    Map<String, Long> byReason = new HashMap<>();
    for (Row r : side.filter(col(UnionRows.KIND).equalTo(UnionRows.QUARANTINE)).groupBy(UnionRows.REASON_CODE)
        .count().collectAsList()) {
      byReason.put(r.getString(0), r.getLong(1));
    }
    long quarantined = byKind.getOrDefault(UnionRows.QUARANTINE, 0L);
    long summaries = byKind.getOrDefault(UnionRows.SUMMARY, 0L);
    SmoothReport report = new SmoothReport(rowsIn, engine.statesWritten(), quarantined, summaries, byReason,
        engineLabel, byBackend, byEngine, (System.nanoTime() - start) / 1e9, target, inputFiles);
    refuseUnlessBalanced(report, engine.summariesSeenByStatesPass(), engine.quarantineSeenByStatesPass());
    return report;
  }

  /**
   * Throws IllegalStateException (the output is then not committed) unless rows in = state rows written + rows
   * quarantined, and the states pass saw as many trajectories and quarantined rows as the summary pass wrote.
   */
  static void refuseUnlessBalanced(SmoothReport report, long statesPassSummaries, long statesPassQuarantined) {
    if (!report.balanced()) {
      throw new IllegalStateException("row accounting failed, output not committed: " + report.accountingLine());
    }
    if (statesPassSummaries != report.trajectories || statesPassQuarantined != report.rowsQuarantined) {
      throw new IllegalStateException("row accounting failed, output not committed: the engine's two passes "
          + "disagree (states pass: " + statesPassSummaries + " trajectories, " + statesPassQuarantined
          + " rows quarantined; summary pass: " + report.trajectories + " and " + report.rowsQuarantined + ")");
    }
  }

  /**
   * Parsed rows, one shuffle by trajectory key (rejected rows spread by their raw text), sorted by (key, time)
   * within partitions: the grouping the engine stage needs, shared with {@link IoOnlyJob}.
   *
   * @param partitions 0 for Spark's default parallelism
   */
  static Dataset<Row> grouped(SparkSession spark, InputSource source, Columns columns, int partitions) {
    Dataset<Row> input = source.rows();
    StructType parsedSchema = ParsedRows.schema(input.schema(), columns);
    Dataset<Row> parsed = input.mapPartitions(new ParsedRows(columns, input.schema(), source.corruptColumn()),
        Encoders.row(parsedSchema));
    int count = partitions > 0 ? partitions : Math.max(1, spark.sparkContext().defaultParallelism());
    return parsed
        .repartition(count, coalesce(col(ParsedRows.KEY), col(ParsedRows.RAW)))
        .sortWithinPartitions(col(ParsedRows.KEY).asc_nulls_first(), col(ParsedRows.TIME));
  }

  private static String elapsed(long start) {
    return String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9);
  }

  static void write(Dataset<Row> data, String format, String path) {
    OutputLayout.writer(data, format).mode(SaveMode.ErrorIfExists).save(path);
  }
}
