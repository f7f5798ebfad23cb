package io.statespace.spark;

import java.io.Serializable;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * {@code --segment-steps}: the longest trajectory smoothed in one task; a longer one is cut into segments
 * of about this many steps smoothed by different tasks (docs/ARCHITECTURE.md §7.5). {@code auto} derives it
 * from the executors' memory: a quarter of an executor's heap shared by its concurrent tasks, divided by
 * what a segment holds per step (filtered and smoothed moments, and the row's own arrays and time value).
 */
public final class SegmentSteps implements Serializable {
  private static final long serialVersionUID = 1L;
  /** Never cut shorter than this under auto: below it, one task does the work faster than four passes. */
  static final long AUTO_FLOOR = 1L << 16;
  /** Nor longer than this: one task's arrays stay below 2^31 elements and its time bounded. */
  static final long AUTO_CEILING = 1L << 24;

  private final long fixed;

  private SegmentSteps(long fixed) {
    this.fixed = fixed;
  }

  /** {@code auto}, or a positive number of steps. */
  public static SegmentSteps parse(String text) {
    if (text.equals("auto")) return new SegmentSteps(0);
    try {
      long s = Long.parseLong(text);
      if (s >= 1) return new SegmentSteps(s);
    } catch (NumberFormatException e) {
      // falls through to the refusal
    }
    throw new IllegalArgumentException("--segment-steps: '" + text + "' is neither auto nor a positive number of steps");
  }

  public static SegmentSteps auto() {
    return new SegmentSteps(0);
  }

  boolean isAuto() {
    return fixed == 0;
  }

  /** The threshold for a model of n states, m observations and p inputs under this session's executors. */
  long resolve(SparkSession spark, int n, int m, int p) {
    if (fixed > 0) return fixed;
    return fromMemory(executorHeap(spark), tasksPerExecutor(spark), n, m, p);
  }

  /** A quarter of the heap per concurrent task, over the bytes a segment holds per step. */
  static long fromMemory(long heapBytes, int tasks, int n, int m, int p) {
    long perStep = bytesPerStep(n, m, p);
    long steps = heapBytes / 4 / Math.max(1, tasks) / perStep;
    return Math.max(AUTO_FLOOR, Math.min(AUTO_CEILING, steps));
  }

  /**
   * Filtered moments (with the filter's copy), smoothed moments, times, observations, inputs and the
   * row's time value object.
   */
  static long bytesPerStep(int n, int m, int p) {
    return 8L * (3 * (n + n * n) + 1 + m + p) + 64;
  }

  private static long executorHeap(SparkSession spark) {
    SparkConf conf = spark.sparkContext().getConf();
    String master = conf.get("spark.master", "local");
    if (master.startsWith("local")) return Runtime.getRuntime().maxMemory();
    return conf.getSizeAsBytes("spark.executor.memory", "1g");
  }

  private static int tasksPerExecutor(SparkSession spark) {
    SparkConf conf = spark.sparkContext().getConf();
    String master = conf.get("spark.master", "local");
    int taskCpus = conf.getInt("spark.task.cpus", 1);
    if (master.startsWith("local")) return Math.max(1, spark.sparkContext().defaultParallelism() / taskCpus);
    return Math.max(1, conf.getInt("spark.executor.cores", 1) / taskCpus);
  }

  @Override
  public String toString() {
    return fixed > 0 ? Long.toString(fixed) : "auto";
  }

  /** The log line's description of the resolved threshold. */
  String describe(long resolved) {
    return String.format(Locale.ROOT, "%d steps (%s)", resolved, fixed > 0 ? "--segment-steps" : "auto, from executor memory");
  }
}
