package io.statespace.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.gpu.check.CheckCases;
import io.statespace.gpu.check.Compare;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.parallel.FilterOperator;
import io.statespace.inference.parallel.ParallelEngine;
import io.statespace.inference.parallel.SmootherOperator;
import io.statespace.inference.parallel.WorkerPool;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.StateSpaceModel;
import io.statespace.testing.RandomModels;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The GPU scan's block structure, run on the CPU: {@link BlockedScan} (the kernels' tiles, chunks,
 * Blelloch tree over chunk totals, levels and carries, in their order of combines) with the real
 * {@link FilterOperator} and {@link SmootherOperator}, inside the parallel engine, against the sequential
 * float64 engine at 1e-9 relative on random time-varying models with missing data, irregular and zero
 * gaps; across geometries from one position per thread to 32, one level to five, and the geometries the
 * GPU engine picks. Also the geometry's arithmetic: the slot permutation is a bijection per tile, levels
 * shrink to one tile, and block sizes fit in shared memory.
 */
class BlockedScanTest {
  private static final double TOLERANCE = 1e-9;
  private static WorkerPool pool;

  @BeforeAll
  static void start() {
    pool = new WorkerPool(2);
  }

  @AfterAll
  static void stop() {
    pool.close();
  }

  private static double check(String label, ScanGeometry geometry, StateSpaceModel model, Trajectory trajectory) {
    Posterior expected = new SequentialEngine().smooth(model, trajectory, Outputs.ALL);
    try (ParallelEngine engine = new ParallelEngine(new BlockedScan(pool, geometry))) {
      Map<String, Double> d = Compare.of(engine.smooth(model, trajectory, Outputs.ALL), expected);
      assertTrue(Compare.max(d) < TOLERANCE, label + ": " + d);
      return Compare.max(d);
    }
  }

  @Test
  void blockedScanMatchesTheSequentialEngine() {
    SplittableRandom rng = new SplittableRandom(501);
    ScanGeometry[] geometries = {new ScanGeometry(1, 2), new ScanGeometry(2, 1), new ScanGeometry(2, 2),
        new ScanGeometry(4, 3), new ScanGeometry(16, 3), new ScanGeometry(32, 7), new ScanGeometry(64, 1),
        new ScanGeometry(64, 32)};
    int[] lengths = {1, 2, 3, 5, 17, 64, 129, 1000, 2500};
    for (ScanGeometry g : geometries) {
      double worst = 0.0;
      int deepest = 0;
      for (int steps : lengths) {
        int n = 1 + rng.nextInt(4);
        int m = 1 + rng.nextInt(3);
        StateSpaceModel model = RandomModels.timeVarying(rng.nextLong(), n, m, rng.nextInt(3));
        Trajectory trajectory = RandomModels.trajectory(rng, model, "t", steps, new RandomModels.DataShape());
        worst = Math.max(worst, check(g + " T=" + steps, g, model, trajectory));
        deepest = Math.max(deepest, g.levels(steps).size());
      }
      System.out.printf("blocked scan B=%d K=%d vs sequential: max relative difference %.1e (up to %d levels)%n",
          g.threads(), g.chunk(), worst, deepest);
    }
  }

  @Test
  void theGeometriesTheGpuEnginePicksMatchTheSequentialEngine() {
    SplittableRandom rng = new SplittableRandom(502);
    int[] multiprocessors = {1, 4, 132};
    int[] lengths = {700, 6000, 20000};
    for (int sms : multiprocessors) {
      for (int steps : lengths) {
        for (int axes = 1; axes <= 3; axes += 2) {
          StateSpaceModel model = CheckCases.constantVelocity(rng, axes, false);
          int n = model.stateDim();
          ScanGeometry filter = ScanGeometry.of(new FilterOperator(n).width(), steps, sms);
          ScanGeometry smoother = ScanGeometry.of(new SmootherOperator(n).width(), steps, sms);
          Trajectory trajectory = RandomModels.trajectory(rng, model, "cv", steps, new RandomModels.DataShape());
          double d = Math.max(check("filter geometry " + filter, filter, model, trajectory),
              check("smoother geometry " + smoother, smoother, model, trajectory));
          System.out.printf("engine geometry SMs=%3d T=%5d n=%d: filter B=%d K=%d, smoother B=%d K=%d, max relative "
              + "difference %.1e%n", sms, steps, n, filter.threads(), filter.chunk(), smoother.threads(),
              smoother.chunk(), d);
        }
      }
    }
  }

  @Test
  void slotsPermuteEachTile() {
    for (ScanGeometry g : new ScanGeometry[] {new ScanGeometry(4, 3), new ScanGeometry(64, 32), new ScanGeometry(1, 5)}) {
      long count = 3 * g.tile() + 7;
      Set<Long> seen = new HashSet<>();
      for (long pos = 0; pos < count; pos++) {
        long s = g.slot(pos);
        assertEquals(pos / g.tile(), s / g.tile(), "a slot leaves its tile");
        assertTrue(s < g.capacity(count), "slot beyond the capacity");
        assertTrue(seen.add(s), "two positions share slot " + s);
      }
      long t = g.threads() - 1;
      long j = 2 % g.chunk();
      assertEquals(g.tile() + j * g.threads() + t, g.slot(g.tile() + t * g.chunk() + j));
    }
  }

  @Test
  void levelsShrinkToOneTile() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new ScanGeometry(1, 1));
    ScanGeometry g = new ScanGeometry(2, 2);
    assertEquals(List.of(1000L, 250L, 63L, 16L, 4L), g.levels(1000));
    assertEquals(List.of(4L), g.levels(4));
    assertEquals(List.of(5L, 2L), g.levels(5));
  }

  @Test
  void blockSizesFitInSharedMemory() {
    for (int n = 1; n <= 8; n++) {
      int filterWidth = new FilterOperator(n).width();
      int b = ScanGeometry.threadsFor(filterWidth);
      assertTrue((long) b * filterWidth * Double.BYTES <= ScanGeometry.SHARED_BYTES, "n=" + n);
      assertTrue(b == ScanGeometry.MAX_THREADS || 2L * b * filterWidth * Double.BYTES > ScanGeometry.SHARED_BYTES,
          "n=" + n + ": B is not the largest that fits");
    }
    assertEquals(64, ScanGeometry.threadsFor(new FilterOperator(4).width()));
    assertEquals(16, ScanGeometry.threadsFor(new FilterOperator(8).width()));
    assertEquals(1, ScanGeometry.chunkFor(1000, 132));
    assertEquals(32, ScanGeometry.chunkFor(10_000_000, 132));
    assertEquals(29, ScanGeometry.chunkFor(1_000_000, 132));
  }
}
