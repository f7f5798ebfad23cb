package io.statespace.inference.parallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chunked scan and the tree scan each equal a plain fold (left fold forward, right fold in reverse),
 * for several counts (powers of two and not) and thread counts: exactly for an exact test operator, to
 * rounding for the filtering and smoothing operators.
 */
class AssociativeScanTest {
  private static final int[] COUNTS = {1, 2, 3, 4, 5, 7, 8, 64, 100, 1000, 1025};
  private static final int[] THREADS = {1, 2, 3};
  private static final double TOLERANCE = 1e-11;
  private static WorkerPool[] pools;

  @BeforeAll
  static void startPools() {
    pools = new WorkerPool[THREADS.length];
    for (int i = 0; i < THREADS.length; i++) pools[i] = new WorkerPool(THREADS[i]);
  }

  @AfterAll
  static void stopPools() {
    for (WorkerPool pool : pools) pool.close();
  }

  static Stream<Arguments> cases() {
    Stream.Builder<Arguments> cases = Stream.builder();
    for (int t = 0; t < THREADS.length; t++) {
      for (int count : COUNTS) {
        cases.add(Arguments.of("chunked", t, count));
        cases.add(Arguments.of("tree", t, count));
      }
    }
    return cases.build();
  }

  private static AssociativeScan scan(String kind, int poolIndex) {
    return kind.equals("chunked") ? new ChunkedScan(pools[poolIndex]) : new TreeScan(pools[poolIndex]);
  }

  @ParameterizedTest(name = "{0} scan, pool {1}, count {2}: exact interval operator")
  @MethodSource("cases")
  void joinsIntervalsInOrder(String kind, int poolIndex, int count) {
    AssociativeScan scan = scan(kind, poolIndex);
    IntervalOperator op = new IntervalOperator();
    double[] forward = IntervalOperator.singletons(count);
    scan.forward(op, forward, count);
    double[] reverse = IntervalOperator.singletons(count);
    scan.reverse(op, reverse, count);
    double[] expectForward = new double[2 * count];
    double[] expectReverse = new double[2 * count];
    for (int k = 0; k < count; k++) {
      expectForward[2 * k + 1] = k;
      expectReverse[2 * k] = k;
      expectReverse[2 * k + 1] = count - 1;
    }
    assertArrayEquals(expectForward, forward, 0.0);
    assertArrayEquals(expectReverse, reverse, 0.0);
  }

  @ParameterizedTest(name = "{0} scan, pool {1}, count {2}: filter and smoother operators")
  @MethodSource("cases")
  void equalsPlainFolds(String kind, int poolIndex, int count) {
    AssociativeScan scan = scan(kind, poolIndex);
    SplittableRandom rng = new SplittableRandom(31L * count + poolIndex);
    int n = 1 + rng.nextInt(4);
    FilterOperator filter = new FilterOperator(n);
    double fwdFilter = compare(scan, filter, Components.of(filter), RandomElements.filterScaled(rng, filter, count, 0.95),
        count, true);
    double revFilter = compare(scan, filter, Components.of(filter), RandomElements.filterScaled(rng, filter, count, 0.95),
        count, false);
    SmootherOperator smoother = new SmootherOperator(n);
    double fwdSmoother = compare(scan, smoother, Components.of(smoother),
        RandomElements.smootherScaled(rng, smoother, count, 0.95), count, true);
    double revSmoother = compare(scan, smoother, Components.of(smoother),
        RandomElements.smootherScaled(rng, smoother, count, 0.95), count, false);
    System.out.printf("scan %-7s threads=%d count=%4d n=%d: filter fwd=%.1e rev=%.1e, smoother fwd=%.1e rev=%.1e%n",
        kind, THREADS[poolIndex], count, n, fwdFilter, revFilter, fwdSmoother, revSmoother);
  }

  private static <W> double compare(AssociativeScan scan, ScanOperator<W> op, Components parts, double[] elements,
      int count, boolean forward) {
    double[] expected = forward ? ScanTestSupport.leftFold(op, elements, count)
        : ScanTestSupport.rightFold(op, elements, count);
    double[] actual = elements.clone();
    if (forward) {
      scan.forward(op, actual, count);
    } else {
      scan.reverse(op, actual, count);
    }
    double diff = parts.maxRelative(actual, expected, count, op.width());
    assertTrue(diff < TOLERANCE, (forward ? "forward" : "reverse") + " scan differs from the fold by " + diff);
    return diff;
  }

  @Test
  void emptyScanIsANoOp() {
    IntervalOperator op = new IntervalOperator();
    for (WorkerPool pool : pools) {
      for (Function<WorkerPool, AssociativeScan> make :
          java.util.List.<Function<WorkerPool, AssociativeScan>>of(ChunkedScan::new, TreeScan::new)) {
        double[] none = new double[0];
        make.apply(pool).forward(op, none, 0);
        make.apply(pool).reverse(op, none, 0);
      }
    }
  }

  @Test
  void failuresInWorkersReachTheCaller() {
    ScanOperator<Void> failing = new IntervalOperator() {
      @Override
      public void combine(double[] a, int ao, double[] b, int bo, double[] out, int oo, Void workspace) {
        if (b[bo] == 900) throw new IllegalStateException("boom at 900");
        super.combine(a, ao, b, bo, out, oo, workspace);
      }
    };
    for (WorkerPool pool : pools) {
      double[] elements = IntervalOperator.singletons(1000);
      IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
          () -> new ChunkedScan(pool).forward(failing, elements, 1000));
      assertTrue(e.getMessage().contains("boom"));
    }
  }
}
