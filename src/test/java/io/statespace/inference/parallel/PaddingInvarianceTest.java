package io.statespace.inference.parallel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.model.StateSpaceModel;
import io.statespace.testing.Differences;
import io.statespace.testing.RandomModels;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Padding never changes results at real positions (notes §1.3): identity elements before and after the
 * real ones leave both scans' prefixes unchanged, and trailing fully missing steps leave a trajectory's
 * filtered, predicted and smoothed moments, cross-covariances and log-likelihood unchanged.
 */
class PaddingInvarianceTest {
  private static final double TOLERANCE = 1e-12;
  private static WorkerPool pool;

  @BeforeAll
  static void start() {
    pool = new WorkerPool(3);
  }

  @AfterAll
  static void stop() {
    pool.close();
  }

  @Test
  void identityElementsDoNotChangeScans() {
    SplittableRandom rng = new SplittableRandom(77);
    for (AssociativeScan scan : new AssociativeScan[] {new ChunkedScan(pool), new TreeScan(pool)}) {
      for (int count : new int[] {1, 5, 37, 200}) {
        int n = 1 + rng.nextInt(4);
        FilterOperator filter = new FilterOperator(n);
        SmootherOperator smoother = new SmootherOperator(n);
        double worst = 0.0;
        for (boolean forward : new boolean[] {true, false}) {
          worst = Math.max(worst, padded(scan, filter, Components.of(filter),
              RandomElements.filterScaled(rng, filter, count, 0.95), count, forward, rng));
          worst = Math.max(worst, padded(scan, smoother, Components.of(smoother),
              RandomElements.smootherScaled(rng, smoother, count, 0.95), count, forward, rng));
        }
        System.out.printf("padding %-11s count=%3d n=%d: max relative difference %.1e%n",
            scan.getClass().getSimpleName(), count, n, worst);
      }
    }
  }

  /** Scans the elements with and without random identity padding at both ends; returns the difference. */
  private static <W> double padded(AssociativeScan scan, ScanOperator<W> op, Components parts, double[] elements,
      int count, boolean forward, SplittableRandom rng) {
    int w = op.width();
    int before = rng.nextInt(1, 9);
    int after = rng.nextInt(1, 9);
    int total = before + count + after;
    double[] pad = new double[total * w];
    for (int k = 0; k < total; k++) op.identity(pad, k * w);
    System.arraycopy(elements, 0, pad, before * w, count * w);
    double[] plain = elements.clone();
    if (forward) {
      scan.forward(op, plain, count);
      scan.forward(op, pad, total);
    } else {
      scan.reverse(op, plain, count);
      scan.reverse(op, pad, total);
    }
    double diff = parts.maxRelative(Arrays.copyOfRange(pad, before * w, (before + count) * w), plain, count, w);
    assertTrue(diff < TOLERANCE, "identity padding changed the scan by " + diff);
    return diff;
  }

  @Test
  void trailingMissingStepsDoNotChangeThePosterior() {
    SplittableRandom rng = new SplittableRandom(78);
    try (ParallelEngine engine = new ParallelEngine(2)) {
      for (int steps : new int[] {1, 4, 150}) {
        int n = 1 + rng.nextInt(5);
        int m = 1 + rng.nextInt(3);
        int p = rng.nextInt(3);
        StateSpaceModel model = RandomModels.timeVarying(rng.nextLong(), n, m, p);
        Trajectory real = RandomModels.trajectory(rng, model, "real", steps, new RandomModels.DataShape());
        Trajectory longer = withMissingTail(real, 1 + rng.nextInt(40), rng);
        Posterior a = engine.smooth(model, real, Outputs.ALL);
        Posterior b = engine.smooth(model, longer, Outputs.ALL);
        double worst = Differences.relative(b.logLikelihood(), a.logLikelihood());
        worst = Math.max(worst, head(b.filteredMeans(), a.filteredMeans()));
        worst = Math.max(worst, head(b.filteredCovariances(), a.filteredCovariances()));
        worst = Math.max(worst, head(b.predictedMeans(), a.predictedMeans()));
        worst = Math.max(worst, head(b.predictedCovariances(), a.predictedCovariances()));
        worst = Math.max(worst, head(b.smoothedMeans(), a.smoothedMeans()));
        worst = Math.max(worst, head(b.smoothedCovariances(), a.smoothedCovariances()));
        worst = Math.max(worst, head(b.smoothedCrossCovariances(), a.smoothedCrossCovariances()));
        System.out.printf("padding trajectory T=%3d + %2d missing steps, n=%d m=%d p=%d: max relative difference "
            + "%.1e%n", steps, longer.length() - steps, n, m, p, worst);
        assertTrue(worst < TOLERANCE, "trailing missing steps changed the posterior by " + worst);
      }
    }
  }

  /** Relative difference of the first expected.length entries of {@code actual}. */
  private static double head(double[] actual, double[] expected) {
    return Differences.relative(actual, 0, expected, 0, expected.length);
  }

  private static Trajectory withMissingTail(Trajectory real, int extra, SplittableRandom rng) {
    int steps = real.length() + extra;
    int m = real.obsDim();
    int p = real.inputDim();
    double[] times = Arrays.copyOf(real.times(), steps);
    for (int t = real.length(); t < steps; t++) times[t] = times[t - 1] + rng.nextDouble(0.0, 1.5);
    double[] y = Arrays.copyOf(real.observations(), steps * m);
    Arrays.fill(y, real.length() * m, steps * m, Double.NaN);
    double[] u = p == 0 ? null : Arrays.copyOf(real.inputs(), steps * p);
    if (u != null) {
      for (int i = real.length() * p; i < u.length; i++) u[i] = rng.nextDouble(-1, 1);
    }
    return new Trajectory(real.id(), times, y, m, u, p);
  }
}
