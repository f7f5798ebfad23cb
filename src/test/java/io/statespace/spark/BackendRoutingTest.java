package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.execution.BlockRunner;
import io.statespace.execution.EngineChoice;
import io.statespace.execution.ExecutionPolicy;
import io.statespace.execution.GpuEngines;
import io.statespace.execution.Outcome;
import io.statespace.gpu.BatchInferenceException;
import io.statespace.gpu.DeviceInfo;
import io.statespace.gpu.DeviceProbe;
import io.statespace.inference.BatchSmoothingEngine;
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
 * on the CPU; a GPU failure on a trajectory is counted and labelled in the written report.json.
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
      for (int k = 0; k < ExecutionPolicy.AUTO_MIN_BATCH_TRAJECTORIES; k++) {
        sink.write(scenario.generate("s" + k, 250, rng.split()));
      }
      sink.write(scenario.generate("long", (int) ExecutionPolicy.AUTO_MIN_PARALLEL_STEPS + 5, rng.split()));
    }
    BackendRouter gpuRouter = new BackendRouter("auto", BackendRoutingTest::fakeDevice,
        new GpuEngines(o -> new CountingBatched(), o -> new CountingParallel()));
    SmoothReport routed = SmoothJob.run(spark, new SmoothSettings(input.toString(), "csv", dir.resolve("gpu").toString(),
        "parquet", spec, EngineChoice.AUTO, 1, 1, false, gpuRouter));
    assertTrue(BATCHED_CALLS.get() >= 1, "no block went to the (stand-in) GPU batched path");
    assertEquals(1, PARALLEL_CALLS.get(), "the long trajectory should go to the (stand-in) GPU scan, alone, once: the "
        + "engine runs once, and the summary and quarantine writes read the rows its states pass kept");
    assertEquals(java.util.Map.of("gpu_batched", (long) ExecutionPolicy.AUTO_MIN_BATCH_TRAJECTORIES, "gpu_parallel", 1L),
        routed.trajectoriesByBackend);
    assertEquals(java.util.Map.of("gpu_batched", ExecutionPolicy.AUTO_MIN_BATCH_TRAJECTORIES, "gpu_parallel", 1),
        SmoothJobTest.writtenReport(dir.resolve("gpu").toString()).get("trajectories_by_engine"));
    SmoothReport cpu = SmoothJob.run(spark, new SmoothSettings(input.toString(), "csv", dir.resolve("cpu").toString(),
        "parquet", spec, EngineChoice.AUTO, 1, 1, false, "cpu"));
    assertEquals(cpu.rowsOut, routed.rowsOut);
    assertEquals(java.util.Map.of("cpu", ExecutionPolicy.AUTO_MIN_BATCH_TRAJECTORIES + 1L), cpu.trajectoriesByBackend);
    assertEquals(java.util.Map.of("batched", ExecutionPolicy.AUTO_MIN_BATCH_TRAJECTORIES + 1),
        SmoothJobTest.writtenReport(dir.resolve("cpu").toString()).get("trajectories_by_engine"));
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
    GpuEngines noEngines = new GpuEngines(o -> {
      throw new AssertionError("no GPU engine may be made");
    }, o -> {
      throw new AssertionError("no GPU engine may be made");
    });
    BackendRouter router = new BackendRouter("auto", () -> DeviceProbe.unavailable("no driver here"), noEngines);
    ConstantVelocityModel model = (ConstantVelocityModel) spec().model();
    Trajectory t = new Trajectory("t", new double[] {0, 1}, new double[] {0, 0, 1, 1}, 2);
    try (BlockRunner runner = router.runner(EngineChoice.AUTO, 1)) {
      Outcome o = runner.runAlone(model, t, Outputs.MOMENTS);
      assertEquals("batched", o.engineLabel());
      assertEquals("cpu", o.backendLabel());
    }
    BackendRouter gpu = new BackendRouter("gpu", () -> DeviceProbe.unavailable("no driver here"), noEngines);
    try (BlockRunner runner = gpu.runner(EngineChoice.AUTO, 1)) {
      io.statespace.gpu.GpuUnavailableException e = org.junit.jupiter.api.Assertions.assertThrows(
          io.statespace.gpu.GpuUnavailableException.class, () -> runner.runAlone(model, t, Outputs.MOMENTS));
      assertTrue(e.getMessage().contains("no usable CUDA device: no driver here"), e.getMessage());
    }
  }

  /** The CPU batched engine posing as the GPU kernel, failing numerically on the trajectory with the given id. */
  static final class FailingOn implements BatchSmoothingEngine {
    private final BatchedEngine cpu = new BatchedEngine();
    private final String id;

    FailingOn(String id) {
      this.id = id;
    }

    @Override
    public Posterior[] filter(StateSpaceModel model, List<Trajectory> block, Outputs outputs) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Posterior[] smooth(StateSpaceModel model, List<Trajectory> block, Outputs outputs) {
      Posterior[] out = cpu.smooth(model, block, outputs);
      for (int i = 0; i < block.size(); i++) {
        if (block.get(i).id().equals(id)) {
          out[i] = null;
          throw new BatchInferenceException(java.util.Map.of(i, "stand-in failure"), out, id, 0, "stand-in failure");
        }
      }
      return out;
    }
  }

  @Test
  void aGpuFailureOnATrajectoryIsCountedAndLabelledInTheWrittenReport() throws Exception {
    ModelSpec spec = spec();
    Path input = dir.resolve("fallback.csv");
    ModelScenario scenario = new ModelScenario(spec.model(), 0.1, 0.0, new MissingPattern(0.1, 0.0));
    SplittableRandom rng = new SplittableRandom(3);
    try (CsvSink sink = new CsvSink(input, "id", "t", List.of("x", "y"), List.of(), List.of())) {
      for (int k = 0; k < 40; k++) sink.write(scenario.generate("f" + k, 30 + k, rng.split()));
    }
    BackendRouter failing = new BackendRouter("gpu", BackendRoutingTest::fakeDevice,
        new GpuEngines(o -> new FailingOn("f7"), o -> new CountingParallel()));
    String gpuOut = dir.resolve("fallback-gpu").toString();
    SmoothJob.run(spark, new SmoothSettings(input.toString(), "csv", gpuOut, "parquet", spec, EngineChoice.SEQUENTIAL,
        1, 1, false, failing));
    java.util.Map<?, ?> report = SmoothJobTest.writtenReport(gpuOut);
    assertEquals(java.util.Map.of("gpu_batched", 39, "sequential_after_gpu_batched_failure", 1),
        report.get("trajectories_by_engine"));
    assertEquals(java.util.Map.of("gpu_batched", 39, "cpu_after_gpu_failure", 1), report.get("trajectories_by_backend"));
    String cpuOut = dir.resolve("fallback-cpu").toString();
    SmoothJob.run(spark, new SmoothSettings(input.toString(), "csv", cpuOut, "parquet", spec, EngineChoice.SEQUENTIAL,
        1, 1, false, "cpu"));
    List<Row> a = spark.read().parquet(cpuOut + "/summary").orderBy("id").collectAsList();
    List<Row> b = spark.read().parquet(gpuOut + "/summary").orderBy("id").collectAsList();
    assertEquals(40, b.size());
    for (int i = 0; i < a.size(); i++) {
      assertEquals(a.get(i).<String>getAs("id"), b.get(i).<String>getAs("id"));
      double x = a.get(i).getAs("loglik");
      assertEquals(x, b.get(i).<Double>getAs("loglik"), 1e-9 * Math.abs(x), a.get(i).getAs("id").toString());
    }
  }
}
