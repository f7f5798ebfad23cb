package io.statespace.gpu;

import java.util.ArrayList;
import java.util.List;

/**
 * Maps the GPU that Spark's scheduler gave a task to a CUDA device ordinal, as a pure function of plain
 * values (the Spark side, {@code io.statespace.spark.TaskGpu}, only reads them from the TaskContext).
 *
 * <p>With {@code spark.executor.resource.gpu.amount} set, each task receives GPU addresses (the strings
 * the discovery script printed, usually nvidia-smi indices such as "0", "1", or UUIDs "GPU-…"). CUDA
 * ordinals are not those indices when the executor's CUDA_VISIBLE_DEVICES renumbers the devices (YARN and
 * Kubernetes containers, or a hand-set mask): ordinal k is then the k-th entry of that list. The mapping:
 * <ol>
 *   <li>an address that is a UUID matches the visible device with that UUID;</li>
 *   <li>an index address with CUDA_VISIBLE_DEVICES set is looked up in that list (by index, or by the UUID
 *       the list names); without it the index is the ordinal;</li>
 *   <li>a task with several GPUs uses its first address (the engines use one device each);</li>
 *   <li>without GPU scheduling, tasks share the visible devices round-robin by partition id;</li>
 *   <li>GPU scheduling on but no address for this task (spark.task.resource.gpu.amount unset) is an error.</li>
 * </ol>
 */
public final class GpuAddresses {
  private GpuAddresses() {}

  /** The chosen ordinal and how it was found. */
  public record Assignment(int ordinal, String reason) {}

  /**
   * @param gpuScheduled whether spark.executor.resource.gpu.amount is set
   * @param addresses the task's "gpu" resource addresses (empty when none)
   * @param cudaVisibleDevices the executor's CUDA_VISIBLE_DEVICES, or null when unset
   * @param devices the visible devices in ordinal order (their UUIDs are matched)
   * @param partitionId the task's partition, for round-robin without scheduling
   * @throws IllegalStateException when the task's GPU cannot be identified among the visible devices
   */
  public static Assignment ordinal(boolean gpuScheduled, List<String> addresses, String cudaVisibleDevices,
      List<DeviceInfo> devices, int partitionId) {
    if (devices.isEmpty()) throw new IllegalStateException("no visible CUDA device");
    if (!gpuScheduled) {
      int ordinal = devices.get(Math.floorMod(partitionId, devices.size())).ordinal();
      return new Assignment(ordinal, "no Spark GPU scheduling (spark.executor.resource.gpu.amount unset): partition "
          + partitionId + " -> device " + ordinal + " of " + devices.size() + " (round-robin)");
    }
    if (addresses == null || addresses.isEmpty()) {
      throw new IllegalStateException("spark.executor.resource.gpu.amount is set but this task was given no GPU;"
          + " set spark.task.resource.gpu.amount (e.g. 0.25 to share a GPU among 4 tasks)");
    }
    String address = addresses.get(0).trim();
    List<String> visible = parseVisible(cudaVisibleDevices);
    if (isUuid(address)) {
      for (DeviceInfo d : devices) {
        if (address.equalsIgnoreCase(d.uuid())) {
          return new Assignment(d.ordinal(), "Spark GPU address " + address + " -> device " + d.ordinal() + " (UUID match)");
        }
      }
      throw new IllegalStateException("Spark GPU address " + address + " matches no visible device's UUID");
    }
    int index;
    try {
      index = Integer.parseInt(address);
    } catch (NumberFormatException e) {
      throw new IllegalStateException("Spark GPU address '" + address + "' is neither an index nor a GPU UUID");
    }
    if (visible == null) {
      for (DeviceInfo d : devices) {
        if (d.ordinal() == index) {
          return new Assignment(index, "Spark GPU address " + address + " -> device " + index
              + " (CUDA_VISIBLE_DEVICES unset: address = ordinal)");
        }
      }
      throw new IllegalStateException("Spark GPU address " + address + " is not a visible device (ordinals 0.."
          + (devices.size() - 1) + ")");
    }
    for (int k = 0; k < visible.size(); k++) {
      if (!isUuid(visible.get(k)) && visible.get(k).equals(Integer.toString(index)) && k < devices.size()) {
        return new Assignment(devices.get(k).ordinal(), "Spark GPU address " + address + " -> device "
            + devices.get(k).ordinal() + " (position in CUDA_VISIBLE_DEVICES=" + cudaVisibleDevices + ")");
      }
    }
    if (visible.stream().anyMatch(GpuAddresses::isUuid)) {
      throw new IllegalStateException("Spark GPU address " + address + " is an index but CUDA_VISIBLE_DEVICES="
          + cudaVisibleDevices + " names UUIDs; make the GPU discovery script print UUIDs so that they can be matched");
    }
    throw new IllegalStateException("Spark GPU address " + address + " is not in CUDA_VISIBLE_DEVICES="
        + cudaVisibleDevices + "; the discovery script and the executor's device mask disagree");
  }

  /** The entries of CUDA_VISIBLE_DEVICES, or null when unset or blank. */
  static List<String> parseVisible(String value) {
    if (value == null || value.isBlank()) return null;
    List<String> out = new ArrayList<>();
    for (String s : value.split(",")) {
      if (!s.isBlank()) out.add(s.trim());
    }
    return out;
  }

  static boolean isUuid(String s) {
    return s.regionMatches(true, 0, "GPU-", 0, 4) || s.regionMatches(true, 0, "MIG-", 0, 4);
  }
}
