package io.statespace.spark;

import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple4;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Driver-side progress of a long stage: the engine stage counts the rows it has smoothed in a
 * {@link LongAccumulator} ({@link #counting}), and a daemon thread logs the count, at most once per interval
 * (10 s in the jobs) and only when it changed. Finished tasks count through the accumulator; running ones
 * through the values their executors send with each heartbeat ({@code spark.executor.heartbeatInterval},
 * 10 s by default), so that progress shows inside a long task too. A retried task may be counted twice in a
 * line, never in the output: the line is a progress indication, the row accounting is separate. Close it
 * when the run ends (it logs nothing after).
 */
final class RowProgress implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RowProgress.class);
  /** The jobs' interval between progress lines. */
  static final long INTERVAL_MILLIS = 10_000L;

  private final SparkContext sc;
  private final String job;
  private final LongAccumulator rows;
  private final Map<Long, Long> running = new ConcurrentHashMap<>();
  private final SparkListener listener;
  private final ScheduledExecutorService timer;
  private final Consumer<String> log;
  private final long started = System.nanoTime();
  private volatile long total;
  private long logged;

  private RowProgress(SparkContext sc, String job, long intervalMillis, Consumer<String> log) {
    this.sc = sc;
    this.job = job;
    this.log = log;
    this.rows = sc.longAccumulator(job + ": rows smoothed");
    long id = rows.id();
    this.listener = new SparkListener() {
      @Override
      public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
        for (Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>> task
            : CollectionConverters.asJava(update.accumUpdates())) {
          for (AccumulableInfo info : CollectionConverters.asJava(task._4())) {
            if (info.id() == id && info.update().isDefined() && info.update().get() instanceof Number n) {
              running.put((Long) task._1(), n.longValue());
            }
          }
        }
      }

      @Override
      public void onTaskEnd(SparkListenerTaskEnd end) {
        running.remove(end.taskInfo().taskId());
      }
    };
    sc.addSparkListener(listener);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "statespace progress");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(this::report, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
  }

  /** Starts logging {@code job}'s progress every {@link #INTERVAL_MILLIS} to the job log. */
  static RowProgress start(SparkContext sc, String job) {
    return new RowProgress(sc, job, INTERVAL_MILLIS, LOG::info);
  }

  /** As {@link #start}, every {@code intervalMillis}, lines to {@code log} (tests). */
  static RowProgress start(SparkContext sc, String job, long intervalMillis, Consumer<String> log) {
    return new RowProgress(sc, job, intervalMillis, log);
  }

  /** The rows expected in all (0 when unknown): lines then say how far along the run is. */
  void total(long rowsExpected) {
    this.total = rowsExpected;
  }

  /** The engine stage's function with each state row it emits counted. */
  <T> FlatMapFunction<Iterator<T>, InternalRow> counting(FlatMapFunction<Iterator<T>, InternalRow> engine) {
    return new Counting<>(engine, rows);
  }

  /** The accumulator the engine stage adds to. */
  LongAccumulator counter() {
    return rows;
  }

  /** Rows smoothed so far: finished tasks' and the latest heartbeat of each running task. */
  long soFar() {
    long n = rows.value();
    for (long v : running.values()) n += v;
    return total > 0 ? Math.min(n, total) : n;
  }

  private synchronized void report() {
    long n = soFar();
    if (n == logged) return;
    logged = n;
    double seconds = (System.nanoTime() - started) / 1e9;
    long t = total;
    log.accept(t > 0
        ? String.format(Locale.ROOT, "%s: %d of %d rows smoothed (%.0f%%) after %.0f s", job, n, t, 100.0 * n / t, seconds)
        : String.format(Locale.ROOT, "%s: %d rows smoothed after %.0f s", job, n, seconds));
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sc.removeSparkListener(listener);
  }

  /** Passes the engine's rows through, adding one to the accumulator per state row. */
  private static final class Counting<T> implements FlatMapFunction<Iterator<T>, InternalRow> {
    private static final long serialVersionUID = 2L;
    private final FlatMapFunction<Iterator<T>, InternalRow> engine;
    private final LongAccumulator rows;

    Counting(FlatMapFunction<Iterator<T>, InternalRow> engine, LongAccumulator rows) {
      this.engine = engine;
      this.rows = rows;
    }

    @Override
    public Iterator<InternalRow> call(Iterator<T> input) throws Exception {
      Iterator<InternalRow> out = engine.call(input);
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return out.hasNext();
        }

        @Override
        public InternalRow next() {
          InternalRow r = out.next();
          if (r.getInt(0) == UnionRows.STATE) rows.add(1L);
          return r;
        }
      };
    }
  }
}
