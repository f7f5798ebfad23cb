package io.statespace.spark;

import static org.apache.spark.sql.functions.col;

import io.statespace.model.spec.Columns;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;

/**
 * The core of {@code sample}, shared by the CLI job ({@link SampleJob}) and the library API
 * ({@code KalmanSmoother.sample}): the smooth job's input reading, validation and grouping
 * ({@link SmoothJob#grouped}), then the sampling pass ({@link PartitionSampler}) as one fixed lineage run twice
 * over the same shuffle files, as {@link EngineStage} does for {@code smooth}: the first pass writes the sample
 * rows (counted by accumulators in the write job's tasks), the second emits only the summary and quarantine rows
 * (persisted on local disk) for the quarantine write and the accounting. Draws depend only on (seed, trajectory
 * key, draw), so both passes compute the same numbers. Long trajectories stay in one task: sampling has no
 * segmented path.
 */
public final class SampleCore implements AutoCloseable {
  private final SparkSession spark;
  private final SampleSettings settings;
  private final InputSource source;
  private final long rowsIn;
  private final TextTimes.Kind timeKind;
  private final JavaRDD<InternalRow> union;
  private final JavaRDD<InternalRow> summaryAndQuarantine;
  private final StructType schema;
  private final LongAccumulator samplesPassed;
  private final LongAccumulator summariesDropped;
  private final LongAccumulator quarantineDropped;
  private Dataset<Row> side;
  private boolean samplesCounted;

  private SampleCore(SparkSession spark, SampleSettings settings, InputSource source, long rowsIn, TextTimes.Kind timeKind,
      Dataset<Row> grouped) {
    this.spark = spark;
    this.settings = settings;
    this.source = source;
    this.rowsIn = rowsIn;
    this.timeKind = timeKind;
    Columns columns = settings.spec().columns();
    StructType parsed = grouped.schema();
    DataType idType = parsed.apply(ParsedRows.ID).dataType();
    DataType timeType = parsed.apply(ParsedRows.TIME_VALUE).dataType();
    this.schema = SampleRows.schema(idType, timeType, columns);
    JavaRDD<Row> rows = grouped.javaRDD();
    this.union = rows.mapPartitions(sampler(idType, timeType, true));
    this.summaryAndQuarantine = rows.mapPartitions(sampler(idType, timeType, false));
    this.samplesPassed = spark.sparkContext().longAccumulator("sample: sample rows written");
    this.summariesDropped = spark.sparkContext().longAccumulator("sample: summary rows seen by the samples pass");
    this.quarantineDropped = spark.sparkContext().longAccumulator("sample: quarantine rows seen by the samples pass");
  }

  private PartitionSampler sampler(DataType idType, DataType timeType, boolean samples) {
    return new PartitionSampler(settings.spec().model(), settings.spec().columns(), settings.draws(), settings.seed(),
        idType, timeType, samples);
  }

  /**
   * Counts the input rows and sets up the sampling passes over them; nothing is sampled until a Dataset or the
   * report is computed.
   *
   * @throws InputException when a model column would clash with an output column
   */
  public static SampleCore run(SparkSession spark, InputSource source, SampleSettings s) {
    Columns columns = s.spec().columns();
    checkNames(columns);
    spark.sparkContext().setJobDescription("sample: count input rows");
    TextTimes.Counted counted = TextTimes.applies(s.format(), s.outputFormat())
        ? TextTimes.count(source.rows(), columns.time())
        : new TextTimes.Counted(source.rows().count(), null);
    Dataset<Row> grouped = SmoothJob.grouped(spark, source, columns, s.partitions());
    return new SampleCore(spark, s, source, counted.rows(), counted.kind(), grouped);
  }

