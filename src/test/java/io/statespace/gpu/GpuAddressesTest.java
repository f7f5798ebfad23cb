package io.statespace.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Spark's GPU addresses to CUDA ordinals, with fake devices and environments. */
class GpuAddressesTest {
  private static final String U0 = "GPU-11111111-0000-0000-0000-000000000000";
  private static final String U1 = "GPU-22222222-0000-0000-0000-000000000000";
  private static final List<DeviceInfo> TWO = List.of(new DeviceInfo(0, "A", 9, 0, 132, 1L << 34, U0),
      new DeviceInfo(1, "B", 9, 0, 132, 1L << 34, U1));

  @Test
  void indexAddressesAreOrdinalsWithoutADeviceMask() {
    assertEquals(1, GpuAddresses.ordinal(true, List.of("1"), null, TWO, 7).ordinal());
    assertEquals(0, GpuAddresses.ordinal(true, List.of("0", "1"), "", TWO, 7).ordinal());
  }

  @Test
  void aDeviceMaskRenumbersTheDevices() {
    GpuAddresses.Assignment a = GpuAddresses.ordinal(true, List.of("3"), "2,3", TWO, 0);
    assertEquals(1, a.ordinal());
    assertTrue(a.reason().contains("CUDA_VISIBLE_DEVICES=2,3"), a.reason());
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> GpuAddresses.ordinal(true, List.of("5"), "2,3", TWO, 0));
    assertTrue(e.getMessage().contains("not in CUDA_VISIBLE_DEVICES"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> GpuAddresses.ordinal(true, List.of("0"), U1 + "," + U0, TWO, 0));
  }

  @Test
  void uuidAddressesMatchTheDevicesUuid() {
    assertEquals(1, GpuAddresses.ordinal(true, List.of(U1), null, TWO, 0).ordinal());
    assertEquals(1, GpuAddresses.ordinal(true, List.of(U1.toLowerCase()), U0 + "," + U1, TWO, 0).ordinal());
    assertThrows(IllegalStateException.class,
        () -> GpuAddresses.ordinal(true, List.of("GPU-99999999-0000-0000-0000-000000000000"), null, TWO, 0));
  }

  @Test
  void withoutSchedulingTasksShareTheDevicesRoundRobin() {
    assertEquals(0, GpuAddresses.ordinal(false, List.of(), null, TWO, 4).ordinal());
    assertEquals(1, GpuAddresses.ordinal(false, List.of(), null, TWO, 5).ordinal());
    assertTrue(GpuAddresses.ordinal(false, List.of(), null, TWO, 5).reason().contains("round-robin"));
  }

  @Test
  void missingOrUnknownAddressesAreErrors() {
    IllegalStateException none = assertThrows(IllegalStateException.class,
        () -> GpuAddresses.ordinal(true, List.of(), null, TWO, 0));
    assertTrue(none.getMessage().contains("spark.task.resource.gpu.amount"), none.getMessage());
    assertThrows(IllegalStateException.class, () -> GpuAddresses.ordinal(true, List.of("7"), null, TWO, 0));
    assertThrows(IllegalStateException.class, () -> GpuAddresses.ordinal(true, List.of("gpu0"), null, TWO, 0));
    assertThrows(IllegalStateException.class, () -> GpuAddresses.ordinal(false, List.of(), null, List.of(), 0));
  }
}
