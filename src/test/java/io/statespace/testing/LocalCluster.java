package io.statespace.testing;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Drives {@code jobs/local-cluster.sh} for tests: a real standalone master and two workers on 127.0.0.1
 * run from this JVM's classpath, an application jar built from target/classes, and {@code SparkSubmit}
 * child processes. {@link #close()} stops every process it started.
 */
public final class LocalCluster implements AutoCloseable {
  private final Path dir;
  private final String classpath;
  private final Path appJar;
  private final String masterUrl;

  private LocalCluster(Path dir, String classpath, Path appJar, String masterUrl) {
    this.dir = dir;
    this.classpath = classpath;
    this.appJar = appJar;
    this.masterUrl = masterUrl;
  }

  /** Starts the cluster under {@code dir} (state, logs, work directories). */
  public static LocalCluster start(Path dir) throws IOException, InterruptedException {
    String classpath = System.getProperty("java.class.path");
    String jars = Arrays.stream(classpath.split(File.pathSeparator)).filter(p -> p.endsWith(".jar"))
        .collect(Collectors.joining(File.pathSeparator));
    Path appJar = buildAppJar(dir.resolve("app.jar"));
    ProcessBuilder pb = script("start", dir, jars);
    Result r = run(pb, 120);
    if (r.code != 0) throw new IllegalStateException("local-cluster start failed: " + r.output);
    String url = r.output.lines().filter(l -> l.startsWith("spark://")).reduce((a, b) -> b)
        .orElseThrow(() -> new IllegalStateException("no master URL in: " + r.output));
    LocalCluster cluster = new LocalCluster(dir, classpath, appJar, url);
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::stopQuietly));
    return cluster;
  }

  private static ProcessBuilder script(String verb, Path dir, String jars) {
    ProcessBuilder pb = new ProcessBuilder("bash", "jobs/local-cluster.sh", verb);
    pb.environment().put("STATESPACE_CLUSTER_DIR", dir.toString());
    pb.environment().put("STATESPACE_CLASSPATH", jars);
    pb.environment().put("STATESPACE_WORKER_MEMORY", "1g");
    pb.environment().remove("SPARK_HOME");
    return pb;
  }

  public String masterUrl() {
    return masterUrl;
  }

  public Path dir() {
    return dir;
  }

  /** Starts {@code SparkSubmit --class io.statespace.cli.Main app.jar ARGS} against {@code master}. */
  public Process submit(String master, Path log, String... args) throws IOException {
    return submit(master, log, List.of(), args);
  }

  /** As {@link #submit(String, Path, String...)} with extra Spark settings ({@code key=value}, one per entry). */
  public Process submit(String master, Path log, List<String> conf, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(javaCommand());
    cmd.addAll(List.of("-cp", classpath, "org.apache.spark.deploy.SparkSubmit", "--master", master,
        "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
        "--conf", "spark.executor.memory=768m"));
    for (String c : conf) cmd.addAll(List.of("--conf", c));
    cmd.addAll(List.of("--class", "io.statespace.cli.Main", appJar.toString()));
    cmd.addAll(Arrays.asList(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().remove("SPARK_HOME");
    return pb.start();
  }

  /** Runs a submission to completion (bounded by {@code seconds}) and returns its exit code and output. */
  public Result submitAndWait(String master, int seconds, String... args) throws IOException, InterruptedException {
    Path log = Files.createTempFile(dir, "submit-", ".log");
    Process p = submit(master, log, args);
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      throw new IllegalStateException("submission timed out after " + seconds + " s: " + Files.readString(log));
    }
    return new Result(p.exitValue(), Files.readString(log));
  }

  /** The executor JVMs the workers launched (command lines naming CoarseGrainedExecutorBackend). */
  public List<ProcessHandle> executors() {
    String marker = dir.toString();
    try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
      return all.filter(h -> h.info().commandLine().map(c -> c.contains("CoarseGrainedExecutorBackend")
          && c.contains(marker)).orElse(false)).collect(Collectors.toList());
    }
  }

  /** The executor JVM that runs Spark executor {@code executorId} (its command line names it). */
  public java.util.Optional<ProcessHandle> executor(String executorId) {
    return executors().stream().filter(h -> h.info().commandLine().map(c -> c.contains("--executor-id " + executorId + " "))
        .orElse(false)).findFirst();
  }

  /** The master and worker daemons and their executors. */
  public List<Long> pids() throws IOException {
    List<Long> pids = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".pid"))::iterator) {
        long pid = Long.parseLong(Files.readString(f).trim());
        pids.add(pid);
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
      }
    }
    return pids;
  }

  @Override
  public void close() throws IOException, InterruptedException {
    Result r = run(script("stop", dir, ""), 60);
    if (r.code != 0) throw new IllegalStateException("local-cluster stop failed: " + r.output);
  }

  private void stopQuietly() {
    try {
      close();
    } catch (Exception e) {
      System.err.println("local cluster stop: " + e);
    }
  }

  /** A finished process. */
  public static final class Result {
    public final int code;
    public final String output;

    Result(int code, String output) {
      this.code = code;
      this.output = output;
    }
  }

  /**
   * Runs a script to completion within {@code seconds}. Its output goes to a file, not a pipe: the daemons
   * it starts inherit the descriptor, and a pipe they keep open would block a reader forever.
   */
  private static Result run(ProcessBuilder pb, int seconds) throws IOException, InterruptedException {
    Path log = Files.createTempFile("local-cluster-", ".log");
    try {
      pb.redirectErrorStream(true).redirectOutput(log.toFile());
      Process p = pb.start();
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        throw new IllegalStateException("timed out after " + seconds + " s: " + pb.command() + ": "
            + Files.readString(log, StandardCharsets.UTF_8));
      }
      return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static List<String> javaCommand() {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    for (String arg : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens") || arg.startsWith("-XX:+IgnoreUnrecognized") || arg.startsWith("-Djdk.reflect")
          || arg.startsWith("-Dio.netty")) {
        cmd.add(arg);
      }
    }
    cmd.add("-Dlog4j2.configurationFile=" + Path.of("conf/log4j2.properties").toAbsolutePath());
    return cmd;
  }

  /** The application jar spark-submit ships to executors: target/classes zipped. */
  private static Path buildAppJar(Path jar) throws IOException {
    Path classes = Path.of("target/classes");
    Files.createDirectories(jar.getParent());
    try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os);
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
        Files.copy(f, out);
        out.closeEntry();
      }
    }
    return jar;
  }
}
