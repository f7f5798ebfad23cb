package io.statespace.gpu;

import java.util.Locale;

/**
 * Backend selection ({@code --backend auto|cpu|gpu}) as a pure function of the option, the device probe
 * and the shape of the work, so that it is testable without a GPU and the Spark job and CLI only wire it.
 *
 * <ul>
 *   <li>{@code cpu}: the CPU engines.</li>
 *   <li>{@code gpu}: a GPU path; no usable device, or a model the kernels do not cover, is a
 *       {@link GpuUnavailableException} before work starts, never a silent fallback.</li>
 *   <li>{@code auto}: a GPU path only when a device is present, the model is covered, and the work is large
 *       enough to pay for the copies: at least {@link #AUTO_MIN_BATCH_TRAJECTORIES} trajectories and
 *       {@link #AUTO_MIN_BATCH_STEPS} steps for the batched path, or a trajectory of at least
 *       {@link #AUTO_MIN_PARALLEL_STEPS} steps for the parallel scan; otherwise the CPU, with the reason.</li>
 * </ul>
 * The GPU path: many trajectories go to the batched kernel (one thread each); few long ones to the
 * parallel-in-time scan, whose O(log T) depth is what pays on a GPU (DESIGN.md section 5). The thresholds
 * are first estimates from the published timings (research notes §5) and are to be re-tuned from the
 * device measurements of docs/GPU.md.
 */
public final class Backend {
  /** auto: fewest trajectories for the batched GPU path (a few warps per multiprocessor). */
  public static final int AUTO_MIN_BATCH_TRAJECTORIES = 4096;
  /** auto: fewest total steps for the batched GPU path. */
  public static final long AUTO_MIN_BATCH_STEPS = 1_000_000L;
  /** auto: shortest trajectory for the parallel GPU scan. */
  public static final long AUTO_MIN_PARALLEL_STEPS = 100_000L;
  /** Below this many trajectories a block goes to the parallel scan when its trajectories are long. */
  public static final int PARALLEL_MAX_TRAJECTORIES = 64;
  /** Share of device memory the parallel path may plan to use. */
  public static final double MEMORY_SHARE = 0.8;

  private Backend() {}

  /** The backend a block runs on. */
  public enum Target {
    CPU,
    GPU_BATCHED,
    GPU_PARALLEL
  }

  /**
   * The decision and why it was taken, for the job log.
   *
   * @param ordinal the CUDA device for a GPU target (the probe's first device), -1 for the CPU
   */
  public record Decision(Target target, String reason, int ordinal) {
    public boolean gpu() {
      return target != Target.CPU;
    }
  }

  /** The option's value, validated: "auto", "cpu" or "gpu". */
  public static String parse(String option) {
    String o = option == null ? "" : option.trim().toLowerCase(Locale.ROOT);
    if (!o.equals("auto") && !o.equals("cpu") && !o.equals("gpu")) {
      throw new IllegalArgumentException("--backend: must be auto, cpu or gpu, got '" + option + "'");
    }
    return o;
  }

  /**
   * Chooses the backend.
   *
   * @throws IllegalArgumentException for an unknown option
   * @throws GpuUnavailableException for {@code gpu} without a usable device or with a model or trajectory the
   *     GPU cannot take
   */
  public static Decision resolve(String option, DeviceProbe probe, WorkShape shape) {
    String o = parse(option);
    if (o.equals("cpu")) return new Decision(Target.CPU, "--backend cpu", -1);
    if (o.equals("gpu")) {
      if (!probe.available()) throw new GpuUnavailableException("--backend gpu: no usable CUDA device: " + probe.reason());
      if (shape.gpuUnsupported() != null) throw new GpuUnavailableException("--backend gpu: " + shape.gpuUnsupported());
      Target target = gpuPath(shape);
      String memory = memoryProblem(target, probe, shape);
      if (memory != null) throw new GpuUnavailableException("--backend gpu: " + memory);
      return new Decision(target, "--backend gpu: " + pathReason(target, shape) + " on " + device(probe), ordinal(probe));
    }
    if (!probe.available()) return new Decision(Target.CPU, "auto: no usable GPU (" + probe.reason() + ")", -1);
    if (shape.gpuUnsupported() != null) {
      return new Decision(Target.CPU, "auto: GPU present but " + shape.gpuUnsupported(), -1);
    }
    Target target = gpuPath(shape);
    boolean worth = target == Target.GPU_PARALLEL
        ? shape.maxSteps() >= AUTO_MIN_PARALLEL_STEPS
        : shape.trajectories() >= AUTO_MIN_BATCH_TRAJECTORIES && shape.totalSteps() >= AUTO_MIN_BATCH_STEPS;
    if (!worth) {
      return new Decision(Target.CPU, "auto: GPU present but the work (" + shape.trajectories() + " trajectories, "
          + shape.totalSteps() + " steps, longest " + shape.maxSteps() + ") is too small to pay for the copies"
          + " (batched needs >= " + AUTO_MIN_BATCH_TRAJECTORIES + " trajectories and >= " + AUTO_MIN_BATCH_STEPS
          + " steps, the parallel scan a trajectory of >= " + AUTO_MIN_PARALLEL_STEPS + " steps)", -1);
    }
    String memory = memoryProblem(target, probe, shape);
    if (memory != null) return new Decision(Target.CPU, "auto: GPU present but " + memory, -1);
    return new Decision(target, "auto: " + pathReason(target, shape) + " on " + device(probe), ordinal(probe));
  }

  /** Batched for many trajectories; the parallel scan for a few long ones. */
  static Target gpuPath(WorkShape shape) {
    boolean few = shape.trajectories() <= PARALLEL_MAX_TRAJECTORIES;
    return few && shape.maxSteps() >= AUTO_MIN_PARALLEL_STEPS ? Target.GPU_PARALLEL : Target.GPU_BATCHED;
  }

  private static String pathReason(Target target, WorkShape shape) {
    return target == Target.GPU_PARALLEL
        ? "parallel-in-time scan for " + shape.trajectories() + " long trajectories (longest " + shape.maxSteps() + " steps)"
        : "batched filter/smoother, one GPU thread per trajectory, for " + shape.trajectories() + " trajectories ("
            + shape.totalSteps() + " steps)";
  }

  private static String memoryProblem(Target target, DeviceProbe probe, WorkShape shape) {
    if (target != Target.GPU_PARALLEL) return null;
    long have = probe.devices().get(0).memoryBytes();
    long need = shape.parallelBytes();
    if (need <= MEMORY_SHARE * have) return null;
    return String.format(Locale.ROOT, "a %d-step trajectory needs about %.1f GiB of device memory for the parallel "
        + "scan, more than %.0f%% of the device's %.1f GiB", shape.maxSteps(), need / 1073741824.0, MEMORY_SHARE * 100,
        have / 1073741824.0);
  }

  private static String device(DeviceProbe probe) {
    return probe.devices().get(0).describe();
  }

  private static int ordinal(DeviceProbe probe) {
    return probe.devices().get(0).ordinal();
  }
}
