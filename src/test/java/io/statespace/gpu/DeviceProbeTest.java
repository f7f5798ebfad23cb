package io.statespace.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Device detection never throws and always explains itself: on a machine without a GPU or driver it
 * reports unavailable with a reason (the JVM keeps running), with one it lists usable devices.
 */
class DeviceProbeTest {
  @Test
  void detectionNeverThrowsAndGivesAReason() {
    DeviceProbe probe = DeviceProbe.detect();
    assertFalse(probe.reason().isBlank());
    System.out.println("device probe: available=" + probe.available() + ", " + probe.reason());
    if (probe.available()) {
      assertFalse(probe.devices().isEmpty());
      for (DeviceInfo d : probe.devices()) assertTrue(d.major() >= 8, d.describe());
    } else {
      assertTrue(probe.devices().isEmpty());
    }
    assertTrue(DeviceProbe.detect() == probe, "detection is cached");
  }

  @Test
  void fakeProbesForSelectionTests() {
    DeviceProbe none = DeviceProbe.unavailable("no driver");
    assertFalse(none.available());
    assertEquals("no driver", none.reason());
    DeviceProbe one = DeviceProbe.of(List.of(new DeviceInfo(0, "X", 9, 0, 132, 1L << 36, "GPU-1")));
    assertTrue(one.available());
    assertTrue(one.reason().contains("sm_90"), one.reason());
    assertFalse(DeviceProbe.of(List.of()).available());
  }

  @Test
  void uuidsPrintLikeNvidiaSmi() {
    byte[] b = new byte[16];
    for (int i = 0; i < 16; i++) b[i] = (byte) (i * 17);
    assertEquals("GPU-00112233-4455-6677-8899-aabbccddeeff", CudaProbe.uuidText(b));
  }

  @Test
  void theShippedPtxStatesTheDriverItNeeds() {
    int needed = CudaProbe.requiredDriverVersion();
    assertTrue(needed >= 11000, "driver version " + needed);
    assertEquals("13.0", CudaProbe.version(13000));
  }
}
