package io.statespace.gpu;

import io.statespace.gpu.PtxModules.Shape;
import jcuda.driver.CUdeviceptr;

/**
 * Column sums of a rows × width column-major device table in two deterministic passes of the
 * reduce_columns kernel (src/main/cuda/reduce.cuh): per-block partials, then one block per column. Only
 * the width sums are copied back.
 */
final class DeviceReduce {
  static final int THREADS = 256;
  static final int MAX_BLOCKS = 1024;

  private DeviceReduce() {}

  static double[] columns(DeviceSession session, Shape module, CUdeviceptr in, long rows, int width) {
    int blocks = (int) Math.max(1, Math.min(MAX_BLOCKS, (rows + THREADS - 1) / THREADS));
    CUdeviceptr partials = session.allocDoubles((long) blocks * width);
    session.launch(module, new KernelArgs(Kernels.REDUCE).ptr(in).i64(rows).ptr(partials), blocks, width, THREADS, 0);
    CUdeviceptr sums = session.allocDoubles(width);
    session.launch(module, new KernelArgs(Kernels.REDUCE).ptr(partials).i64(blocks).ptr(sums), 1, width, THREADS, 0);
    double[] out = new double[width];
    session.download(sums, 0, out);
    session.free(partials);
    session.free(sums);
    return out;
  }
}
