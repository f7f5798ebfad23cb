package io.statespace.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.gpu.check.CheckCases;
import io.statespace.gpu.check.Compare;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.StateSpaceModel;
import io.statespace.testing.RandomModels;
import io.statespace.testing.TestGpu;
import io.statespace.testing.TrendModels;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The local-linear-trend family on the GPU kernels (the gpu-emulated run): with a fixed dt it packs as a
 * linear model and both GPU engines equal the sequential engine at 1e-9 per element; with dt from the data the engines
 * refuse it with the packing's one-line reason.
 */
class LocalLinearTrendEmulatedGpuTest {
  private static void assertClose(String label, Posterior actual, Posterior expected) {
    Map<String, Double> d = Compare.perElement(actual, expected);
    assertTrue(Compare.max(d) < 1e-9, label + ": " + d);
  }

  @Test
  void fixedDtRunsOnBothGpuEnginesAndDtFromTheDataIsRefused() {
    int ordinal = TestGpu.ordinal();
    SplittableRandom rng = new SplittableRandom(71);
    StateSpaceModel fixed = TrendModels.model(0.5, 0.4, 0.15, 0.6);
    SequentialEngine cpu = new SequentialEngine();
    List<Trajectory> block = CheckCases.ragged(rng, fixed, 40, 60);
    Trajectory longOne = RandomModels.trajectory(rng, fixed, "long", 2000, new RandomModels.DataShape());
    StateSpaceModel gaps = TrendModels.model(Double.NaN, 0.4, 0.15, 0.6);
    try (GpuBatchEngine batch = new GpuBatchEngine(ordinal); GpuParallelEngine scan = new GpuParallelEngine(ordinal)) {
      Posterior[] smoothed = batch.smooth(fixed, block, Outputs.ALL);
      for (int k = 0; k < block.size(); k++) {
        assertClose("trajectory " + k, smoothed[k], cpu.smooth(fixed, block.get(k), Outputs.ALL));
      }
      assertClose("parallel scan", scan.smooth(fixed, longOne, Outputs.ALL), cpu.smooth(fixed, longOne, Outputs.ALL));
      String reason = ModelPacking.unsupportedReason(gaps, Shapes.shipped());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> batch.smooth(gaps, CheckCases.ragged(rng, gaps, 2, 5), Outputs.MOMENTS));
      assertEquals(reason, e.getMessage());
    }
  }
}
