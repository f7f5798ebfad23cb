package io.statespace.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.execution.BlockRunner;
import io.statespace.execution.EngineChoice;
import io.statespace.linalg.Cholesky;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.LinearModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.testing.AllEngines;
import io.statespace.testing.RandomModels;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Numerically hard but valid models (issue 6): near-singular covariances, very long trajectories and huge
 * time gaps. The sequential engine, the numerical reference, must return finite moments and
 * log-likelihoods and covariances that are symmetric and positive semi-definite; so must the faster engines,
 * or else fail with a clear {@link InferenceException} (the parallel scan's covariance-form elements and the
 * batched engine's P⁻ − WᵀW update cancel catastrophically over a 10^6 s gap), in which case
 * {@link BlockRunner} falls back to the sequential engine, whose result must then be healthy.
 */
class NumericalStressTest {
  private static final AllEngines ENGINES = new AllEngines();

  @AfterAll
  static void close() {
    ENGINES.close();
  }

  /** Smooths with every engine and checks the result's health. */
  private static void checkAll(String name, StateSpaceModel model, Trajectory tr) {
    for (Map.Entry<String, SmoothingEngine> e : ENGINES.byName().entrySet()) {
      String label = name + " [" + e.getKey() + "]";
      Posterior p;
      try {
        p = e.getValue().smooth(model, tr, Outputs.ALL);
      } catch (InferenceException failure) {
        assertTrue(!e.getKey().equals("sequential"), label + ": the reference engine must not fail: " + failure);
        EngineChoice choice = e.getKey().equals("parallel") ? EngineChoice.PARALLEL : EngineChoice.BATCHED;
        try (BlockRunner runner = BlockRunner.cpu(choice, 2)) {
          p = runner.runAlone(model, tr, Outputs.ALL).posterior();
        }
        label += " (fell back to sequential)";
        System.out.println("[NumericalStress] " + label + ": " + failure.getMessage());
      }
      assertTrue(Double.isFinite(p.logLikelihood()), label + ": log-likelihood " + p.logLikelihood());
      int n = model.stateDim();
      assertHealthy(label + " filtered", p.filteredMeans(), p.filteredCovariances(), n);
      assertHealthy(label + " smoothed", p.smoothedMeans(), p.smoothedCovariances(), n);
      assertHealthy(label + " predicted", p.predictedMeans(), p.predictedCovariances(), n);
    }
  }

  private static void assertHealthy(String label, double[] means, double[] covs, int n) {
    for (int i = 0; i < means.length; i++) assertTrue(Double.isFinite(means[i]), label + " mean " + i + " = " + means[i]);
    double[] work = new double[n * n];
    int steps = covs.length / (n * n);
    for (int t = 0; t < steps; t++) {
      int o = t * n * n;
      double trace = 0.0;
      for (int i = 0; i < n; i++) {
        trace += covs[o + i * n + i];
        for (int j = 0; j < n; j++) {
          double v = covs[o + i * n + j];
          assertTrue(Double.isFinite(v), label + " cov at step " + t + " not finite");
          assertEquals(v, covs[o + j * n + i], 0.0, label + " cov at step " + t + " not symmetric");
        }
      }
      // PSD up to rounding: P + 1e-9 tr(P) I must have a Cholesky factor.
      System.arraycopy(covs, o, work, 0, n * n);
      double jitter = 1e-9 * Math.max(trace, Double.MIN_NORMAL);
      for (int i = 0; i < n; i++) work[i * n + i] += jitter;
      assertTrue(Cholesky.decompose(work, 0, n), label + " cov at step " + t + " not positive semi-definite");
    }
  }

  private static double[] diagonal(double... d) {
    int n = d.length;
    double[] a = new double[n * n];
    for (int i = 0; i < n; i++) a[i * n + i] = d[i];
    return a;
  }

  @Test
  void nearSingularCovariances() {
    SplittableRandom rng = new SplittableRandom(4);
    int n = 4;
    int m = 2;
    double[] f = RandomModels.stable(rng, n, 0.97);
    // Q with eigenvalues from 1 down to 1e-14, R and Sigma0 near-singular too.
    double[] q = rotate(rng, diagonal(1.0, 1e-6, 1e-10, 1e-14));
    double[] r = rotate(rng, diagonal(1.0, 1e-12));
    double[] s0 = rotate(rng, diagonal(10.0, 1e-13, 1.0, 1e-9));
    LinearModel model = new LinearModel(n, m, 0, RandomModels.uniform(rng, n, 5.0), s0, f, RandomModels.uniform(rng, n, 0.5),
        null, q, RandomModels.uniform(rng, m * n, 1.0), RandomModels.uniform(rng, m, 1.0), null, r);
    RandomModels.DataShape shape = new RandomModels.DataShape();
    shape.irregular = false;
    checkAll("near-singular Q, R, Sigma0", model, RandomModels.trajectory(rng, model, "ns", 2000, shape));
  }

  /** V D Vᵀ for a random orthogonal V (Gram-Schmidt). */
  private static double[] rotate(SplittableRandom rng, double[] d) {
    int n = (int) Math.round(Math.sqrt(d.length));
    double[] v = RandomModels.uniform(rng, n * n, 1.0);
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < i; k++) {
        double dot = 0.0;
        for (int j = 0; j < n; j++) dot += v[i * n + j] * v[k * n + j];
        for (int j = 0; j < n; j++) v[i * n + j] -= dot * v[k * n + j];
      }
      double norm = 0.0;
      for (int j = 0; j < n; j++) norm += v[i * n + j] * v[i * n + j];
      norm = Math.sqrt(norm);
      for (int j = 0; j < n; j++) v[i * n + j] /= norm;
    }
    double[] out = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0.0;
        for (int k = 0; k < n; k++) s += v[k * n + i] * d[k * n + k] * v[k * n + j];
        out[i * n + j] = s;
      }
    }
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        double avg = 0.5 * (out[i * n + j] + out[j * n + i]);
        out[i * n + j] = avg;
        out[j * n + i] = avg;
      }
    }
    return out;
  }

  private static ConstantVelocityModel tracking(ConstantVelocityModel.Noise noise) {
    return new ConstantVelocityModel(2, Double.NaN, noise, 1.0, new double[] {0.5, 0.5},
        new double[] {0, 0, 1, 1}, diagonal(1, 1, 1, 1));
  }

  @Test
  void hugeAndTinyTimeGaps() {
    SplittableRandom rng = new SplittableRandom(5);
    int steps = 400;
    double[] times = new double[steps];
    double[] obs = new double[steps * 2];
    double t = 0.0;
    for (int k = 0; k < steps; k++) {
      times[k] = t;
      obs[2 * k] = rng.nextDouble(-10, 10);
      obs[2 * k + 1] = k % 7 == 0 ? Double.NaN : rng.nextDouble(-10, 10);
      double u = rng.nextDouble();
      t += u < 0.1 ? 1e6 : u < 0.2 ? 1e-9 : u < 0.25 ? 0.0 : 0.1;
    }
    Trajectory tr = new Trajectory("gaps", times, obs, 2);
    for (ConstantVelocityModel.Noise noise : ConstantVelocityModel.Noise.values()) {
      checkAll("gaps of 1e6, 1e-9 and 0 (" + noise.key() + ")", tracking(noise), tr);
    }
  }

  @Test
  void aMillionSteps() {
    ConstantVelocityModel model = tracking(ConstantVelocityModel.Noise.CONTINUOUS);
    RandomModels.DataShape shape = new RandomModels.DataShape();
    shape.zeroGapFraction = 0.01;
    Trajectory tr = RandomModels.trajectory(new SplittableRandom(6), model, "long", 1_000_000, shape);
    checkAll("T = 10^6", model, tr);
  }
}
