package io.statespace.spark;

import io.statespace.gpu.DeviceProbe;
import io.statespace.gpu.GpuAddresses;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * The CUDA device of the running Spark task: reads the task's "gpu" resource addresses and whether GPU
 * scheduling is on, and leaves the mapping to the pure {@link GpuAddresses#ordinal} (tested with fakes).
 * Spark GPU scheduling is configured with spark.executor.resource.gpu.amount,
 * spark.executor.resource.gpu.discoveryScript and spark.task.resource.gpu.amount (docs/GPU.md).
 */
public final class TaskGpu {
  private TaskGpu() {}

  /** The device of the current task (partition 0 and no addresses outside a task). */
  public static GpuAddresses.Assignment current(DeviceProbe probe) {
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
    return GpuAddresses.ordinal(scheduled, addresses, System.getenv("CUDA_VISIBLE_DEVICES"), probe.devices(), partition);
  }
}
