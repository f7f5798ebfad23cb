package io.statespace.spark;

import io.statespace.execution.TaskDevice;
import io.statespace.gpu.DeviceInfo;
import io.statespace.gpu.DeviceProbe;
import io.statespace.gpu.GpuAddresses;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * The CUDA device of the running Spark task, as a {@link TaskDevice} value: reads the task's "gpu" resource
 * addresses and whether GPU scheduling is on, and leaves the mapping to the pure {@link GpuAddresses#ordinal}
 * (tested with fakes). Spark GPU scheduling is configured with spark.executor.resource.gpu.amount,
 * spark.executor.resource.gpu.discoveryScript and spark.task.resource.gpu.amount (docs/GPU.md).
 */
final class TaskGpu {
  private TaskGpu() {}

  /** The current task's device among the probe's (partition 0 and no addresses outside a task). */
  static TaskDevice device(DeviceProbe probe) {
    if (!probe.available()) return TaskDevice.none(probe.reason());
    TaskContext task = TaskContext.get();
    SparkEnv env = SparkEnv.get();
    boolean scheduled = env != null && env.conf().contains("spark.executor.resource.gpu.amount");
    List<String> addresses = List.of();
    int partition = 0;
    if (task != null) {
      partition = task.partitionId();
      Map<String, ResourceInformation> resources = task.resourcesJMap();
      ResourceInformation gpu = resources.get("gpu");
      if (gpu != null) addresses = Arrays.asList(gpu.addresses());
    }
    List<DeviceInfo> devices = probe.devices();
    try {
      GpuAddresses.Assignment a = GpuAddresses.ordinal(scheduled, addresses, System.getenv("CUDA_VISIBLE_DEVICES"),
          devices, partition);
      for (DeviceInfo d : devices) {
        if (d.ordinal() == a.ordinal()) return TaskDevice.of(d, a.reason());
      }
      return TaskDevice.unidentified(devices.get(0), a.reason() + ", but no visible device has ordinal " + a.ordinal());
    } catch (IllegalStateException e) {
      return TaskDevice.unidentified(devices.get(0), e.getMessage());
    }
  }
}
