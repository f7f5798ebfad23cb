package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The side rows' per-task cap follows the executor's heap within its bounds ({@link StatesPass#keptBytesFor}). */
class StatesPassTest {
  private static final long MIB = 1L << 20;

  @Test
  void capIsAThirtySecondOfTheHeapBetween16And256MiB() {
    assertEquals(128 * MIB, StatesPass.keptBytesFor(4096 * MIB));
    assertEquals(16 * MIB, StatesPass.keptBytesFor(256 * MIB));
    assertEquals(256 * MIB, StatesPass.keptBytesFor(64 * 1024 * MIB));
  }
}
