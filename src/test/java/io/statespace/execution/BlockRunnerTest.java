package io.statespace.execution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.gpu.BatchInferenceException;
import io.statespace.gpu.DeviceInfo;
import io.statespace.inference.BatchSmoothingEngine;
import io.statespace.inference.InferenceException;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.SmoothingEngine;
import io.statespace.inference.batched.BatchedEngine;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.testing.RandomModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Every fallback goes through the runner and is labelled: a GPU engine's failure on one trajectory of a
 * block (only that one is rerun), a whole block's failure, the GPU scan's failure, a trajectory that the
 * sequential engine cannot process either; and an error that is not about the trajectory propagates. GPU
 * engines are CPU stand-ins on a fake device.
 */
class BlockRunnerTest {
  private static final TaskDevice DEVICE = TaskDevice.of(new DeviceInfo(0, "stand-in GPU", 9, 0, 132, 80L << 30, "uuid-0"),
      "test");
  private static final SequentialEngine REFERENCE = new SequentialEngine();

  private static StateSpaceModel model() {
    double[] cov = new double[16];
    for (int i = 0; i < 4; i++) cov[i * 5] = 1.0;
    return new ConstantVelocityModel(2, 0.1, ConstantVelocityModel.Noise.CONTINUOUS, 1.0, new double[] {0.5, 0.5},
        new double[] {0, 0, 1, 1}, cov);
  }

