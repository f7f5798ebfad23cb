package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.execution.EngineChoice;
import io.statespace.model.spec.ModelSpec;
import io.statespace.simulate.CsvSink;
import io.statespace.simulate.MissingPattern;
import io.statespace.simulate.ModelScenario;
import io.statespace.testing.SparkTestSession;
import io.statespace.testing.WrittenRows;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.BlockManager;
import org.apache.spark.storage.RDDBlockId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine runs once in {@code smooth}: the states write keeps each partition's summary and quarantine rows as
 * the side RDD's block, and the summary and quarantine writes and the accounting read those blocks, to the same
 * files as a reference run whose blocks were all removed (its side rows recomputed by the side RDD's own engine
 * pass). Counted in the written files: a missing block (removed, or never kept because its rows passed the cap)
 * is recomputed, and a states task that fails after storing its block and is retried neither loses nor
 * doubles a row. Tasks may be tried twice here (local mode runs no speculative
 * attempts; a retried task stands for a second attempt of the same partition).
 */
class OnePassTest {
  private static final int TRAJECTORIES = 40;
  private static final int PARTITIONS = 3;
  /** Quarantined rows of the input: a duplicated time (both rows), an unparsable value and a null id. */
  private static final int QUARANTINED = 4;
  private static final AtomicInteger FAILED_AT_END = new AtomicInteger();
  private static final AtomicInteger FAILED_AT_START = new AtomicInteger();

  private static SparkSession spark;
  @TempDir static Path dir;
  private static Path input;
  private static Path reference;

  @BeforeAll
  static void start() throws IOException {
    spark = SparkTestSession.start("OnePassTest", 2);
    ModelSpec spec = SmoothJobTest.trackingSpec();
    ModelScenario scenario = new ModelScenario(spec.model(), 0.1, 0.1, new MissingPattern(0.1, 0.1));
    SplittableRandom rng = new SplittableRandom(12);
    input = dir.resolve("in.csv");
    try (CsvSink sink = new CsvSink(input, "id", "t", List.of("x", "y"), List.of(), List.of())) {
      for (int k = 0; k < TRAJECTORIES; k++) sink.write(scenario.generate("k" + k, 20 + rng.nextInt(60), rng.split()));
    }
    Files.writeString(input, String.join("\n", "dup,1.0,0.1,0.2", "dup,2.0,0.2,0.3", "dup,2.0,0.3,0.4",
        "dup,3.0,0.4,0.5", "bad,1.0,abc,1.0", ",1.0,1.0,1.0", ""), StandardOpenOption.APPEND);
    Run recomputed = smooth("reference", core -> removeSideBlocks(core, 0, 1, 2), UnaryOperator.identity());
    assertEquals(PARTITIONS, recomputed.recomputed, "the reference's side rows all come from the side RDD's own pass");
    assertBalancedInTheFiles(recomputed);
    reference = recomputed.out;
  }

