package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.gpu.Backend;
import io.statespace.gpu.DeviceInfo;
import io.statespace.gpu.DeviceProbe;
import io.statespace.inference.BatchSmoothingEngine;
import io.statespace.inference.EngineChoice;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.SmoothingEngine;
import io.statespace.inference.batched.BatchedEngine;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.Columns;
import io.statespace.model.spec.FitSpec;
import io.statespace.model.spec.ModelSpec;
import io.statespace.simulate.CsvSink;
import io.statespace.simulate.MissingPattern;
import io.statespace.simulate.ModelScenario;
import io.statespace.testing.SparkTestSession;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The smooth job's backend routing without a GPU: a probe that reports a device and CPU engines standing
 * in for the GPU ones (counting their calls) show that big blocks go to the batched GPU path and long lone
 * trajectories to the GPU scan, and that the output is what the CPU path writes; with no device, auto stays
 * on the CPU.
 */
class BackendRoutingTest {
  private static SparkSession spark;
  @TempDir static Path dir;

  /** Calls of the stand-in engines, across the (local-mode) executor threads. */
  static final AtomicInteger BATCHED_CALLS = new AtomicInteger();
  static final AtomicInteger PARALLEL_CALLS = new AtomicInteger();

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("BackendRoutingTest");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static DeviceProbe fakeDevice() {
    return DeviceProbe.of(List.of(new DeviceInfo(0, "stand-in GPU", 9, 0, 132, 80L << 30, "uuid-0")));
  }

  /** A CPU batched engine posing as the GPU's. */
  static final class CountingBatched implements BatchSmoothingEngine {
    private final BatchedEngine cpu = new BatchedEngine();

    @Override
    public Posterior[] filter(StateSpaceModel model, List<Trajectory> block, Outputs outputs) {
      BATCHED_CALLS.incrementAndGet();
      return cpu.filter(model, block, outputs);
    }

    @Override
    public Posterior[] smooth(StateSpaceModel model, List<Trajectory> block, Outputs outputs) {
      BATCHED_CALLS.incrementAndGet();
      return cpu.smooth(model, block, outputs);
    }
  }

  /** The sequential engine posing as the GPU's parallel scan. */
  static final class CountingParallel implements SmoothingEngine {
    private final SequentialEngine cpu = new SequentialEngine();

    @Override
    public Posterior filter(StateSpaceModel model, Trajectory trajectory, Outputs outputs) {
      PARALLEL_CALLS.incrementAndGet();
      return cpu.filter(model, trajectory, outputs);
    }

    @Override
    public Posterior smooth(StateSpaceModel model, Trajectory trajectory, Outputs outputs) {
      PARALLEL_CALLS.incrementAndGet();
      return cpu.smooth(model, trajectory, outputs);
    }
  }

  private static ModelSpec spec() {
    double[] cov = new double[16];
    for (int i = 0; i < 4; i++) cov[i * 5] = 1.0;
    return new ModelSpec(new ConstantVelocityModel(2, 0.1, ConstantVelocityModel.Noise.CONTINUOUS, 1.0,
        new double[] {0.5, 0.5}, new double[] {0, 0, 1, 1}, cov), new Columns("id", "t", List.of("x", "y"), List.of()),
        FitSpec.none(), null);
  }

  @Test
  void bigBlocksAndLongTrajectoriesGoWhereTheDecisionSays() throws Exception {
    ModelSpec spec = spec();
    Path input = dir.resolve("mixed.csv");
    ModelScenario scenario = new ModelScenario(spec.model(), 0.1, 0.0, new MissingPattern(0.1, 0.0));
    SplittableRandom rng = new SplittableRandom(8);
    try (CsvSink sink = new CsvSink(input, "id", "t", List.of("x", "y"), List.of(), List.of())) {
      for (int k = 0; k < Backend.AUTO_MIN_BATCH_TRAJECTORIES; k++) sink.write(scenario.generate("s" + k, 250, rng.split()));
      sink.write(scenario.generate("long", (int) Backend.AUTO_MIN_PARALLEL_STEPS + 5, rng.split()));
    }
    BackendRouter gpuRouter = new BackendRouter("auto", BackendRoutingTest::fakeDevice, o -> new CountingBatched(),
        o -> new CountingParallel());
    SmoothReport routed = SmoothJob.run(spark, new SmoothSettings(input.toString(), "csv", dir.resolve("gpu").toString(),
        "parquet", spec, EngineChoice.AUTO, 1, 1, false, gpuRouter));
    assertTrue(BATCHED_CALLS.get() >= 1, "no block went to the (stand-in) GPU batched path");
    assertEquals(1, PARALLEL_CALLS.get(), "the long trajectory should go to the (stand-in) GPU scan, alone");
    assertEquals(java.util.Map.of("gpu_batched", (long) Backend.AUTO_MIN_BATCH_TRAJECTORIES, "gpu_parallel", 1L),
        routed.trajectoriesByBackend);
    SmoothReport cpu = SmoothJob.run(spark, new SmoothSettings(input.toString(), "csv", dir.resolve("cpu").toString(),
        "parquet", spec, EngineChoice.AUTO, 1, 1, false, "cpu"));
    assertEquals(cpu.rowsOut, routed.rowsOut);
    assertEquals(java.util.Map.of("cpu", Backend.AUTO_MIN_BATCH_TRAJECTORIES + 1L), cpu.trajectoriesByBackend);
    List<Row> a = spark.read().parquet(dir.resolve("cpu/summary").toString()).orderBy("id").collectAsList();
    List<Row> b = spark.read().parquet(dir.resolve("gpu/summary").toString()).orderBy("id").collectAsList();
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      double x = a.get(i).getAs("loglik");
      double y = b.get(i).getAs("loglik");
      assertEquals(x, y, 1e-9 * Math.abs(x), a.get(i).getAs("id").toString());
    }
  }

  @Test
  void withoutADeviceAutoStaysOnTheCpuAndGpuIsAClearError() {
    BackendRouter router = new BackendRouter("auto", () -> DeviceProbe.unavailable("no driver here"), o -> {
      throw new AssertionError("no GPU engine may be made");
    }, o -> {
      throw new AssertionError("no GPU engine may be made");
    });
    ConstantVelocityModel model = (ConstantVelocityModel) spec().model();
    Trajectory t = new Trajectory("t", new double[] {0, 1}, new double[] {0, 0, 1, 1}, 2);
    Backend.Decision d = router.task().decide(model, List.of(t));
    assertEquals(Backend.Target.CPU, d.target());
    assertTrue(d.reason().contains("no driver here"), d.reason());
    BackendRouter gpu = new BackendRouter("gpu", () -> DeviceProbe.unavailable("no driver here"), o -> null, o -> null);
    io.statespace.gpu.GpuUnavailableException e = org.junit.jupiter.api.Assertions.assertThrows(
        io.statespace.gpu.GpuUnavailableException.class, () -> gpu.task().decide(model, List.of(t)));
    assertTrue(e.getMessage().contains("no usable CUDA device"), e.getMessage());
  }
}
