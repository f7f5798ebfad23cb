package io.statespace.cli;

import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SparkSession of a job. When the JVM already runs one (an application or notebook that called
 * {@link Main#execute}), the job uses it as it is, never reconfigures it, and leaves it running; otherwise it
 * starts one, which {@link #stop} stops. The master of a new session comes from --master, else from
 * spark-submit, else Spark's embedded local mode on all cores. Local mode binds to loopback and runs without
 * the web UI unless {@code spark.ui.enabled} is set; on a terminal it shows Spark's console progress
 * bar (which reads the status store, not the web UI) unless {@code spark.ui.showConsoleProgress} is set.
 */
final class SparkSessions {
  private static final Logger LOG = LoggerFactory.getLogger(SparkSessions.class);

  private SparkSessions() {}

  /** The sessions this class started, which {@link #stop} stops. */
  private static final Set<SparkSession> OWNED = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

  static SparkSession start(String appName, String master) {
    SparkSession running = running();
    if (running != null) {
      String using = running.sparkContext().master();
      if (master != null && !master.equals(using)) {
        LOG.warn("{}: using the application's running SparkSession (master {}); --master {} is not applied to it",
            appName, using, master);
      }
      return running;
    }
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
    SparkSession started = SparkSession.builder().config(conf).getOrCreate();
    OWNED.add(started);
    return started;
  }

  /** Stops the session when {@link #start} started it; an application's own session is left running. */
  static void stop(SparkSession spark) {
    if (OWNED.remove(spark)) spark.stop();
  }

  /** The thread's active session, else the JVM's default one, when it is still running; else null. */
  private static SparkSession running() {
    for (scala.Option<SparkSession> s : java.util.List.of(SparkSession.getActiveSession(), SparkSession.getDefaultSession())) {
      if (s.isDefined() && !s.get().sparkContext().isStopped()) return s.get();
    }
    return null;
  }
}
