package io.statespace.gpu;

import io.statespace.data.Trajectory;
import io.statespace.gpu.ModelPacking.PackedModel;
import io.statespace.gpu.PtxModules.Shape;
import io.statespace.inference.InferenceException;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.SmoothingEngine;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.StateSpaceModel;
import java.util.ArrayList;
import java.util.List;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;

/**
 * The GPU engine for few very long trajectories: Särkkä &amp; García-Fernández's parallel-in-time filter and
 * smoother (src/main/cuda/scan.cuh), the same computation as the CPU
 * {@link io.statespace.inference.parallel.ParallelEngine} at O(log T) depth: filtering elements built in
 * parallel, a device-wide forward scan with the LU-based combine, read-off of the filtered moments, the
 * post-hoc log-likelihood (one term per step, summed on the device), smoothing elements, a reverse scan
 * and the lag-one cross-covariances. The scan's block structure is {@link ScanGeometry}, mirrored on the
 * CPU by {@link BlockedScan}. A singular predicted covariance in the smoother (where the CPU engines use a
 * pseudo-inverse) sends the trajectory to the CPU {@link SequentialEngine}. One instance per task thread.
 */
public final class GpuParallelEngine implements SmoothingEngine, AutoCloseable {
  /** Threads per block of the element-wise kernels. */
  static final int THREADS = 128;

  private static final int UNSET = Integer.MAX_VALUE;
  private static final int STATUS_FILTER_ELEMENTS = 0;
  private static final int STATUS_FILTER_READOFF = 1;
  private static final int STATUS_LIKELIHOOD = 2;
  private static final int STATUS_SMOOTHER_ELEMENTS = 3;
  private static final int STATUS_SMOOTHER_READOFF = 4;

  private final DeviceSession session;
  private final Shapes shapes;
  private Timings last = Timings.NONE;
  private ScanGeometry lastFilterGeometry;

  /** An engine on the device with this CUDA ordinal. */
  public GpuParallelEngine(int ordinal) {
    this(GpuDevice.open(ordinal));
  }

  public GpuParallelEngine(GpuDevice device) {
    this.session = new DeviceSession(device);
    this.shapes = Shapes.shipped();
  }

  @Override
  public Posterior filter(StateSpaceModel model, Trajectory trajectory, Outputs outputs) {
    return run(model, trajectory, outputs, false);
  }

  @Override
  public Posterior smooth(StateSpaceModel model, Trajectory trajectory, Outputs outputs) {
    return run(model, trajectory, outputs, true);
  }

  /** Timings of the last call. */
  public Timings lastTimings() {
    return last;
  }

  /** The filter scan's geometry in the last call (for the harness's report). */
  public ScanGeometry lastFilterGeometry() {
    return lastFilterGeometry;
  }

