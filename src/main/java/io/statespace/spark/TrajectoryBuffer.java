package io.statespace.spark;

import java.util.Arrays;

/**
 * Growable primitive storage for the rows of one trajectory while it is being assembled: times,
 * observations (NaN = missing), inputs, and the original id and time values to write back. Reused
 * across trajectories of a partition.
 */
final class TrajectoryBuffer {
  private final int obsDim;
  private final int inputDim;
  Object id;
  String key;
  int size;
  double[] times = new double[64];
  double[] obs;
  double[] inputs;
  Object[] timeValues = new Object[64];

  TrajectoryBuffer(int obsDim, int inputDim) {
    this.obsDim = obsDim;
    this.inputDim = inputDim;
    obs = new double[64 * obsDim];
    inputs = new double[64 * inputDim];
  }

  void reset(String newKey, Object newId) {
    key = newKey;
    id = newId;
    size = 0;
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
    Arrays.fill(timeValues, 0, size, null);
  }
}
