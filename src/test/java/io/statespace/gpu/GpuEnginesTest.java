package io.statespace.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.gpu.check.CheckCases;
import io.statespace.gpu.check.Compare;
import io.statespace.inference.InferenceException;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.LinearModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.testing.ElementwiseComparison;
import io.statespace.testing.RandomModels;
import io.statespace.testing.TestGpu;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The GPU engines against the sequential float64 engine at 1e-9 relative per element (each state
 * coordinate and covariance entry held to max(|reference|, that component's RMS within the trajectory):
 * {@link ElementwiseComparison}), on a CUDA device. The default
 * test run skips them where there is no GPU (CI, most developer machines), with the probe's reason; the
 * gpu-emulated run (pom.xml) runs them everywhere on the CUDA emulator (src/test/cuda-emulator), which
 * executes the kernels' own source on the CPU behind the unchanged JCuda path (see {@link TestGpu}).
 */
class GpuEnginesTest {
  private static final double TOLERANCE = 1e-9;

  private int ordinal;

  @BeforeEach
  void requireDevice() {
    ordinal = TestGpu.ordinal();
  }

  private static List<StateSpaceModel> models(SplittableRandom rng) {
    List<StateSpaceModel> out = new ArrayList<>();
    int[][] dims = {{1, 1, 0}, {2, 1, 1}, {3, 2, 2}, {4, 2, 1}, {4, 4, 0}, {5, 2, 1}, {6, 3, 2}, {8, 4, 1}};
    for (int[] d : dims) out.add(RandomModels.linear(rng, d[0], d[1], d[2]));
    for (int axes = 1; axes <= 3; axes++) {
      out.add(CheckCases.constantVelocity(rng, axes, false));
      out.add(CheckCases.constantVelocity(rng, axes, true));
    }
    return out;
  }

  /**
   * The parallel scan's means against the sequential filter's: the scan composes affine maps whose offsets
   * carry positions in the hundreds, so a filtered position differs from the sequential one by up to
   * 1.15e-9 of its component's RMS at T = 5·10^4 (measured on the emulator; the CPU scan, 1.2e-8 at
   * T = 10^6, NumericalStressTest). Covariances and the log-likelihood stay at {@link #TOLERANCE}.
   */
  private static final double SCAN_MEAN_TOLERANCE = 1e-8;

  private static double assertClose(String label, Posterior actual, Posterior expected) {
    return ElementwiseComparison.assertClose(label, actual, expected, TOLERANCE);
  }

  private static double assertScanClose(String label, Posterior actual, Posterior expected) {
    double worst = 0.0;
    for (Map.Entry<String, ElementwiseComparison.Worst> e : ElementwiseComparison.of(actual, expected).entrySet()) {
      double limit = e.getKey().endsWith("Mean") ? SCAN_MEAN_TOLERANCE : TOLERANCE;
      assertTrue(e.getValue().ratio() <= limit, label + " " + e.getKey() + ": " + e.getValue() + " > " + limit);
      worst = Math.max(worst, e.getValue().ratio());
    }
    return worst;
  }

  @Test
  void batchedEngineMatchesTheSequentialEngine() {
    SplittableRandom rng = new SplittableRandom(601);
    SequentialEngine cpu = new SequentialEngine();
    try (GpuBatchEngine gpu = new GpuBatchEngine(ordinal)) {
      for (StateSpaceModel model : models(rng)) {
        List<Trajectory> block = CheckCases.ragged(rng, model, 300, 200);
        Posterior[] smoothed = gpu.smooth(model, block, Outputs.ALL);
        Posterior[] filtered = gpu.filter(model, block, Outputs.MOMENTS);
        for (int k = 0; k < block.size(); k++) {
          String label = model + " trajectory " + k;
          assertClose(label, smoothed[k], cpu.smooth(model, block.get(k), Outputs.ALL));
          assertClose(label + " (filter)", filtered[k], cpu.filter(model, block.get(k), Outputs.MOMENTS));
        }
      }
    }
  }

  @Test
  void batchedReductionsMatchTheCpuSums() {
    SplittableRandom rng = new SplittableRandom(602);
    SequentialEngine cpu = new SequentialEngine();
    try (GpuBatchEngine gpu = new GpuBatchEngine(ordinal)) {
      for (StateSpaceModel model : models(rng)) {
        List<Trajectory> block = CheckCases.ragged(rng, model, 500, 100);
        double logLik = 0.0;
        FitStatistics expected = FitStatistics.zero(model.stateDim());
        for (Trajectory t : block) {
          Posterior p = cpu.smooth(model, t, Outputs.ALL);
          logLik += p.logLikelihood();
          expected = expected.plus(FitStatistics.of(p));
        }
        double gpuLogLik = gpu.logLikelihood(model, block);
        assertTrue(Math.abs(gpuLogLik - logLik) <= TOLERANCE * Math.abs(logLik), model + ": " + gpuLogLik + " vs " + logLik);
        FitStatistics actual = gpu.statistics(model, block);
        assertStatisticsClose(model.toString(), actual, expected);
        assertEquals(block.size(), actual.trajectories());
      }
    }
  }

  /**
   * The sums part by part, per element: second-moment entries (j, k) held to max(|expected|, √(S_jj S_kk))
   * (Cauchy–Schwarz: what an entry that cancels to near 0 is rounded at), mean sums to max(|expected|,
   * √(count · S_jj)) (|Σ m| ≤ √(count Σ m²)), the counts and the log-likelihood relative.
   */
  private static void assertStatisticsClose(String label, FitStatistics actual, FitStatistics expected) {
    int n = expected.stateDim();
    double count = Math.max(expected.transitions(), 1.0);
    ElementwiseComparison.assertClose(label + " initial mean", actual.initialMean(), expected.initialMean(),
        meanScales(expected.initialSecond(), expected.trajectories(), n), TOLERANCE);
    ElementwiseComparison.assertClose(label + " initial second", actual.initialSecond(), expected.initialSecond(),
        secondScales(expected.initialSecond(), expected.initialSecond(), n), TOLERANCE);
    ElementwiseComparison.assertClose(label + " second before", actual.secondBefore(), expected.secondBefore(),
        secondScales(expected.secondBefore(), expected.secondBefore(), n), TOLERANCE);
    ElementwiseComparison.assertClose(label + " second after", actual.secondAfter(), expected.secondAfter(),
        secondScales(expected.secondAfter(), expected.secondAfter(), n), TOLERANCE);
    ElementwiseComparison.assertClose(label + " lag second", actual.lagSecond(), expected.lagSecond(),
        secondScales(expected.secondAfter(), expected.secondBefore(), n), TOLERANCE);
    ElementwiseComparison.assertClose(label + " mean before", actual.meanBefore(), expected.meanBefore(),
        meanScales(expected.secondBefore(), count, n), TOLERANCE);
    ElementwiseComparison.assertClose(label + " mean after", actual.meanAfter(), expected.meanAfter(),
        meanScales(expected.secondAfter(), count, n), TOLERANCE);
    assertEquals(expected.transitions(), actual.transitions(), label + " transitions");
    assertEquals(expected.trajectories(), actual.trajectories(), label + " trajectories");
    assertTrue(Math.abs(actual.logLikelihood() - expected.logLikelihood()) <= TOLERANCE * Math.abs(expected.logLikelihood()),
        label + " log-likelihood " + actual.logLikelihood() + " vs " + expected.logLikelihood());
  }

  private static double[] secondScales(double[] rows, double[] columns, int n) {
    double[] out = new double[n * n];
    for (int j = 0; j < n; j++) {
      for (int k = 0; k < n; k++) out[j * n + k] = Math.sqrt(Math.abs(rows[j * n + j] * columns[k * n + k]));
    }
    return out;
  }

  private static double[] meanScales(double[] second, double count, int n) {
    double[] out = new double[n];
    for (int j = 0; j < n; j++) out[j] = Math.sqrt(Math.abs(count * second[j * n + j]));
    return out;
  }

  @Test
  void parallelEngineMatchesTheSequentialEngine() {
    SplittableRandom rng = new SplittableRandom(603);
    SequentialEngine cpu = new SequentialEngine();
    double worst = 0.0;
    try (GpuParallelEngine gpu = new GpuParallelEngine(ordinal)) {
      for (StateSpaceModel model : models(rng)) {
        for (int steps : new int[] {1, 2, 3, 100, 1000, 50_000}) {
          Trajectory t = RandomModels.trajectory(rng, model, "long", steps, new RandomModels.DataShape());
          worst = Math.max(worst, assertScanClose(model + " T=" + steps, gpu.smooth(model, t, Outputs.ALL),
              cpu.smooth(model, t, Outputs.ALL)));
          worst = Math.max(worst, assertScanClose(model + " T=" + steps + " (filter)", gpu.filter(model, t, Outputs.MOMENTS),
              cpu.filter(model, t, Outputs.MOMENTS)));
        }
      }
    }
    System.out.printf("[GpuEnginesTest] parallel scan: worst per-element difference %.2e%n", worst);
  }

  /**
   * The kernels promise the same bits on every run: no atomics in the sums, fixed reduction orders, and
   * barriers wherever threads share memory. On the emulator each launch runs the threads of a block in a
   * fresh shuffled order, so a missing barrier (a data race) would make two runs differ.
   */
  @Test
  void repeatedRunsGiveTheSameBits() {
    SplittableRandom rng = new SplittableRandom(604);
    StateSpaceModel model = RandomModels.linear(rng, 4, 2, 1);
    List<Trajectory> block = CheckCases.ragged(rng, model, 200, 150);
    Trajectory longOne = RandomModels.trajectory(rng, model, "long", 20_000, new RandomModels.DataShape());
    try (GpuBatchEngine batch = new GpuBatchEngine(ordinal); GpuParallelEngine scan = new GpuParallelEngine(ordinal)) {
      Posterior[] first = batch.smooth(model, block, Outputs.ALL);
      Posterior[] second = batch.smooth(model, block, Outputs.ALL);
      for (int k = 0; k < block.size(); k++) assertTrue(Compare.identical(first[k], second[k]), "trajectory " + k);
      assertEquals(batch.logLikelihood(model, block), batch.logLikelihood(model, block));
      assertArrayEquals(batch.statistics(model, block).toArray(), batch.statistics(model, block).toArray());
      assertTrue(Compare.identical(scan.smooth(model, longOne, Outputs.ALL), scan.smooth(model, longOne, Outputs.ALL)),
          "parallel scan");
    }
  }

  @Test
  void failuresNameTheirTrajectoryAndStep() {
    LinearModel singular = new LinearModel(2, 1, 0, new double[] {0, 0}, new double[] {1, 0, 0, 1},
        new double[] {1, 0, 0, 1}, null, null, new double[] {0.1, 0, 0, 0.1}, new double[] {0, 0}, null, null,
        new double[] {0.0});
    Trajectory bad = new Trajectory("bad", new double[] {0, 1, 2}, new double[] {Double.NaN, 1.0, 2.0}, 1);
    Trajectory good = new Trajectory("good", new double[] {0, 1}, new double[] {Double.NaN, Double.NaN}, 1);
    try (GpuBatchEngine batch = new GpuBatchEngine(ordinal)) {
      BatchInferenceException e = assertThrows(BatchInferenceException.class,
          () -> batch.smooth(singular, List.of(good, bad), Outputs.MOMENTS));
      assertEquals(List.of(1), List.copyOf(e.failures().keySet()));
      assertTrue(e.getMessage().contains("'bad', step 1"), e.getMessage());
      assertNotNull(e.partial()[0]);
      assertNull(e.partial()[1]);
    }
    try (GpuParallelEngine parallel = new GpuParallelEngine(ordinal)) {
      InferenceException e = assertThrows(InferenceException.class,
          () -> parallel.smooth(singular, bad, Outputs.MOMENTS));
      assertTrue(e.getMessage().contains("step 1"), e.getMessage());
    }
  }
}