  /**
   * The sample rows of {@code s} over {@code source} without files or accounting, for the library API: the
   * {@code samples/} layout with arrays (as the job's Parquet). Quarantined rows are left out, or, with
   * {@code error}, the first one fails the Spark job naming its id, time and reason. Lazy.
   */
  public static Dataset<Row> rows(SparkSession spark, InputSource source, SampleSettings s,
      RowwiseSmoothing.Invalid invalid) {
    Columns columns = s.spec().columns();
    checkNames(columns);
    Dataset<Row> grouped = SmoothJob.grouped(spark, source, columns, s.partitions());
    SampleCore core = new SampleCore(spark, s, source, -1, null, grouped);
    return layout(core.frame(core.union.mapPartitions(new SamplesOnly(null, null, null,
        invalid == RowwiseSmoothing.Invalid.ERROR))), columns, s.spec().model().stateDim(), false);
  }

  /** Fails when a model column has the name of an output column (smooth's names, {@code draw}, {@code sample*}). */
  static void checkNames(Columns columns) {
    OutputLayout.checkNames(columns);
    for (String name : columns.all()) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.equals(SampleRows.DRAW) || lower.equals(SampleRows.SAMPLE_COLUMN)
          || lower.startsWith(SampleRows.SAMPLE_COLUMN + "_")) {
        throw new InputException("column name '" + name + "' clashes with an output column of sample; rename it in the "
            + "input or map it with the column options");
      }
    }
  }

  /** Input rows counted independently of the sampling passes. */
  public long rowsIn() {
    return rowsIn;
  }

  /**
   * One row per (sampled input row, draw): id, time, observations, inputs, draw and sample (flattened to
   * sample_0.. for CSV; a CSV input's numeric times typed for a typed output). Counted as consumed, for
   * {@link #report}: consume it once (write it).
   */
  public Dataset<Row> samples(boolean flatten) {
    samplesCounted = true;
    Dataset<Row> rows = frame(union.mapPartitions(new SamplesOnly(samplesPassed, summariesDropped, quarantineDropped, false)));
    return TextTimes.typed(layout(rows, settings.spec().columns(), settings.spec().model().stateDim(), flatten),
        settings.spec().columns().time(), timeKind);
  }

  /** One row per quarantined input row, as smooth's quarantine/. */
  public Dataset<Row> quarantine() {
    return new OutputLayout(settings.spec().columns(), settings.spec().model().stateDim()).quarantine(side());
  }

  private Dataset<Row> side() {
    if (side == null) side = frame(summaryAndQuarantine).persist(StorageLevel.DISK_ONLY());
    return side;
  }

  /**
   * The row accounting of report.json, checked: rows in = rows sampled + rows quarantined, sample rows written =
   * rows sampled × draws, and the sampling pass saw the trajectories and quarantined rows the accounting pass did.
   *
   * @throws IllegalStateException when any of these fails (the output is then not committed)
   */
  public SampleReport report(long startNanos, String output) {
    if (!samplesCounted) {
      spark.sparkContext().setJobDescription("sample: count sample rows");
      samples(false).count();
    }
    spark.sparkContext().setJobDescription("sample: row accounting");
    Dataset<Row> rows = side();
    long trajectories = 0;
    long sampled = 0;
    long quarantined = 0;
    for (Row r : rows.groupBy(UnionRows.KIND).agg(org.apache.spark.sql.functions.count("*"),
        org.apache.spark.sql.functions.sum(UnionRows.STEPS)).collectAsList()) {
      if (r.getInt(0) == SampleRows.SUMMARY) {
        trajectories = r.getLong(1);
        sampled = r.isNullAt(2) ? 0 : r.getLong(2);
      } else if (r.getInt(0) == SampleRows.QUARANTINE) {
        quarantined = r.getLong(1);
      }
    }
    Map<String, Long> byReason = new HashMap<>();
    for (Row r : rows.filter(col(UnionRows.KIND).equalTo(SampleRows.QUARANTINE)).groupBy(UnionRows.REASON_CODE).count()
        .collectAsList()) {
      byReason.put(r.getString(0), r.getLong(1));
    }
    SampleReport report = new SampleReport(rowsIn, sampled, samplesPassed.value(), quarantined, byReason, trajectories,
        settings.draws(), settings.seed(), (System.nanoTime() - startNanos) / 1e9, output, source.inputFiles(), null);
    if (!report.balanced()) {
      throw new IllegalStateException("row accounting failed, output not committed: " + report.accountingLine());
    }
    if (summariesDropped.value() != trajectories || quarantineDropped.value() != quarantined) {
      throw new IllegalStateException("row accounting failed, output not committed: the sampling passes disagree "
          + "(samples pass: " + summariesDropped.value() + " trajectories, " + quarantineDropped.value()
          + " rows quarantined; accounting pass: " + trajectories + " and " + quarantined + ")");
    }
    return report;
  }

  /** Releases the persisted summary and quarantine rows. */
  @Override
  public void close() {
    if (side != null) side.unpersist();
  }

  private Dataset<Row> frame(JavaRDD<InternalRow> rows) {
    return ((org.apache.spark.sql.classic.SparkSession) spark).internalCreateDataFrame(rows.rdd(), schema, false);
  }

  /** The public samples/ columns of sample rows: id, time, observations, inputs, draw, sample (or sample_i). */
  private static Dataset<Row> layout(Dataset<Row> rows, Columns columns, int stateDim, boolean flatten) {
    List<Column> cols = new ArrayList<>();
    cols.add(col(UnionRows.ID).as(columns.id()));
    cols.add(col(UnionRows.TIME).as(columns.time()));
    for (int i = 0; i < columns.observations().size(); i++) {
      cols.add(col(UnionRows.OBS_PREFIX + i).as(columns.observations().get(i)));
    }
    for (int i = 0; i < columns.inputs().size(); i++) {
      cols.add(col(UnionRows.INPUT_PREFIX + i).as(columns.inputs().get(i)));
    }
    cols.add(col(SampleRows.DRAW));
    if (flatten) {
      for (int i = 0; i < stateDim; i++) cols.add(col(SampleRows.SAMPLE_COLUMN).getItem(i).as(SampleRows.SAMPLE_COLUMN + "_" + i));
    } else {
      cols.add(col(SampleRows.SAMPLE_COLUMN));
    }
    return rows.select(cols.toArray(new Column[0]));
  }

  /**
   * Passes the sample rows on and counts them (when given accumulators); counts and drops the others, or fails on
   * the first quarantine row when asked to.
   */
  private static final class SamplesOnly implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
    private static final long serialVersionUID = 1L;
    private final LongAccumulator samples;
    private final LongAccumulator summaries;
    private final LongAccumulator quarantine;
    private final boolean failOnQuarantine;

    SamplesOnly(LongAccumulator samples, LongAccumulator summaries, LongAccumulator quarantine, boolean failOnQuarantine) {
      this.samples = samples;
      this.summaries = summaries;
      this.quarantine = quarantine;
      this.failOnQuarantine = failOnQuarantine;
    }

    @Override
    public Iterator<InternalRow> call(Iterator<InternalRow> rows) {
      return Iterators.keeping(rows, r -> {
        int kind = r.getInt(0);
        if (kind == SampleRows.SAMPLE) {
          if (samples != null) samples.add(1);
          return true;
        }
        if (kind == SampleRows.SUMMARY) {
          if (summaries != null) summaries.add(1);
        } else {
          if (failOnQuarantine) throw quarantined(r);
          if (quarantine != null) quarantine.add(1);
        }
        return false;
      });
    }

    private static RuntimeException quarantined(InternalRow r) {
      int q = r.numFields() - 5;
      return new RowwiseSmoothing.QuarantinedRowException("handleInvalid=error: the row with id " + r.getUTF8String(q)
          + ", time " + r.getUTF8String(q + 1) + " was quarantined (" + r.getUTF8String(q + 2) + ": " + r.getUTF8String(q + 3)
          + "); set handleInvalid to keep or skip");
    }
  }
}
