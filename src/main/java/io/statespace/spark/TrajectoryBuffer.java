package io.statespace.spark;

import java.util.Arrays;

/**
 * Growable primitive storage for the rows of one trajectory while it is being assembled: exact times
 * (whole seconds and fraction, see {@link TimeKey}), observations (NaN = missing), inputs, and the original
 * id and time values to write back. Reused
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
  long[] seconds;
  double[] fractions;
  double[] obs;
  double[] inputs;
  Object[] timeValues;

  TrajectoryBuffer(int obsDim, int inputDim) {
    this.obsDim = obsDim;
    this.inputDim = inputDim;
    allocate(INITIAL);
  }

  private void allocate(int capacity) {
    seconds = new long[capacity];
    fractions = new double[capacity];
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
    if (seconds.length > KEEP) {
      allocate(INITIAL);
    } else {
      timeValues = new Object[seconds.length];
    }
    return taken;
  }

  void add(long wholeSeconds, double fraction, Object timeValue, double[] y, double[] u) {
    int slot = append(wholeSeconds, fraction, timeValue);
    System.arraycopy(y, 0, obs, slot * obsDim, obsDim);
    System.arraycopy(u, 0, inputs, slot * inputDim, inputDim);
  }

  /**
   * Appends a row's time and time value and returns its slot, whose observations ({@code obs} from slot × obsDim)
   * and inputs ({@code inputs} from slot × inputDim) the caller then writes in place.
   */
  int append(long wholeSeconds, double fraction, Object timeValue) {
    if (size == seconds.length) {
      int cap = size * 2;
      seconds = Arrays.copyOf(seconds, cap);
      fractions = Arrays.copyOf(fractions, cap);
      timeValues = Arrays.copyOf(timeValues, cap);
      obs = Arrays.copyOf(obs, cap * obsDim);
      inputs = Arrays.copyOf(inputs, cap * inputDim);
    }
    seconds[size] = wholeSeconds;
    fractions[size] = fraction;
    timeValues[size] = timeValue;
    return size++;
  }

  /** Moves row {@code from} to position {@code to} (to ≤ from), for compaction. */
  void move(int from, int to) {
    seconds[to] = seconds[from];
    fractions[to] = fractions[from];
    timeValues[to] = timeValues[from];
    System.arraycopy(obs, from * obsDim, obs, to * obsDim, obsDim);
    System.arraycopy(inputs, from * inputDim, inputs, to * inputDim, inputDim);
  }

  /** True when rows i and j have the same time, exactly. */
  boolean sameTime(int i, int j) {
    return seconds[i] == seconds[j] && fractions[i] == fractions[j];
  }

  /** The first {@code count} times in seconds relative to the first: exact differences, rounded once. */
  double[] relativeTimes(int count) {
    return relativeTimes(count, null);
  }

  /** The first {@code count} times in seconds relative to {@code origin} (null: the first time). */
  double[] relativeTimes(int count, TimeKey origin) {
    double[] out = new double[count];
    if (count == 0) return out;
    if (origin == null) origin = new TimeKey(seconds[0], fractions[0]);
    for (int t = 0; t < count; t++) out[t] = new TimeKey(seconds[t], fractions[t]).since(origin);
    return out;
  }

  /** Drops the time values held for output, so a finished trajectory's objects can be collected. */
  void release() {
    Arrays.fill(timeValues, 0, Math.min(size, timeValues.length), null);
  }
}
