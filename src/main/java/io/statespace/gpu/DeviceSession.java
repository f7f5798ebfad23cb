package io.statespace.gpu;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import io.statespace.gpu.PtxModules.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

/**
 * The per-engine (so per-task) working state on one device: a non-blocking stream of its own, device
 * buffers allocated for one call and freed together ({@link #release}), and a pinned host staging buffer
 * through which every copy goes. Copies use pinned memory and the session's stream because JCuda cannot
 * copy asynchronously from Java arrays, and a synchronous copy from pageable memory is ordered on the
 * legacy default stream, not on this one. Every method first makes the device's context current on the
 * calling thread. Not thread-safe: one session per task thread.
 */
final class DeviceSession implements AutoCloseable {
  /** Size of the pinned staging buffer: copies larger than this go in chunks. */
  static final int STAGING_BYTES = 64 << 20;

  private final GpuDevice device;
  private final CUstream stream = new CUstream();
  private final List<CUdeviceptr> allocated = new ArrayList<>();
  private Pointer staging;
  private ByteBuffer stagingBuffer;

  DeviceSession(GpuDevice device) {
    this.device = device;
    device.makeCurrent();
    cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING);
  }

  GpuDevice device() {
    return device;
  }

  CUstream stream() {
    return stream;
  }

  void makeCurrent() {
    device.makeCurrent();
  }

  /** A device buffer of {@code bytes} (at least 8), freed by {@link #release}. */
  CUdeviceptr alloc(long bytes) {
    CUdeviceptr p = new CUdeviceptr();
    cuMemAlloc(p, Math.max(8, bytes));
    allocated.add(p);
    return p;
  }

  CUdeviceptr allocDoubles(long count) {
    return alloc(count * Double.BYTES);
  }

  /** Frees one buffer early (after synchronising the stream). */
  void free(CUdeviceptr p) {
    if (p == null || !allocated.remove(p)) return;
    cuStreamSynchronize(stream);
    cuMemFree(p);
  }

  /** Frees every buffer of this session (after synchronising its stream). */
  void release() {
    cuStreamSynchronize(stream);
    for (CUdeviceptr p : allocated) cuMemFree(p);
    allocated.clear();
  }

  private ByteBuffer staging() {
    if (staging == null) {
      staging = new Pointer();
      cuMemAllocHost(staging, STAGING_BYTES);
      stagingBuffer = staging.getByteBuffer(0, STAGING_BYTES).order(ByteOrder.nativeOrder());
    }
    return stagingBuffer;
  }

  /** Copies doubles to a new device buffer. */
  CUdeviceptr upload(double[] values) {
    CUdeviceptr p = allocDoubles(values.length);
    upload(p, values);
    return p;
  }

  void upload(CUdeviceptr dst, double[] values) {
    ByteBuffer buf = staging();
    int per = STAGING_BYTES / Double.BYTES;
    for (int from = 0; from < values.length; from += per) {
      int n = Math.min(per, values.length - from);
      buf.clear();
      buf.asDoubleBuffer().put(values, from, n);
      cuMemcpyHtoDAsync(dst.withByteOffset((long) from * Double.BYTES), staging, (long) n * Double.BYTES, stream);
      cuStreamSynchronize(stream);
    }
  }

  CUdeviceptr upload(int[] values) {
    CUdeviceptr p = alloc((long) values.length * Integer.BYTES);
    ByteBuffer buf = staging();
    buf.clear();
    buf.asIntBuffer().put(values);
    cuMemcpyHtoDAsync(p, staging, (long) values.length * Integer.BYTES, stream);
    cuStreamSynchronize(stream);
    return p;
  }

  CUdeviceptr upload(long[] values) {
    CUdeviceptr p = alloc((long) values.length * Long.BYTES);
    ByteBuffer buf = staging();
    buf.clear();
    buf.asLongBuffer().put(values);
    cuMemcpyHtoDAsync(p, staging, (long) values.length * Long.BYTES, stream);
    cuStreamSynchronize(stream);
    return p;
  }

  /** Copies {@code out.length} doubles from the device buffer starting at double {@code offset}. */
  void download(CUdeviceptr src, long offset, double[] out) {
    ByteBuffer buf = staging();
    int per = STAGING_BYTES / Double.BYTES;
    for (int from = 0; from < out.length; from += per) {
      int n = Math.min(per, out.length - from);
      cuMemcpyDtoHAsync(staging, src.withByteOffset((offset + from) * Double.BYTES), (long) n * Double.BYTES, stream);
      cuStreamSynchronize(stream);
      buf.clear();
      buf.asDoubleBuffer().get(out, from, n);
    }
  }

  int[] downloadInts(CUdeviceptr src, int count) {
    ByteBuffer buf = staging();
    cuMemcpyDtoHAsync(staging, src, (long) count * Integer.BYTES, stream);
    cuStreamSynchronize(stream);
    int[] out = new int[count];
    buf.clear();
    buf.asIntBuffer().get(out);
    return out;
  }

  /** Fills {@code count} ints with a value. */
  void fill(CUdeviceptr p, int value, long count) {
    cuMemsetD32Async(p, value, count, stream);
  }

  void copy(CUdeviceptr dst, CUdeviceptr src, long bytes) {
    cuMemcpyDtoDAsync(dst, src, bytes, stream);
  }

  /** Launches a kernel of the module of {@code shape} on this session's stream. */
  void launch(Shape shape, KernelArgs args, long gridX, int gridY, int block, int sharedBytes) {
    if (gridX <= 0) return;
    if (gridX > Integer.MAX_VALUE) throw new IllegalArgumentException("grid too large: " + gridX);
    cuLaunchKernel(device.function(shape, args.kernel()), (int) gridX, gridY, 1, block, 1, 1, sharedBytes, stream,
        args.pointer(), null);
  }

  void synchronize() {
    cuStreamSynchronize(stream);
  }

  /** A recorded point on the stream, for device-side timing. */
  CUevent mark() {
    CUevent e = new CUevent();
    cuEventCreate(e, CUevent_flags.CU_EVENT_DEFAULT);
    cuEventRecord(e, stream);
    return e;
  }

  /** Milliseconds between two marks (waits for the second); destroys both. */
  static float elapsed(CUevent start, CUevent end) {
    cuEventSynchronize(end);
    float[] ms = new float[1];
    cuEventElapsedTime(ms, start, end);
    cuEventDestroy(start);
    cuEventDestroy(end);
    return ms[0];
  }

  @Override
  public void close() {
    makeCurrent();
    release();
    if (staging != null) {
      cuMemFreeHost(staging);
      staging = null;
    }
    cuStreamDestroy(stream);
  }
}
