package io.statespace.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An output directory that appears complete or not at all: everything is written under a hidden
 * staging directory next to it ({@code .NAME.tmp-UUID}), then renamed into place (atomic on HDFS and
 * local file systems).
 *
 * <p>Nothing the user did not ask to replace is ever deleted: an output that equals, contains or lies
 * inside an input is refused ({@link OutputPaths}); an existing target is refused unless overwriting
 * was asked for, and even then only a directory this project wrote (it holds the {@link #MARKER} file,
 * or {@code report.json} and {@code _SUCCESS} for outputs written before the marker existed) or an
 * empty one is replaced.
 *
 * <p>Staging directories of runs that were killed are swept by the next run on the same output
 * ({@link StagingSweep}); the run's own staging directory carries a {@link StagingOwner} heartbeat so
 * that a concurrent run never takes it for a stale one.
 */
public final class AtomicOutput {
  private static final Logger LOG = LoggerFactory.getLogger(AtomicOutput.class);

  /** The file that marks a directory as a committed statespace output. */
  public static final String MARKER = "_STATESPACE";
  private static final String LEGACY_REPORT = "report.json";
  private static final String SUCCESS = "_SUCCESS";

  private final FileSystem fs;
  private final Path target;
  private final Path staging;
  private final boolean overwrite;
  private final StagingSweep.Result sweep;
  private final ScheduledExecutorService heartbeat;

  private AtomicOutput(FileSystem fs, Path target, Path staging, boolean overwrite, StagingSweep.Result sweep,
      ScheduledExecutorService heartbeat) {
    this.fs = fs;
    this.target = target;
    this.staging = staging;
    this.overwrite = overwrite;
    this.sweep = sweep;
    this.heartbeat = heartbeat;
  }

  /**
   * Checks the target against the inputs and what exists there, removes stale staging directories of
   * killed runs, and creates this run's staging directory (with its heartbeat).
   *
   * @param inputs the paths the run reads (Hadoop paths or globs); the output may not overlap any of them
   */
  public static AtomicOutput open(String dir, boolean overwrite, Configuration conf, String... inputs) {
    checkTarget(dir, overwrite, conf, inputs);
    try {
      Path target = new Path(dir);
      FileSystem fs = target.getFileSystem(conf);
      target = fs.makeQualified(target);
      StagingSweep.Result sweep = StagingSweep.sweep(fs, target, OutputPaths.qualified(conf, inputs));
      Path staging = new Path(target.getParent(), StagingSweep.prefix(target) + UUID.randomUUID());
      if (!fs.mkdirs(staging)) throw new IOException("cannot create " + staging);
      StagingOwner.write(fs, staging);
      ScheduledExecutorService beat = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "statespace staging heartbeat");
        t.setDaemon(true);
        return t;
      });
      beat.scheduleWithFixedDelay(() -> {
        try {
          StagingOwner.write(fs, staging);
        } catch (IOException | RuntimeException e) {
          LOG.warn("could not refresh the heartbeat of {}: {}", staging, e.getMessage());
        }
      }, StagingOwner.HEARTBEAT_MILLIS, StagingOwner.HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS);
      return new AtomicOutput(fs, target, staging, overwrite, sweep, beat);
    } catch (IOException e) {
      throw new OutputException("output " + dir + ": " + e.getMessage());
    }
  }

  /**
   * Fails (one line naming both paths) when the output overlaps an input, when it exists and overwriting
   * was not asked for, or when it exists and is not a directory this project wrote.
   */
  public static void checkTarget(String dir, boolean overwrite, Configuration conf, String... inputs) {
    OutputPaths.checkDisjoint("output", dir, conf, inputs);
    try {
      Path target = new Path(dir);
      FileSystem fs = target.getFileSystem(conf);
      target = fs.makeQualified(target);
      if (target.getParent() == null) throw new OutputException("output " + target + ": the root cannot be an output directory");
      checkReplaceable(fs, target, overwrite);
    } catch (IOException e) {
      throw new OutputException("output " + dir + ": " + e.getMessage());
    }
  }

  /**
   * Fails (one line naming both paths) when {@code path} equals, contains or lies inside one of the
   * {@code inputs}; {@code what} names the path in the message.
   */
  public static void checkDisjoint(String what, String path, Configuration conf, String... inputs) {
    OutputPaths.checkDisjoint(what, path, conf, inputs);
  }

  private static void checkReplaceable(FileSystem fs, Path target, boolean overwrite) throws IOException {
    if (!fs.exists(target)) return;
    if (!overwrite) throw new OutputException("output " + target + " already exists (pass --overwrite to replace it)");
    FileStatus status = fs.getFileStatus(target);
    if (!status.isDirectory()) {
      throw new OutputException("output " + target + " is a file, not an output directory of statespace; not replaced, even with --overwrite");
    }
    if (!isProjectOutput(fs, target) && fs.listStatus(target).length > 0) {
      throw new OutputException("output " + target + " exists and was not written by statespace (no " + MARKER
          + " file); not replaced, even with --overwrite");
    }
  }

  /** True for a directory a statespace job committed: the marker, or an older output's report.json and _SUCCESS. */
  static boolean isProjectOutput(FileSystem fs, Path dir) throws IOException {
    return fs.isFile(new Path(dir, MARKER))
        || (fs.isFile(new Path(dir, LEGACY_REPORT)) && fs.isFile(new Path(dir, SUCCESS)));
  }

  /** Where a part named {@code name} is written before the commit. */
  public String part(String name) {
    return new Path(staging, name).toString();
  }

  public void writeText(String name, String text) {
    try (OutputStream out = fs.create(new Path(staging, name), true)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new OutputException("cannot write " + name + ": " + e.getMessage());
    }
  }

  /** Moves the staging directory into place; an existing target is replaced only under the rules of {@link #checkTarget}. */
  public void commit() {
    try {
      stopHeartbeat();
      fs.delete(new Path(staging, StagingOwner.FILE), false);
      writeText(SUCCESS, "");
      writeText(MARKER, "a statespace output directory: statespace --overwrite may replace it\n");
      if (fs.exists(target)) {
        if (!overwrite) throw new OutputException("output " + target + " appeared while the job ran; not replaced");
        checkReplaceable(fs, target, true);
        if (!fs.delete(target, true)) throw new IOException("cannot delete the old " + target);
      }
      if (!fs.rename(staging, target)) throw new IOException("cannot rename " + staging + " to " + target);
    } catch (IOException e) {
      throw new OutputException("output " + target + ": " + e.getMessage());
    }
  }

  /**
   * Deletes the staging directory after a failure. Never throws, so that it cannot hide the failure
   * being handled; a directory it cannot delete is reported on stderr.
   */
  public void abortQuietly() {
    stopHeartbeat();
    try {
      fs.delete(staging, true);
    } catch (IOException | RuntimeException e) {
      System.err.println("warning: could not remove staging directory " + staging + ": " + e.getMessage());
    }
  }

  private void stopHeartbeat() {
    heartbeat.shutdownNow();
    try {
      heartbeat.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public String target() {
    return target.toString();
  }

  /** This run's staging directory. */
  String staging() {
    return staging.toString();
  }

  /** What opening this output did with the staging directories of other runs. */
  StagingSweep.Result sweep() {
    return sweep;
  }

  /** The output cannot be written where asked. */
  public static final class OutputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public OutputException(String message) {
      super(message);
    }
  }
}
