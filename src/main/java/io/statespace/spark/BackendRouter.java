package io.statespace.spark;

import io.statespace.data.Trajectory;
import io.statespace.gpu.Backend;
import io.statespace.gpu.DeviceProbe;
import io.statespace.gpu.GpuBatchEngine;
import io.statespace.gpu.GpuParallelEngine;
import io.statespace.gpu.WorkShape;
import io.statespace.inference.BatchSmoothingEngine;
import io.statespace.inference.SmoothingEngine;
import io.statespace.model.StateSpaceModel;
import java.io.Serializable;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where each block (or lone trajectory) of a task runs, for {@code --backend auto|cpu|gpu}: the decision is
 * {@link Backend#resolve}'s, taken per task because on a cluster the driver may have no GPU while the
 * executors do, and logged once per task with its reason. GPU engines are created lazily on the task's
 * device ({@link TaskGpu}) and closed when the task ends. The probe and the engine factories are injectable
 * so that the routing itself is tested on machines without a GPU.
 */
final class BackendRouter implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(BackendRouter.class);

  /** Finds the devices of this JVM. */
  interface Probe extends Serializable {
    DeviceProbe detect();
  }

  /** Makes a GPU engine on a device ordinal. */
  interface Factory<E> extends Serializable {
    E create(int ordinal);
  }

  private final String option;
  private final Probe probe;
  private final Factory<? extends BatchSmoothingEngine> batched;
  private final Factory<? extends SmoothingEngine> parallel;

  BackendRouter(String option, Probe probe, Factory<? extends BatchSmoothingEngine> batched,
      Factory<? extends SmoothingEngine> parallel) {
    this.option = Backend.parse(option);
    this.probe = probe;
    this.batched = batched;
    this.parallel = parallel;
  }

  /** The production router: this JVM's CUDA devices, the JCuda engines. */
  static BackendRouter of(String option) {
    return new BackendRouter(option, DeviceProbe::detect, GpuBatchEngine::new, GpuParallelEngine::new);
  }

  String option() {
    return option;
  }

  /** One task's view: its decisions and its GPU engines. Not thread-safe; close it when the task ends. */
  Task task() {
    return new Task();
  }

  /** The per-task state. */
  final class Task implements AutoCloseable {
    private DeviceProbe devices;
    private BatchSmoothingEngine batchEngine;
    private SmoothingEngine parallelEngine;
    private String logged;

    /** The decision for this block under this model; CPU without touching the driver when --backend cpu. */
    Backend.Decision decide(StateSpaceModel model, List<Trajectory> block) {
      if (option.equals("cpu")) return new Backend.Decision(Backend.Target.CPU, "--backend cpu", -1);
      if (devices == null) devices = probe.detect();
      Backend.Decision d = Backend.resolve(option, devices, WorkShape.of(model, block));
      String kind = d.target() + ": " + d.reason();
      if (!kind.equals(logged)) {
        LOG.info("backend: {}", kind);
        logged = kind;
      }
      return d;
    }

    BatchSmoothingEngine batched() {
      if (batchEngine == null) batchEngine = batched.create(TaskGpu.current(devices).ordinal());
      return batchEngine;
    }

    SmoothingEngine parallel() {
      if (parallelEngine == null) parallelEngine = parallel.create(TaskGpu.current(devices).ordinal());
      return parallelEngine;
    }

    @Override
    public void close() {
      for (Object engine : new Object[] {batchEngine, parallelEngine}) {
        if (engine instanceof AutoCloseable) {
          try {
            ((AutoCloseable) engine).close();
          } catch (Exception e) {
            LOG.warn("backend: closing a GPU engine failed: {}", e.toString());
          }
        }
      }
      batchEngine = null;
      parallelEngine = null;
    }
  }
}
