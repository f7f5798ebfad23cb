package io.statespace.inference.parallel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed number of workers that run one batch of tasks at a time and wait for all of them (fork-join over
 * contiguous index ranges). Worker w always gets task w, so callers can hand each task its own workspace and
 * keep allocation out of the inner loops. The calling thread runs task 0 itself; one thread needs no pool.
 * Not reentrant: a task must not submit a batch to the same pool.
 */
public final class WorkerPool implements AutoCloseable {
  /** A task of a batch: {@code worker} is in [0, tasks) and unique within the batch. */
  @FunctionalInterface
  public interface Task {
    void run(int worker);
  }

  /** Work on the index range [lo, hi) by one worker. */
  @FunctionalInterface
  public interface RangeTask {
    void run(int worker, int lo, int hi);
  }

  private static final AtomicInteger POOLS = new AtomicInteger();

  private final int threads;
  private final ExecutorService executor;
  private final boolean owned;

  /** A pool that owns {@code threads - 1} daemon threads (none for one thread); {@link #close} stops them. */
  public WorkerPool(int threads) {
    if (threads < 1) throw new IllegalArgumentException("threads: must be at least 1, got " + threads);
    this.threads = threads;
    this.owned = true;
    this.executor = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, daemonThreads());
  }

  /** A pool that borrows {@code executor} for up to {@code threads} concurrent tasks; {@link #close} leaves it running. */
  public WorkerPool(ExecutorService executor, int threads) {
    if (threads < 1) throw new IllegalArgumentException("threads: must be at least 1, got " + threads);
    this.threads = threads;
    this.owned = false;
    this.executor = threads == 1 ? null : executor;
  }

  private static ThreadFactory daemonThreads() {
    int pool = POOLS.incrementAndGet();
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "statespace-scan-" + pool + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  public int threads() {
    return threads;
  }

  /**
   * Runs tasks 0..tasks-1 concurrently and returns when all have finished. The first failure is rethrown
   * (runtime exceptions and errors as they are) after every task has stopped.
   */
  public void invoke(int tasks, Task task) {
    if (tasks > threads) throw new IllegalArgumentException(tasks + " tasks for " + threads + " workers");
    if (tasks <= 0) return;
    if (tasks == 1 || executor == null) {
      for (int w = 0; w < tasks; w++) task.run(w);
      return;
    }
    List<Future<?>> futures = new ArrayList<>(tasks - 1);
    for (int w = 1; w < tasks; w++) {
      int worker = w;
      futures.add(executor.submit(() -> task.run(worker)));
    }
    Throwable failure = null;
    try {
      task.run(0);
    } catch (RuntimeException | Error e) {
      failure = e;
    }
    boolean interrupted = false;
    for (Future<?> future : futures) {
      while (true) {
        try {
          future.get();
          break;
        } catch (ExecutionException e) {
          if (failure == null) failure = e.getCause();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
    if (failure instanceof RuntimeException) throw (RuntimeException) failure;
    if (failure instanceof Error) throw (Error) failure;
    if (failure != null) throw new IllegalStateException(failure);
  }

  /**
   * Splits [0, count) into at most {@link #threads} contiguous ranges of at least {@code grain} indices
   * (fewer ranges when count is small) and runs them concurrently.
   */
  public void forEachRange(int count, int grain, RangeTask task) {
    int tasks = ranges(count, grain);
    invoke(tasks, w -> task.run(w, bound(count, tasks, w), bound(count, tasks, w + 1)));
  }

  /** The number of ranges {@link #forEachRange} uses for {@code count} indices. */
  public int ranges(int count, int grain) {
    if (count <= 0) return 0;
    long byGrain = (count + (long) Math.max(1, grain) - 1) / Math.max(1, grain);
    return (int) Math.min(threads, byGrain);
  }

  /** Start of range {@code r} of {@code ranges} equal splits of [0, count). */
  static int bound(int count, int ranges, int r) {
    return (int) ((long) count * r / ranges);
  }

  /** Stops the owned threads; a borrowed executor is left running. */
  @Override
  public void close() {
    if (owned && executor != null) executor.shutdown();
  }
}
