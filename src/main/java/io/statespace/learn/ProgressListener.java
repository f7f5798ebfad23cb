package io.statespace.learn;

/**
 * Called by {@link FitLoop} after the starting point and after every iteration, once the loop's state
 * includes that row: the place to log a progress line and write a checkpoint ({@link FitLoop#snapshot()}).
 */
@FunctionalInterface
public interface ProgressListener {
  void onIteration(HistoryRow row);
}
