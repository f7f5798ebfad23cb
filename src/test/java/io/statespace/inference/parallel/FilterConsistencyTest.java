package io.statespace.inference.parallel;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.inference.InferenceException;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepParameters;
import io.statespace.testing.RandomModels;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The parallel filter's self-check ({@link FilterConsistency}): on gaps of 10^6 s, where the covariance-form
 * combine returns finite but wrong moments, the engine must throw an {@link InferenceException} naming the
 * step, in every order of evaluation; on valid models (random stable models with missing data and
 * irregular gaps, and a 100,005-step tracking trajectory with positions in the thousands) it must never
 * trip, and the largest residual, recomputed here from the returned moments, must stay at least 10 times
 * below the tolerance.
 */
class FilterConsistencyTest {
  private static final Pattern STEP = Pattern.compile("trajectory 'gaps', step (\\d+): ");

  private static EngineComparison engines;

  @BeforeAll
  static void startEngines() {
    engines = new EngineComparison();
  }

  @AfterAll
  static void stopEngines() {
    engines.close();
  }

  private static double[] diagonal(double... d) {
    double[] a = new double[d.length * d.length];
    for (int i = 0; i < d.length; i++) a[i * d.length + i] = d[i];
    return a;
  }

  private static ConstantVelocityModel tracking(ConstantVelocityModel.Noise noise, double... mean) {
    return new ConstantVelocityModel(2, Double.NaN, noise, 1.0, new double[] {0.5, 0.5}, mean, diagonal(1, 1, 1, 1));
  }

  /** NumericalStressTest's trajectory of huge and tiny gaps. */
  private static Trajectory gaps() {
    return RandomModels.hugeAndTinyGaps();
  }

  @ParameterizedTest
  @EnumSource(ConstantVelocityModel.Noise.class)
  void hugeGapsThrowNamingTheStep(ConstantVelocityModel.Noise noise) {
    StateSpaceModel model = tracking(noise, 0, 0, 1, 1);
    Trajectory tr = gaps();
    ParallelEngine[] orders = {engines.chunked(1), engines.chunked(2), engines.chunked(3), engines.tree()};
    for (ParallelEngine engine : orders) {
      InferenceException e = assertThrows(InferenceException.class, () -> engine.smooth(model, tr, Outputs.ALL));
      Matcher step = STEP.matcher(e.getMessage());
      assertTrue(step.lookingAt(), e.getMessage());
      int t = Integer.parseInt(step.group(1));
      assertTrue(t > 0 && t < tr.length(), e.getMessage());
      System.out.println("[FilterConsistency] gaps (" + noise.key() + "): " + e.getMessage());
    }
    if (noise == ConstantVelocityModel.Noise.CONTINUOUS) {
      // Finite throughout: only the self-check can catch it.
      InferenceException e = assertThrows(InferenceException.class, () -> engines.chunked(2).filter(model, tr,
          Outputs.MOMENTS));
      assertTrue(e.getMessage().contains("differ from one Kalman step"), e.getMessage());
    }
  }

  @Test
  void randomValidModelsNeverTrip() {
    double worst = 0.0;
    for (long seed = 100; seed < 140; seed++) {
      SplittableRandom rng = new SplittableRandom(seed);
      int n = 1 + rng.nextInt(6);
      int m = 1 + rng.nextInt(3);
      int p = rng.nextInt(3);
      StateSpaceModel model = seed % 2 == 0 ? RandomModels.linear(rng, n, m, p)
          : RandomModels.timeVarying(rng.nextLong(), n, m, p);
      RandomModels.DataShape shape = new RandomModels.DataShape();
      shape.missingStepFraction = 0.2;
      shape.partialFraction = 0.3;
      shape.zeroGapFraction = 0.1;
      Trajectory tr = RandomModels.trajectory(rng, model, "random-" + seed, 200 + rng.nextInt(3000), shape);
      for (ParallelEngine engine : new ParallelEngine[] {engines.chunked(1 + (int) (seed % 3)), engines.tree()}) {
        worst = Math.max(worst, residual(model, tr, engine.filter(model, tr, Outputs.MOMENTS)));
      }
    }
    System.out.printf("[FilterConsistency] random valid models: largest residual %.2e%n", worst);
    assertTrue(worst < FilterConsistency.TOLERANCE / 10, "largest residual " + worst);
  }

  /** The tracking model over 100,005 steps with drifting positions, missing data and zero gaps. */
  @Test
  void longTrackingTrajectoryNeverTrips() {
    StateSpaceModel model = tracking(ConstantVelocityModel.Noise.CONTINUOUS, 0, 0, 1, 1);
    RandomModels.DataShape shape = new RandomModels.DataShape();
    shape.zeroGapFraction = 0.05;
    Trajectory tr = RandomModels.trajectory(new SplittableRandom(7), model, "long", 100_005, shape);
    double worst = 0.0;
    for (ParallelEngine engine : new ParallelEngine[] {engines.chunked(2), engines.chunked(3), engines.tree()}) {
      worst = Math.max(worst, residual(model, tr, engine.filter(model, tr, Outputs.MOMENTS)));
    }
    System.out.printf("[FilterConsistency] 100,005-step tracking: largest residual %.2e%n", worst);
    assertTrue(worst < FilterConsistency.TOLERANCE / 10, "largest residual " + worst);
  }

  /** The largest {@link FilterConsistency} residual of a returned posterior, recomputed step by step here. */
  private static double residual(StateSpaceModel model, Trajectory tr, Posterior p) {
    int n = model.stateDim();
    int steps = tr.length();
    double[] fm = p.filteredMeans();
    double[] fc = p.filteredCovariances();
    double[] meanSquares = new double[n];
    double[] covSquares = new double[n * n];
    for (int t = 0; t < steps; t++) {
      for (int i = 0; i < n; i++) meanSquares[i] += fm[t * n + i] * fm[t * n + i];
      for (int i = 0; i < n * n; i++) covSquares[i] += fc[t * n * n + i] * fc[t * n * n + i];
    }
    StepParameters params = model.bind(tr);
    OneStepPrediction prediction = new OneStepPrediction(params);
    ObservationLikelihood likelihood = new ObservationLikelihood(params, tr.id(), tr.observations(), fm, fc,
        new FilterConsistency(n, steps, meanSquares, covSquares));
    OneStepPrediction.Workspace pws = prediction.newWorkspace();
    ObservationLikelihood.Workspace lws = likelihood.newWorkspace();
    double[] mean = new double[n];
    double[] cov = new double[n * n];
    double worst = 0.0;
    for (int t = 0; t < steps; t++) {
      prediction.predict(t, fm, fc, mean, 0, cov, 0, pws);
      likelihood.logLikelihood(t, mean, 0, cov, 0, lws);
      worst = Math.max(worst, lws.residual);
    }
    return worst;
  }
}
