package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.statespace.data.Trajectory;
import io.statespace.inference.InferenceException;
import io.statespace.inference.sequential.InPlaceSmoother;
import io.statespace.model.StateSpaceModel;
import io.statespace.testing.RandomModels;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The finiteness check of the lean path reads every step's smoothed mean and covariance in its chunk: a non-finite
 * value anywhere, in any chunk, fails the trajectory and names its step.
 */
class FiniteOutputsTest {
  private static InPlaceSmoother.Result lean() {
    SplittableRandom rng = new SplittableRandom(3);
    StateSpaceModel model = RandomModels.linear(rng, 3, 2, 0);
    Trajectory trajectory = RandomModels.trajectory(rng, model, "a", 10, new RandomModels.DataShape());
    return new InPlaceSmoother(4).smooth(model, trajectory);
  }

  @Test
  void aFiniteResultPasses() {
    assertDoesNotThrow(() -> FiniteOutputs.check(lean(), "a"));
  }

  @Test
  void aNonFiniteSmoothedMeanInALaterChunkNamesItsStep() {
    InPlaceSmoother.Result r = lean();
    r.smoothedMeans(9)[r.meanOffset(9) + 2] = Double.POSITIVE_INFINITY;
    InferenceException e = assertThrows(InferenceException.class, () -> FiniteOutputs.check(r, "a"));
    assertEquals("trajectory 'a', step 9: non-finite posterior moment Infinity (overflow)", e.getMessage());
  }

  @Test
  void aNonFiniteSmoothedCovarianceNamesItsStep() {
    InPlaceSmoother.Result r = lean();
    r.smoothedCovariances(5)[r.covarianceOffset(5) + 8] = Double.NaN;
    InferenceException e = assertThrows(InferenceException.class, () -> FiniteOutputs.check(r, "a"));
    assertEquals("trajectory 'a', step 5: non-finite posterior moment NaN (overflow)", e.getMessage());
  }
}
