package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.testing.SparkTestSession;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import scala.Option;
import scala.Tuple4;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The driver logs rows smoothed so far while the engine stage runs: counted state rows only (not summary or
 * quarantine rows), lines that grow while the stage runs, no line when nothing changed, none after close; a
 * running task counts with the value its executor's heartbeat carries.
 */
@Timeout(300)
class RowProgressTest {
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("RowProgressTest");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** A stand-in engine stage: per input row one state row and, per partition, one summary row; slow partitions. */
  private static final class SlowEngine implements FlatMapFunction<Iterator<Row>, InternalRow> {
    private static final long serialVersionUID = 1L;

    @Override
    public Iterator<InternalRow> call(Iterator<Row> input) throws Exception {
      List<InternalRow> out = new ArrayList<>();
      while (input.hasNext()) {
        out.add(new GenericInternalRow(new Object[] {UnionRows.STATE, input.next().getLong(1)}));
      }
      out.add(new GenericInternalRow(new Object[] {UnionRows.SUMMARY, -1L}));
      out.add(new GenericInternalRow(new Object[] {UnionRows.QUARANTINE, -2L}));
      Thread.sleep(700);
      return out.iterator();
    }
  }

  @Test
  void rowsSmoothedSoFarAreLoggedWhileTheStageRuns() throws InterruptedException {
    Dataset<Row> input = spark.range(0, 800, 1, 8).toDF().selectExpr("0 as " + UnionRows.KIND, "id as v");
    List<String> lines = new CopyOnWriteArrayList<>();
    long total;
    try (RowProgress progress = RowProgress.start(spark.sparkContext(), "smooth", 200, lines::add)) {
      total = input.javaRDD().mapPartitions(progress.counting(new SlowEngine())).count();
      Thread.sleep(600);
      assertEquals(800, progress.soFar(), "state rows only: " + lines);
    }
    assertEquals(800 + 16, total);
    int after = lines.size();
    Thread.sleep(600);
    assertEquals(after, lines.size(), "nothing is logged after close");
    Pattern line = Pattern.compile("smooth: (\\d+) rows smoothed after \\d+ s");
    List<Long> counts = new ArrayList<>();
    for (String l : lines) {
      Matcher m = line.matcher(l);
      assertTrue(m.matches(), l);
      counts.add(Long.parseLong(m.group(1)));
    }
    assertTrue(counts.size() >= 2, "progress while the stage runs, not only at its end: " + lines);
    assertTrue(counts.get(0) < 800, "a line before the stage ended: " + lines);
    for (int i = 1; i < counts.size(); i++) assertTrue(counts.get(i) > counts.get(i - 1), "a line only when the count grew: " + lines);
    assertEquals(800L, counts.get(counts.size() - 1), lines.toString());
  }

  @Test
  void runningTasksCountFromTheirHeartbeats() throws InterruptedException {
    List<String> lines = new CopyOnWriteArrayList<>();
    try (RowProgress progress = RowProgress.start(spark.sparkContext(), "smooth", 60_000, lines::add)) {
      long id = progress.counter().id();
      AccumulableInfo ours = new AccumulableInfo(id, Option.apply("smooth: rows smoothed"), Option.apply(1234L), Option.empty(),
          false, true, Option.empty());
      AccumulableInfo other = new AccumulableInfo(id + 1000, Option.apply("another"), Option.apply(99L), Option.empty(),
          false, true, Option.empty());
      List<Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>>> tasks = List.of(
          new Tuple4<>(7L, 0, 0, CollectionConverters.asScala(List.of(ours, other)).toSeq()),
          new Tuple4<>(8L, 0, 0, CollectionConverters.asScala(List.of(other)).toSeq()));
      spark.sparkContext().listenerBus().post(new SparkListenerExecutorMetricsUpdate("1",
          CollectionConverters.asScala(tasks).toSeq(), scala.collection.immutable.Map$.MODULE$.empty()));
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (progress.soFar() != 1234 && System.nanoTime() < deadline) Thread.sleep(50);
      assertEquals(1234, progress.soFar(), "a running task's heartbeat value counts, another accumulator's does not");
    }
  }
}