  private Posterior run(StateSpaceModel model, Trajectory trajectory, Outputs outputs, boolean smooth) {
    long t0 = System.nanoTime();
    String id = trajectory.id();
    int steps = trajectory.length();
    if (steps == 0) throw new IllegalArgumentException("trajectory '" + id + "' has no steps");
    if (trajectory.obsDim() != model.obsDim() || trajectory.inputDim() != model.inputDim()) {
      throw new IllegalArgumentException("trajectory '" + id + "' does not match the model's dimensions");
    }
    session.makeCurrent();
    PackedModel pm = ModelPacking.pack(model, shapes);
    Shape shape = pm.shape();
    int big = shape.stateDim();
    int n = model.stateDim();
    int p = model.inputDim();
    int sms = session.device().info().multiprocessors();
    try {
      CUdeviceptr md = session.upload(pm.buffer());
      CUdeviceptr y = session.upload(BatchPacking.observations(trajectory, pm));
      CUdeviceptr u = p == 0 ? null : session.upload(trajectory.inputs());
      double[] gaps = BatchPacking.gaps(trajectory, pm);
      CUdeviceptr dt = gaps == null ? null : session.upload(gaps);
      CUdeviceptr status = session.alloc(8L * Integer.BYTES);
      session.fill(status, UNSET, 8);
      double uploadMs = (System.nanoTime() - t0) / 1e6;
      long grid = (steps + THREADS - 1) / THREADS;
      CUevent start = session.mark();

      int wf = 3 * big * big + 2 * big;
      ScanGeometry gf = ScanGeometry.of(wf, steps, sms);
      lastFilterGeometry = gf;
      List<CUdeviceptr> levels = allocateLevels(gf, steps, wf);
      session.launch(shape, new KernelArgs(Kernels.FILTER_ELEMENTS).ptr(md).i32(p).i64(steps).ptr(y).ptr(u).ptr(dt)
          .ptr(levels.get(0)).i64(gf.capacity(steps)).i32(gf.threads()).i32(gf.chunk())
          .ptr(at(status, STATUS_FILTER_ELEMENTS)), grid, 1, THREADS, 0);
      scan(shape, gf, steps, wf, levels, Kernels.FILTER_SCAN_TILE, Kernels.FILTER_SCAN_CARRY);
      CUdeviceptr fm = session.allocDoubles((long) steps * big);
      CUdeviceptr fc = session.allocDoubles((long) steps * big * big);
      session.launch(shape, new KernelArgs(Kernels.FILTER_READOFF).ptr(levels.get(0)).i64(gf.capacity(steps))
          .i64(steps).i32(gf.threads()).i32(gf.chunk()).ptr(fm).ptr(fc).ptr(at(status, STATUS_FILTER_READOFF)),
          grid, 1, THREADS, 0);
      for (CUdeviceptr level : levels) session.free(level);

      CUdeviceptr pmd = outputs.predictions() ? session.allocDoubles((long) steps * big) : null;
      CUdeviceptr pcd = outputs.predictions() ? session.allocDoubles((long) steps * big * big) : null;
      CUdeviceptr terms = session.allocDoubles(steps);
      session.launch(shape, new KernelArgs(Kernels.LOG_LIKELIHOOD).ptr(md).i32(p).i64(steps).ptr(y).ptr(u).ptr(dt)
          .ptr(fm).ptr(fc).ptr(pmd).ptr(pcd).ptr(terms).ptr(at(status, STATUS_LIKELIHOOD)), grid, 1, THREADS, 0);
      double logLik = DeviceReduce.columns(session, shape, terms, steps, 1)[0];
      int[] flags = session.downloadInts(status, 8);
      failOn(flags[STATUS_FILTER_ELEMENTS], id, "innovation covariance is not positive definite");
      failOn(flags[STATUS_FILTER_READOFF], id, "filtered mean or covariance is not finite");
      failOn(flags[STATUS_LIKELIHOOD], id, "innovation covariance is not positive definite");

      CUdeviceptr sm = null;
      CUdeviceptr sc = null;
      CUdeviceptr cross = null;
      if (smooth) {
        int ws = 2 * big * big + big;
        ScanGeometry gs = ScanGeometry.of(ws, steps, sms);
        List<CUdeviceptr> slevels = allocateLevels(gs, steps, ws);
        CUdeviceptr gainsT = outputs.crossCovariances() ? session.allocDoubles((long) steps * big * big) : null;
        session.launch(shape, new KernelArgs(Kernels.SMOOTHER_ELEMENTS).ptr(md).i32(p).i64(steps).ptr(u).ptr(dt)
            .ptr(fm).ptr(fc).ptr(slevels.get(0)).i64(gs.capacity(steps)).i32(gs.threads()).i32(gs.chunk()).ptr(gainsT)
            .ptr(at(status, STATUS_SMOOTHER_ELEMENTS)), grid, 1, THREADS, 0);
        if (session.downloadInts(status, 8)[STATUS_SMOOTHER_ELEMENTS] != UNSET) {
          session.release();
          last = new Timings(uploadMs, 0, 0, (System.nanoTime() - t0) / 1e6);
          return new SequentialEngine().smooth(model, trajectory, outputs);
        }
        scan(shape, gs, steps, ws, slevels, Kernels.SMOOTHER_SCAN_TILE, Kernels.SMOOTHER_SCAN_CARRY);
        sm = session.allocDoubles((long) steps * big);
        sc = session.allocDoubles((long) steps * big * big);
        session.launch(shape, new KernelArgs(Kernels.SMOOTHER_READOFF).ptr(slevels.get(0)).i64(gs.capacity(steps))
            .i64(steps).i32(gs.threads()).i32(gs.chunk()).ptr(sm).ptr(sc).ptr(at(status, STATUS_SMOOTHER_READOFF)),
            grid, 1, THREADS, 0);
        for (CUdeviceptr level : slevels) session.free(level);
        if (gainsT != null) {
          cross = session.allocDoubles((long) Math.max(1, steps - 1) * big * big);
          session.launch(shape, new KernelArgs(Kernels.CROSS_COVARIANCE).i64(steps).ptr(sc).ptr(gainsT).ptr(cross),
              (steps - 1 + THREADS - 1) / THREADS, 1, THREADS, 0);
        }
        failOn(session.downloadInts(status, 8)[STATUS_SMOOTHER_READOFF], id, "smoothed mean or covariance is not finite");
      }
      float kernelMs = DeviceSession.elapsed(start, session.mark());

      long d0 = System.nanoTime();
      double[] fmh = download(fm, steps, big, n, false);
      double[] fch = download(fc, steps, big, n, true);
      double[] pmh = pmd == null ? null : download(pmd, steps, big, n, false);
      double[] pch = pcd == null ? null : download(pcd, steps, big, n, true);
      double[] smh = sm == null ? null : download(sm, steps, big, n, false);
      double[] sch = sc == null ? null : download(sc, steps, big, n, true);
      double[] crh = cross == null ? null : download(cross, steps - 1, big, n, true);
      double downloadMs = (System.nanoTime() - d0) / 1e6;
      last = new Timings(uploadMs, kernelMs, downloadMs, (System.nanoTime() - t0) / 1e6);
      return new Posterior(steps, n, logLik, fmh, fch, pmh, pch, smh, sch, crh);
    } finally {
      session.release();
    }
  }

