package io.statespace.execution;

import java.util.function.Consumer;
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

  private final Consumer<String> warn;
  private long count;

  FallbackLog() {
    this(LOG::warn);
  }

  /** @param warn where the WARN lines go (the logger; a list in tests) */
  FallbackLog(Consumer<String> warn) {
    this.warn = warn;
  }

  void record(String trajectoryId, Engine failed, String reason) {
    count++;
    if (count <= LOGGED) {
      warn.accept("trajectory '" + trajectoryId + "': the " + failed.label() + " engine failed (" + reason
          + "); smoothing it with the sequential engine");
    } else if (count == LOGGED + 1) {
      warn.accept("more than " + LOGGED + " fallbacks to the sequential engine in this task: the rest are counted, "
          + "not logged");
    }
  }

  long count() {
    return count;
  }

  void close() {
    if (count > LOGGED) {
      warn.accept(count + " fallbacks to the sequential engine in this task (" + (count - LOGGED)
          + " not logged one by one)");
    }
  }
}
