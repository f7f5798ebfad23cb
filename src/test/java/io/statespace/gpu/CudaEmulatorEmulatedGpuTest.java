package io.statespace.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.gpu.PtxModules.Shape;
import io.statespace.testing.TestGpu;
import java.util.concurrent.atomic.AtomicReference;
import jcuda.CudaException;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The CUDA emulator is stricter than a GPU where strictness finds bugs: these checks show that it really is,
 * so that the GPU tests passing on it mean something. Runs in the gpu-emulated test run only.
 */
class CudaEmulatorEmulatedGpuTest {
  private GpuDevice device;

  @BeforeEach
  void emulator() {
    int ordinal = TestGpu.ordinal();
    Assumptions.assumeTrue(TestGpu.emulated(), "checks the CUDA emulator itself, not a GPU");
    device = GpuDevice.open(ordinal);
  }

  @Test
  void deviceMemoryStartsAsNaN() {
    try (DeviceSession session = new DeviceSession(device)) {
      CUdeviceptr p = session.allocDoubles(5);
      double[] out = new double[5];
      session.download(p, 0, out);
      for (double v : out) assertTrue(Double.isNaN(v), "uninitialised device memory must read as NaN, got " + v);
    }
  }

  @Test
  void copiesMustStayInsideOneAllocation() {
    try (DeviceSession session = new DeviceSession(device)) {
      CUdeviceptr p = session.upload(new double[] {1, 2, 3, 4});
      double[] three = new double[3];
      session.download(p, 1, three);
      assertEquals(4.0, three[2]);
      CudaException e = assertThrows(CudaException.class, () -> session.download(p, 2, new double[3]));
      assertTrue(e.getMessage().contains("CUDA_ERROR_INVALID_VALUE"), e.getMessage());
    }
  }

  @Test
  void launchesOverTheDefaultSharedMemoryLimitFail() {
    Shape shape = Shapes.shipped().fit("lin", 4, 2).orElseThrow();
    try (DeviceSession session = new DeviceSession(device)) {
      CUdeviceptr elems = session.allocDoubles(64);
      KernelArgs args = new KernelArgs(Kernels.FILTER_SCAN_TILE).ptr(elems).i64(64).i64(0).ptr(null).i64(0).i32(1);
      CudaException e = assertThrows(CudaException.class,
          () -> session.launch(shape, args, 1, 1, 64, ScanGeometry.SHARED_BYTES + 8));
      assertTrue(e.getMessage().contains("CUDA_ERROR_INVALID_VALUE"), e.getMessage());
      session.launch(shape, args, 1, 1, 64, ScanGeometry.SHARED_BYTES);
      session.synchronize();
    }
  }

  @Test
  void aThreadWithoutTheContextCannotUseTheDevice() throws Exception {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        JCudaDriver.cuMemAlloc(new CUdeviceptr(), 8);
      } catch (Throwable x) {
        failure.set(x);
      }
    });
    t.start();
    t.join(60_000);
    assertTrue(!t.isAlive(), "the probing thread hung");
    assertTrue(failure.get() instanceof CudaException, String.valueOf(failure.get()));
    assertTrue(failure.get().getMessage().contains("CUDA_ERROR_INVALID_CONTEXT"), failure.get().getMessage());
  }
}
