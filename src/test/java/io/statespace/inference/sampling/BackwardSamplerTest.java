package io.statespace.inference.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.inference.InferenceException;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.testing.RandomModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Forward filtering, backward sampling against the sequential smoother: over many draws (fixed seed) the sample
 * mean and covariance of every x_t and the lag-one cross-covariance E[(x_{t+1} − m_{t+1})(x_t − m_t)ᵀ] match the
 * smoother's moments ({@link Outputs#ALL}) within Monte Carlo error, element by element, on models with missing
 * and partly missing steps and irregular dt including dt = 0.
 *
 * <p>The bound: with N draws and the smoother's mean m known, the sample mean of x_i has standard error
 * sqrt(P_ii / N), and the sample mean of the product (x_i − m_i)(y_j − m_j) of two jointly Gaussian components
 * with covariance C_ij has standard error sqrt((V_i V_j + C_ij²) / N) (Isserlis). Each element must lie within
 * {@link #Z} standard errors: at 5σ a correct sampler fails one of the ~700 checks of a test with probability
 * below 5e-4, and the draws are seeded, so the outcome is fixed.
 */
class BackwardSamplerTest {
  private static final double Z = 5.0;
  private static final int DRAWS = 20_000;

  /** 2-D constant velocity, dt from the times: gaps of 0.1 to 0.5 s and two of 0 (F = I, Q = 0). */
  static ConstantVelocityModel tracking() {
    double[] cov = new double[16];
    for (int i = 0; i < 4; i++) cov[i * 5] = i < 2 ? 1.0 : 0.5;
    cov[1] = cov[4] = 0.3;
    return new ConstantVelocityModel(2, Double.NaN, ConstantVelocityModel.Noise.CONTINUOUS, 0.7, new double[] {0.4, 0.6},
        new double[] {1.0, -2.0, 0.5, 0.3}, cov);
  }

  /** 12 steps: fully missing at 2 and 7, x missing at 4, y missing at 9, dt = 0 between 2–3 and 7–8. */
  static Trajectory trackingTrajectory() {
    double nan = Double.NaN;
    double[] times = {0, 0.1, 0.25, 0.25, 0.4, 0.9, 1.0, 1.2, 1.2, 1.5, 1.6, 2.0};
    double[] obs = {1.1, -1.9, 1.0, -1.7, nan, nan, 1.4, -1.6, nan, -1.5, 1.9, -1.2, 2.1, -1.1, nan, nan, 2.5, -0.8,
        2.7, nan, 2.6, -0.6, 3.0, -0.4};
    return new Trajectory("trk-1", times, obs, 2);
  }

  @Test
  void drawsHaveTheSmoothersMomentsOnAnIrregularTrackWithGaps() {
    assertMoments(tracking(), trackingTrajectory(), 11L);
  }

  @Test
  void drawsHaveTheSmoothersMomentsOnATimeVaryingModelWithInputs() {
    StateSpaceModel model = RandomModels.timeVarying(31, 3, 2, 1);
    RandomModels.DataShape shape = new RandomModels.DataShape();
    shape.zeroGapFraction = 0.15;
    Trajectory tr = RandomModels.trajectory(new SplittableRandom(8), model, "tv", 20, shape);
    assertTrue(tr.missingSteps() > 0, "the case has missing steps");
    boolean zeroGap = false;
    for (int t = 0; t + 1 < tr.length(); t++) zeroGap |= tr.dt(t) == 0.0;
    assertTrue(zeroGap, "the case has a dt = 0 step");
    assertMoments(model, tr, 12L);
  }

  @Test
  void aZeroGapGivesTheSameStateOnBothSidesInEveryDraw() {
    Trajectory tr = trackingTrajectory();
    SamplingKernel kernel = new TrajectorySampler().kernel(tracking(), tr);
    long key = DrawStream.trajectorySeed(3, tr.id());
    double[] x = new double[tr.length() * 4];
    for (int d = 0; d < 50; d++) {
      kernel.draw(new DrawStream(key, d), x);
      for (int i = 0; i < 4; i++) {
        assertEquals(x[3 * 4 + i], x[2 * 4 + i], 1e-9, "draw " + d + ": x_2 = x_3 across dt = 0");
        assertEquals(x[8 * 4 + i], x[7 * 4 + i], 1e-9, "draw " + d + ": x_7 = x_8 across dt = 0");
      }
    }
  }

  @Test
  void aDrawDependsOnlyOnSeedKeyAndIndex() {
    Trajectory tr = trackingTrajectory();
    SamplingKernel kernel = new TrajectorySampler().kernel(tracking(), tr);
    double[] a = new double[tr.length() * 4];
    double[] b = new double[tr.length() * 4];
    kernel.draw(new DrawStream(DrawStream.trajectorySeed(5, "trk-1"), 2), a);
    new TrajectorySampler().kernel(tracking(), tr).draw(new DrawStream(DrawStream.trajectorySeed(5, "trk-1"), 2), b);
    assertArrayEquals(a, b, "same seed, key and draw: the same path, bit for bit");
    kernel.draw(new DrawStream(DrawStream.trajectorySeed(5, "trk-1"), 3), b);
    assertFalse(a[0] == b[0], "another draw index gives another path");
    kernel.draw(new DrawStream(DrawStream.trajectorySeed(6, "trk-1"), 2), b);
    assertFalse(a[0] == b[0], "another seed gives another path");
    kernel.draw(new DrawStream(DrawStream.trajectorySeed(5, "trk-2"), 2), b);
    assertFalse(a[0] == b[0], "another trajectory key gives another path");
  }

  @Test
  void theStreamIsStandardNormal() {
    DrawStream s = new DrawStream(DrawStream.trajectorySeed(1, "x"), 0);
    int n = 200_000;
    double sum = 0;
    double sq = 0;
    double fourth = 0;
    for (int i = 0; i < n; i++) {
      double z = s.nextGaussian();
      sum += z;
      sq += z * z;
      fourth += z * z * z * z;
    }
    assertEquals(0.0, sum / n, Z / Math.sqrt(n), "mean");
    assertEquals(1.0, sq / n, Z * Math.sqrt(2.0 / n), "variance (the variance of z² is 2)");
    assertEquals(3.0, fourth / n, Z * Math.sqrt(96.0 / n), "fourth moment (the variance of z⁴ is 96)");
  }

  @Test
  void aNonFiniteFilteredCovarianceIsRefusedNamingTheStep() {
    Trajectory tr = trackingTrajectory();
    StateSpaceModel model = tracking();
    Posterior p = new SequentialEngine().filter(model, tr, Outputs.MOMENTS);
    p.filteredCovariances()[5 * 16] = Double.NaN;
    InferenceException e = assertThrows(InferenceException.class,
        () -> new BackwardSampler(4).prepare(model.bind(tr), tr.id(), p));
    assertTrue(e.getMessage().startsWith("trajectory 'trk-1', step 5: backward-sampling"), e.getMessage());
  }

  /**
   * Asserts, element by element, that the draws' mean, covariance and lag-one cross-covariance match the
   * sequential smoother's within {@link #Z} Monte Carlo standard errors.
   */
  private static void assertMoments(StateSpaceModel model, Trajectory tr, long seed) {
    Posterior smoothed = new SequentialEngine().smooth(model, tr, Outputs.ALL);
    int steps = tr.length();
    int n = model.stateDim();
    int nn = n * n;
    double[] m = smoothed.smoothedMeans();
    double[] p = smoothed.smoothedCovariances();
    double[] c = smoothed.smoothedCrossCovariances();
    SamplingKernel kernel = new TrajectorySampler().kernel(model, tr);
    long key = DrawStream.trajectorySeed(seed, tr.id());
    double[] sum = new double[steps * n];
    double[] prod = new double[steps * nn];
    double[] cross = new double[(steps - 1) * nn];
    double[] x = new double[steps * n];
    for (int d = 0; d < DRAWS; d++) {
      kernel.draw(new DrawStream(key, d), x);
      for (int t = 0; t < steps; t++) {
        for (int i = 0; i < n; i++) {
          double ei = x[t * n + i] - m[t * n + i];
          sum[t * n + i] += x[t * n + i];
          for (int j = 0; j < n; j++) {
            prod[t * nn + i * n + j] += ei * (x[t * n + j] - m[t * n + j]);
            if (t + 1 < steps) cross[t * nn + i * n + j] += (x[(t + 1) * n + i] - m[(t + 1) * n + i]) * (x[t * n + j] - m[t * n + j]);
          }
        }
      }
    }
    List<String> failures = new ArrayList<>();
    double worst = 0;
    int checks = 0;
    for (int t = 0; t < steps; t++) {
      for (int i = 0; i < n; i++) {
        double se = Math.sqrt(p[t * nn + i * n + i] / DRAWS);
        worst = Math.max(worst, check(failures, "mean x_" + t + "[" + i + "]", sum[t * n + i] / DRAWS, m[t * n + i], se));
        checks++;
        for (int j = 0; j < n; j++) {
          double cij = p[t * nn + i * n + j];
          double seCov = Math.sqrt((p[t * nn + i * n + i] * p[t * nn + j * n + j] + cij * cij) / DRAWS);
          worst = Math.max(worst, check(failures, "cov x_" + t + "[" + i + "][" + j + "]", prod[t * nn + i * n + j] / DRAWS, cij, seCov));
          checks++;
          if (t + 1 < steps) {
            double xij = c[t * nn + i * n + j];
            double seCross = Math.sqrt((p[(t + 1) * nn + i * n + i] * p[t * nn + j * n + j] + xij * xij) / DRAWS);
            worst = Math.max(worst, check(failures, "cross x_" + (t + 1) + "[" + i + "], x_" + t + "[" + j + "]",
                cross[t * nn + i * n + j] / DRAWS, xij, seCross));
            checks++;
          }
        }
      }
    }
    assertTrue(failures.isEmpty(), failures.size() + " of " + checks + " moments outside " + Z + " standard errors, e.g. "
        + failures.subList(0, Math.min(5, failures.size())));
    assertTrue(worst > 1.0, "the z scores spread as Monte Carlo errors do (largest " + worst + " of " + checks + ")");
  }

  /** The |z| score of an estimate, recorded as a failure above {@link #Z}. */
  private static double check(List<String> failures, String what, double estimate, double expected, double se) {
    double z = Math.abs(estimate - expected) / Math.max(se, 1e-300);
    if (se == 0.0) z = estimate == expected ? 0.0 : Double.POSITIVE_INFINITY;
    if (!(z <= Z)) failures.add(String.format(Locale.ROOT, "%s: %.6g vs %.6g (z %.1f)", what, estimate, expected, z));
    return z;
  }
}
