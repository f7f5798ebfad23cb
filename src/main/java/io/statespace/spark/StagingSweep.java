package io.statespace.spark;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the staging directories ({@code .NAME.tmp-*}) that killed runs left next to an output, when
 * opening that output again. A directory is removed only when its {@link StagingOwner} heartbeat shows its
 * run is gone; one without a readable heartbeat (written by an older version, or by a run that has just
 * created it) and one whose run is alive are left alone and named in the log. A directory that holds or
 * lies inside an input is never touched.
 */
final class StagingSweep {
  private static final Logger LOG = LoggerFactory.getLogger(StagingSweep.class);

  private StagingSweep() {}

  /** What a sweep did: directories removed (with why), and those left alone (with why). */
  record Result(List<String> removed, List<String> kept) {
    Result {
      removed = List.copyOf(removed);
      kept = List.copyOf(kept);
    }
  }

  /** The name prefix of the staging directories of {@code target}. */
  static String prefix(Path target) {
    return "." + target.getName() + ".tmp-";
  }

  static Result sweep(FileSystem fs, Path target, List<Path> inputs) throws IOException {
    List<String> removed = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    Path parent = target.getParent();
    if (parent == null || !fs.exists(parent)) return new Result(removed, kept);
    String prefix = prefix(target);
    long now = System.currentTimeMillis();
    for (FileStatus s : fs.listStatus(parent, p -> p.getName().startsWith(prefix))) {
      Path dir = s.getPath();
      if (!s.isDirectory()) continue;
      if (overlapsInput(dir, inputs)) {
        kept.add(dir + " (an input)");
        continue;
      }
      Optional<StagingOwner> owner = StagingOwner.read(fs, dir);
      if (owner.isEmpty()) {
        LOG.warn("staging directory {} has no heartbeat ({}): left alone; delete it by hand if no run is writing it",
            dir, StagingOwner.FILE);
        kept.add(dir + " (no heartbeat)");
        continue;
      }
      String gone = owner.get().goneBecause(now);
      if (gone == null) {
        LOG.info("staging directory {} belongs to a run that is still writing (pid {} on {}): left alone", dir,
            owner.get().pid(), owner.get().host());
        kept.add(dir + " (running)");
        continue;
      }
      if (fs.delete(dir, true)) {
        LOG.warn("removed the staging directory {} of a killed run: {}", dir, gone);
        removed.add(dir + " (" + gone + ")");
      } else {
        LOG.warn("could not remove the stale staging directory {} ({})", dir, gone);
        kept.add(dir + " (could not delete)");
      }
    }
    return new Result(removed, kept);
  }

  private static boolean overlapsInput(Path dir, List<Path> inputs) {
    for (Path input : inputs) {
      if (OutputPaths.relation(dir, input) != null) return true;
    }
    return false;
  }
}
