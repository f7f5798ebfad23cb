package io.statespace.spark;

import io.statespace.execution.BackendOption;
import io.statespace.execution.BlockRunner;
import io.statespace.execution.EngineChoice;
import io.statespace.execution.ExecutionPolicy;
import io.statespace.execution.GpuEngines;
import io.statespace.execution.TaskDevice;
import io.statespace.gpu.DeviceProbe;
import java.io.Serializable;

/**
 * The task-level wiring of {@code --backend}: ships the option, the device probe and the GPU engine
 * factories to the executors, and gives each task a {@link BlockRunner} with the task's GPU as a value
 * ({@link TaskGpu}: on a cluster the driver may have no GPU while the executors do). The probe and the
 * factories are injectable so that routing is tested on machines without a GPU.
 */
final class BackendRouter implements Serializable {
  private static final long serialVersionUID = 2L;

  /** Finds the devices of this JVM. */
  interface Probe extends Serializable {
    DeviceProbe detect();
  }

  private final BackendOption option;
  private final Probe probe;
  private final GpuEngines gpu;

  BackendRouter(String option, Probe probe, GpuEngines gpu) {
    this.option = BackendOption.parse(option);
    this.probe = probe;
    this.gpu = gpu;
  }

  /** The production router: this JVM's CUDA devices, the JCuda engines. */
  static BackendRouter of(String option) {
    return new BackendRouter(option, DeviceProbe::detect, GpuEngines.cuda());
  }

  BackendOption option() {
    return option;
  }

  /** The running task's runner; the driver is never probed under --backend cpu. Close it when the task ends. */
  BlockRunner runner(EngineChoice engine, int threads) {
    TaskDevice device = option == BackendOption.CPU ? TaskDevice.none("--backend cpu") : TaskGpu.device(probe.detect());
    return new BlockRunner(new ExecutionPolicy(engine, option, threads), device, gpu);
  }
}
