package io.statespace.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.execution.ExecutionPolicy.Decision;
import io.statespace.gpu.DeviceInfo;
import io.statespace.gpu.GpuUnavailableException;
import io.statespace.gpu.WorkShape;
import org.junit.jupiter.api.Test;

/**
 * The one execution policy against fake task devices: which CPU engine each --engine uses, which
 * trajectories form blocks, and where --backend cpu, gpu and auto send a block or a lone trajectory for each
 * engine (a named engine under auto goes only to its GPU counterpart, and sequential never).
 */
class ExecutionPolicyTest {
  private static final TaskDevice NONE = TaskDevice.none("the NVIDIA driver library libcuda.so.1 is not installed");
  private static final DeviceInfo H100_INFO =
      new DeviceInfo(3, "NVIDIA H100 80GB HBM3", 9, 0, 132, 80L << 30, "GPU-00000000-0000-0000-0000-000000000000");
  private static final TaskDevice H100 = TaskDevice.of(H100_INFO, "Spark GPU address 3 -> device 3");

  private static WorkShape shape(int trajectories, long maxSteps, long totalSteps) {
    return new WorkShape(trajectories, maxSteps, totalSteps, 4, 2, null);
  }

  private static ExecutionPolicy policy(EngineChoice engine, BackendOption backend, int threads) {
    return new ExecutionPolicy(engine, backend, threads);
  }

  /** Big enough for the batched kernel under auto. */
  private static final WorkShape MANY = shape(100_000, 100, 10_000_000);
  /** One trajectory long enough for the GPU scan under auto. */
  private static final WorkShape LONG = shape(1, 1_000_000, 1_000_000);

  @Test
  void autoEngineBatchesShortTrajectoriesAndGivesLongOnesToTheParallelScanOnlyWithManyThreads() {
    ExecutionPolicy one = policy(EngineChoice.AUTO, BackendOption.CPU, 1);
    ExecutionPolicy eight = policy(EngineChoice.AUTO, BackendOption.CPU, 8);
    assertTrue(one.joinsBlock(100));
    assertFalse(one.joinsBlock(ExecutionPolicy.AUTO_BATCH_MAX_STEPS));
    assertEquals(Engine.BATCHED, one.forBlock(NONE, shape(10, 100, 1000)).engine());
    long p = ExecutionPolicy.AUTO_PARALLEL_MIN_STEPS;
    assertEquals(Engine.BATCHED, one.forLone(NONE, shape(1, p, p)).engine());
    assertEquals(Engine.PARALLEL, eight.forLone(NONE, shape(1, p, p)).engine());
    assertEquals(Engine.BATCHED, eight.forLone(NONE, shape(1, p - 1, p - 1)).engine());
    long lean = ExecutionPolicy.LEAN_MIN_STEPS;
    assertEquals(Engine.SEQUENTIAL_IN_PLACE, one.forLone(NONE, shape(1, lean, lean)).engine());
    assertEquals(Engine.BATCHED, one.forLone(NONE, shape(1, lean - 1, lean - 1)).engine());
    assertTrue(one.describe().startsWith("auto: batched"), one.describe());
    assertTrue(one.describe().contains("no parallel-in-time scan"), one.describe());
    assertTrue(eight.describe().contains("parallel-in-time on 8 threads"), eight.describe());
  }

  @Test
  void namedEnginesAreUsedAsNamedOnTheCpu() {
    ExecutionPolicy batched = policy(EngineChoice.BATCHED, BackendOption.CPU, 1);
    ExecutionPolicy sequential = policy(EngineChoice.SEQUENTIAL, BackendOption.CPU, 1);
    ExecutionPolicy parallel = policy(EngineChoice.PARALLEL, BackendOption.CPU, 2);
    assertTrue(batched.joinsBlock(Blocker.MAX_STEPS));
    assertFalse(batched.joinsBlock(Blocker.MAX_STEPS + 1));
    assertEquals(Engine.BATCHED, batched.forBlock(NONE, shape(10, 100, 1000)).engine());
    assertEquals(Engine.SEQUENTIAL_IN_PLACE, batched.forLone(NONE, shape(1, Blocker.MAX_STEPS + 1, Blocker.MAX_STEPS + 1)).engine());
    assertFalse(sequential.joinsBlock(10));
    assertEquals(Engine.SEQUENTIAL, sequential.forLone(NONE, shape(1, 10, 10)).engine());
    long lean = ExecutionPolicy.LEAN_MIN_STEPS;
    assertEquals(Engine.SEQUENTIAL_IN_PLACE, sequential.forLone(NONE, shape(1, lean, lean)).engine());
    assertFalse(parallel.joinsBlock(10));
    assertEquals(Engine.PARALLEL, parallel.forLone(NONE, shape(1, lean, lean)).engine(), "parallel never goes lean");
    assertEquals(Engine.PARALLEL, parallel.forLone(NONE, shape(1, 10, 10)).engine());
    assertTrue(batched.describe().contains("--engine batched"), batched.describe());
  }

