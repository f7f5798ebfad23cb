package io.statespace.gpu;

import io.statespace.data.Trajectory;
import io.statespace.gpu.ModelPacking.PackedModel;
import io.statespace.gpu.PtxModules.Shape;
import io.statespace.inference.BatchSmoothingEngine;
import io.statespace.inference.InferenceException;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.StateSpaceModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;

/**
 * The GPU engine for many short or medium trajectories: the batched sequential Kalman filter and RTS
 * smoother of src/main/cuda/batched.cuh, one GPU thread per trajectory, float64, with the same result per
 * trajectory as {@link SequentialEngine} up to rounding.
 *
 * <p>A block is split into sub-batches whose device arrays stay below {@link #MAX_ARRAY_DOUBLES} doubles
 * each; per sub-batch the step data are packed ({@link BatchPacking}), copied in, filtered (and smoothed)
 * in one launch, and each output is rearranged on the device into one contiguous block per trajectory
 * before the copy back. Trajectories whose smoother hits a singular predicted covariance are recomputed
 * on the CPU (whose RTS smoother handles that case); trajectories whose filter fails (an innovation
 * covariance that is not positive definite) are reported together in a {@link BatchInferenceException}.
 *
 * <p>Each group of 32 lanes is stored up to its longest length, so a single very long trajectory costs 32
 * times its own storage: long trajectories belong to {@link GpuParallelEngine} (docs/GPU.md, mixed blocks).
 *
 * <p>For fitting, {@link #logLikelihood} and {@link #statistics} reduce on the device and copy back a
 * few numbers instead of every moment. One instance per task thread (it owns a stream and buffers);
 * {@link #close} releases them.
 */
public final class GpuBatchEngine implements BatchSmoothingEngine, AutoCloseable {
  /** Threads per block of the batched kernel. */
  static final int THREADS = 64;
  /** Threads per block of the unpack kernel. */
  static final int UNPACK_THREADS = 256;
  /** Upper bound on the doubles of one device array of a sub-batch (1 GiB). */
  static final long MAX_ARRAY_DOUBLES = 1L << 27;

  private final DeviceSession session;
  private final Shapes shapes;
  private final SequentialEngine cpu = new SequentialEngine();
  private Timings last = Timings.NONE;

  /** An engine on the device with this CUDA ordinal. */
  public GpuBatchEngine(int ordinal) {
    this(GpuDevice.open(ordinal));
  }

  public GpuBatchEngine(GpuDevice device) {
    this.session = new DeviceSession(device);
    this.shapes = Shapes.shipped();
  }

  @Override
  public Posterior[] filter(StateSpaceModel model, List<Trajectory> block, Outputs outputs) {
    return run(model, block, outputs, false);
  }

  @Override
  public Posterior[] smooth(StateSpaceModel model, List<Trajectory> block, Outputs outputs) {
    return run(model, block, outputs, true);
  }

  /** Timings of the last call. */
  public Timings lastTimings() {
    return last;
  }

  /**
   * Σ log p(y) over the block, reduced on the device (filter only; one number is copied back per
   * sub-batch).
   */
  public double logLikelihood(StateSpaceModel model, List<Trajectory> block) {
    double total = 0.0;
    for (double v : reduceBlock(model, block, false).values) total += v;
    return total;
  }

  /**
   * The fitting statistics of the block ({@link FitStatistics}), computed and reduced on the device;
   * trajectories the GPU could not smooth (singular predicted covariance) are added from the CPU engine.
   */
  public FitStatistics statistics(StateSpaceModel model, List<Trajectory> block) {
    Reduced r = reduceBlock(model, block, true);
    int big = ModelPacking.pack(model, shapes).shape().stateDim();
    return FitStatistics.fromDevice(r.values, big, model.stateDim(), r.gpuTrajectories).plus(r.cpuPart);
  }

  /** What {@link #reduceBlock} returns. */
  private static final class Reduced {
    final double[] values;
    final FitStatistics cpuPart;
    final int gpuTrajectories;

    Reduced(double[] values, FitStatistics cpuPart, int gpuTrajectories) {
      this.values = values;
      this.cpuPart = cpuPart;
      this.gpuTrajectories = gpuTrajectories;
    }
  }

