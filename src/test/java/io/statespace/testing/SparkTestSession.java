package io.statespace.testing;

import org.apache.spark.sql.SparkSession;

/** A real local-mode SparkSession for tests: two cores, loopback only, no UI, few shuffle partitions. */
public final class SparkTestSession {
  private SparkTestSession() {}

  public static SparkSession start(String name) {
    return start(name, 1);
  }

  /** As {@link #start(String)}, each task tried up to {@code maxFailures} times (local mode tries once by default). */
  public static SparkSession start(String name, int maxFailures) {
    return SparkSession.builder()
        .master(maxFailures == 1 ? "local[2]" : "local[2," + maxFailures + "]")
        .appName(name)
        .config("spark.ui.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.adaptive.enabled", "false")
        .getOrCreate();
  }
}