  /** Level buffers of a scan: level i holds capacity(count_i) elements of {@code width} doubles. */
  private List<CUdeviceptr> allocateLevels(ScanGeometry g, long count, int width) {
    List<CUdeviceptr> out = new ArrayList<>();
    for (long c : g.levels(count)) out.add(session.allocDoubles(g.capacity(c) * width));
    return out;
  }

  /** Tile passes bottom-up, then carry passes top-down (scan.cuh). */
  private void scan(Shape shape, ScanGeometry g, long count, int width, List<CUdeviceptr> levels, Kernels tile,
      Kernels carry) {
    List<Long> counts = g.levels(count);
    int shared = g.threads() * width * Double.BYTES;
    for (int i = 0; i < counts.size(); i++) {
      long c = counts.get(i);
      boolean top = i + 1 == counts.size();
      KernelArgs args = new KernelArgs(tile).ptr(levels.get(i)).i64(g.capacity(c)).i64(c)
          .ptr(top ? null : levels.get(i + 1)).i64(top ? 0 : g.capacity(counts.get(i + 1))).i32(g.chunk());
      session.launch(shape, args, g.tiles(c), 1, g.threads(), shared);
    }
    for (int i = counts.size() - 2; i >= 0; i--) {
      long c = counts.get(i);
      KernelArgs args = new KernelArgs(carry).ptr(levels.get(i)).i64(g.capacity(c)).i64(c).ptr(levels.get(i + 1))
          .i64(g.capacity(counts.get(i + 1))).i32(g.chunk());
      session.launch(shape, args, g.tiles(c) - 1, 1, g.threads(), width * Double.BYTES);
    }
  }

  private static CUdeviceptr at(CUdeviceptr status, int index) {
    return status.withByteOffset((long) index * Integer.BYTES);
  }

  private static void failOn(int step, String id, String what) {
    if (step != UNSET) throw new InferenceException(id, step, what);
  }

  private double[] download(CUdeviceptr src, int rows, int big, int n, boolean matrix) {
    int cols = matrix ? big * big : big;
    double[] host = new double[rows * cols];
    session.download(src, 0, host);
    return big == n ? host : BatchPacking.slice(host, 0, rows, big, n, matrix);
  }

  @Override
  public void close() {
    session.close();
  }
}
