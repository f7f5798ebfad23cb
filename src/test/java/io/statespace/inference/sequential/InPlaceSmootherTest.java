package io.statespace.inference.sequential;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.statespace.data.Trajectory;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.model.StateSpaceModel;
import io.statespace.testing.RandomModels;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The lean in-place path computes exactly (bit for bit) what the sequential engine computes, whatever the size of
 * the chunks its moments are stored in (steps on both sides of every chunk boundary included).
 */
class InPlaceSmootherTest {
  @ParameterizedTest
  @CsvSource({"1, 0", "2, 0", "50, 0", "700, 0", "2, 1", "50, 1", "50, 4", "50, 7", "700, 16", "700, 699", "700, 1024"})
  void equalsTheSequentialEngineBitForBit(int steps, int chunkSteps) {
    SplittableRandom rng = new SplittableRandom(steps);
    StateSpaceModel model = RandomModels.timeVarying(steps, 1 + rng.nextInt(5), 1 + rng.nextInt(3), 1);
    Trajectory trajectory = RandomModels.trajectory(rng, model, "t", steps, new RandomModels.DataShape());
    Posterior expected = new SequentialEngine().smooth(model, trajectory, Outputs.MOMENTS);
    InPlaceSmoother smoother = chunkSteps == 0 ? new InPlaceSmoother() : new InPlaceSmoother(chunkSteps);
    InPlaceSmoother.Result lean = smoother.smooth(model, trajectory);
    int n = model.stateDim();
    int nn = n * n;
    assertEquals(n, lean.stateDim());
    assertEquals(expected.logLikelihood(), lean.logLikelihood());
    for (int t = 0; t < steps; t++) {
      assertArrayEquals(Arrays.copyOfRange(expected.smoothedMeans(), t * n, (t + 1) * n),
          Arrays.copyOfRange(lean.smoothedMeans(t), lean.meanOffset(t), lean.meanOffset(t) + n), "step " + t);
      assertArrayEquals(Arrays.copyOfRange(expected.smoothedCovariances(), t * nn, (t + 1) * nn),
          Arrays.copyOfRange(lean.smoothedCovariances(t), lean.covarianceOffset(t), lean.covarianceOffset(t) + nn),
          "step " + t);
    }
    for (int t = 0; t < steps; t++) {
      assertArrayEquals(Arrays.copyOfRange(expected.filteredMeans(), t * n, (t + 1) * n), lean.filteredMean(t));
      assertArrayEquals(Arrays.copyOfRange(expected.filteredCovariances(), t * n * n, (t + 1) * n * n),
          lean.filteredCovariance(t));
    }
  }

  @Test
  void chunksHoldAtMostTheirStepsAndDefaultToEightMebibytesOfCovariancesHeaderIncluded() {
    SplittableRandom rng = new SplittableRandom(9);
    StateSpaceModel model = RandomModels.linear(rng, 4, 2, 0);
    Trajectory trajectory = RandomModels.trajectory(rng, model, "t", 100, new RandomModels.DataShape());
    assertEquals(8 * 16, new InPlaceSmoother(8).smooth(model, trajectory).largestChunk());
    assertEquals(100 * 16, new InPlaceSmoother().smooth(model, trajectory).largestChunk(), "one chunk of 100 steps");
    assertEquals((1 << 16) - 1, MomentChunks.chunkSteps(4), "8 MiB of 4x4 covariances and a header");
    assertEquals((1 << 20) - 3, MomentChunks.chunkSteps(1));
    assertEquals(1, MomentChunks.chunkSteps(2000));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new InPlaceSmoother(0));
    assertEquals("steps per chunk must be at least 1, got 0", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(ints = {3})
  void filteredMomentsReplayOnlyInTimeOrder(int steps) {
    SplittableRandom rng = new SplittableRandom(5);
    StateSpaceModel model = RandomModels.linear(rng, 2, 1, 0);
    InPlaceSmoother.Result lean = new InPlaceSmoother().smooth(model,
        RandomModels.trajectory(rng, model, "t", steps, new RandomModels.DataShape()));
    lean.filteredMean(0);
    assertThrows(IllegalStateException.class, () -> lean.filteredMean(2));
  }
}
