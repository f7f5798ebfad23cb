package io.statespace.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.gpu.check.CheckCases;
import io.statespace.gpu.check.Compare;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.StateSpaceModel;
import io.statespace.testing.LevelModels;
import io.statespace.testing.RandomModels;
import io.statespace.testing.TestGpu;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The local-level family on the GPU kernels (the gpu-emulated run): its constant steps pack as a 1×1 linear
 * model (the shipped {@code lin 1 1} shape) and both GPU engines equal the sequential engine at 1e-9 per
 * element.
 */
class LocalLevelEmulatedGpuTest {
  private static void assertClose(String label, Posterior actual, Posterior expected) {
    Map<String, Double> d = Compare.perElement(actual, expected);
    assertTrue(Compare.max(d) < 1e-9, label + ": " + d);
  }

  @Test
  void runsOnBothGpuEnginesInTheOneByOneShape() {
    int ordinal = TestGpu.ordinal();
    SplittableRandom rng = new SplittableRandom(73);
    StateSpaceModel model = LevelModels.model(0.4, 0.6);
    assertEquals(1, ModelPacking.pack(model, Shapes.shipped()).shape().stateDim(), "lin 1 1, no padding");
    SequentialEngine cpu = new SequentialEngine();
    List<Trajectory> block = CheckCases.ragged(rng, model, 40, 60);
    Trajectory longOne = RandomModels.trajectory(rng, model, "long", 2000, new RandomModels.DataShape());
    try (GpuBatchEngine batch = new GpuBatchEngine(ordinal); GpuParallelEngine scan = new GpuParallelEngine(ordinal)) {
      Posterior[] smoothed = batch.smooth(model, block, Outputs.ALL);
      for (int k = 0; k < block.size(); k++) {
        assertClose("trajectory " + k, smoothed[k], cpu.smooth(model, block.get(k), Outputs.ALL));
      }
      assertClose("parallel scan", scan.smooth(model, longOne, Outputs.ALL), cpu.smooth(model, longOne, Outputs.ALL));
    }
  }
}
