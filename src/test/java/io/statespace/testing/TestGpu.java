package io.statespace.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.gpu.DeviceInfo;
import io.statespace.gpu.DeviceProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The device a GPU test runs on. In the default test run, a real GPU or nothing: without one the test is
 * skipped with the probe's reason. In the gpu-emulated run (pom.xml) the system property
 * {@value #EMULATOR_PROPERTY} names the CUDA emulator's folder (src/test/cuda-emulator) and
 * LD_LIBRARY_PATH puts its libcuda.so.1 first: there the device must be the emulator, and a test is skipped
 * only when the emulator could not be built (no C++ compiler), saying so, and not even then where
 * STATESPACE_REQUIRE_CUDA_EMULATOR=1 (CI).
 */
public final class TestGpu {
  /** System property set by the gpu-emulated surefire execution: the emulator's build folder. */
  public static final String EMULATOR_PROPERTY = "statespace.gpu.emulator";

  private TestGpu() {}

  /** True in the gpu-emulated test run. */
  public static boolean emulated() {
    return System.getProperty(EMULATOR_PROPERTY) != null;
  }

  /** The device to test on (skips the test when there is none, see above). */
  public static DeviceInfo require() {
    String emulator = System.getProperty(EMULATOR_PROPERTY);
    DeviceProbe probe = DeviceProbe.detect();
    if (emulator == null) {
      Assumptions.assumeTrue(probe.available(), probe.reason());
      return probe.devices().get(0);
    }
    String missing = "the CUDA emulator was not built in " + emulator + " (no C++ compiler; see src/test/cuda-emulator/README.md)";
    boolean built = Files.isRegularFile(Path.of(emulator, "libcuda.so.1"));
    if ("1".equals(System.getenv("STATESPACE_REQUIRE_CUDA_EMULATOR"))) assertTrue(built, missing);
    Assumptions.assumeTrue(built, missing);
    assertTrue(probe.available(), "the CUDA emulator is built but unusable: " + probe.reason());
    DeviceInfo device = probe.devices().get(0);
    assertTrue(device.name().contains("emulator"),
        "the gpu-emulated run found " + device.describe() + ", not the emulator: is LD_LIBRARY_PATH set?");
    return device;
  }

  /** The CUDA ordinal of {@link #require()}'s device. */
  public static int ordinal() {
    return require().ordinal();
  }
}