  /**
   * Removes the side blocks of {@code partitions}, as when their executor is lost or they are evicted. The test's
   * one use of Spark's private[spark] block manager API (callable from Java): in local mode the driver's block
   * manager is the executor's.
   */
  private static void removeSideBlocks(SmoothCore core, int... partitions) {
    BlockManager blocks = SparkEnv.get().blockManager();
    for (int p : partitions) {
      RDDBlockId id = new RDDBlockId(core.engine().sideRddId(), p);
      assertTrue(blocks.getStatus(id).isDefined(), "the states pass stored no block " + id);
      blocks.removeBlock(id, true);
      assertFalse(blocks.getStatus(id).isDefined(), id + " still stored");
    }
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** What one run wrote and counted. */
  private record Run(Path out, SmoothReport report, long blocksKept, long recomputed, int partitions) {}

  /**
   * Smooths {@link #input} through {@link SmoothCore} as {@link SmoothJob} does (states, then summary and
   * quarantine, then the accounting), CSV output under {@code name}, with {@code states} applied to the states
   * before they are written and {@code between} run after the states write.
   */
  private static Run smooth(String name, Consumer<SmoothCore> between, UnaryOperator<Dataset<Row>> states) {
    SmoothSettings s = new SmoothSettings(input.toString(), "csv", null, "csv", SmoothJobTest.trackingSpec(),
        EngineChoice.AUTO, 1, PARTITIONS, false);
    Path out = dir.resolve(name);
    long start = System.nanoTime();
    try (SmoothCore core = SmoothCore.run(spark, InputSource.read(spark, s.input, s.format, s.spec.columns()), s, null,
        SegmentSteps.auto())) {
      SmoothJob.write(states.apply(core.states(true)), "csv", out.resolve("states").toString());
      between.accept(core);
      SmoothJob.write(core.summary(), "csv", out.resolve("summary").toString());
      SmoothJob.write(core.quarantine(), "csv", out.resolve("quarantine").toString());
      SmoothReport report = core.report(start, out.toString());
      EngineStage engine = core.engine();
      return new Run(out, report, engine.sideBlocksKept(), engine.sidePartitionsRecomputed(), engine.sidePartitions());
    }
  }

  /** Rows in = states + quarantine rows written, one summary row per trajectory, as read back from the files. */
  private static void assertBalancedInTheFiles(Run run) {
    long in = WrittenRows.csvDataLines(input);
    List<String> states = WrittenRows.csvPartRows(run.out.resolve("states"));
    List<String> quarantine = WrittenRows.csvPartRows(run.out.resolve("quarantine"));
    List<String> summary = WrittenRows.csvPartRows(run.out.resolve("summary"));
    assertEquals(QUARANTINED, quarantine.size(), "quarantine rows written: " + quarantine);
    assertEquals(in, states.size() + quarantine.size(), "input rows against the rows written to states/ and quarantine/");
    assertEquals(TRAJECTORIES + 1, summary.size(), "summary rows written");
    assertEquals(summary.size(), summary.stream().map(l -> l.split(",", -1)[0]).distinct().count(), "one summary row per id");
    assertEquals(in, run.report.rowsIn);
    assertEquals(states.size(), run.report.rowsOut);
    assertEquals(quarantine.size(), run.report.rowsQuarantined);
    assertEquals(summary.size(), run.report.trajectories);
  }

  private static void assertSameFilesAsTheReference(Run run) {
    for (String part : List.of("states", "summary", "quarantine")) {
      WrittenRows.assertSameCsvRows(reference.resolve(part), run.out.resolve(part), 0.0, 0.0);
    }
  }

  @Test
  void theEngineRunsOncePerPartitionAndTheSideRowsComeFromTheBlocksItKept() {
    Run run = smooth("normal", c -> {}, UnaryOperator.identity());
    assertBalancedInTheFiles(run);
    assertEquals(PARTITIONS, run.partitions);
    assertEquals(PARTITIONS, run.blocksKept, "every states task keeps its partition's side rows");
    assertEquals(0, run.recomputed, "no partition's summary and quarantine rows may come from a second engine pass");
    assertSameFilesAsTheReference(run);
  }

  /**
   * Removes the side blocks of two partitions after the states are written (as when their executor is lost, or
   * the blocks evicted): those two, and only those, are recomputed by the side RDD's own engine pass, to the same
   * files as the reference, whose side rows were all recomputed, and the accounting still balances.
   */
  @Test
  void aMissingSideBlockIsRecomputedToTheSameFiles() {
    Run run = smooth("missing", core -> removeSideBlocks(core, 0, PARTITIONS - 1), UnaryOperator.identity());
    assertBalancedInTheFiles(run);
    assertEquals(PARTITIONS, run.blocksKept);
    assertEquals(2, run.recomputed, "exactly the two partitions whose blocks were removed are recomputed");
    assertSameFilesAsTheReference(run);
  }

  /**
   * The first attempt of every states task fails: partition 0's after its partition was exhausted (its block
   * stored), the others' at their first row (nothing stored). The retries write the states; the first attempts'
   * counts are dropped and partition 0's block is used once, so the files equal an undisturbed run's.
   */
  @Test
  void aStatesTaskThatFailsAfterKeepingItsBlockIsRetriedWithoutLosingOrDoublingARow() {
    FAILED_AT_END.set(0);
    FAILED_AT_START.set(0);
    Run run = smooth("retried", c -> {}, states -> states.mapPartitions(new FailFirstAttempt(), Encoders.row(states.schema())));
    assertEquals(1, FAILED_AT_END.get(), "partition 0's first attempt must fail after its block was stored");
    assertEquals(PARTITIONS - 1, FAILED_AT_START.get(), "the other first attempts must fail before storing a block");
    assertBalancedInTheFiles(run);
    assertEquals(PARTITIONS, run.blocksKept, "counted once per partition, from the attempt that succeeded");
    assertEquals(0, run.recomputed, "the retried attempts' blocks (or the failed attempt's, equal) are read");
    assertSameFilesAsTheReference(run);
  }

  /**
   * With a cap of one byte no task keeps its side rows, and the side RDD recomputes every partition: the same
   * rows as the blocks the states pass keeps under the default cap.
   */
  @Test
  void sideRowsPastTheCapAreRecomputedNotKept() {
    SmoothSettings s = new SmoothSettings(input.toString(), "csv", null, "csv", SmoothJobTest.trackingSpec(),
        EngineChoice.AUTO, 1, PARTITIONS, false);
    InputSource source = InputSource.read(spark, s.input, s.format, s.spec.columns());
    EngineStage kept = EngineStage.of(spark, SmoothJob.grouped(spark, source, s.spec.columns(), PARTITIONS), s, null, null);
    EngineStage capped = kept.keepingAtMost(1);
    try {
      assertEquals(kept.states().count(), capped.states().count());
      List<String> fromBlocks = sorted(kept.summaryAndQuarantine());
      List<String> recomputed = sorted(capped.summaryAndQuarantine());
      assertEquals(TRAJECTORIES + 1 + QUARANTINED, fromBlocks.size());
      assertEquals(fromBlocks, recomputed);
      assertEquals(PARTITIONS, kept.sideBlocksKept());
      assertEquals(0, kept.sidePartitionsRecomputed());
      assertEquals(0, capped.sideBlocksKept(), "no task may keep side rows past the cap");
      assertEquals(PARTITIONS, capped.sidePartitionsRecomputed());
    } finally {
      kept.close();
      capped.close();
    }
  }

  private static List<String> sorted(Dataset<Row> rows) {
    return rows.collectAsList().stream().map(Row::toString).sorted().collect(Collectors.toList());
  }

  /** Fails the first attempt of partition 0 once its rows are exhausted, and of the others at their first row. */
  private static final class FailFirstAttempt implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      TaskContext task = TaskContext.get();
      boolean first = task.attemptNumber() == 0;
      if (first && task.partitionId() != 0) {
        FAILED_AT_START.incrementAndGet();
        throw new IllegalStateException("injected failure before the first row");
      }
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          boolean more = rows.hasNext();
          if (!more && first) {
            FAILED_AT_END.incrementAndGet();
            throw new IllegalStateException("injected failure after the last row");
          }
          return more;
        }

        @Override
        public Row next() {
          if (!hasNext()) throw new NoSuchElementException();
          return rows.next();
        }
      };
    }
  }
}
