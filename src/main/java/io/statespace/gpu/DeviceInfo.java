package io.statespace.gpu;

/**
 * What the backend needs to know about one CUDA device.
 *
 * @param ordinal CUDA ordinal (as renumbered by CUDA_VISIBLE_DEVICES)
 * @param uuid "GPU-xxxxxxxx-..." as nvidia-smi prints it, for matching Spark's GPU addresses
 * @param multiprocessors SM count (sizes the scan's chunks)
 * @param memoryBytes total device memory
 */
public record DeviceInfo(int ordinal, String name, int major, int minor, int multiprocessors, long memoryBytes,
    String uuid) {
  /** e.g. {@code 0: NVIDIA H100 80GB HBM3 (sm_90, 132 SMs, 79.1 GiB)}. */
  public String describe() {
    return String.format(java.util.Locale.ROOT, "%d: %s (sm_%d%d, %d SMs, %.1f GiB)", ordinal, name, major, minor,
        multiprocessors, memoryBytes / (1024.0 * 1024 * 1024));
  }
}
