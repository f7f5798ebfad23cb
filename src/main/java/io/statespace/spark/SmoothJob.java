package io.statespace.spark;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;

import io.statespace.execution.ExecutionPolicy;
import io.statespace.model.spec.Columns;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code smooth} job: rows → validated rows → trajectories (one shuffle by id, sorted by time within
 * partitions) → engine → states, summary and quarantine, committed atomically. The engine output is
 * persisted once, on local disk, and feeds all three outputs: on disk only, so that caching it never
 * competes for heap with the engine stage (a cache in memory would try to hold up to Spark's storage share
 * of the heap while a long trajectory's arrays, which Spark does not account for, hold the rest; a single
 * 10^7-step trajectory then ran out of a 4 GiB heap). The job counts its input independently and refuses to
 * commit unless rows in = rows out + rows quarantined.
 */
public final class SmoothJob {
  private static final Logger LOG = LoggerFactory.getLogger(SmoothJob.class);

  private SmoothJob() {}

  public static SmoothReport run(SparkSession spark, SmoothSettings s) {
    return run(spark, s, SegmentSteps.auto());
  }

  /** As {@link #run(SparkSession, SmoothSettings)}, trajectories longer than {@code segmentSteps} in segments (§7.5). */
  public static SmoothReport run(SparkSession spark, SmoothSettings s, SegmentSteps segmentSteps) {
    long start = System.nanoTime();
    Columns columns = s.spec.columns();
    OutputLayout.checkNames(columns);
    InputSource source = InputSource.read(spark, s.input, s.format, columns);
    ExecutionPolicy policy = new ExecutionPolicy(s.engine, s.backend.option(), s.threads);
    LOG.info("smooth: engine {}; backend {} (decided per task and block, logged by the executors)",
        policy.describe(), s.backend.option().label());
    AtomicOutput out = AtomicOutput.open(s.output, s.overwrite, spark.sparkContext().hadoopConfiguration(), s.input);
    Dataset<Row> union = null;
    SegmentedSmoothing segments = null;
    boolean committed = false;
    try {
      Dataset<Row> input = source.rows();
      spark.sparkContext().setJobDescription("smooth: count input rows");
      long rowsIn = input.count();
      LOG.info("smooth: {} input rows counted after {} s", rowsIn, elapsed(start));
      StructType parsedSchema = ParsedRows.schema(input.schema(), columns);
      // Issue 17: trajectories longer than --segment-steps take the segmented path; the rest, as before.
      segments = SegmentedSmoothing.prepare(spark, source, columns, s.spec.model(), segmentSteps, rowsIn);
      Dataset<Row> grouped = grouped(spark, source, columns, s.partitions, segments.oneTask());
      StructType unionSchema = UnionRows.schema(parsedSchema.apply(ParsedRows.ID).dataType(),
          parsedSchema.apply(ParsedRows.TIME_VALUE).dataType(), columns);
      union = grouped.mapPartitions(new PartitionSmoother(s.spec.model(), columns, s.engine, s.threads, s.backend),
          Encoders.row(unionSchema)).union(segments.rows(spark, unionSchema)).persist(StorageLevel.DISK_ONLY());

      OutputLayout layout = new OutputLayout(columns, s.spec.model().stateDim());
      boolean flatten = s.outputFormat.equals("csv");
      spark.sparkContext().setJobDescription("smooth: write states");
      write(layout.states(union, flatten), s.outputFormat, out.part("states"));
      LOG.info("smooth: rows grouped, trajectories smoothed and states written after {} s", elapsed(start));
      spark.sparkContext().setJobDescription("smooth: write summary");
      write(layout.summary(union), s.outputFormat, out.part("summary"));
      spark.sparkContext().setJobDescription("smooth: write quarantine");
      write(layout.quarantine(union), s.outputFormat, out.part("quarantine"));
      LOG.info("smooth: summary and quarantine written after {} s", elapsed(start));

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
          policy.describe() + "; backend " + s.backend.option().label(), byBackend, byEngine,
          (System.nanoTime() - start) / 1e9, out.target(), source.inputFiles());
      if (!report.balanced()) {
        throw new IllegalStateException("row accounting failed, output not committed: " + report.accountingLine());
      }
      out.writeText("report.json", report.toJson());
      out.commit();
      committed = true;
      LOG.info("smooth: {}", report.accountingLine());
      return report;
    } finally {
      if (!committed) out.abortQuietly();
      if (union != null) union.unpersist();
      if (segments != null) segments.close();
      spark.sparkContext().setJobDescription(null);
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

  private static String elapsed(long start) {
    return String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9);
  }

  static void write(Dataset<Row> data, String format, String path) {
    OutputLayout.writer(data, format).mode(SaveMode.ErrorIfExists).save(path);
  }
}
