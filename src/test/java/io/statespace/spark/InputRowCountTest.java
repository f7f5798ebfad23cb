package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.statespace.testing.SparkTestSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The input-row count of the fit job's parse stage: a partition read again records the same count under the
 * same index (a retried or recomputed task does not count its rows twice), merged copies add their
 * partitions, and in a real Spark job the total equals the rows read.
 */
class InputRowCountTest {
  @Test
  void aPartitionReadTwiceCountsOnce() {
    InputRowCount count = new InputRowCount();
    count.add(new long[] {0, 7});
    count.add(new long[] {1, 5});
    count.add(new long[] {0, 7});
    assertEquals(12, count.total());
    InputRowCount other = new InputRowCount();
    other.add(new long[] {1, 5});
    other.add(new long[] {2, 1});
    count.merge(other);
    assertEquals(13, count.total());
    assertEquals(Map.of(0, 7L, 1, 5L, 2, 1L), count.value());
  }

  @Test
  void countsTheRowsOfEveryPartitionInTheParsingPass() throws Exception {
    SparkSession spark = SparkTestSession.start("InputRowCountTest");
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<org.apache.spark.sql.Row> rows = new ArrayList<>();
    for (int i = 0; i < 1003; i++) rows.add(org.apache.spark.sql.RowFactory.create("r" + i));
    org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType().add("v",
        org.apache.spark.sql.types.DataTypes.StringType);
    InputRowCount count = new InputRowCount();
    jsc.sc().register(count, "test rows");
    org.apache.spark.api.java.function.MapPartitionsFunction<org.apache.spark.sql.Row, org.apache.spark.sql.Row> keepEvenRows =
        it -> {
          List<org.apache.spark.sql.Row> kept = new ArrayList<>();
          int i = 0;
          while (it.hasNext()) {
            org.apache.spark.sql.Row r = it.next();
            if (i++ % 2 == 0) kept.add(r);
          }
          return kept.iterator();
        };
    long out = spark.createDataFrame(rows, schema).repartition(5)
        .mapPartitions(count.counting(keepEvenRows), org.apache.spark.sql.Encoders.row(schema)).count();
    assertEquals(1003, count.total(), "rows in, not rows out");
    assertEquals(5, count.value().size(), "every partition reported");
    assertEquals(out, count.value().values().stream().mapToLong(c -> (c + 1) / 2).sum(), "the stage kept its rows");
    spark.stop();
  }
}
