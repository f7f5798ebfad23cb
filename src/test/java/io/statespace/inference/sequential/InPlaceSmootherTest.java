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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The lean in-place path computes exactly (bit for bit) what the sequential engine computes. */
class InPlaceSmootherTest {
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 50, 700})
  void equalsTheSequentialEngineBitForBit(int steps) {
    SplittableRandom rng = new SplittableRandom(steps);
    StateSpaceModel model = RandomModels.timeVarying(steps, 1 + rng.nextInt(5), 1 + rng.nextInt(3), 1);
    Trajectory trajectory = RandomModels.trajectory(rng, model, "t", steps, new RandomModels.DataShape());
    Posterior expected = new SequentialEngine().smooth(model, trajectory, Outputs.MOMENTS);
    InPlaceSmoother.Result lean = new InPlaceSmoother().smooth(model, trajectory);
    int n = model.stateDim();
    assertEquals(expected.logLikelihood(), lean.logLikelihood());
    assertArrayEquals(expected.smoothedMeans(), lean.smoothedMeans());
    assertArrayEquals(expected.smoothedCovariances(), lean.smoothedCovariances());
    for (int t = 0; t < steps; t++) {
      assertArrayEquals(Arrays.copyOfRange(expected.filteredMeans(), t * n, (t + 1) * n), lean.filteredMean(t));
      assertArrayEquals(Arrays.copyOfRange(expected.filteredCovariances(), t * n * n, (t + 1) * n * n),
          lean.filteredCovariance(t));
    }
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
