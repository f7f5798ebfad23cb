package io.statespace.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.inference.Outputs;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.testing.LogCapture;
import io.statespace.testing.RandomModels;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;

/**
 * The backend decision is logged once per executor JVM, not once per task: every task of an executor without a
 * GPU reaches "auto: no usable GPU (...)" for the same reason, and only the first says so at INFO. A decision with
 * a different reason is still logged.
 */
class DecisionLogTest {
  private static StateSpaceModel model() {
    double[] cov = new double[16];
    for (int i = 0; i < 4; i++) cov[i * 5] = 1.0;
    return new ConstantVelocityModel(2, 0.1, ConstantVelocityModel.Noise.CONTINUOUS, 1.0, new double[] {0.5, 0.5},
        new double[] {0, 0, 1, 1}, cov);
  }

  private static List<Trajectory> block(StateSpaceModel model) {
    SplittableRandom rng = new SplittableRandom(5);
    List<Trajectory> out = new ArrayList<>();
    for (int k = 0; k < 3; k++) out.add(RandomModels.trajectory(rng, model, "tr-" + k, 20, new RandomModels.DataShape()));
    return out;
  }

  /** One task: a runner of its own, as BackendRouter gives each task, smoothing one block. */
  private static void task(StateSpaceModel model, List<Trajectory> block, String noGpuBecause) {
    try (BlockRunner runner = new BlockRunner(new ExecutionPolicy(EngineChoice.AUTO, BackendOption.AUTO, 1),
        TaskDevice.none(noGpuBecause), GpuEngines.none())) {
      assertEquals(block.size(), runner.runBlock(model, block, Outputs.MOMENTS).size());
    }
  }

  @Test
  void noUsableGpuIsLoggedOncePerJvmNotOncePerTask() {
    StateSpaceModel model = model();
    List<Trajectory> block = block(model);
    String reason = "no libcuda.so.1 in test " + UUID.randomUUID();
    String other = "no libcuda.so.1 in test " + UUID.randomUUID();
    try (LogCapture log = LogCapture.of(BlockRunner.class)) {
      for (int task = 0; task < 4; task++) task(model, block, reason);
      task(model, block, other);
      List<String> lines = log.lines(Level.INFO, reason);
      assertEquals(1, lines.size(), "one line for four tasks: " + log.lines());
      assertTrue(lines.get(0).contains("auto: no usable GPU (" + reason + ")") && lines.get(0).contains("on the CPU"),
          lines.get(0));
      assertEquals(1, log.lines(Level.INFO, other).size(), "another reason is news: " + log.lines());
    }
  }
}
