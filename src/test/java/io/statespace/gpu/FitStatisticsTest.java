package io.statespace.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.testing.RandomModels;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The fitting statistics: their definition on a hand-made posterior, folding, and the device layout. */
class FitStatisticsTest {
  @Test
  void definitionOnAHandMadePosterior() {
    double[] m = {1, 2, 3};
    double[] p = {0.5, 0.25, 0.125};
    double[] cross = {0.1, 0.2};
    Posterior post = new Posterior(3, 1, -4.0, m, p, null, null, m, p, cross);
    FitStatistics s = FitStatistics.of(post);
    assertArrayEquals(new double[] {1}, s.initialMean());
    assertArrayEquals(new double[] {0.5 + 1}, s.initialSecond());
    assertArrayEquals(new double[] {(0.5 + 1) + (0.25 + 4)}, s.secondBefore());
    assertArrayEquals(new double[] {(0.25 + 4) + (0.125 + 9)}, s.secondAfter());
    assertArrayEquals(new double[] {(0.1 + 2) + (0.2 + 6)}, s.lagSecond());
    assertArrayEquals(new double[] {3}, s.meanBefore());
    assertArrayEquals(new double[] {5}, s.meanAfter());
    assertEquals(2, s.transitions());
    assertEquals(-4.0, s.logLikelihood());
    FitStatistics twice = s.plus(s);
    assertEquals(2, twice.trajectories());
    assertArrayEquals(new double[] {10}, twice.meanAfter());
    assertThrows(IllegalArgumentException.class,
        () -> FitStatistics.of(new Posterior(3, 1, 0, m, p, null, null, m, p, null)));
  }

  @Test
  void theDeviceVectorOfAPaddedShapeKeepsTheLeadingBlock() {
    SplittableRandom rng = new SplittableRandom(31);
    var model = RandomModels.linear(rng, 2, 1, 0);
    var trajectory = RandomModels.trajectory(rng, model, "t", 20, new RandomModels.DataShape());
    FitStatistics s = FitStatistics.of(new SequentialEngine().smooth(model, trajectory, Outputs.ALL));
    double[] small = s.toArray();
    int n = 2;
    int big = 3;
    double[] v = new double[FitStatistics.width(big)];
    java.util.Arrays.fill(v, 99.0);
    boolean[] matrix = {false, true, true, true, true, false, false};
    int src = 0;
    int dst = 0;
    for (boolean isMatrix : matrix) {
      int rows = isMatrix ? n : 1;
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < n; c++) v[dst + r * big + c] = small[src + r * n + c];
      }
      src += isMatrix ? n * n : n;
      dst += isMatrix ? big * big : big;
    }
    v[dst] = small[src];
    v[dst + 1] = small[src + 1];
    assertArrayEquals(small, FitStatistics.fromDevice(v, big, 2, 1).toArray());
  }
}
