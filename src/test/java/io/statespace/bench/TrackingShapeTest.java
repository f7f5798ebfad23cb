package io.statespace.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The throughput bench's tracking shape is what its table says: the bundled tracking sample's shape (about 3%
 * of the sampling instants skipped, 7% of the steps fully and 3% partly missing), for a model that reads dt
 * from the time column.
 */
class TrackingShapeTest {
  @Test
  void trackingWorkloadHasTheSamplesGapsAndMissingData() {
    BenchModel bench = new BenchModel();
    assertTrue(bench.trackingModel().usesTimeGaps(), "dt comes from the time column");
    List<Trajectory> data = bench.simulateTracking(400, 100, 3);
    assertEquals(400, data.size());
    int steps = 0;
    int whole = 0;
    int partial = 0;
    int gaps = 0;
    int longGaps = 0;
    for (Trajectory tr : data) {
      assertEquals(100, tr.length());
      double[] y = tr.observations();
      for (int t = 0; t < tr.length(); t++) {
        boolean x = Double.isNaN(y[2 * t]);
        boolean z = Double.isNaN(y[2 * t + 1]);
        whole += x && z ? 1 : 0;
        partial += x != z ? 1 : 0;
        steps++;
        if (t + 1 < tr.length()) {
          gaps++;
          longGaps += tr.dt(t) > 0.15 ? 1 : 0;
        }
      }
    }
    double wholeShare = whole / (double) steps;
    double partialShare = partial / (double) steps;
    double skipped = longGaps / (double) gaps;
    assertTrue(wholeShare > 0.06 && wholeShare < 0.08, "fully missing steps: " + wholeShare);
    assertTrue(partialShare > 0.02 && partialShare < 0.04, "partly missing steps: " + partialShare);
    assertTrue(skipped > 0.02 && skipped < 0.04, "gaps of a skipped instant: " + skipped);
  }
}
