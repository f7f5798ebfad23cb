package io.statespace.spark;

import java.io.Serializable;

/**
 * A time as an exact, sortable key: whole seconds toward zero and the signed rest of a second (same sign,
 * |rest| < 1). Integers, timestamps (to the nanosecond) and doubles are held exactly; a decimal's fraction is
 * exact up to 15 significant digits. Ordering by (seconds, fraction) is the ordering of the times, and
 * {@link #since} takes differences before rounding, so that 1 µs steps at 1.7e18 keep their dt.
 */
record TimeKey(long seconds, double fraction) implements Comparable<TimeKey>, Serializable {
  private static final long serialVersionUID = 1L;

  TimeKey {
    fraction = fraction + 0.0;
  }

  /** From epoch seconds (floored) and a nanosecond of that second (0 to 999,999,999). */
  static TimeKey ofNanos(long floorSeconds, int nanos) {
    if (floorSeconds < 0 && nanos > 0) return new TimeKey(floorSeconds + 1, (nanos - 1_000_000_000) / 1e9);
    return new TimeKey(floorSeconds, nanos / 1e9);
  }

  /** This time minus {@code origin} in seconds: exact whole seconds, then the fractions, one rounding at the end. */
  double since(TimeKey origin) {
    long whole = seconds - origin.seconds;
    boolean overflow = ((seconds ^ origin.seconds) & (seconds ^ whole)) < 0;
    double wholeSeconds = overflow ? (double) seconds - (double) origin.seconds : (double) whole;
    return wholeSeconds + (fraction - origin.fraction);
  }

  @Override
  public int compareTo(TimeKey o) {
    int c = Long.compare(seconds, o.seconds);
    return c != 0 ? c : Double.compare(fraction, o.fraction);
  }
}
