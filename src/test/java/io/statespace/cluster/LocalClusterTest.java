package io.statespace.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.simulate.CsvSink;
import io.statespace.simulate.MissingPattern;
import io.statespace.simulate.ModelScenario;
import io.statespace.testing.LocalCluster;
import io.statespace.testing.LoopbackSockets;
import io.statespace.testing.SparkEventLog;
import io.statespace.testing.WrittenRows;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jobs on a real Spark standalone cluster (a master and two workers on 127.0.0.1 started by
 * jobs/local-cluster.sh), submitted through SparkSubmit: smooth and fit outputs equal the local-mode
 * outputs, every socket stays on loopback, killing an executor while the engine stage runs loses and
 * duplicates nothing (the event log shows the lost task and its retry), and a fit whose driver is killed resumes to the parameters of an uninterrupted run.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LocalClusterTest {
  @TempDir static Path dir;
  private static LocalCluster cluster;
  private static Path model;
  private static Path smallInput;
  private static Path largeInput;

  @BeforeAll
  @Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  static void start() throws Exception {
    model = Path.of("conf/tracking.json").toAbsolutePath();
    smallInput = simulate("small.csv", 40, 100, 1);
    largeInput = simulate("large.csv", 1500, 100, 2);
    cluster = LocalCluster.start(dir.resolve("cluster"));
  }

  @AfterAll
  @Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  static void stop() throws Exception {
    List<Long> pids = cluster.pids();
    cluster.close();
    for (long pid : pids) {
      ProcessHandle.of(pid).ifPresent(h -> {
        h.onExit().orTimeout(20, TimeUnit.SECONDS).join();
      });
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "cluster process " + pid + " survived stop");
    }
  }

  private static Path simulate(String name, int trajectories, int steps, long seed) throws IOException {
    double[] cov = new double[16];
    for (int i = 0; i < 4; i++) cov[i * 5] = 1.0;
    ConstantVelocityModel m = new ConstantVelocityModel(2, Double.NaN, ConstantVelocityModel.Noise.CONTINUOUS,
        1.0, new double[] {0.5, 0.5}, new double[] {0, 0, 1, 1}, cov);
    ModelScenario scenario = new ModelScenario(m, 0.1, 0.05, new MissingPattern(0.07, 0.03));
    SplittableRandom rng = new SplittableRandom(seed);
    Path path = dir.resolve(name);
    try (CsvSink sink = new CsvSink(path, "id", "t", List.of("x", "y"), List.of(), List.of())) {
      for (int k = 0; k < trajectories; k++) sink.write(scenario.generate("trk-" + k, steps, rng.split()));
    }
    return path;
  }

  private static String[] smoothArgs(Path input, Path output) {
    return new String[] {"smooth", "--input", input.toString(), "--model", model.toString(), "--output",
        output.toString(), "--output-format", "csv", "--partitions", "8"};
  }

  @Test
  void clusterOutputEqualsLocalOutputAndStaysOnLoopback() throws Exception {
    Path local = dir.resolve("out-local");
    LocalCluster.Result l = cluster.submitAndWait("local[2]", 300, smoothArgs(smallInput, local));
    assertEquals(0, l.code, l.output);

    Path remote = dir.resolve("out-cluster");
    Path log = dir.resolve("cluster-submit.log");
    Process p = cluster.submit(cluster.masterUrl(), log, smoothArgs(smallInput, remote));
    List<String> offLoopback = new CopyOnWriteArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);
    while (!p.waitFor(500, TimeUnit.MILLISECONDS)) {
      if (System.nanoTime() > deadline) {
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        throw new AssertionError("cluster submission did not finish in 600 s: " + Files.readString(log));
      }
      List<Long> pids = new ArrayList<>(cluster.pids());
      pids.add(p.pid());
      p.descendants().forEach(d -> pids.add(d.pid()));
      offLoopback.addAll(LoopbackSockets.nonLoopback(pids));
    }
    String out = Files.readString(log);
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("rows in: 4000 = rows out: 4000 + rows quarantined: 0 (balanced)"), out);
    assertTrue(offLoopback.isEmpty(), "sockets off loopback: " + offLoopback);
    WrittenRows.assertSameCsvRows(local.resolve("states"), remote.resolve("states"), 1e-12, 0.0);
    WrittenRows.assertSameCsvRows(local.resolve("summary"), remote.resolve("summary"), 1e-12, 0.0);
  }

  /**
   * Kills an executor while tasks of the engine stage (the states write's result stage, which runs the engine
   * and keeps the summary and quarantine rows as blocks on its executor) are running on it, found through the
   * driver's REST API on loopback. The event log must then show a task of that stage lost with
   * ExecutorLostFailure on the killed executor and a later successful attempt of the same partition; the blocks
   * the killed executor held are recomputed for the summary; the written files must hold every input row once,
   * equal to an undisturbed run's.
   */
  @Test
  @Timeout(value = 25, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void killingAnExecutorDuringTheEngineStageLosesAndDuplicatesNothing() throws Exception {
    Path reference = dir.resolve("out-undisturbed");
    LocalCluster.Result r = cluster.submitAndWait(cluster.masterUrl(), 600, smoothArgs(largeInput, reference));
    assertEquals(0, r.code, r.output);

    Path disturbed = dir.resolve("out-disturbed");
    Path log = dir.resolve("disturbed.log");
    Path events = Files.createDirectories(dir.resolve("events"));
    int uiPort = freeLoopbackPort();
    Process p = cluster.submit(cluster.masterUrl(), log, List.of("spark.ui.enabled=true", "spark.ui.port=" + uiPort,
        "spark.port.maxRetries=0", "spark.eventLog.enabled=true", "spark.eventLog.dir=" + events.toUri(),
        "spark.eventLog.compress=false", "spark.eventLog.rolling.enabled=false"), smoothArgs(largeInput, disturbed));
    String victimId;
    try {
      victimId = executorRunningTheStatesStage(p, log, uiPort);
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

    SparkEventLog history = SparkEventLog.read(events);
    List<Integer> engineStages = history.resultStagesOfJobs(STATES_JOB);
    assertFalse(engineStages.isEmpty(), "no job described '" + STATES_JOB + "' in the event log");
    List<SparkEventLog.TaskEnd> ends = history.taskEnds();
    List<SparkEventLog.TaskEnd> lost = ends.stream().filter(e -> engineStages.contains(e.stage())
        && e.reason().equals("ExecutorLostFailure") && e.executor().equals(victimId)).collect(Collectors.toList());
    assertFalse(lost.isEmpty(), "no task of the engine stages " + engineStages + " lost on executor " + victimId + ": " + ends);
    for (SparkEventLog.TaskEnd l : lost) {
      List<SparkEventLog.TaskEnd> after = ends.subList(ends.indexOf(l) + 1, ends.size());
      assertTrue(after.stream().anyMatch(e -> e.stage() == l.stage() && e.partition() == l.partition()
          && e.reason().equals("Success")), "partition " + l.partition() + " lost with " + l + " was never retried to success");
    }
    System.out.println("[LocalCluster] executor " + victimId + " killed during engine stages " + engineStages + "; lost: " + lost);

    long in = WrittenRows.csvDataLines(largeInput);
    assertEquals(150_000, in);
    assertEquals(in, WrittenRows.csvPartRows(disturbed.resolve("states")).size() + WrittenRows.csvPartRows(disturbed.resolve("quarantine")).size(),
        "input rows against the rows written to states/ and quarantine/");
    WrittenRows.assertSameCsvRows(reference.resolve("states"), disturbed.resolve("states"), 0.0, 0.0);
    WrittenRows.assertSameCsvRows(reference.resolve("summary"), disturbed.resolve("summary"), 0.0, 0.0);
  }

  /** The description of the smooth job's states write (SmoothJob), whose result stage runs the engine. */
  private static final String STATES_JOB = "smooth: read, parse, group, smooth and write states";

  /**
   * Polls the driver's REST API until the result stage of the states write (the highest stage id of the
   * running job described {@link #STATES_JOB}) has tasks running, and returns the id of an executor that runs
   * one of them.
   */
  static String executorRunningTheStatesStage(Process p, Path log, int uiPort) throws Exception {
    return pollForExecutor(p, log, uiPort, (http, json, app) -> {
      for (JsonNode job : get(http, json, app + "/jobs?status=running")) {
        if (!job.path("description").asText("").contains(STATES_JOB)) continue;
        int stage = -1;
        for (JsonNode id : job.path("stageIds")) stage = Math.max(stage, id.asInt());
        for (JsonNode attempt : get(http, json, app + "/stages/" + stage)) {
          String executor = runningExecutor(http, json, app, stage, attempt.path("attemptId").asInt());
          if (executor != null) return executor;
        }
      }
      return null;
    });
  }

  /**
   * Polls the driver's REST API until a stage that computes or reads a disk-only RDD has tasks running, and
   * returns the id of an executor that runs one of them.
   */
  static String executorRunningTheEngineStage(Process p, Path log, int uiPort) throws Exception {
    return pollForExecutor(p, log, uiPort, (http, json, app) -> {
      for (JsonNode attempt : get(http, json, app + "/stages?status=active")) {
        if (!readsTheDiskOnlyUnion(http, json, app, attempt)) continue;
        String executor = runningExecutor(http, json, app, attempt.path("stageId").asInt(),
            attempt.path("attemptId").asInt());
        if (executor != null) return executor;
      }
      return null;
    });
  }

  /** Where to look for the stage to disturb, in the application at REST URL {@code app}: an executor or null. */
  private interface StageSearch {
    String executorIn(HttpClient http, ObjectMapper json, String app) throws Exception;
  }

  /** Polls the driver's REST API every 100 ms (for at most 300 s, while the job runs) until {@code search} finds an executor. */
  private static String pollForExecutor(Process p, Path log, int uiPort, StageSearch search) throws Exception {
    ObjectMapper json = new ObjectMapper();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String api = "http://127.0.0.1:" + uiPort + "/api/v1/applications";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (true) {
      assertTrue(p.isAlive(), "the job ended before its engine stage could be disturbed; enlarge the input: "
          + Files.readString(log));
      assertTrue(System.nanoTime() < deadline, "the engine stage never ran tasks: " + Files.readString(log));
      try {
        JsonNode apps = get(http, json, api);
        if (apps.size() > 0) {
          String executor = search.executorIn(http, json, api + "/" + apps.get(0).path("id").asText());
          if (executor != null) return executor;
        }
      } catch (java.io.IOException notYet) {
        // The UI is not up yet, or the stage has not started: poll again.
      }
      Thread.sleep(100);
    }
  }

  /** An executor (not the driver) running a task of the stage attempt, or null. */
  private static String runningExecutor(HttpClient http, ObjectMapper json, String app, int stage, int attempt)
      throws Exception {
    for (JsonNode task : get(http, json, app + "/stages/" + stage + "/" + attempt + "/taskList?length=1000&status=running")) {
      String executor = task.path("executorId").asText("");
      if (!executor.isEmpty() && !executor.equals("driver")) return executor;
    }
    return null;
  }

  /**
   * True when the stage computes (or reads) an RDD stored on disk only: in the smooth job, the summary and
   * quarantine rows the engine kept, or the segmented path's cached rows.
   */
  private static boolean readsTheDiskOnlyUnion(HttpClient http, ObjectMapper json, String app, JsonNode stage)
      throws Exception {
    JsonNode detail = stage.has("rddIds") ? stage
        : get(http, json, app + "/stages/" + stage.path("stageId").asInt() + "/" + stage.path("attemptId").asInt());
    for (JsonNode rdd : detail.path("rddIds")) {
      try {
        String level = get(http, json, app + "/storage/rdd/" + rdd.asInt()).path("storageLevel").asText("");
        if (level.contains("Disk") && !level.contains("Memory")) return true;
      } catch (java.io.IOException notStored) {
        // Not a stored RDD.
      }
    }
    return false;
  }

  private static JsonNode get(HttpClient http, ObjectMapper json, String url) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) throw new java.io.IOException(url + ": HTTP " + response.statusCode());
    return json.readTree(response.body());
  }

  static int freeLoopbackPort() throws java.io.IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String[] fitArgs(Path output, String... extra) {
    List<String> args = new ArrayList<>(List.of("fit", "--input", smallInput.toString(), "--model", model.toString(),
        "--output", output.toString(), "--loss", "prediction", "--optimizer", "adam", "--dropout", "0.1", "--seed", "5",
        "--max-iter", "25", "--tolerance", "0", "--relative-tolerance", "0", "--partitions", "4"));
    args.addAll(List.of(extra));
    return args.toArray(new String[0]);
  }

  /** An uninterrupted fit on the cluster, run once and shared by the fit tests. */
  private static synchronized Path clusterFit() throws Exception {
    Path remote = dir.resolve("fit-cluster");
    if (!Files.exists(remote.resolve("_SUCCESS"))) {
      LocalCluster.Result r = cluster.submitAndWait(cluster.masterUrl(), 600, fitArgs(remote));
      assertEquals(0, r.code, r.output);
    }
    return remote;
  }

  @Test
  void fitOnTheClusterEqualsTheLocalFit() throws Exception {
    Path local = dir.resolve("fit-local");
    LocalCluster.Result l = cluster.submitAndWait("local[2]", 300, fitArgs(local));
    assertEquals(0, l.code, l.output);
    assertSameNumbers(Files.readString(local.resolve("model.json")), Files.readString(clusterFit().resolve("model.json")), 1e-9);
  }

  @Test
  void killingTheDriverMidFitThenResumingEndsAtTheSameParameters() throws Exception {
    Path reference = clusterFit();

    Path killed = dir.resolve("fit-killed");
    Path checkpoints = dir.resolve(".fit-killed.checkpoint");
    Process driver = cluster.submit(cluster.masterUrl(), dir.resolve("fit-killed.log"), fitArgs(killed));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    int reached = -1;
    while (reached < 8) {
      assertTrue(driver.isAlive(), "the fit ended before it could be killed: " + Files.readString(dir.resolve("fit-killed.log")));
      assertTrue(System.nanoTime() < deadline, "no checkpoint appeared");
      reached = latestCheckpoint(checkpoints);
      Thread.sleep(100);
    }
    assertTrue(driver.destroyForcibly().waitFor(60, TimeUnit.SECONDS), "the killed driver did not exit");
    assertFalse(Files.exists(killed.resolve("_SUCCESS")), "a killed fit must not leave finished-looking output");
    assertTrue(latestCheckpoint(checkpoints) >= 8, "the checkpoint must survive the kill");

    LocalCluster.Result resumed = cluster.submitAndWait(cluster.masterUrl(), 600, fitArgs(killed, "--resume"));
    assertEquals(0, resumed.code, resumed.output);
    assertTrue(resumed.output.contains("resuming from"), resumed.output);
    assertTrue(Files.readString(killed.resolve("report.json")).contains("\"resumed\" : true"));
    assertSameNumbers(Files.readString(reference.resolve("model.json")), Files.readString(killed.resolve("model.json")), 1e-9);
    assertFalse(Files.exists(checkpoints), "the checkpoint is removed once the fit is committed");
  }

  private static int latestCheckpoint(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) return -1;
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("checkpoint-\\d+\\.json"))
          .mapToInt(n -> Integer.parseInt(n.replaceAll("\\D", ""))).max().orElse(-1);
    }
  }

  /** The two texts are equal except for numbers, which agree within rel. */
  private static void assertSameNumbers(String a, String b, double rel) {
    String[] ta = a.split("(?<=[\\[\\],: ])|(?=[\\[\\],: ])");
    String[] tb = b.split("(?<=[\\[\\],: ])|(?=[\\[\\],: ])");
    assertEquals(ta.length, tb.length, a + "\nvs\n" + b);
    for (int i = 0; i < ta.length; i++) {
      if (ta[i].equals(tb[i])) continue;
      double x = Double.parseDouble(ta[i]);
      double y = Double.parseDouble(tb[i]);
      assertTrue(Math.abs(x - y) <= rel * Math.max(Math.abs(x), Math.abs(y)), ta[i] + " vs " + tb[i] + " in\n" + a + "\nvs\n" + b);
    }
  }

}
