package io.statespace.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Fit checkpoints on any Hadoop file system, written so that a killed driver never leaves a torn one:
 * each checkpoint goes to a temporary file that is then renamed to {@code checkpoint-<iteration>.json}
 * (a new name, so no rename ever overwrites), and older ones are deleted afterwards. The latest complete
 * file wins on resume. The directory sits next to the output, {@code .<name>.checkpoint}, because the
 * output itself only appears when the fit is done.
 */
final class CheckpointStore {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CheckpointStore.class);
  private static final String PREFIX = "checkpoint-";
  private static final String SUFFIX = ".json";

  private final FileSystem fs;
  private final Path dir;

  CheckpointStore(String output, Configuration conf) {
    try {
      Path target = new Path(output);
      this.fs = target.getFileSystem(conf);
      Path qualified = fs.makeQualified(target);
      this.dir = new Path(qualified.getParent(), "." + qualified.getName() + ".checkpoint");
    } catch (IOException e) {
      throw new AtomicOutput.OutputException("checkpoint for " + output + ": " + e.getMessage());
    }
  }

  String location() {
    return dir.toString();
  }

  void save(int iteration, String json) {
    try {
      fs.mkdirs(dir);
      Path tmp = new Path(dir, "." + PREFIX + iteration + SUFFIX + ".tmp");
      try (OutputStream out = fs.create(tmp, true)) {
        out.write(json.getBytes(StandardCharsets.UTF_8));
      }
      Path done = new Path(dir, PREFIX + iteration + SUFFIX);
      if (fs.exists(done)) fs.delete(done, false);
      if (!fs.rename(tmp, done)) throw new IOException("cannot rename " + tmp + " to " + done);
      for (FileStatus f : fs.listStatus(dir)) {
        int k = iterationOf(f.getPath().getName());
        if (k >= 0 && k < iteration) fs.delete(f.getPath(), false);
      }
    } catch (IOException e) {
      throw new AtomicOutput.OutputException("cannot write checkpoint in " + dir + ": " + e.getMessage());
    }
  }

  /** The latest checkpoint's text, or null when there is none. */
  String latest() {
    try {
      if (!fs.exists(dir)) return null;
      Path best = null;
      int bestIteration = -1;
      for (FileStatus f : fs.listStatus(dir)) {
        int k = iterationOf(f.getPath().getName());
        if (k > bestIteration) {
          bestIteration = k;
          best = f.getPath();
        }
      }
      if (best == null) return null;
      try (InputStream in = fs.open(best)) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new AtomicOutput.OutputException("cannot read checkpoint in " + dir + ": " + e.getMessage());
    }
  }

  /** True when a complete checkpoint exists. */
  boolean exists() {
    try {
      if (!fs.exists(dir)) return false;
      for (FileStatus f : fs.listStatus(dir)) {
        if (iterationOf(f.getPath().getName()) >= 0) return true;
      }
      return false;
    } catch (IOException e) {
      throw new AtomicOutput.OutputException("cannot read checkpoint directory " + dir + ": " + e.getMessage());
    }
  }

  /**
   * Deletes the checkpoint files this store writes (complete and temporary), then the directory when nothing else
   * is left in it; anything else found there is left alone and named in the log.
   */
  void delete() {
    try {
      if (!fs.exists(dir)) return;
      for (FileStatus f : fs.listStatus(dir)) {
        if (isOurs(f.getPath().getName())) fs.delete(f.getPath(), false);
      }
      FileStatus[] rest = fs.listStatus(dir);
      if (rest.length == 0) {
        fs.delete(dir, false);
      } else {
        LOG.warn("checkpoint directory {} also holds {} file(s) statespace did not write (e.g. {}): left alone", dir,
            rest.length, rest[0].getPath().getName());
      }
    } catch (IOException e) {
      throw new AtomicOutput.OutputException("cannot delete checkpoint " + dir + ": " + e.getMessage());
    }
  }

  /** A checkpoint file or one of its temporary files. */
  private static boolean isOurs(String name) {
    if (iterationOf(name) >= 0) return true;
    return name.startsWith("." + PREFIX) && name.endsWith(SUFFIX + ".tmp")
        && iterationOf(name.substring(1, name.length() - ".tmp".length())) >= 0;
  }

  private static int iterationOf(String name) {
    if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX)) return -1;
    try {
      return Integer.parseInt(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