  @Test
  void cpuIsAlwaysTheCpu() {
    for (TaskDevice device : new TaskDevice[] {NONE, H100}) {
      Decision d = policy(EngineChoice.AUTO, BackendOption.CPU, 1).forBlock(device, MANY);
      assertEquals(Engine.BATCHED, d.engine());
      assertEquals(-1, d.ordinal());
      assertTrue(d.reason().startsWith("--backend cpu"), d.reason());
    }
  }

  @Test
  void gpuWithoutADeviceOrForAnUncoveredModelIsAClearError() {
    ExecutionPolicy gpu = policy(EngineChoice.AUTO, BackendOption.GPU, 1);
    GpuUnavailableException none = assertThrows(GpuUnavailableException.class, () -> gpu.forBlock(NONE, shape(10, 10, 100)));
    assertTrue(none.getMessage().contains("no usable CUDA device") && none.getMessage().contains("libcuda.so.1"),
        none.getMessage());
    GpuUnavailableException shapeless = assertThrows(GpuUnavailableException.class,
        () -> gpu.forBlock(H100, new WorkShape(10, 10, 100, 9, 2, "no compiled GPU shape for ...")));
    assertTrue(shapeless.getMessage().contains("no compiled GPU shape"), shapeless.getMessage());
    GpuUnavailableException memory = assertThrows(GpuUnavailableException.class,
        () -> gpu.forBlock(H100, shape(1, 1_000_000_000L, 1_000_000_000L)));
    assertTrue(memory.getMessage().contains("device memory"), memory.getMessage());
  }

  @Test
  void gpuPicksThePathByShapeOnTheTasksDeviceForEveryEngine() {
    for (EngineChoice engine : EngineChoice.values()) {
      ExecutionPolicy gpu = policy(engine, BackendOption.GPU, 1);
      Decision many = gpu.forBlock(H100, shape(10, 100, 1000));
      assertEquals(Engine.GPU_BATCHED, many.engine(), engine + ": --backend gpu ignores the size thresholds");
      assertEquals(3, many.ordinal(), "the task's device, not the first one");
      assertTrue(many.reason().contains("H100"), many.reason());
      assertEquals(Engine.GPU_PARALLEL, gpu.forBlock(H100, shape(3, 1_000_000, 2_000_000)).engine());
      assertEquals(Engine.GPU_BATCHED, gpu.forBlock(H100, shape(5000, 1_000_000, 5_000_000_000L)).engine());
      assertTrue(gpu.joinsBlock(100), engine + ": blocks are formed for the GPU whatever the engine");
    }
  }

  @Test
  void theLeanPathStaysOnTheCpuUnderEveryBackendUnlessParallelIsNamed() {
    long lean = ExecutionPolicy.LEAN_MIN_STEPS;
    Decision d = policy(EngineChoice.AUTO, BackendOption.GPU, 1).forLone(H100, shape(1, lean, lean));
    assertEquals(Engine.SEQUENTIAL_IN_PLACE, d.engine());
    assertTrue(d.reason().contains("under any --backend"), d.reason());
    assertEquals(Engine.GPU_PARALLEL, policy(EngineChoice.PARALLEL, BackendOption.GPU, 1).forLone(H100,
        shape(1, lean, lean)).engine());
  }

