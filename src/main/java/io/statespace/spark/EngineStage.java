package io.statespace.spark;

import io.statespace.model.spec.Columns;
import java.util.Iterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;

/**
 * The engine's output as one fixed lineage over the grouped rows' shuffle, run once: the states write
 * ({@link #states()}) passes the state rows to the writer and keeps each partition's summary and quarantine rows
 * (the side rows) as that partition's cached block of the side RDD ({@link StatesPass}, {@link SideBlocks});
 * the summary and quarantine writes and the accounting read the side RDD ({@link #summaryAndQuarantine()}),
 * persisted on local disk only. The side RDD's own computation is a second engine pass over the same shuffle
 * files that builds no state rows: it runs only for a partition whose block is missing (the states were not
 * written first, the block was lost with its executor or evicted, or its rows passed the cap), and each such
 * partition is counted ({@link #sidePartitionsRecomputed()}). The states pass counts, in accumulators of the
 * write job's result tasks (so once per partition whatever the retries), the state rows it passes and the side
 * rows it keeps; {@link SmoothJob} checks these against the side rows read before it commits.
 */
final class EngineStage {
  /**
   * The most bytes of side rows (as {@link org.apache.spark.sql.catalyst.expressions.UnsafeRow}s) one task keeps:
   * 0 for {@link StatesPass#keptBytesFor its executor's heap}.
   */
  static final long SIDE_BYTES_KEPT = 0;

  private final SparkSession spark;
  private final JavaRDD<InternalRow> union;
  private final JavaRDD<InternalRow> sideSource;
  private final JavaRDD<InternalRow> side;
  private final StructType schema;
  private final long sideBytesKept;
  private final StatesPass.Counts counts;
  private final LongAccumulator sideRecomputed;
  private boolean closed;

  private EngineStage(SparkSession spark, JavaRDD<InternalRow> union, JavaRDD<InternalRow> summaryAndQuarantine,
      StructType schema, long sideBytesKept) {
    this.spark = spark;
    this.union = union;
    this.sideSource = summaryAndQuarantine;
    this.schema = schema;
    this.sideBytesKept = sideBytesKept;
    org.apache.spark.SparkContext sc = spark.sparkContext();
    this.counts = new StatesPass.Counts(sc.longAccumulator("smooth: state rows written"),
        sc.longAccumulator("smooth: summary rows kept by the states pass"),
        sc.longAccumulator("smooth: quarantine rows kept by the states pass"),
        sc.longAccumulator("smooth: forecast rows written"),
        sc.longAccumulator("smooth: partitions whose side rows the states pass stored"));
    this.sideRecomputed = sc.longAccumulator("smooth: partitions whose side rows were recomputed");
    this.side = summaryAndQuarantine.mapPartitions(new Recomputed(sideRecomputed, schema));
  }

  /**
   * Wires the engine after the grouped rows (their shuffle runs with the states pass), with the rows of the
   * trajectories smoothed in segments ({@link SegmentedSmoothing}, may be null) joined to the states pass and to
   * the side RDD, and each state row counted into {@code progress} (may be null).
   *
   * @param grouped {@link SmoothJob#grouped}'s rows
   */
  static EngineStage of(SparkSession spark, Dataset<Row> grouped, SmoothSettings s, RowProgress progress,
      SegmentedSmoothing segments) {
    Columns columns = s.spec.columns();
    StructType parsed = grouped.schema();
    DataType idType = parsed.apply(ParsedRows.ID).dataType();
    DataType timeType = parsed.apply(ParsedRows.TIME_VALUE).dataType();
    StructType schema = UnionRows.schema(idType, timeType, columns, s.outputs);
    JavaRDD<InternalRow> rows = SmoothJob.internalRows(grouped);
    PartitionSmoother first = smoother(s, parsed, true);
    JavaRDD<InternalRow> union = rows.mapPartitions(progress == null ? first : progress.counting(first));
    JavaRDD<InternalRow> side = rows.mapPartitions(smoother(s, parsed, false));
    if (segments != null) {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      union = union.union(segments.rows(jsc, s.outputs, idType, timeType, true));
      side = side.union(segments.rows(jsc, s.outputs, idType, timeType, false));
    }
    return new EngineStage(spark, union, side, schema, SIDE_BYTES_KEPT);
  }

