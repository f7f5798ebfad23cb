package io.statespace.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.model.ConstantVelocityModel;
import io.statespace.simulate.CsvSink;
import io.statespace.simulate.MissingPattern;
import io.statespace.simulate.ModelScenario;
import io.statespace.testing.LocalCluster;
import io.statespace.testing.SparkEventLog;
import io.statespace.testing.WrittenRows;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The segmented path (docs/ARCHITECTURE.md §7.5) on a real standalone cluster of two workers on 127.0.0.1
 * ({@code jobs/local-cluster.sh}): long trajectories cut into segments on the cluster's executors write the
 * same states and summary as every trajectory in one task in local mode (numbers to 1e-9 relative, floor
 * 1e-9), and the run on one executor core and on two is timed (printed, not asserted: the machine is shared).
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SegmentedClusterTest {
  @TempDir static Path dir;
  private static LocalCluster cluster;
  private static Path model;
  private static Path input;

  @BeforeAll
  @Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  static void start() throws Exception {
    model = Path.of("conf/tracking.json").toAbsolutePath();
    double[] cov = new double[16];
    for (int i = 0; i < 4; i++) cov[i * 5] = 1.0;
    ConstantVelocityModel m = new ConstantVelocityModel(2, Double.NaN, ConstantVelocityModel.Noise.CONTINUOUS,
        1.0, new double[] {0.5, 0.5}, new double[] {0, 0, 1, 1}, cov);
    ModelScenario scenario = new ModelScenario(m, 0.1, 0.05, new MissingPattern(0.07, 0.03));
    SplittableRandom rng = new SplittableRandom(17);
    input = dir.resolve("long.csv");
    try (CsvSink sink = new CsvSink(input, "id", "t", List.of("x", "y"), List.of(), List.of())) {
      sink.write(scenario.generate("long-0", 60_000, rng.split()));
      sink.write(scenario.generate("long-1", 7_001, rng.split()));
      for (int k = 0; k < 10; k++) sink.write(scenario.generate("short-" + k, 50, rng.split()));
    }
    cluster = LocalCluster.start(dir.resolve("cluster"));
  }

  @AfterAll
  @Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  static void stop() throws Exception {
    cluster.close();
  }

  private static String[] smoothArgs(Path output, String segmentSteps) {
    return new String[] {"smooth", "--input", input.toString(), "--model", model.toString(), "--output",
        output.toString(), "--output-format", "csv", "--engine", "sequential", "--segment-steps", segmentSteps};
  }

  @Test
  void segmentsOnTheClusterEqualOneTaskLocally() throws Exception {
    Path local = localReference();
    double[] seconds = new double[2];
    for (int cores = 1; cores <= 2; cores++) {
      Path remote = dir.resolve("out-cluster-" + cores);
      Path log = dir.resolve("cluster-" + cores + ".log");
      long t0 = System.nanoTime();
      Process p = cluster.submit(cluster.masterUrl(), log, List.of("spark.cores.max=" + cores, "spark.executor.cores=1"),
          smoothArgs(remote, "4000"));
      assertTrue(p.waitFor(600, TimeUnit.SECONDS), "cluster submission did not finish in 600 s");
      seconds[cores - 1] = (System.nanoTime() - t0) / 1e9;
      String out = Files.readString(log);
      assertEquals(0, p.exitValue(), out);
      String report = Files.readString(remote.resolve("report.json"));
      assertTrue(report.contains("\"segmented\" : 2"), report);
      assertTrue(out.contains("rows in: 67501 = rows out: 67501 + rows quarantined: 0 (balanced)"), out);
      WrittenRows.assertSameCsvRows(local.resolve("states"), remote.resolve("states"), 1e-9, 1e-9);
      WrittenRows.assertSameCsvRows(local.resolve("summary"), remote.resolve("summary"), 1e-9, 1e-9);
    }
    System.out.printf(Locale.ROOT, "[segments] cluster: 67,501 rows, segments of 4,000 steps, 1 executor core %.1f s, 2 executors %.1f s,"
        + " ratio %.2f (shared machine)%n", seconds[0], seconds[1], seconds[0] / seconds[1]);
  }

  /** The one-task output on local[2], shared by the tests that compare the cluster's output with it. */
  private static synchronized Path localReference() throws Exception {
    Path local = dir.resolve("out-local");
    if (!Files.exists(local.resolve("_SUCCESS"))) {
      LocalCluster.Result l = cluster.submitAndWait("local[2]", 600, smoothArgs(local, "1000000000"));
      assertEquals(0, l.code, l.output);
    }
    return local;
  }

  /**
   * Kills an executor while it runs a task of a stage that reads or fills a disk-only cache (the segments'
   * cached rows in the count pass and passes 1 to 3, or the engine stage, which joins pass 3's rows),
   * found through the driver's REST API on loopback. (The passes over these 67,501 rows are too short for
   * the poll to catch one reliably by its job description, so the first such stage is taken.) The event log must show a task lost with ExecutorLostFailure on the
   * killed executor and each such partition retried to success (the segment elements and cached rows are
   * recomputed, not lost); the written files hold every input row once and equal one task's output.
   */
  @Test
  @Timeout(value = 20, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void killingAnExecutorDuringTheSegmentedPassesLosesNothing() throws Exception {
    Path local = localReference();
    Path disturbed = dir.resolve("out-disturbed");
    Path log = dir.resolve("disturbed.log");
    Path events = Files.createDirectories(dir.resolve("events"));
    int uiPort = LocalClusterTest.freeLoopbackPort();
    Process p = cluster.submit(cluster.masterUrl(), log, List.of("spark.ui.enabled=true", "spark.ui.port=" + uiPort,
        "spark.port.maxRetries=0", "spark.eventLog.enabled=true", "spark.eventLog.dir=" + events.toUri(),
        "spark.eventLog.compress=false", "spark.eventLog.rolling.enabled=false", "spark.executor.cores=1"),
        smoothArgs(disturbed, "4000"));
    String victimId;
    try {
      victimId = LocalClusterTest.executorRunningTheEngineStage(p, log, uiPort);
    } catch (AssertionError | RuntimeException e) {
      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      throw e;
    }
    ProcessHandle victim = cluster.executor(victimId)
        .orElseThrow(() -> new AssertionError("no process for executor " + victimId + " among " + cluster.executors()));
    victim.destroyForcibly();
    victim.onExit().get(30, TimeUnit.SECONDS);
    if (!p.waitFor(600, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      throw new AssertionError("disturbed job did not finish: " + Files.readString(log));
    }
    String out = Files.readString(log);
    assertEquals(0, p.exitValue(), out);
    List<SparkEventLog.TaskEnd> ends = SparkEventLog.read(events).taskEnds();
    List<SparkEventLog.TaskEnd> lost = ends.stream().filter(e -> e.reason().equals("ExecutorLostFailure")
        && e.executor().equals(victimId)).collect(Collectors.toList());
    assertFalse(lost.isEmpty(), "no task lost on executor " + victimId + ": " + ends);
    for (SparkEventLog.TaskEnd l : lost) {
      List<SparkEventLog.TaskEnd> after = ends.subList(ends.indexOf(l) + 1, ends.size());
      assertTrue(after.stream().anyMatch(e -> e.stage() == l.stage() && e.partition() == l.partition()
          && e.reason().equals("Success")), "partition " + l.partition() + " lost with " + l + " was never retried to success");
    }
    System.out.println("[segments] cluster: executor " + victimId + " killed during the segmented job; lost: " + lost);
    String report = Files.readString(disturbed.resolve("report.json"));
    assertTrue(report.contains("\"segmented\" : 2"), report);
    long in = WrittenRows.csvDataLines(input);
    assertEquals(67_501, in);
    assertEquals(in, WrittenRows.csvPartRows(disturbed.resolve("states")).size()
        + WrittenRows.csvPartRows(disturbed.resolve("quarantine")).size(), "input rows against the rows written");
    WrittenRows.assertSameCsvRows(local.resolve("states"), disturbed.resolve("states"), 1e-9, 1e-9);
    WrittenRows.assertSameCsvRows(local.resolve("summary"), disturbed.resolve("summary"), 1e-9, 1e-9);
  }
}
