package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.statespace.data.Trajectory;
import io.statespace.testing.SparkTestSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The fit's counts in one job: blocks and quarantined rows over several partitions, each left-out trajectory
 * (several rows each, two reasons) counted once, and the first ids listed in order across partitions.
 */
class FitAccountingTest {
  @Test
  void countsEverythingInOneJobAcrossPartitions() {
    SparkSession spark = SparkTestSession.start("FitAccountingTest");
    try {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      List<FitItem> items = new ArrayList<>();
      TreeSet<String> expectedIds = new TreeSet<>();
      int partitions = 3;
      int leftOutPerPartition = FitReport.LISTED_IDS;
      for (int p = 0; p < partitions; p++) {
        Trajectory[] block = new Trajectory[2];
        for (int k = 0; k < 2; k++) {
          block[k] = new Trajectory("b" + p + "-" + k, new double[] {0, 1, 2}, new double[] {1, 2, 3}, 1);
        }
        items.add(FitItem.of(new TrajectoryBlock(block)));
        for (int i = 0; i < leftOutPerPartition; i++) {
          RejectReason reason = i % 2 == 0 ? RejectReason.INFERENCE_FAILED : RejectReason.NONFINITE_LOSS;
          String id = "z" + (partitions - p) + "-" + i;
          for (int row = 0; row < 3; row++) items.add(FitItem.rejected(id, row, reason, "left out", "raw"));
          expectedIds.add(id + " (" + reason.code() + ")");
        }
        items.add(FitItem.rejected(null, 0, RejectReason.NULL_ID, "no id", "raw"));
      }
      FitAccounting counts = FitAccounting.of(jsc.parallelize(items, partitions));
      assertEquals(6, counts.trajectories);
      assertEquals(18, counts.rowsUsed);
      long leftOutRows = 3L * partitions * leftOutPerPartition;
      assertEquals(leftOutRows + partitions, counts.rowsQuarantined);
      assertEquals(partitions * leftOutPerPartition, counts.leftOutCount, "each trajectory once, not once per row");
      List<String> first = new ArrayList<>(expectedIds).subList(0, FitReport.LISTED_IDS);
      assertEquals(first, counts.leftOutListed(), "the first ids in order, across partitions");
      long half = 3L * partitions * (leftOutPerPartition / 2);
      assertEquals(Map.of("inference_failed", half, "nonfinite_loss", leftOutRows - half, "null_id", (long) partitions),
          counts.byReason);
    } finally {
      spark.stop();
    }
  }
}