  /** This stage with each task keeping at most {@code bytes} of side rows (a new side RDD). */
  EngineStage keepingAtMost(long bytes) {
    return new EngineStage(spark, union, sideSource, schema, bytes);
  }

  private static PartitionSmoother smoother(SmoothSettings s, StructType parsed, boolean states) {
    return new PartitionSmoother(s.spec.model(), s.spec.columns(), s.engine, s.threads, s.backend, s.outputs,
        parsed.apply(ParsedRows.ID).dataType(), parsed.apply(ParsedRows.TIME_VALUE).dataType(), states, s.forecast);
  }

  /** Every union row of the engine (states, summaries and quarantine), uncounted: the library's rowwise join. */
  Dataset<Row> union() {
    return frame(union);
  }

  /**
   * The state rows, counted as the writer consumes them; each partition's side rows kept as the side RDD's
   * block (none once {@link #close}d).
   */
  Dataset<Row> states() {
    StatesPass.Side keep = null;
    if (!closed) {
      persistSide();
      keep = new StatesPass.Side(side.id(), side.getStorageLevel(), side.classTag(), sideBytesKept, schema);
    }
    return frame(union.mapPartitionsWithIndex(new StatesPass(counts, schema.fieldIndex(UnionRows.FORECAST), keep), false));
  }

  /**
   * The summary and quarantine rows: the side RDD, persisted on local disk (until {@link #close}); its blocks
   * are those the states pass stored, and a missing one is recomputed by a second engine pass over the same
   * shuffle output, which builds no state rows.
   */
  Dataset<Row> summaryAndQuarantine() {
    if (!closed) persistSide();
    return frame(side);
  }

  private void persistSide() {
    if (side.getStorageLevel().equals(StorageLevel.NONE())) side.persist(StorageLevel.DISK_ONLY());
  }

  /** The side RDD's id (its blocks are {@code rdd_<id>_<partition>}) and partitions. */
  int sideRddId() {
    return side.id();
  }

  int sidePartitions() {
    return side.getNumPartitions();
  }

  long statesWritten() {
    return counts.states().value();
  }

  long summariesSeenByStatesPass() {
    return counts.summaries().value();
  }

  long quarantineSeenByStatesPass() {
    return counts.quarantine().value();
  }

  /** The forecast rows among {@link #statesWritten}. */
  long forecastWritten() {
    return counts.forecast().value();
  }

  /** Partitions whose side rows the states pass stored as the side RDD's block. */
  long sideBlocksKept() {
    return counts.blocksKept().value();
  }

  /**
   * Partitions of the side RDD computed by its own engine pass rather than read from a block (at least once
   * each; a retried task may count one twice): 0 when every state task kept its block and none was lost.
   */
  long sidePartitionsRecomputed() {
    return sideRecomputed.value();
  }

  /** Removes the side RDD's blocks; later reads recompute them and the states pass keeps none. */
  void close() {
    closed = true;
    side.unpersist(false);
  }

  private Dataset<Row> frame(JavaRDD<InternalRow> rows) {
    return ((org.apache.spark.sql.classic.SparkSession) spark).internalCreateDataFrame(rows.rdd(), schema, false);
  }

  /**
   * The side RDD's computation when its block is missing: the engine's side-only pass, each row as an
   * {@link org.apache.spark.sql.catalyst.expressions.UnsafeRow} (as the states pass keeps them), and the
   * partition counted.
   */
  private static final class Recomputed implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
    private static final long serialVersionUID = 1L;
    private final LongAccumulator partitions;
    private final StructType schema;

    Recomputed(LongAccumulator partitions, StructType schema) {
      this.partitions = partitions;
      this.schema = schema;
    }

    @Override
    public Iterator<InternalRow> call(Iterator<InternalRow> rows) {
      partitions.add(1);
      UnsafeProjection unsafe = UnsafeProjection.create(schema);
      return Iterators.mapping(rows, r -> unsafe.apply(r).copy());
    }
  }
}
