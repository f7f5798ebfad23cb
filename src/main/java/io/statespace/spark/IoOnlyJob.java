package io.statespace.spark;

import static org.apache.spark.sql.functions.col;

import io.statespace.model.spec.Columns;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The floor that {@code smooth} is measured against (bench --end-to-end): a job that reads and parses the same
 * input, groups it exactly as {@code smooth} does (the same repartition by trajectory and sort by time), and
 * writes the same rows back (id, time, observations, inputs) without any inference. No output checks, no
 * quarantine: only the I/O and the shuffle.
 */
public final class IoOnlyJob {
  private IoOnlyJob() {}

  /** Runs the job and returns its wall-clock seconds. */
  public static double run(SparkSession spark, String input, String format, String output, String outputFormat,
      Columns columns, int partitions) {
    long start = System.nanoTime();
    InputSource source = InputSource.read(spark, input, InputSource.normalizeFormat(format), columns);
    Dataset<Row> grouped = SmoothJob.grouped(spark, source, columns, partitions);
    List<Column> cols = new ArrayList<>();
    cols.add(col(ParsedRows.ID).as(columns.id()));
    cols.add(col(ParsedRows.TIME_VALUE).as(columns.time()));
    for (int i = 0; i < columns.observations().size(); i++) {
      cols.add(col(ParsedRows.OBS).getItem(i).as(columns.observations().get(i)));
    }
    for (int i = 0; i < columns.inputs().size(); i++) {
      cols.add(col(ParsedRows.INPUTS).getItem(i).as(columns.inputs().get(i)));
    }
    spark.sparkContext().setJobDescription("io-only: read, group, write");
    SmoothJob.write(grouped.select(cols.toArray(new Column[0])), InputSource.normalizeFormat(outputFormat), output);
    spark.sparkContext().setJobDescription(null);
    return (System.nanoTime() - start) / 1e9;
  }
}
