package io.statespace.execution;

import java.util.Locale;

/**
 * A concrete engine that produced a trajectory's rows, with the labels report.json counts:
 * {@link #label()} for trajectories_by_engine and {@link #backendLabel()} for trajectories_by_backend.
 */
public enum Engine {
  /** Kalman filter + RTS smoother, Joseph form: the float64 reference, and every fallback's engine. */
  SEQUENTIAL(false, false),
  /** The sequential engine keeping only the smoothed moments, for very long trajectories. */
  SEQUENTIAL_IN_PLACE(false, false),
  /** The parallel-in-time scan on the task's threads. */
  PARALLEL(false, false),
  /** The vectorised CPU engine, lockstep lanes over a block. */
  BATCHED(false, true),
  /** The CUDA batched kernel, one GPU thread per trajectory. */
  GPU_BATCHED(true, true),
  /** The CUDA parallel-in-time scan, one trajectory at a time. */
  GPU_PARALLEL(true, false);

  /** trajectories_by_backend's label of every CPU engine. */
  public static final String CPU_BACKEND = "cpu";
  /** trajectories_by_backend's label of the sequential engine after a GPU engine failed on the trajectory. */
  public static final String CPU_AFTER_GPU_FAILURE = "cpu_after_gpu_failure";

  private final boolean gpu;
  private final boolean blocks;

  Engine(boolean gpu, boolean blocks) {
    this.gpu = gpu;
    this.blocks = blocks;
  }

  /** True for the CUDA engines. */
  public boolean gpu() {
    return gpu;
  }

  /** True when the engine takes a whole block in one call; the others take its trajectories one by one. */
  public boolean blocks() {
    return blocks;
  }

  /** trajectories_by_engine's label: sequential, sequential_in_place, parallel, batched, gpu_batched, gpu_parallel. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** trajectories_by_backend's label: cpu, gpu_batched or gpu_parallel. */
  public String backendLabel() {
    return gpu ? label() : CPU_BACKEND;
  }

  /** trajectories_by_engine's label of a trajectory this engine failed on and the sequential engine then smoothed. */
  public String fallbackLabel() {
    return "sequential_after_" + label() + "_failure";
  }
}
