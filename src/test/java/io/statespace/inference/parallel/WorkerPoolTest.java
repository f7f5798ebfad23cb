package io.statespace.inference.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** Ranges cover every index once, one thread runs inline, owned threads stop on close, borrowed ones do not. */
class WorkerPoolTest {
  @Test
  void rangesCoverEveryIndexOnce() {
    for (int threads = 1; threads <= 3; threads++) {
      try (WorkerPool pool = new WorkerPool(threads)) {
        for (int count : new int[] {0, 1, 2, 3, 7, 64, 1000}) {
          for (int grain : new int[] {1, 4, 64}) {
            AtomicIntegerArray hits = new AtomicIntegerArray(count);
            pool.forEachRange(count, grain, (w, lo, hi) -> {
              for (int i = lo; i < hi; i++) hits.incrementAndGet(i);
            });
            for (int i = 0; i < count; i++) assertEquals(1, hits.get(i), "index " + i);
          }
        }
      }
    }
  }

  @Test
  void oneThreadRunsInline() {
    try (WorkerPool pool = new WorkerPool(1)) {
      Thread caller = Thread.currentThread();
      pool.invoke(1, w -> assertSame(caller, Thread.currentThread()));
    }
  }

  @Test
  void ownedThreadsStopOnClose() throws InterruptedException {
    Set<Thread> used = ConcurrentHashMap.newKeySet();
    WorkerPool pool = new WorkerPool(3);
    for (int round = 0; round < 5; round++) pool.invoke(3, w -> used.add(Thread.currentThread()));
    pool.close();
    used.remove(Thread.currentThread());
    assertFalse(used.isEmpty());
    for (Thread thread : used) {
      thread.join(5000);
      assertFalse(thread.isAlive(), thread.getName() + " still running after close");
    }
  }

  @Test
  void borrowedExecutorStaysUp() {
    ExecutorService executor = Executors.newFixedThreadPool(2);
    try {
      WorkerPool pool = new WorkerPool(executor, 3);
      Set<Thread> used = ConcurrentHashMap.newKeySet();
      pool.invoke(3, w -> used.add(Thread.currentThread()));
      pool.close();
      assertFalse(executor.isShutdown());
      assertTrue(used.size() >= 1);
    } finally {
      executor.shutdown();
    }
  }
}
