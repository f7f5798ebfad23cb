package io.statespace.gpu;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;

import io.statespace.gpu.PtxModules.Shape;
import java.util.HashMap;
import java.util.Map;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;

/**
 * One CUDA device of this JVM, shared by all task threads: its primary context (retained once with
 * cuDevicePrimaryCtxRetain and kept for the life of the JVM, so that Spark's task threads share one
 * context per device instead of each creating its own) and the PTX modules loaded into it, one per shape,
 * on first use (cuModuleLoadData with the PTX text; JCuda appends the NUL terminator the driver needs).
 * The driver JIT-compiles a module for the device when it is loaded and caches the result in
 * ~/.nv/ComputeCache, so only the first load on a machine pays for the compilation.
 */
public final class GpuDevice {
  private static final Map<Integer, GpuDevice> OPEN = new HashMap<>();

  private final DeviceInfo info;
  private final CUcontext context = new CUcontext();
  private final Map<String, CUmodule> modules = new HashMap<>();
  private final Map<String, CUfunction> functions = new HashMap<>();

  private GpuDevice(DeviceInfo info) {
    this.info = info;
    CUdevice dev = new CUdevice();
    cuDeviceGet(dev, info.ordinal());
    cuDevicePrimaryCtxRetain(context, dev);
  }

  /**
   * The device with this CUDA ordinal; fails with an IllegalStateException carrying the probe's reason when
   * the JVM has no usable GPU.
   */
  public static GpuDevice open(int ordinal) {
    DeviceProbe probe = DeviceProbe.detect();
    if (!probe.available()) throw new IllegalStateException("no usable CUDA device: " + probe.reason());
    synchronized (OPEN) {
      GpuDevice d = OPEN.get(ordinal);
      if (d == null) {
        DeviceInfo info = probe.devices().stream().filter(x -> x.ordinal() == ordinal).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no usable CUDA device with ordinal " + ordinal + " ("
                + probe.reason() + ")"));
        d = new GpuDevice(info);
        OPEN.put(ordinal, d);
      }
      return d;
    }
  }

  public DeviceInfo info() {
    return info;
  }

  /** Makes this device's primary context current on the calling thread (every entry point calls it). */
  public void makeCurrent() {
    cuCtxSetCurrent(context);
  }

  /** The kernel in the module of {@code shape}, loading the module on first use. */
  public CUfunction function(Shape shape, Kernels kernel) {
    String name = kernel.name(shape);
    String key = shape.name() + "/" + name;
    synchronized (functions) {
      CUfunction f = functions.get(key);
      if (f != null) return f;
      makeCurrent();
      CUmodule module = modules.get(shape.name());
      if (module == null) {
        String ptx = PtxModules.classpathModule(shape);
        if (ptx == null) throw new IllegalStateException("the PTX module " + shape.fileName() + " is not on the classpath");
        module = new CUmodule();
        cuModuleLoadData(module, ptx);
        modules.put(shape.name(), module);
      }
      f = new CUfunction();
      cuModuleGetFunction(f, module, name);
      functions.put(key, f);
      return f;
    }
  }
}
