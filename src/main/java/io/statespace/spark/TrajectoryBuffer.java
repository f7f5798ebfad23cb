package io.statespace.spark;

import java.util.Arrays;

/**
 * Growable primitive storage for the rows of one trajectory while it is being assembled: times,
 * observations (NaN = missing), inputs, and the original id and time values to write back. Reused
 * across trajectories of a partition; after a very long trajectory it shrinks back, so that its arrays
 * do not outlive it.
 */
final class TrajectoryBuffer {
  private static final int INITIAL = 64;
  private static final int KEEP = 1 << 16;

  private final int obsDim;
  private final int inputDim;
  Object id;
  String key;
  int size;
  double[] times;
  double[] obs;
  double[] inputs;
  Object[] timeValues;

  TrajectoryBuffer(int obsDim, int inputDim) {
    this.obsDim = obsDim;
    this.inputDim = inputDim;
    allocate(INITIAL);
  }

  private void allocate(int capacity) {
    times = new double[capacity];
    obs = new double[capacity * obsDim];
    inputs = new double[capacity * inputDim];
    timeValues = new Object[capacity];
  }

  void reset(String newKey, Object newId) {
    key = newKey;
    id = newId;
    size = 0;
  }

  /**
   * Hands the time values over to the caller (no copy) once the rest has been copied out, and starts fresh
   * arrays for the next trajectory (small ones again after a very long trajectory).
   */
  Object[] handOverTimeValues() {
    Object[] taken = timeValues;
    if (times.length > KEEP) {
      allocate(INITIAL);
    } else {
      timeValues = new Object[times.length];
    }
    return taken;
  }

  void add(double time, Object timeValue, double[] y, double[] u) {
    if (size == times.length) {
      int cap = size * 2;
      times = Arrays.copyOf(times, cap);
      timeValues = Arrays.copyOf(timeValues, cap);
      obs = Arrays.copyOf(obs, cap * obsDim);
      inputs = Arrays.copyOf(inputs, cap * inputDim);
    }
    times[size] = time;
    timeValues[size] = timeValue;
    System.arraycopy(y, 0, obs, size * obsDim, obsDim);
    System.arraycopy(u, 0, inputs, size * inputDim, inputDim);
    size++;
  }

  /** Moves row {@code from} to position {@code to} (to ≤ from), for compaction. */
  void move(int from, int to) {
    times[to] = times[from];
    timeValues[to] = timeValues[from];
    System.arraycopy(obs, from * obsDim, obs, to * obsDim, obsDim);
    System.arraycopy(inputs, from * inputDim, inputs, to * inputDim, inputDim);
  }

  /** Drops the time values held for output, so a finished trajectory's objects can be collected. */
  void release() {
    Arrays.fill(timeValues, 0, Math.min(size, timeValues.length), null);
  }
}
