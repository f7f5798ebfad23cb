package io.statespace.execution;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WARN line per fallback to the sequential engine, naming the trajectory, the engine that failed and
 * why; after {@link #LOGGED} lines in a task the rest are only counted (report.json's trajectories_by_engine
 * has them all), and closing the task logs how many were not shown.
 */
final class FallbackLog {
  private static final Logger LOG = LoggerFactory.getLogger(FallbackLog.class);
  /** Fallbacks logged one by one per task. */
  static final int LOGGED = 20;

  private long count;

  void record(String trajectoryId, Engine failed, String reason) {
    count++;
    if (count <= LOGGED) {
      LOG.warn("trajectory '{}': the {} engine failed ({}); smoothing it with the sequential engine", trajectoryId,
          failed.label(), reason);
    } else if (count == LOGGED + 1) {
      LOG.warn("more than {} fallbacks to the sequential engine in this task: the rest are counted, not logged", LOGGED);
    }
  }

  long count() {
    return count;
  }

  void close() {
    if (count > LOGGED) {
      LOG.warn("{} fallbacks to the sequential engine in this task ({} not logged one by one)", count, count - LOGGED);
    }
  }
}