  private static List<Trajectory> block(StateSpaceModel model, int count) {
    SplittableRandom rng = new SplittableRandom(5);
    List<Trajectory> out = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      out.add(RandomModels.trajectory(rng, model, "tr-" + k, 20 + k, new RandomModels.DataShape()));
    }
    return out;
  }

  /** The CPU batched engine posing as the GPU kernel, failing on the trajectory at {@code failing}. */
  private static final class FailingKernel implements BatchSmoothingEngine {
    private final BatchedEngine cpu = new BatchedEngine();
    private final int failing;

    FailingKernel(int failing) {
      this.failing = failing;
    }

    @Override
    public Posterior[] filter(StateSpaceModel model, List<Trajectory> block, Outputs outputs) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Posterior[] smooth(StateSpaceModel model, List<Trajectory> block, Outputs outputs) {
      Posterior[] partial = cpu.smooth(model, block, outputs);
      partial[failing] = null;
      throw new BatchInferenceException(Map.of(failing, "stand-in: S not positive definite"), partial,
          block.get(failing).id(), 3, "stand-in: S not positive definite");
    }
  }

  /** A stand-in GPU kernel that throws {@code failure} on every block. */
  private static BatchSmoothingEngine throwing(RuntimeException failure) {
    return new BatchSmoothingEngine() {
      @Override
      public Posterior[] filter(StateSpaceModel model, List<Trajectory> block, Outputs outputs) {
        throw failure;
      }

      @Override
      public Posterior[] smooth(StateSpaceModel model, List<Trajectory> block, Outputs outputs) {
        throw failure;
      }
    };
  }

  private static BlockRunner gpuRunner(GpuEngines engines) {
    return new BlockRunner(new ExecutionPolicy(EngineChoice.AUTO, BackendOption.GPU, 1), DEVICE, engines);
  }

  private static void assertSequential(StateSpaceModel model, Outcome o) {
    Posterior expected = REFERENCE.smooth(model, o.trajectory(), Outputs.MOMENTS);
    assertArrayEquals(expected.smoothedMeans(), o.posterior().smoothedMeans(), 0.0, o.trajectory().id());
    assertEquals(expected.logLikelihood(), o.posterior().logLikelihood(), 0.0);
  }

  @Test
  void aGpuKernelFailureOnOneTrajectoryRerunsOnlyThatOneAndLabelsIt() {
    StateSpaceModel model = model();
    List<Trajectory> block = block(model, 6);
    try (BlockRunner runner = gpuRunner(new GpuEngines(o -> new FailingKernel(2), o -> {
      throw new AssertionError("no scan for a block of short trajectories");
    }))) {
      List<Outcome> out = runner.runBlock(model, block, Outputs.MOMENTS);
      assertEquals(6, out.size());
      for (int i = 0; i < 6; i++) {
        Outcome o = out.get(i);
        assertTrue(o.ok());
        assertEquals(block.get(i), o.trajectory(), "outcomes in block order");
        if (i == 2) {
          assertEquals("sequential_after_gpu_batched_failure", o.engineLabel());
          assertEquals("cpu_after_gpu_failure", o.backendLabel());
          assertSequential(model, o);
        } else {
          assertEquals("gpu_batched", o.engineLabel());
          assertEquals("gpu_batched", o.backendLabel());
          assertFalse(o.fellBack());
        }
      }
      assertEquals(1, runner.fallbacks());
    }
  }

  @Test
  void aWholeBlockFailureRerunsEveryTrajectoryOnTheSequentialEngine() {
    StateSpaceModel model = model();
    List<Trajectory> block = block(model, 4);
    BatchSmoothingEngine broken = throwing(new InferenceException("tr-1", 7, "stand-in: the block's lanes diverged"));
    try (BlockRunner runner = gpuRunner(new GpuEngines(o -> broken, o -> null))) {
      List<Outcome> out = runner.runBlock(model, block, Outputs.MOMENTS);
      for (Outcome o : out) {
        assertEquals("sequential_after_gpu_batched_failure", o.engineLabel());
        assertSequential(model, o);
      }
      assertEquals(4, runner.fallbacks());
    }
  }

  @Test
  void theGpuScanFailingOnALongTrajectoryFallsBackAndIsLabelled() {
    StateSpaceModel model = model();
    Trajectory longOne = RandomModels.trajectory(new SplittableRandom(9), model, "long",
        (int) ExecutionPolicy.AUTO_MIN_PARALLEL_STEPS + 1, new RandomModels.DataShape());
    SmoothingEngine scan = new SmoothingEngine() {
      @Override
      public Posterior filter(StateSpaceModel m, Trajectory t, Outputs outputs) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Posterior smooth(StateSpaceModel m, Trajectory t, Outputs outputs) {
        throw new InferenceException(t.id(), 99, "stand-in: cancellation in the scan");
      }
    };
    try (BlockRunner runner = gpuRunner(new GpuEngines(o -> null, o -> scan))) {
      Outcome o = runner.runAlone(model, longOne, Outputs.MOMENTS);
      assertEquals(Engine.GPU_PARALLEL, o.failedEngine());
      assertEquals("sequential_after_gpu_parallel_failure", o.engineLabel());
      assertSequential(model, o);
    }
  }

  @Test
  void aTrajectoryNoEngineCanProcessIsAFailureWithTheReason() {
    List<Trajectory> singular = List.of(new Trajectory("singular", new double[] {0, 1, 2},
        new double[] {0, 0, Double.NaN, Double.NaN, 1, 1}, 2));
    StateSpaceModel noNoise = new ConstantVelocityModel(2, 0.1, ConstantVelocityModel.Noise.CONTINUOUS, 0.0,
        new double[] {0.0, 0.0}, new double[] {0, 0, 0, 0}, new double[16]);
    try (BlockRunner runner = BlockRunner.cpu(EngineChoice.BATCHED, 1)) {
      Outcome o = runner.runBlock(noNoise, singular, Outputs.MOMENTS).get(0);
      assertFalse(o.ok(), "a model with no noise at all gives S = 0");
      assertNull(o.posterior());
      assertTrue(o.failure().contains("not positive definite"), o.failure());
      assertEquals(Engine.BATCHED, o.failedEngine(), "the batched engine failed first, then the sequential one");
    }
  }

  @Test
  void anErrorThatIsNotAboutTheTrajectoryPropagates() {
    StateSpaceModel model = model();
    BatchSmoothingEngine outage = throwing(new IllegalStateException("CUDA_ERROR_LAUNCH_FAILED"));
    try (BlockRunner runner = gpuRunner(new GpuEngines(o -> outage, o -> null))) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> runner.runBlock(model, block(model, 3), Outputs.MOMENTS));
      assertEquals("CUDA_ERROR_LAUNCH_FAILED", e.getMessage());
      assertEquals(0, runner.fallbacks());
    }
  }
}
