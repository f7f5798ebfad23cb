package io.statespace.gpu;

import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDeviceGetUuid;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUuuid;

/**
 * The real {@link DeviceProbe}: loads JCuda's native library ({@link NativeLibraries}), initialises the
 * driver API and lists the devices. Every failure becomes a reason: no linux-x86_64 JVM, no libcuda.so.1,
 * cuInit failing (no device, driver/kernel-module mismatch), a driver older than the toolkit that built
 * the shipped PTX (it would fail later with CUDA_ERROR_UNSUPPORTED_PTX_VERSION), or only devices older
 * than the PTX's virtual architecture compute_80 (Ampere).
 */
public final class CudaProbe {
  private static DeviceProbe cached;

  private CudaProbe() {}

  /** The cached probe of this JVM. */
  public static synchronized DeviceProbe get() {
    if (cached == null) cached = detect();
    return cached;
  }

  private static DeviceProbe detect() {
    String failure = NativeLibraries.load();
    if (failure != null) return DeviceProbe.unavailable(failure);
    try {
      cuInit(0);
      int[] value = new int[1];
      cuDriverGetVersion(value);
      int driver = value[0];
      int needed = requiredDriverVersion();
      if (driver < needed) {
        return DeviceProbe.unavailable("the NVIDIA driver supports CUDA " + version(driver)
            + " but the shipped PTX was built by CUDA " + version(needed) + " and needs a driver at least that new");
      }
      cuDeviceGetCount(value);
      if (value[0] == 0) return DeviceProbe.unavailable("the CUDA driver reports no device");
      List<DeviceInfo> usable = new ArrayList<>();
      List<String> skipped = new ArrayList<>();
      for (int i = 0; i < value[0]; i++) {
        DeviceInfo info = describe(i);
        if (info.major() < 8) {
          skipped.add(info.describe() + " is older than compute_80, the PTX's target");
        } else {
          usable.add(info);
        }
      }
      if (usable.isEmpty()) return DeviceProbe.unavailable(String.join("; ", skipped));
      return DeviceProbe.of(usable);
    } catch (Throwable t) {
      return DeviceProbe.unavailable("CUDA driver initialisation failed: " + t.getMessage());
    }
  }

  static DeviceInfo describe(int ordinal) {
    CUdevice dev = new CUdevice();
    cuDeviceGet(dev, ordinal);
    byte[] name = new byte[256];
    cuDeviceGetName(name, name.length, dev);
    int len = 0;
    while (len < name.length && name[len] != 0) len++;
    long[] mem = new long[1];
    cuDeviceTotalMem(mem, dev);
    CUuuid uuid = new CUuuid();
    cuDeviceGetUuid(uuid, dev);
    return new DeviceInfo(ordinal, new String(name, 0, len, StandardCharsets.US_ASCII).strip(),
        attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
        attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR),
        attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT), mem[0], uuidText(uuid.bytes));
  }

  private static int attribute(CUdevice dev, int attribute) {
    int[] v = new int[1];
    cuDeviceGetAttribute(v, attribute, dev);
    return v[0];
  }

  /** nvidia-smi's form of a device UUID: GPU-8-4-4-4-12 hex digits. */
  static String uuidText(byte[] b) {
    StringBuilder sb = new StringBuilder("GPU-");
    for (int i = 0; i < 16; i++) {
      if (i == 4 || i == 6 || i == 8 || i == 10) sb.append('-');
      sb.append(String.format("%02x", b[i] & 0xff));
    }
    return sb.toString();
  }

  /**
   * The driver version (CUDA major·1000 + minor·10) the shipped PTX needs: that of the nvcc release
   * recorded in its manifest (PTX from CUDA 13.0 carries ISA 9.0, which older drivers reject).
   */
  static int requiredDriverVersion() {
    String nvcc = PtxModules.classpathManifest().nvcc();
    Matcher m = Pattern.compile("release (\\d+)\\.(\\d+)").matcher(nvcc == null ? "" : nvcc);
    return m.find() ? Integer.parseInt(m.group(1)) * 1000 + Integer.parseInt(m.group(2)) * 10 : 0;
  }

  static String version(int driver) {
    return driver / 1000 + "." + (driver % 1000) / 10;
  }
}