  private static void checkBlock(StateSpaceModel model, List<Trajectory> block) {
    for (Trajectory t : block) {
      if (t.length() == 0) throw new IllegalArgumentException("trajectory '" + t.id() + "' has no steps");
      if (t.obsDim() != model.obsDim() || t.inputDim() != model.inputDim()) {
        throw new IllegalArgumentException("trajectory '" + t.id() + "' has " + t.obsDim() + " observation and "
            + t.inputDim() + " input columns, the model expects " + model.obsDim() + " and " + model.inputDim());
      }
    }
  }

  /** Block indices grouped into sub-batches (in decreasing length) whose arrays stay under the bound. */
  static List<int[]> subBatches(List<Trajectory> block, int componentsPerStep) {
    Integer[] order = new Integer[block.size()];
    for (int i = 0; i < order.length; i++) order[i] = i;
    Arrays.sort(order, (a, b) -> block.get(a).length() != block.get(b).length()
        ? Integer.compare(block.get(b).length(), block.get(a).length()) : Integer.compare(a, b));
    List<int[]> out = new ArrayList<>();
    List<Integer> current = new ArrayList<>();
    long stored = 0;
    for (int k : order) {
      long add = current.size() % BatchLayout.GROUP == 0 ? block.get(k).length() : 0;
      if (!current.isEmpty() && (stored + add) * componentsPerStep * BatchLayout.GROUP > MAX_ARRAY_DOUBLES) {
        out.add(current.stream().mapToInt(Integer::intValue).toArray());
        current.clear();
        stored = 0;
        add = block.get(k).length();
      }
      current.add(k);
      stored += add;
    }
    if (!current.isEmpty()) out.add(current.stream().mapToInt(Integer::intValue).toArray());
    return out;
  }

  /** Device buffers of one sub-batch after the batched kernel ran. */
  private final class Launched {
    final BatchLayout layout;
    final List<Trajectory> sub;
    final CUdeviceptr len;
    final CUdeviceptr groupStep;
    final CUdeviceptr fm;
    final CUdeviceptr fc;
    final CUdeviceptr pm;
    final CUdeviceptr pc;
    final CUdeviceptr sm;
    final CUdeviceptr sc;
    final CUdeviceptr cross;
    final CUdeviceptr loglik;
    final CUdeviceptr status;
    final int[] statusHost;
    final float kernelMs;
    final double uploadMs;

    Launched(PackedModel model, List<Trajectory> sub, boolean predictions, boolean smooth, boolean cross) {
      this.sub = sub;
      layout = BatchLayout.of(sub);
      Shape shape = model.shape();
      int big = shape.stateDim();
      int lanes = layout.lanes();
      long u0 = System.nanoTime();
      CUdeviceptr md = session.upload(model.buffer());
      len = session.upload(layout.lengths());
      groupStep = session.upload(layout.groupSteps());
      CUdeviceptr y = session.upload(BatchPacking.observations(layout, sub, model, 0.0));
      double[] u = BatchPacking.inputs(layout, sub, model, 0.0);
      double[] dt = BatchPacking.gaps(layout, sub, model, 0.0);
      CUdeviceptr ud = u == null ? null : session.upload(u);
      CUdeviceptr dtd = dt == null ? null : session.upload(dt);
      uploadMs = (System.nanoTime() - u0) / 1e6;
      long steps = layout.storedDoubles(1);
      fm = session.allocDoubles(steps * big);
      fc = session.allocDoubles(steps * big * big);
      pm = predictions ? session.allocDoubles(steps * big) : null;
      pc = predictions ? session.allocDoubles(steps * big * big) : null;
      sm = smooth ? session.allocDoubles(steps * big) : null;
      sc = smooth ? session.allocDoubles(steps * big * big) : null;
      this.cross = smooth && cross ? session.allocDoubles(steps * big * big) : null;
      loglik = session.allocDoubles(lanes);
      status = session.alloc(2L * lanes * Integer.BYTES);
      KernelArgs args = new KernelArgs(Kernels.BATCH).ptr(md).i32(model.inputDim()).i32(lanes).ptr(len).ptr(groupStep)
          .ptr(y).ptr(ud).ptr(dtd).ptr(fm).ptr(fc).ptr(pm).ptr(pc).ptr(sm).ptr(sc).ptr(this.cross).ptr(loglik)
          .ptr(status);
      CUevent start = session.mark();
      session.launch(shape, args, (lanes + THREADS - 1) / THREADS, 1, THREADS, 0);
      kernelMs = DeviceSession.elapsed(start, session.mark());
      statusHost = session.downloadInts(status, 2 * lanes);
    }
  }

