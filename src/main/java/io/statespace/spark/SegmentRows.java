package io.statespace.spark;

import static org.apache.spark.sql.functions.col;

import io.statespace.model.spec.Columns;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of the segmented path that does not depend on the model's parameters, shared by {@code smooth}
 * ({@link SegmentedSmoothing}) and {@code fit} ({@link SegmentedFit}) (docs/ARCHITECTURE.md §7.5): the ids
 * with more rows than the threshold (one aggregation over the id column), their valid rows range-partitioned
 * on (key, time), sorted and cached on local disk in Spark's columnar cache (read by every later pass), and
 * the count pass that makes each segment's {@link SegmentSpan}.
 *
 * @param cached the cached rows; @param rows the same as an RDD, one segment per (partition, key)
 * @param spans each segment's span by {@link SegmentSpan#id()}
 */
record SegmentRows(Dataset<Row> cached, JavaRDD<Row> rows, Map<String, SegmentSpan> spans) {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentRows.class);

  /**
   * The long trajectories' rows and spans, or null (logged) when no id has more rows than {@code threshold}.
   * The count pass runs here; the caller owns the cache ({@link #close}).
   *
   * @param job the job's name for the log lines and Spark's job descriptions
   */
  static SegmentRows find(SparkSession spark, InputSource source, Columns columns, long threshold, long rowsIn, String job) {
    Map<String, Long> counts = rowsIn <= threshold ? Map.of() : candidates(spark, source, threshold, job);
    if (counts.isEmpty()) {
      LOG.info("{}: no trajectory is longer than {} steps; every trajectory is processed in one task", job, threshold);
      return null;
    }
    long segments = 0;
    for (long c : counts.values()) segments += (c + threshold - 1) / threshold;
    LOG.info("{}: {} trajectories longer than {} steps ({} rows) are cut into about {} segments", job, counts.size(),
        threshold, counts.values().stream().mapToLong(Long::longValue).sum(), segments);
    Dataset<Row> input = source.rows();
    StructType parsedSchema = ParsedRows.schema(input.schema(), columns);
    Dataset<Row> cached = input.mapPartitions(new ParsedRows(columns, input.schema(), source.corruptColumn()),
            Encoders.row(parsedSchema))
        .filter(col(ParsedRows.KEY).isin(counts.keySet().toArray()))
        .repartitionByRange((int) Math.min(Integer.MAX_VALUE, segments), col(ParsedRows.KEY), col(ParsedRows.TIME))
        .sortWithinPartitions(col(ParsedRows.KEY), col(ParsedRows.TIME))
        .persist(StorageLevel.DISK_ONLY());
    try {
      JavaRDD<Row> rows = cached.javaRDD();
      spark.sparkContext().setJobDescription(job + ": segment boundaries");
      return new SegmentRows(cached, rows, spans(rows.mapPartitionsWithIndex(new SegmentStats.Pass(), false).collect()));
    } catch (RuntimeException e) {
      cached.unpersist(false);
      throw e;
    }
  }

  /** Drops the cached rows. */
  void close() {
    cached.unpersist(false);
  }

  /**
   * The keys of the ids with more input rows than the threshold and their row counts, from one aggregation
   * over the id column alone (no parse): an id's rows that parse badly or share a time only count more, so
   * a trajectory found here may keep fewer steps than the threshold, and is then cut into fewer segments
   * (the segmented result equals one task's for any cuts). Its rejected rows keep a null key and stay on
   * the one-task path, which quarantines them.
   */
  private static Map<String, Long> candidates(SparkSession spark, InputSource source, long threshold, String job) {
    spark.sparkContext().setJobDescription(job + ": rows per id (is any trajectory longer than " + threshold + " steps?)");
    Column id = col("`" + source.columns().id() + "`");
    Map<String, Long> out = new TreeMap<>();
    for (Row r : source.rows().filter(id.isNotNull()).groupBy(id).count().filter(col("count").gt(threshold)).collectAsList()) {
      out.merge(CellText.key(r.get(0)), r.getLong(1), Long::sum);
    }
    return out;
  }

  /** The spans from the statistics, trajectory by trajectory in partition order. */
  private static Map<String, SegmentSpan> spans(List<SegmentStats> stats) {
    Map<String, List<SegmentStats>> byKey = new TreeMap<>();
    for (SegmentStats s : stats) byKey.computeIfAbsent(s.key(), k -> new ArrayList<>()).add(s);
    Map<String, SegmentSpan> out = new LinkedHashMap<>();
    for (Map.Entry<String, List<SegmentStats>> e : byKey.entrySet()) {
      List<SegmentStats> list = e.getValue();
      list.sort(Comparator.comparingInt(SegmentStats::partition));
      long steps = 0;
      long missing = 0;
      long missingValues = 0;
      for (SegmentStats s : list) {
        steps += s.kept();
        missing += s.missingSteps();
        missingValues += s.missingValues();
      }
      TimeKey origin = list.get(0).firstTime();
      long start = 0;
      for (int j = 0; j < list.size(); j++) {
        SegmentStats s = list.get(j);
        SegmentSpan.Halo lead = j == 0 ? null : new SegmentSpan.Halo(list.get(j - 1).lastTime(), list.get(j - 1).lastInputs());
        SegmentSpan.Halo trail = j == list.size() - 1 ? null : new SegmentSpan.Halo(list.get(j + 1).firstTime(),
            list.get(j + 1).firstInputs());
        SegmentSpan span = new SegmentSpan(e.getKey(), s.partition(), j, list.size(), start, s.kept(), origin, lead, trail,
            steps, missing, missingValues);
        out.put(span.id(), span);
        start += s.kept();
      }
    }
    return out;
  }

  static Map<String, List<SegmentSpan>> byTrajectory(Map<String, SegmentSpan> spans) {
    Map<String, List<SegmentSpan>> out = new TreeMap<>();
    for (SegmentSpan s : spans.values()) out.computeIfAbsent(s.key(), k -> new ArrayList<>()).add(s);
    for (List<SegmentSpan> l : out.values()) l.sort(Comparator.comparingInt(SegmentSpan::index));
    return out;
  }

}
