package io.statespace.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.gpu.Backend.Decision;
import io.statespace.gpu.Backend.Target;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Backend selection against fake probes: cpu, gpu (and its error without a device), and auto. */
class BackendTest {
  private static final DeviceProbe NONE = DeviceProbe.unavailable("the NVIDIA driver library libcuda.so.1 is not installed");
  private static final DeviceProbe H100 = DeviceProbe.of(List.of(
      new DeviceInfo(0, "NVIDIA H100 80GB HBM3", 9, 0, 132, 80L << 30, "GPU-00000000-0000-0000-0000-000000000000")));

  private static WorkShape shape(int trajectories, long maxSteps, long totalSteps) {
    return new WorkShape(trajectories, maxSteps, totalSteps, 4, 2, null);
  }

  @Test
  void cpuIsAlwaysTheCpu() {
    for (DeviceProbe probe : new DeviceProbe[] {NONE, H100}) {
      Decision d = Backend.resolve("cpu", probe, shape(100_000, 100, 10_000_000));
      assertEquals(Target.CPU, d.target());
      assertEquals(-1, d.ordinal());
    }
  }

  @Test
  void gpuWithoutADeviceFailsBeforeWorkStartsWithTheReason() {
    GpuUnavailableException e = assertThrows(GpuUnavailableException.class,
        () -> Backend.resolve("gpu", NONE, shape(10, 10, 100)));
    assertTrue(e.getMessage().startsWith("--backend gpu: no usable CUDA device"), e.getMessage());
    assertTrue(e.getMessage().contains("libcuda.so.1"), e.getMessage());
    GpuUnavailableException model = assertThrows(GpuUnavailableException.class,
        () -> Backend.resolve("gpu", H100, new WorkShape(10, 10, 100, 9, 2, "no compiled GPU shape for ...")));
    assertTrue(model.getMessage().contains("no compiled GPU shape"), model.getMessage());
  }

  @Test
  void gpuPicksThePathFromTheShape() {
    Decision many = Backend.resolve("gpu", H100, shape(10, 100, 1000));
    assertEquals(Target.GPU_BATCHED, many.target());
    assertEquals(0, many.ordinal());
    assertTrue(many.reason().contains("H100"), many.reason());
    assertEquals(Target.GPU_PARALLEL, Backend.resolve("gpu", H100, shape(3, 1_000_000, 2_000_000)).target());
    assertEquals(Target.GPU_BATCHED, Backend.resolve("gpu", H100, shape(5000, 1_000_000, 5_000_000_000L)).target());
  }

  @Test
  void gpuRefusesATrajectoryTooLongForTheDevice() {
    GpuUnavailableException e = assertThrows(GpuUnavailableException.class,
        () -> Backend.resolve("gpu", H100, shape(1, 1_000_000_000L, 1_000_000_000L)));
    assertTrue(e.getMessage().contains("device memory"), e.getMessage());
  }

  @Test
  void autoUsesAGpuOnlyWhenPresentAndWorthIt() {
    Decision noDevice = Backend.resolve("auto", NONE, shape(100_000, 100, 10_000_000));
    assertEquals(Target.CPU, noDevice.target());
    assertTrue(noDevice.reason().contains("libcuda.so.1"), noDevice.reason());
    Decision small = Backend.resolve("auto", H100, shape(100, 50, 5000));
    assertEquals(Target.CPU, small.target());
    assertTrue(small.reason().contains("too small"), small.reason());
    assertEquals(Target.GPU_BATCHED, Backend.resolve("auto", H100, shape(100_000, 100, 10_000_000)).target());
    assertEquals(Target.GPU_PARALLEL, Backend.resolve("auto", H100, shape(1, 1_000_000, 1_000_000)).target());
    assertEquals(Target.CPU, Backend.resolve("auto", H100, shape(1, 50_000, 50_000)).target());
    Decision unsupported = Backend.resolve("auto", H100, new WorkShape(100_000, 100, 10_000_000, 12, 2, "too big"));
    assertEquals(Target.CPU, unsupported.target());
    assertEquals(Target.CPU, Backend.resolve("auto", H100, shape(1, 1_000_000_000L, 1_000_000_000L)).target());
  }

  @Test
  void optionsAreValidated() {
    assertEquals("gpu", Backend.parse(" GPU "));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backend.resolve("cuda", H100,
        shape(1, 1, 1)));
    assertEquals("--backend: must be auto, cpu or gpu, got 'cuda'", e.getMessage());
  }
}