  private Posterior[] run(StateSpaceModel model, List<Trajectory> block, Outputs outputs, boolean smooth) {
    long t0 = System.nanoTime();
    checkBlock(model, block);
    Posterior[] out = new Posterior[block.size()];
    if (block.isEmpty()) return out;
    session.makeCurrent();
    PackedModel pm = ModelPacking.pack(model, shapes);
    int big = pm.shape().stateDim();
    Map<Integer, String> failures = new LinkedHashMap<>();
    String[] first = null;
    double kernel = 0;
    double upload = 0;
    double download = 0;
    try {
      for (int[] indices : subBatches(block, big * big)) {
        List<Trajectory> sub = new ArrayList<>();
        for (int k : indices) sub.add(block.get(k));
        Launched run = new Launched(pm, sub, outputs.predictions(), smooth, outputs.crossCovariances());
        kernel += run.kernelMs;
        upload += run.uploadMs;
        long d0 = System.nanoTime();
        Unpacked unpacked = new Unpacked(pm, run);
        for (int l = 0; l < run.layout.lanes(); l++) {
          int k = indices[run.layout.trajectoryOfLane(l)];
          Trajectory traj = block.get(k);
          int code = run.statusHost[2 * l];
          int step = run.statusHost[2 * l + 1];
          if (code == 1) {
            String what = "innovation covariance is not positive definite";
            failures.put(k, "trajectory '" + traj.id() + "', step " + step + ": " + what);
            if (first == null) first = new String[] {traj.id(), Integer.toString(step), what};
            continue;
          }
          if (code == 2) {
            try {
              out[k] = smooth ? cpu.smooth(model, traj, outputs) : cpu.filter(model, traj, outputs);
            } catch (InferenceException e) {
              failures.put(k, e.getMessage());
              if (first == null) first = new String[] {traj.id(), "0", e.getMessage()};
            }
            continue;
          }
          out[k] = unpacked.posterior(l, model.stateDim(), smooth, outputs);
        }
        download += (System.nanoTime() - d0) / 1e6;
        session.release();
      }
    } finally {
      session.release();
    }
    last = new Timings(upload, kernel, download, (System.nanoTime() - t0) / 1e6);
    if (!failures.isEmpty()) {
      throw new BatchInferenceException(failures, out, first[0], Integer.parseInt(first[1]), first[2]);
    }
    return out;
  }

  /** One sub-batch's outputs rearranged per trajectory on the device and copied back. */
  private final class Unpacked {
    final PackedModel model;
    final Launched run;
    final long[] dstStep;
    final double[] fm;
    final double[] fc;
    final double[] pm;
    final double[] pc;
    final double[] sm;
    final double[] sc;
    final double[] cross;
    final double[] loglik;

    Unpacked(PackedModel model, Launched run) {
      this.model = model;
      this.run = run;
      int big = model.shape().stateDim();
      BatchLayout layout = run.layout;
      dstStep = layout.dstSteps();
      CUdeviceptr dst = session.allocDoubles(layout.totalSteps() * big * big);
      CUdeviceptr dstStepDevice = session.upload(dstStep);
      fm = unpack(run.fm, big, dst, dstStepDevice);
      fc = unpack(run.fc, big * big, dst, dstStepDevice);
      pm = run.pm == null ? null : unpack(run.pm, big, dst, dstStepDevice);
      pc = run.pc == null ? null : unpack(run.pc, big * big, dst, dstStepDevice);
      sm = run.sm == null ? null : unpack(run.sm, big, dst, dstStepDevice);
      sc = run.sc == null ? null : unpack(run.sc, big * big, dst, dstStepDevice);
      cross = run.cross == null ? null : unpack(run.cross, big * big, dst, dstStepDevice);
      loglik = new double[layout.lanes()];
      session.download(run.loglik, 0, loglik);
    }

    private double[] unpack(CUdeviceptr src, int components, CUdeviceptr dst, CUdeviceptr dstStepDevice) {
      BatchLayout layout = run.layout;
      long threads = layout.storedSteps() * BatchLayout.GROUP;
      KernelArgs args = new KernelArgs(Kernels.UNPACK).ptr(src).i32(components).i32(layout.lanes())
          .i32(layout.groups()).i64(layout.storedSteps()).ptr(run.len).ptr(run.groupStep).ptr(dstStepDevice).ptr(dst);
      session.launch(model.shape(), args, (threads + UNPACK_THREADS - 1) / UNPACK_THREADS, 1, UNPACK_THREADS, 0);
      double[] host = new double[Math.toIntExact(layout.totalSteps() * components)];
      session.download(dst, 0, host);
      return host;
    }

