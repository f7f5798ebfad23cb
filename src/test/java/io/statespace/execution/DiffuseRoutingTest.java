package io.statespace.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.ModelSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Diffuse models stay on the engines that run the exact diffuse filter (sequential, batched), with the reason. */
class DiffuseRoutingTest {
  static final StateSpaceModel DIFFUSE = ModelSpec.parse("{\"family\": \"local-level\", \"level_std\": 0.4,"
      + " \"measurement_std\": 0.6, \"initial\": {\"diffuse\": true}}").model();

  @Test
  void otherEnginesGiveWayToTheSequentialEngineWithTheReason() {
    for (Engine e : new Engine[] {Engine.PARALLEL, Engine.SEQUENTIAL_IN_PLACE, Engine.GPU_BATCHED, Engine.GPU_PARALLEL}) {
      ExecutionPolicy.Decision d = ExecutionPolicy.forDiffuse(new ExecutionPolicy.Decision(e, "because", e.gpu() ? 0 : -1));
      assertEquals(Engine.SEQUENTIAL, d.engine(), e.label());
      assertEquals(-1, d.ordinal());
      assertTrue(d.reason().contains("diffuse") && d.reason().contains(e.label()) && d.reason().contains("because"), d.reason());
    }
    for (Engine e : new Engine[] {Engine.SEQUENTIAL, Engine.BATCHED}) {
      ExecutionPolicy.Decision d = new ExecutionPolicy.Decision(e, "because", -1);
      assertSame(d, ExecutionPolicy.forDiffuse(d));
    }
  }

  @Test
  void aParallelRunnerSmoothsADiffuseModelOnTheSequentialEngine() {
    Trajectory t = new Trajectory("a", new double[] {0, 1, 2, 3}, new double[] {1.0, Double.NaN, 0.5, 0.7}, 1);
    Posterior expected = new SequentialEngine().smooth(DIFFUSE, t, Outputs.MOMENTS);
    try (BlockRunner runner = BlockRunner.cpu(EngineChoice.PARALLEL, 1)) {
      Outcome alone = runner.runAlone(DIFFUSE, t, Outputs.MOMENTS);
      assertEquals(Engine.SEQUENTIAL, alone.engine());
      assertFalse(alone.fellBack());
      assertEquals(expected.logLikelihood(), alone.posterior().logLikelihood(), 0.0);
      Outcome inBlock = runner.runBlock(DIFFUSE, List.of(t), Outputs.MOMENTS).get(0);
      assertEquals(Engine.SEQUENTIAL, inBlock.engine());
      assertEquals(expected.smoothedMeans()[0], inBlock.posterior().smoothedMeans()[0], 0.0);
    }
  }
}