  @Test
  void autoUsesTheGpuOnlyWhenTheDeviceIsThereAndTheWorkPays() {
    ExecutionPolicy auto = policy(EngineChoice.AUTO, BackendOption.AUTO, 1);
    Decision noDevice = auto.forBlock(NONE, MANY);
    assertEquals(Engine.BATCHED, noDevice.engine());
    assertTrue(noDevice.reason().contains("libcuda.so.1"), noDevice.reason());
    Decision small = auto.forBlock(H100, shape(100, 50, 5000));
    assertEquals(Engine.BATCHED, small.engine());
    assertTrue(small.reason().contains("too small"), small.reason());
    assertEquals(Engine.GPU_BATCHED, auto.forBlock(H100, MANY).engine());
    assertEquals(Engine.GPU_PARALLEL, auto.forLone(H100, LONG).engine());
    assertEquals(Engine.BATCHED, auto.forLone(H100, shape(1, 50_000, 50_000)).engine());
    Decision unsupported = auto.forBlock(H100, new WorkShape(100_000, 100, 10_000_000, 12, 2, "too big"));
    assertEquals(Engine.BATCHED, unsupported.engine());
    assertTrue(unsupported.reason().contains("too big"), unsupported.reason());
    Decision tooBig = auto.forBlock(H100, shape(1, 1_000_000_000L, 1_000_000_000L));
    assertEquals(Engine.BATCHED, tooBig.engine());
    assertTrue(tooBig.reason().contains("device memory"), tooBig.reason());
  }

  @Test
  void underAutoANamedEngineGoesOnlyToItsGpuCounterpartAndSequentialNever() {
    ExecutionPolicy sequential = policy(EngineChoice.SEQUENTIAL, BackendOption.AUTO, 1);
    Decision seq = sequential.forLone(H100, LONG);
    assertEquals(Engine.SEQUENTIAL, seq.engine());
    assertTrue(seq.reason().contains("--engine sequential asks for the CPU reference engine"), seq.reason());
    assertFalse(sequential.joinsBlock(100), "no blocks for the sequential engine off the GPU");
    assertEquals(Engine.GPU_BATCHED, policy(EngineChoice.SEQUENTIAL, BackendOption.GPU, 1).forBlock(H100, MANY).engine());
    assertEquals(Engine.GPU_PARALLEL, policy(EngineChoice.SEQUENTIAL, BackendOption.GPU, 1).forLone(H100, LONG).engine());

    ExecutionPolicy batched = policy(EngineChoice.BATCHED, BackendOption.AUTO, 1);
    assertEquals(Engine.GPU_BATCHED, batched.forBlock(H100, MANY).engine());
    Decision fewLong = batched.forBlock(H100, shape(3, 500_000, 1_000_000));
    assertEquals(Engine.BATCHED, fewLong.engine());
    assertTrue(fewLong.reason().contains("not --engine batched's counterpart"), fewLong.reason());

    ExecutionPolicy parallel = policy(EngineChoice.PARALLEL, BackendOption.AUTO, 2);
    assertEquals(Engine.GPU_PARALLEL, parallel.forLone(H100, LONG).engine());
    assertEquals(Engine.PARALLEL, parallel.forLone(H100, shape(1, 50_000, 50_000)).engine());
  }

  @Test
  void aDeviceThatCannotBeMatchedToTheTaskFailsOnlyWhenTheGpuIsChosen() {
    TaskDevice unmatched = TaskDevice.unidentified(H100_INFO,
        "spark.executor.resource.gpu.amount is set but this task was given no GPU");
    ExecutionPolicy auto = policy(EngineChoice.AUTO, BackendOption.AUTO, 1);
    assertEquals(Engine.BATCHED, auto.forBlock(unmatched, shape(100, 50, 5000)).engine());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> auto.forBlock(unmatched, MANY));
    assertTrue(e.getMessage().contains("given no GPU"), e.getMessage());
  }

  @Test
  void parsesOptionsAndListsTheValuesOnAMistake() {
    assertEquals(EngineChoice.BATCHED, EngineChoice.parse(" Batched "));
    IllegalArgumentException engine = assertThrows(IllegalArgumentException.class, () -> EngineChoice.parse("fast"));
    assertTrue(engine.getMessage().contains("sequential, parallel, batched or auto"), engine.getMessage());
    assertEquals(BackendOption.GPU, BackendOption.parse(" GPU "));
    IllegalArgumentException backend = assertThrows(IllegalArgumentException.class, () -> BackendOption.parse("cuda"));
    assertTrue(backend.getMessage().contains("auto, cpu or gpu"), backend.getMessage());
  }
}
