package io.statespace.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.gpu.ModelPacking.PackedModel;
import io.statespace.gpu.check.CheckCases;
import io.statespace.model.LinearModel;
import io.statespace.testing.RandomModels;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Lanes, groups, the grouped storage index, the per-trajectory output rows, packing and sub-batches. */
class BatchLayoutTest {
  @Test
  void lanesAreSortedByLengthAndGroupedByWarp() {
    int[] lengths = new int[70];
    for (int k = 0; k < lengths.length; k++) lengths[k] = 1 + (k * 37) % 50;
    BatchLayout l = BatchLayout.ofLengths(lengths);
    assertEquals(70, l.lanes());
    assertEquals(3, l.groups());
    for (int lane = 1; lane < l.lanes(); lane++) assertTrue(l.length(lane - 1) >= l.length(lane));
    for (int k = 0; k < lengths.length; k++) assertEquals(lengths[k], l.length(l.laneOfTrajectory(k)));
    long[] gs = l.groupSteps();
    assertEquals(0, gs[0]);
    assertEquals(l.length(0), gs[1]);
    assertEquals(l.length(0) + l.length(32), gs[2]);
    assertEquals(gs[2] + l.length(64), l.storedSteps());
    long total = 0;
    for (int len : lengths) total += len;
    assertEquals(total, l.totalSteps());
    assertTrue(l.occupancy() > 0 && l.occupancy() <= 1);
  }

  @Test
  void theStorageIndexIsABijectionOverRealSteps() {
    BatchLayout l = BatchLayout.ofLengths(5, 3, 9, 1, 9, 2, 7);
    int c = 3;
    Set<Long> seen = new HashSet<>();
    for (int lane = 0; lane < l.lanes(); lane++) {
      for (int t = 0; t < l.length(lane); t++) {
        for (int i = 0; i < c; i++) {
          long ix = l.index(lane, t, c, i);
          assertTrue(ix >= 0 && ix < l.storedDoubles(c));
          assertTrue(seen.add(ix));
        }
      }
    }
    assertEquals(((0 * c + 1) * 32) + 0, l.index(0, 0, c, 1), "component-major within a step, lane fastest");
    assertEquals(((2L * c + 0) * 32) + 3, l.index(3, 2, c, 0));
  }

  @Test
  void outputRowsAreContiguousInBlockOrder() {
    int[] lengths = {4, 9, 1, 6};
    BatchLayout l = BatchLayout.ofLengths(lengths);
    long[] dst = l.dstSteps();
    assertEquals(0, dst[l.laneOfTrajectory(0)]);
    assertEquals(4, dst[l.laneOfTrajectory(1)]);
    assertEquals(13, dst[l.laneOfTrajectory(2)]);
    assertEquals(14, dst[l.laneOfTrajectory(3)]);
  }

  @Test
  void packingPlacesEveryValueAndPadsMissingComponents() {
    SplittableRandom rng = new SplittableRandom(21);
    LinearModel model = RandomModels.linear(rng, 3, 2, 1);
    List<Trajectory> block = CheckCases.ragged(rng, model, 40, 12);
    PackedModel pm = ModelPacking.pack(model, Shapes.shipped());
    BatchLayout l = BatchLayout.of(block);
    double[] y = BatchPacking.observations(l, block, pm, -1.0);
    double[] u = BatchPacking.inputs(l, block, pm, -1.0);
    int big = pm.shape().obsDim();
    for (int k = 0; k < block.size(); k++) {
      int lane = l.laneOfTrajectory(k);
      Trajectory t = block.get(k);
      for (int s = 0; s < t.length(); s++) {
        for (int a = 0; a < big; a++) {
          double expected = a < 2 ? t.observations()[s * 2 + a] : Double.NaN;
          assertEquals(expected, y[(int) l.index(lane, s, big, a)], 0.0);
        }
        assertEquals(t.inputs()[s], u[(int) l.index(lane, s, 1, 0)], 0.0);
      }
    }
    assertEquals(null, BatchPacking.gaps(l, block, pm, 0.0), "a linear model needs no gaps");
  }

  @Test
  void slicingDropsPaddedComponents() {
    double[] unpacked = new double[2 * 9];
    for (int i = 0; i < unpacked.length; i++) unpacked[i] = i;
    assertArrayEquals(new double[] {9, 10, 12, 13}, BatchPacking.slice(unpacked, 1, 1, 3, 2, true));
    assertArrayEquals(new double[] {0, 1, 3, 4}, BatchPacking.slice(new double[] {0, 1, 2, 3, 4, 5}, 0, 2, 3, 2, false));
  }

  @Test
  void subBatchesKeepEachArrayUnderTheBoundAndCoverTheBlock() {
    List<Trajectory> block = new ArrayList<>();
    int steps = (int) (GpuBatchEngine.MAX_ARRAY_DOUBLES / (16L * 32) / 3);
    double[] shared = new double[steps];
    for (int k = 0; k < 200; k++) {
      double[] values = k % 2 == 0 ? shared : new double[1 + k];
      block.add(new Trajectory("t" + k, values, values, 1));
    }
    List<int[]> subs = GpuBatchEngine.subBatches(block, 16);
    assertTrue(subs.size() > 1);
    Set<Integer> all = new HashSet<>();
    for (int[] sub : subs) {
      List<Trajectory> part = new ArrayList<>();
      for (int k : sub) {
        assertTrue(all.add(k));
        part.add(block.get(k));
      }
      assertTrue(BatchLayout.of(part).storedDoubles(16) <= GpuBatchEngine.MAX_ARRAY_DOUBLES);
    }
    assertEquals(block.size(), all.size());
    assertThrows(IllegalArgumentException.class,
        () -> BatchLayout.of(List.of(new Trajectory("empty", new double[0], new double[0], 1))));
  }
}
