package io.statespace.gpu;

import java.util.Arrays;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;

/**
 * The device's copy bandwidth (bytes read plus written per second of a large device-to-device copy, timed
 * with events): the memory-bandwidth floor against which the harness ({@code io.statespace.gpu.check})
 * measures the kernels. It lives here because it needs the package's device session.
 */
public final class CopyBandwidth {
  private CopyBandwidth() {}

  /** Median over {@code reps} copies of min(2 GiB, an eighth of the device memory), after one warm-up copy. */
  public static double measure(GpuDevice device, int reps) {
    if (reps < 1) throw new IllegalArgumentException("reps must be positive, got " + reps);
    try (DeviceSession session = new DeviceSession(device)) {
      long bytes = Math.min(2L << 30, device.info().memoryBytes() / 8);
      bytes -= bytes % 4;
      CUdeviceptr src = session.alloc(bytes);
      CUdeviceptr dst = session.alloc(bytes);
      session.fill(src, 0x3ff00001, bytes / 4);
      session.copy(dst, src, bytes);
      session.synchronize();
      double[] ms = new double[reps];
      for (int r = 0; r < reps; r++) {
        CUevent start = session.mark();
        session.copy(dst, src, bytes);
        ms[r] = DeviceSession.elapsed(start, session.mark());
      }
      session.release();
      Arrays.sort(ms);
      double median = reps % 2 == 1 ? ms[reps / 2] : 0.5 * (ms[reps / 2 - 1] + ms[reps / 2]);
      return 2.0 * bytes / (median / 1e3);
    }
  }
}
