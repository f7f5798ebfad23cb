package io.statespace.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The heartbeat file ({@value #FILE}) inside a run's staging directory: the driver's host, process id
 * and process start, and the time of the last beat, rewritten every {@link #HEARTBEAT_MILLIS} by a
 * daemon thread of the run that owns the directory (and deleted before the commit). Another run on the
 * same output takes the directory for stale only when the beat is older than {@link #STALE_MILLIS}, or
 * when the owner ran on the same host, that process is gone and the beat is more than two periods old.
 */
record StagingOwner(String host, long pid, long processStart, long heartbeat) {
  static final String FILE = "_RUNNING";
  static final long HEARTBEAT_MILLIS = 30_000L;
  static final long STALE_MILLIS = 10 * 60_000L;

  /** This process, beating now. */
  static StagingOwner current() {
    ProcessHandle self = ProcessHandle.current();
    return new StagingOwner(hostName(), self.pid(), startOf(self), System.currentTimeMillis());
  }

  static void write(FileSystem fs, Path staging) throws IOException {
    write(fs, staging, current());
  }

  static void write(FileSystem fs, Path staging, StagingOwner owner) throws IOException {
    try (OutputStream out = fs.create(new Path(staging, FILE), true)) {
      out.write(owner.toText().getBytes(StandardCharsets.UTF_8));
    }
  }

  /** The owner recorded in a staging directory; empty when there is no readable heartbeat file. */
  static Optional<StagingOwner> read(FileSystem fs, Path staging) {
    Path file = new Path(staging, FILE);
    try (InputStream in = fs.open(file)) {
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  String toText() {
    return "host=" + host + "\npid=" + pid + "\nprocess_start=" + processStart + "\nheartbeat=" + heartbeat + "\n";
  }

  static Optional<StagingOwner> parse(String text) {
    String host = null;
    Long pid = null;
    Long start = null;
    Long beat = null;
    for (String line : text.split("\n")) {
      int eq = line.indexOf('=');
      if (eq < 0) continue;
      String key = line.substring(0, eq);
      String value = line.substring(eq + 1).trim();
      try {
        switch (key) {
          case "host" -> host = value;
          case "pid" -> pid = Long.parseLong(value);
          case "process_start" -> start = Long.parseLong(value);
          case "heartbeat" -> beat = Long.parseLong(value);
          default -> { }
        }
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
    if (host == null || pid == null || start == null || beat == null) return Optional.empty();
    return Optional.of(new StagingOwner(host, pid, start, beat));
  }

  /**
   * Why the run that wrote this heartbeat is certainly gone at {@code now}, or null when it may still be
   * writing.
   */
  String goneBecause(long now) {
    long age = now - heartbeat;
    if (age > STALE_MILLIS) return "no heartbeat for " + age / 1000 + " s";
    if (age > 2 * HEARTBEAT_MILLIS && host.equals(hostName())) {
      Optional<ProcessHandle> process = ProcessHandle.of(pid);
      if (process.isEmpty() || !process.get().isAlive()) return "its process " + pid + " on " + host + " has ended";
      long start = startOf(process.get());
      if (processStart != 0 && start != 0 && start != processStart) {
        return "its process " + pid + " on " + host + " has ended (the id now belongs to another process)";
      }
    }
    return null;
  }

  private static long startOf(ProcessHandle process) {
    return process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
  }

  static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      String env = System.getenv("HOSTNAME");
      return env != null ? env : "unknown";
    }
  }
}
