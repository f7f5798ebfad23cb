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
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

/**
 * The engine's output as one fixed lineage: the grouped rows' shuffle is run once, and every pass over the
 * engine output (the states write, then the summary and quarantine rows) reads those shuffle files again and
 * reruns the sort and the engine, which cost a fraction of writing or caching the wide state rows
 * (docs/BENCHMARKS.md, "End to end"). {@link #states()} counts, in accumulators updated only by the write
 * job's result tasks (so once per partition whatever the retries), the state rows it passes to the writer
 * and the other rows it drops; {@link SmoothJob} checks these against the second pass before it commits.
 */
final class EngineStage {
  private final SparkSession spark;
  private final JavaRDD<InternalRow> union;
  private final JavaRDD<InternalRow> summaryAndQuarantine;
  private final StructType schema;
  private final LongAccumulator statesPassed;
  private final LongAccumulator summariesDropped;
  private final LongAccumulator quarantineDropped;
  private final LongAccumulator forecastPassed;

  private EngineStage(SparkSession spark, JavaRDD<InternalRow> union, JavaRDD<InternalRow> summaryAndQuarantine,
      StructType schema) {
    this.spark = spark;
    this.union = union;
    this.summaryAndQuarantine = summaryAndQuarantine;
    this.schema = schema;
    this.statesPassed = spark.sparkContext().longAccumulator("smooth: state rows written");
    this.summariesDropped = spark.sparkContext().longAccumulator("smooth: summary rows seen by the states pass");
    this.quarantineDropped = spark.sparkContext().longAccumulator("smooth: quarantine rows seen by the states pass");
    this.forecastPassed = spark.sparkContext().longAccumulator("smooth: forecast rows written");
  }

  /**
   * Wires the engine after the grouped rows (their shuffle runs with the first pass), with the rows of the
   * trajectories smoothed in segments ({@link SegmentedSmoothing}, may be null) joined to both passes, and each
   * state row of the first pass counted into {@code progress} (may be null).
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
    return new EngineStage(spark, union, side, schema);
  }

  private static PartitionSmoother smoother(SmoothSettings s, StructType parsed, boolean states) {
    return new PartitionSmoother(s.spec.model(), s.spec.columns(), s.engine, s.threads, s.backend, s.outputs,
        parsed.apply(ParsedRows.ID).dataType(), parsed.apply(ParsedRows.TIME_VALUE).dataType(), states, s.forecast);
  }

  /** Every union row of the first pass (states, summaries and quarantine), uncounted: the library's rowwise join. */
  Dataset<Row> union() {
    return frame(union);
  }

  /** The state rows, counted as the writer consumes them. */
  Dataset<Row> states() {
    return frame(union.mapPartitions(new StatesOnly(statesPassed, summariesDropped, quarantineDropped, forecastPassed,
        schema.fieldIndex(UnionRows.FORECAST))));
  }

  /**
   * The summary and quarantine rows: a second pass of the engine over the same shuffle output, which builds no
   * state rows.
   */
  Dataset<Row> summaryAndQuarantine() {
    return frame(summaryAndQuarantine);
  }

  long statesWritten() {
    return statesPassed.value();
  }

  long summariesSeenByStatesPass() {
    return summariesDropped.value();
  }

  long quarantineSeenByStatesPass() {
    return quarantineDropped.value();
  }

  /** The forecast rows among {@link #statesWritten}. */
  long forecastWritten() {
    return forecastPassed.value();
  }

  private Dataset<Row> frame(JavaRDD<InternalRow> rows) {
    return ((org.apache.spark.sql.classic.SparkSession) spark).internalCreateDataFrame(rows.rdd(), schema, false);
  }

  /** Passes the state rows on and counts them (and the forecast rows among them); counts and drops the others. */
  private static final class StatesOnly implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
    private static final long serialVersionUID = 2L;
    private final LongAccumulator states;
    private final LongAccumulator summaries;
    private final LongAccumulator quarantine;
    private final LongAccumulator forecast;
    private final int forecastIndex;

    StatesOnly(LongAccumulator states, LongAccumulator summaries, LongAccumulator quarantine, LongAccumulator forecast,
        int forecastIndex) {
      this.states = states;
      this.summaries = summaries;
      this.quarantine = quarantine;
      this.forecast = forecast;
      this.forecastIndex = forecastIndex;
    }

    @Override
    public Iterator<InternalRow> call(Iterator<InternalRow> rows) {
      return Iterators.keeping(rows, r -> {
        int kind = r.getInt(0);
        if (kind == UnionRows.STATE) {
          states.add(1);
          if (!r.isNullAt(forecastIndex) && r.getBoolean(forecastIndex)) forecast.add(1);
          return true;
        }
        (kind == UnionRows.SUMMARY ? summaries : quarantine).add(1);
        return false;
      });
    }
  }
}
