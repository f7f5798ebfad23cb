package io.statespace.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An output directory that appears complete or not at all: everything is written under a hidden
 * staging directory next to it, then renamed into place (atomic on HDFS and local file systems). An
 * existing directory is refused unless overwriting was asked for.
 */
public final class AtomicOutput {
  private final FileSystem fs;
  private final Path target;
  private final Path staging;
  private final boolean overwrite;

  private AtomicOutput(FileSystem fs, Path target, Path staging, boolean overwrite) {
    this.fs = fs;
    this.target = target;
    this.staging = staging;
    this.overwrite = overwrite;
  }

  /** Checks the target and creates the staging directory. */
  public static AtomicOutput open(String dir, boolean overwrite, Configuration conf) {
    try {
      Path target = new Path(dir);
      FileSystem fs = target.getFileSystem(conf);
      target = fs.makeQualified(target);
      checkTarget(fs, target, overwrite);
      Path staging = new Path(target.getParent(), "." + target.getName() + ".tmp-" + UUID.randomUUID());
      if (!fs.mkdirs(staging)) throw new IOException("cannot create " + staging);
      return new AtomicOutput(fs, target, staging, overwrite);
    } catch (IOException e) {
      throw new OutputException("output " + dir + ": " + e.getMessage());
    }
  }

  /** Fails when the target exists and overwriting was not asked for. */
  public static void checkTarget(String dir, boolean overwrite, Configuration conf) {
    try {
      Path target = new Path(dir);
      checkTarget(target.getFileSystem(conf), target, overwrite);
    } catch (IOException e) {
      throw new OutputException("output " + dir + ": " + e.getMessage());
    }
  }

  private static void checkTarget(FileSystem fs, Path target, boolean overwrite) throws IOException {
    if (fs.exists(target) && !overwrite) {
      throw new OutputException("output " + target + " already exists (pass --overwrite to replace it)");
    }
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

  /** Moves the staging directory into place. */
  public void commit() {
    try {
      writeText("_SUCCESS", "");
      if (fs.exists(target)) {
        if (!overwrite) throw new OutputException("output " + target + " appeared while the job ran; not replaced");
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
    try {
      fs.delete(staging, true);
    } catch (IOException | RuntimeException e) {
      System.err.println("warning: could not remove staging directory " + staging + ": " + e.getMessage());
    }
  }

  public String target() {
    return target.toString();
  }

  /** The output cannot be written where asked. */
  public static final class OutputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public OutputException(String message) {
      super(message);
    }
  }
}
