package io.statespace.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.statespace.gpu.Kernels.Param;
import io.statespace.gpu.PtxModules.Shape;
import java.util.List;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

/** Kernel argument lists are checked against the declared signatures as they are built (no GPU needed). */
class KernelArgsTest {
  @Test
  void aCompleteListBuildsItsPointer() {
    CUdeviceptr p = new CUdeviceptr();
    KernelArgs args = new KernelArgs(Kernels.REDUCE).ptr(p).i64(10).ptr(null);
    assertEquals(List.of(Param.PTR, Param.I64, Param.PTR), args.types());
    assertEquals(10L, args.value(1));
    assertNotNull(args.value(2), "a null buffer becomes a 0 pointer");
    assertNotNull(args.pointer());
  }

  @Test
  void wrongTypesCountsOrMissingArgumentsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new KernelArgs(Kernels.REDUCE).i32(1));
    assertThrows(IllegalArgumentException.class, () -> new KernelArgs(Kernels.REDUCE).ptr(null).i32(10));
    assertThrows(IllegalArgumentException.class,
        () -> new KernelArgs(Kernels.REDUCE).ptr(null).i64(1).ptr(null).ptr(null));
    assertThrows(IllegalStateException.class, () -> new KernelArgs(Kernels.REDUCE).ptr(null).pointer());
  }

  @Test
  void namesCarryTheShape() {
    Shape s = new Shape("cv", 4, 2);
    assertEquals("batch_cv_n4_m2", Kernels.BATCH.name(s));
    assertEquals("fscan_tile_n4", Kernels.FILTER_SCAN_TILE.name(s));
    assertEquals("unpack_lanes", Kernels.UNPACK.name(s));
    assertEquals(17, Kernels.BATCH.params().size());
  }
}
