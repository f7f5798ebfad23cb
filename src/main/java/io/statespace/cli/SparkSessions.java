package io.statespace.cli;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Starts the SparkSession for a job. The master comes from --master, else from spark-submit, else
 * Spark's embedded local mode on all cores. Local mode binds to loopback and runs without the web UI
 * unless {@code spark.ui.enabled} is set; on a terminal it shows Spark's console progress bar (which reads the
 * status store, not the web UI) unless {@code spark.ui.showConsoleProgress} is set.
 */
final class SparkSessions {
  private SparkSessions() {}

  static SparkSession start(String appName, String master) {
    SparkConf conf = new SparkConf(true).setAppName(appName);
    if (master != null) conf.setMaster(master);
    if (!conf.contains("spark.master")) conf.setMaster("local[*]");
    if (conf.get("spark.master").startsWith("local")) {
      conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
      conf.setIfMissing("spark.driver.host", "127.0.0.1");
      conf.setIfMissing("spark.ui.enabled", "false");
      conf.setIfMissing("spark.ui.showConsoleProgress", String.valueOf(System.console() != null));
    }
    conf.setIfMissing("spark.sql.shuffle.partitions", String.valueOf(Math.max(2, Runtime.getRuntime().availableProcessors())));
    return SparkSession.builder().config(conf).getOrCreate();
  }
}