    Posterior posterior(int lane, int n, boolean smooth, Outputs outputs) {
      int big = model.shape().stateDim();
      int steps = run.layout.length(lane);
      long at = dstStep[lane];
      double[] cr = null;
      if (cross != null) cr = BatchPacking.slice(cross, at, steps - 1, big, n, true);
      return new Posterior(steps, n, loglik[lane],
          BatchPacking.slice(fm, at, steps, big, n, false), BatchPacking.slice(fc, at, steps, big, n, true),
          pm == null ? null : BatchPacking.slice(pm, at, steps, big, n, false),
          pc == null ? null : BatchPacking.slice(pc, at, steps, big, n, true),
          smooth ? BatchPacking.slice(sm, at, steps, big, n, false) : null,
          smooth ? BatchPacking.slice(sc, at, steps, big, n, true) : null, cr);
    }
  }

  /**
   * Runs the block without copying moments back and reduces per sub-batch either the log-likelihood
   * (statistics false; one sum per sub-batch) or the fitting statistics (their total vector; lanes the GPU
   * could not smooth are left out of it and computed on the CPU instead).
   */
  private Reduced reduceBlock(StateSpaceModel model, List<Trajectory> block, boolean statistics) {
    long t0 = System.nanoTime();
    checkBlock(model, block);
    session.makeCurrent();
    PackedModel pm = ModelPacking.pack(model, shapes);
    int big = pm.shape().stateDim();
    int width = FitStatistics.width(big);
    FitStatistics cpuStatistics = FitStatistics.zero(model.stateDim());
    int gpuTrajectories = 0;
    List<Double> sums = new ArrayList<>();
    double[] total = new double[width];
    double kernel = 0;
    double upload = 0;
    try {
      for (int[] indices : subBatches(block, big * big)) {
        List<Trajectory> sub = new ArrayList<>();
        for (int k : indices) sub.add(block.get(k));
        Launched run = new Launched(pm, sub, false, statistics, statistics);
        kernel += run.kernelMs;
        upload += run.uploadMs;
        int lanes = run.layout.lanes();
        Map<Integer, String> failures = new LinkedHashMap<>();
        for (int l = 0; l < lanes; l++) {
          Trajectory traj = sub.get(run.layout.trajectoryOfLane(l));
          if (run.statusHost[2 * l] == 1) {
            failures.put(indices[run.layout.trajectoryOfLane(l)], "trajectory '" + traj.id() + "', step "
                + run.statusHost[2 * l + 1] + ": innovation covariance is not positive definite");
          } else if (run.statusHost[2 * l] == 2) {
            cpuStatistics = cpuStatistics.plus(FitStatistics.of(cpu.smooth(model, traj, Outputs.ALL)));
          } else {
            gpuTrajectories++;
          }
        }
        if (!failures.isEmpty()) {
          Map.Entry<Integer, String> e = failures.entrySet().iterator().next();
          throw new BatchInferenceException(failures, new Posterior[block.size()], block.get(e.getKey()).id(), 0,
              e.getValue());
        }
        if (!statistics) {
          sums.add(DeviceReduce.columns(session, pm.shape(), run.loglik, lanes, 1)[0]);
        } else {
          CUdeviceptr stats = session.allocDoubles((long) width * lanes);
          KernelArgs args = new KernelArgs(Kernels.BATCH_STATISTICS).i32(lanes).ptr(run.len).ptr(run.groupStep)
              .ptr(run.sm).ptr(run.sc).ptr(run.cross).ptr(run.loglik).ptr(run.status).ptr(stats);
          session.launch(pm.shape(), args, (lanes + THREADS - 1) / THREADS, 1, THREADS, 0);
          double[] v = DeviceReduce.columns(session, pm.shape(), stats, lanes, width);
          for (int i = 0; i < width; i++) total[i] += v[i];
        }
        session.release();
      }
    } finally {
      session.release();
    }
    last = new Timings(upload, kernel, 0, (System.nanoTime() - t0) / 1e6);
    if (statistics) return new Reduced(total, cpuStatistics, gpuTrajectories);
    double[] out = new double[sums.size()];
    for (int i = 0; i < out.length; i++) out[i] = sums.get(i);
    return new Reduced(out, cpuStatistics, gpuTrajectories);
  }

  @Override
  public void close() {
    session.close();
  }
}
