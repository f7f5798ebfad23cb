package io.statespace.spark;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.rand;

import io.statespace.model.spec.Columns;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The floors that {@code smooth} is measured against (bench --end-to-end): a job that reads and parses the same
 * input, groups it exactly as {@code smooth} does (the same repartition by trajectory and sort by time), and
 * writes rows back without any inference. No output checks, no quarantine: only the I/O and the shuffle.
 * {@link #run} writes the input's own columns (id, time, observations, inputs); {@link #runSameSize} writes
 * rows of the schema and size of {@code smooth}'s states (the same columns and about the same bytes), separating the cost of the output's
 * volume from the cost of everything else {@code smooth} does.
 */
public final class IoOnlyJob {
  private IoOnlyJob() {}

  /** Runs the job writing the input's columns and returns its wall-clock seconds. */
  public static double run(SparkSession spark, String input, String format, String output, String outputFormat,
      Columns columns, int partitions) {
    long start = System.nanoTime();
    Dataset<Row> grouped = SmoothJob.grouped(spark, InputSource.read(spark, input, InputSource.normalizeFormat(format),
        columns), columns, partitions);
    spark.sparkContext().setJobDescription("io-only: read, group, write");
    SmoothJob.write(grouped.select(inputColumns(columns, false).toArray(new Column[0])),
        InputSource.normalizeFormat(outputFormat), output);
    spark.sparkContext().setJobDescription(null);
    return (System.nanoTime() - start) / 1e9;
  }

  /**
   * Runs the job writing state rows shaped like {@code smooth}'s with {@code choice} for a state of
   * {@code stateDim} components, and returns its wall-clock seconds. Means are random doubles (a posterior
   * mean compresses no better); of the covariance elements, the first {@code randomCovValues} per row are
   * random and the others 0, so that the caller can match the bytes of {@code smooth}'s covariances, which
   * compress well where trajectories share a covariance sequence.
   */
  public static double runSameSize(SparkSession spark, String input, String format, String output,
      String outputFormat, Columns columns, int partitions, int stateDim, OutputChoice choice, int randomCovValues) {
    long start = System.nanoTime();
    Dataset<Row> grouped = SmoothJob.grouped(spark, InputSource.read(spark, input, InputSource.normalizeFormat(format),
        columns), columns, partitions);
    List<Column> cols = inputColumns(columns, true);
    long seed = 0;
    int covValues = 0;
    for (OutputChoice.StateArray a : choice.stateArrays()) {
      Column[] values = new Column[a.length(stateDim)];
      for (int i = 0; i < values.length; i++) {
        values[i] = a.mean() || covValues++ < randomCovValues ? rand(seed++) : lit(0.0);
      }
      cols.add(array(values).as(a.name()));
    }
    String outFormat = InputSource.normalizeFormat(outputFormat);
    Dataset<Row> rows = new OutputLayout(columns, stateDim, choice)
        .states(grouped.filter(col(ParsedRows.VALID)).select(cols.toArray(new Column[0])), outFormat.equals("csv"));
    spark.sparkContext().setJobDescription("io-only: read, group, write rows the size of smooth's states");
    SmoothJob.write(rows, outFormat, output);
    spark.sparkContext().setJobDescription(null);
    return (System.nanoTime() - start) / 1e9;
  }

  /** Id, time, observations and inputs, under the user's names or (internal) the engine stage's. */
  private static List<Column> inputColumns(Columns columns, boolean internal) {
    List<Column> cols = new ArrayList<>();
    cols.add(col(ParsedRows.ID).as(internal ? UnionRows.ID : columns.id()));
    cols.add(col(ParsedRows.TIME_VALUE).as(internal ? UnionRows.TIME : columns.time()));
    for (int i = 0; i < columns.observations().size(); i++) {
      cols.add(col(ParsedRows.OBS).getItem(i).as(internal ? UnionRows.OBS_PREFIX + i : columns.observations().get(i)));
    }
    for (int i = 0; i < columns.inputs().size(); i++) {
      cols.add(col(ParsedRows.INPUTS).getItem(i).as(internal ? UnionRows.INPUT_PREFIX + i : columns.inputs().get(i)));
    }
    return cols;
  }
}
