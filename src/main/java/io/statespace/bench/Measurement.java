package io.statespace.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.function.DoubleSupplier;

/**
 * Times one workload the way a benchmark should: warm-up runs until the JIT has settled (at least
 * {@code warmupRuns} runs and {@code warmupSeconds} of work), then {@code runs} timed runs; reports the median
 * wall-clock time and the median bytes allocated per run by all threads (HotSpot's per-thread allocation
 * counters). The workload returns a checksum that is kept, so the JIT cannot drop the work.
 */
public final class Measurement {
  public final double medianSeconds;
  public final double bytesPerRun;
  public final double checksum;

  private Measurement(double medianSeconds, double bytesPerRun, double checksum) {
    this.medianSeconds = medianSeconds;
    this.bytesPerRun = bytesPerRun;
    this.checksum = checksum;
  }

  public static Measurement of(DoubleSupplier workload, int warmupRuns, double warmupSeconds, int runs) {
    long warmStart = System.nanoTime();
    double checksum = 0.0;
    for (int i = 0; i < warmupRuns || (System.nanoTime() - warmStart) / 1e9 < warmupSeconds; i++) {
      checksum = workload.getAsDouble();
    }
    double[] seconds = new double[runs];
    double[] bytes = new double[runs];
    for (int i = 0; i < runs; i++) {
      long allocated = allocatedBytes();
      long start = System.nanoTime();
      checksum = workload.getAsDouble();
      seconds[i] = (System.nanoTime() - start) / 1e9;
      bytes[i] = allocatedBytes() - allocated;
    }
    return new Measurement(median(seconds), median(bytes), checksum);
  }

  /** Steps per second at the median time. */
  public double rate(long steps) {
    return steps / medianSeconds;
  }

  public static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int k = v.length / 2;
    return v.length % 2 == 1 ? v[k] : 0.5 * (v[k - 1] + v[k]);
  }

  /** Bytes allocated so far by all live threads, or 0 where the JVM does not count them. */
  static long allocatedBytes() {
    java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    if (!(mx instanceof com.sun.management.ThreadMXBean)) return 0L;
    com.sun.management.ThreadMXBean hotspot = (com.sun.management.ThreadMXBean) mx;
    long total = 0;
    for (long b : hotspot.getThreadAllocatedBytes(mx.getAllThreadIds())) {
      if (b > 0) total += b;
    }
    return total;
  }
}
