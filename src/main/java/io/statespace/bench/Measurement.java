package io.statespace.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * Times workloads the way a benchmark should: warm-up runs until the JIT has settled (at least
 * {@code warmupRuns} runs and {@code warmupSeconds} of work), then {@code runs} timed runs; reports the median
 * wall-clock time and the median bytes allocated per run by all threads (HotSpot's per-thread allocation
 * counters). A workload returns a checksum that is kept, so the JIT cannot drop the work.
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
    return interleaved(List.of(workload), warmupRuns, warmupSeconds, runs)[0];
  }

  /**
   * Warms every workload up in turn, then times them round-robin, one run of each per round, so that on a
   * machine shared with other jobs every workload sees the same mix of quiet and busy moments.
   */
  public static Measurement[] interleaved(List<DoubleSupplier> workloads, int warmupRuns, double warmupSeconds,
      int runs) {
    int count = workloads.size();
    double[] checksum = new double[count];
    for (int w = 0; w < count; w++) {
      long warmStart = System.nanoTime();
      for (int i = 0; i < warmupRuns || (System.nanoTime() - warmStart) / 1e9 < warmupSeconds; i++) {
        checksum[w] = workloads.get(w).getAsDouble();
      }
    }
    double[][] seconds = new double[count][runs];
    double[][] bytes = new double[count][runs];
    for (int i = 0; i < runs; i++) {
      for (int w = 0; w < count; w++) {
        long allocated = allocatedBytes();
        long start = System.nanoTime();
        checksum[w] = workloads.get(w).getAsDouble();
        seconds[w][i] = (System.nanoTime() - start) / 1e9;
        bytes[w][i] = allocatedBytes() - allocated;
      }
    }
    Measurement[] out = new Measurement[count];
    for (int w = 0; w < count; w++) out[w] = new Measurement(median(seconds[w]), median(bytes[w]), checksum[w]);
    return out;
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
