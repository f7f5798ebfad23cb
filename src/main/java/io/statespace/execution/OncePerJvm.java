package io.statespace.execution;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers which lines this JVM (an executor, or the driver in local mode) has already logged, so that a
 * decision every task reaches the same way ("auto: no usable GPU (...)") is logged once per executor instead of
 * once per task. At most {@link #CAPACITY} distinct lines are remembered; beyond that every line counts as new,
 * so memory stays bounded and nothing is hidden that was never shown.
 */
final class OncePerJvm {
  static final int CAPACITY = 1024;
  private static final Set<String> SEEN = ConcurrentHashMap.newKeySet();

  private OncePerJvm() {}

  /** True the first time this JVM sees {@code line} (thread-safe). */
  static boolean first(String line) {
    if (SEEN.contains(line)) return false;
    if (SEEN.size() >= CAPACITY) return true;
    return SEEN.add(line);
  }
}
