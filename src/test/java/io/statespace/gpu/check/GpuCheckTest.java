package io.statespace.gpu.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.gpu.DeviceProbe;
import io.statespace.model.StateSpaceModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness's behaviour that does not need a GPU: its distinct exit code and reason without one, usage
 * errors, the bandwidth floor's byte count, and the headless PNG plots (drawn again from a table).
 */
class GpuCheckTest {
  private static int run(ByteArrayOutputStream buf, String... args) {
    return GpuCheck.run(args, new PrintStream(buf, true, StandardCharsets.UTF_8));
  }

  @Test
  void withoutAGpuItSaysWhyAndExitsWithItsOwnCode() {
    DeviceProbe probe = DeviceProbe.detect();
    org.junit.jupiter.api.Assumptions.assumeFalse(probe.available(), "this machine has a GPU: " + probe.reason());
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    assertEquals(GpuCheck.EXIT_NO_GPU, run(buf, "--quick"));
    String text = buf.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("no usable GPU: " + probe.reason()), text);
  }

  @Test
  void usageErrorsExitWithTwo() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    assertEquals(GpuCheck.EXIT_USAGE, run(buf, "--bogus"));
    assertTrue(buf.toString(StandardCharsets.UTF_8).contains("usage: jobs/gpu-check.sh"));
    assertEquals(GpuCheck.EXIT_USAGE, run(new ByteArrayOutputStream(), "--reps", "0"));
    assertEquals(GpuCheck.EXIT_OK, run(new ByteArrayOutputStream(), "--help"));
  }

  @Test
  void theFloorCountsEachInputOnceAndEachOutputOnce() {
    StateSpaceModel cv = CheckCases.constantVelocity(new java.util.SplittableRandom(1), 2, false);
    assertEquals(8L * (100 * (2 + 1 + 2 * (4 + 16)) + 3), GpuCheck.floorBytes(cv, true, 100, 3, true));
    assertEquals(8L * (100 * (2 + 4 + 16) + 1), GpuCheck.floorBytes(cv, false, 100, 1, false));
    assertEquals(2.5, GpuCheck.median(new double[] {4, 1, 2, 3}));
  }

  @Test
  void plotsAreWrittenHeadlessFromATable(@TempDir Path tmp) throws Exception {
    Path csv = tmp.resolve("dynamax.csv");
    Files.writeString(csv, "T,gpu_serial_s,gpu_parallel_s,gpu_serial_kernel_s,gpu_parallel_kernel_s,speedup,"
        + "cpu_sequential_s,cpu_parallel_s\n100,0.01,0.005,0.009,0.004,2,0.001,0.002\n1000,0.1,0.006,0.09,0.005,16.7,"
        + "0.01,0.01\n10000,1,0.008,0.9,0.007,125,0.1,0.05\n100000,10,0.02,9,0.015,500,1,0.3\n");
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    assertEquals(GpuCheck.EXIT_OK, run(buf, "--replot", csv.toString(), "--out", tmp.toString()));
    byte[] png = {(byte) 0x89, 'P', 'N', 'G'};
    for (String name : new String[] {"dynamax-speedup.png", "dynamax-times.png"}) {
      byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(tmp.resolve(name)), 4);
      assertArrayEquals(png, head, name);
    }
  }
}
