package io.statespace.execution;

import io.statespace.gpu.GpuUnavailableException;
import io.statespace.gpu.WorkShape;
import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;

/**
 * Which engine runs a block or a lone trajectory, as one pure function of the options ({@code --engine},
 * {@code --backend}, threads per task), the task's GPU ({@link TaskDevice}) and the work's shape
 * ({@link WorkShape}: sizes and whether the GPU kernels cover the model), so that it is tested without a GPU
 * or Spark and the jobs only wire it.
 *
 * <p>The CPU engine. AUTO uses the batched engine, the fastest per core (docs/BENCHMARKS.md): trajectories
 * shorter than {@link #AUTO_BATCH_MAX_STEPS} go in blocks through its lockstep lanes, longer ones alone
 * through its scalar lane. The parallel-in-time scan does 2-4 times the work of a sequential pass and on 2
 * cores ran at half the sequential speed even at T = 10^5, so AUTO uses it only with
 * {@link #AUTO_PARALLEL_MIN_THREADS} threads or more per task, for trajectories of at least
 * {@link #AUTO_PARALLEL_MIN_STEPS} steps. A named engine is used as named. Trajectories of
 * {@link #LEAN_MIN_STEPS} steps or more take the lean in-place path for memory unless the parallel engine
 * was named, whatever the backend.
 *
 * <p>The backend.
 * <ul>
 *   <li>{@code cpu}: the CPU engine.</li>
 *   <li>{@code gpu}: a GPU path for every block and lone trajectory, whatever the engine; no usable device,
 *       or a model the kernels do not cover, is a {@link GpuUnavailableException}, never a silent fallback.
 *       Blocks are formed as under {@code --engine auto} when the engine would not form them.</li>
 *   <li>{@code auto}: a GPU path only when the task has a device, the model is covered, the work is large
 *       enough to pay for the copies (at least {@link #AUTO_MIN_BATCH_TRAJECTORIES} trajectories and
 *       {@link #AUTO_MIN_BATCH_STEPS} steps for the batched kernel, a trajectory of at least
 *       {@link #AUTO_MIN_PARALLEL_STEPS} steps for the scan) and the engine allows it: {@code --engine
 *       sequential} asks for the CPU reference engine and never goes to the GPU under auto; {@code --engine
 *       batched} may go only to the batched kernel, {@code --engine parallel} only to the scan, their GPU
 *       counterparts; {@code --engine auto} to either. Otherwise the CPU engine, with the reason.</li>
 * </ul>
 * On the GPU, many trajectories go to the batched kernel (one thread each); at most
 * {@link #PARALLEL_MAX_TRAJECTORIES} long ones to the parallel scan, whose O(log T) depth is what pays on a
 * GPU (docs/GPU.md).
 */
public record ExecutionPolicy(EngineChoice engine, BackendOption backend, int threads) implements Serializable {
  /** Trajectories at least this long may go to the parallel engine under AUTO. */
  public static final int AUTO_PARALLEL_MIN_STEPS = 100_000;
  /** Threads per task from which AUTO gives long trajectories to the parallel engine. */
  public static final int AUTO_PARALLEL_MIN_THREADS = 8;
  /** Under AUTO, trajectories at least this long are not batched: they go alone (a block would hold few). */
  public static final int AUTO_BATCH_MAX_STEPS = 1 << 16;
  /** Trajectories at least this long take the lean in-place path (half the memory of a full posterior). */
  public static final int LEAN_MIN_STEPS = 1 << 20;
  /** GPU under auto: fewest trajectories for the batched kernel (a few warps per multiprocessor). */
  public static final int AUTO_MIN_BATCH_TRAJECTORIES = 4096;
  /** GPU under auto: fewest total steps for the batched kernel. */
  public static final long AUTO_MIN_BATCH_STEPS = 1_000_000L;
  /** GPU under auto: shortest trajectory for the parallel scan. */
  public static final long AUTO_MIN_PARALLEL_STEPS = 100_000L;
  /** Up to this many trajectories, a block of long trajectories goes to the GPU scan rather than the kernel. */
  public static final int PARALLEL_MAX_TRAJECTORIES = 64;
  /** Share of device memory the GPU scan may plan to use. */
  public static final double MEMORY_SHARE = 0.8;

  /**
   * The engine for a piece of work and why, for the job log.
   *
   * @param ordinal the CUDA device of a GPU engine, -1 for a CPU engine
   */
  public record Decision(Engine engine, String reason, int ordinal) {
    public boolean gpu() {
      return engine.gpu();
    }
  }

  public ExecutionPolicy {
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(backend, "backend");
    threads = Math.max(1, threads);
  }

  /** True when a trajectory of this many steps joins a block ({@link Blocker}) rather than going alone. */
  public boolean joinsBlock(int steps) {
    switch (engine) {
      case BATCHED:
        return steps <= Blocker.MAX_STEPS;
      case AUTO:
        return steps < AUTO_BATCH_MAX_STEPS;
      default:
        return backend == BackendOption.GPU && steps < AUTO_BATCH_MAX_STEPS;
    }
  }

  /** The engine for a block of trajectories that {@link #joinsBlock} accepted. */
  public Decision forBlock(TaskDevice device, WorkShape shape) {
    Engine cpu = engine == EngineChoice.SEQUENTIAL ? Engine.SEQUENTIAL
        : engine == EngineChoice.PARALLEL ? Engine.PARALLEL : Engine.BATCHED;
    return onBackend(cpu, device, shape);
  }

  /** The engine for a trajectory that goes alone. */
  public Decision forLone(TaskDevice device, WorkShape shape) {
    long steps = shape.maxSteps();
    if (engine != EngineChoice.PARALLEL && steps >= LEAN_MIN_STEPS) {
      return new Decision(Engine.SEQUENTIAL_IN_PLACE, "a trajectory of " + steps + " steps (>= " + LEAN_MIN_STEPS
          + ") is smoothed in place on the CPU, in half the memory of a full posterior, under any --backend", -1);
    }
    Engine cpu;
    switch (engine) {
      case SEQUENTIAL:
        cpu = Engine.SEQUENTIAL;
        break;
      case PARALLEL:
        cpu = Engine.PARALLEL;
        break;
      case BATCHED:
        cpu = Engine.BATCHED;
        break;
      default:
        cpu = threads >= AUTO_PARALLEL_MIN_THREADS && steps >= AUTO_PARALLEL_MIN_STEPS ? Engine.PARALLEL : Engine.BATCHED;
    }
    return onBackend(cpu, device, shape);
  }

  private Decision onBackend(Engine cpu, TaskDevice device, WorkShape shape) {
    String onCpu = cpu.label() + " engine on the CPU";
    if (backend == BackendOption.CPU) return new Decision(cpu, "--backend cpu: " + onCpu, -1);
    if (backend == BackendOption.GPU) {
      if (!device.available()) throw new GpuUnavailableException("--backend gpu: no usable CUDA device: " + device.reason());
      if (shape.gpuUnsupported() != null) throw new GpuUnavailableException("--backend gpu: " + shape.gpuUnsupported());
      Engine target = gpuPath(shape);
      String memory = memoryProblem(target, device, shape);
      if (memory != null) throw new GpuUnavailableException("--backend gpu: " + memory);
      return new Decision(target, "--backend gpu: " + pathReason(target, shape) + " on " + device.device().describe(),
          device.ordinal());
    }
    if (engine == EngineChoice.SEQUENTIAL) {
      return new Decision(cpu, "auto: --engine sequential asks for the CPU reference engine (--backend gpu puts it on "
          + "the GPU): " + onCpu, -1);
    }
    if (!device.available()) return new Decision(cpu, "auto: no usable GPU (" + device.reason() + "): " + onCpu, -1);
    if (shape.gpuUnsupported() != null) {
      return new Decision(cpu, "auto: GPU present but " + shape.gpuUnsupported() + ": " + onCpu, -1);
    }
    Engine target = gpuPath(shape);
    Engine allowed = engine == EngineChoice.BATCHED ? Engine.GPU_BATCHED
        : engine == EngineChoice.PARALLEL ? Engine.GPU_PARALLEL : target;
    if (target != allowed) {
      return new Decision(cpu, "auto: this work's GPU path is the " + target.label() + " path, not --engine "
          + engine.label() + "'s counterpart (" + allowed.label() + "): " + onCpu, -1);
    }
    boolean worth = target == Engine.GPU_PARALLEL
        ? shape.maxSteps() >= AUTO_MIN_PARALLEL_STEPS
        : shape.trajectories() >= AUTO_MIN_BATCH_TRAJECTORIES && shape.totalSteps() >= AUTO_MIN_BATCH_STEPS;
    if (!worth) {
      return new Decision(cpu, "auto: GPU present but the work (" + shape.trajectories() + " trajectories, "
          + shape.totalSteps() + " steps, longest " + shape.maxSteps() + ") is too small to pay for the copies"
          + " (batched needs >= " + AUTO_MIN_BATCH_TRAJECTORIES + " trajectories and >= " + AUTO_MIN_BATCH_STEPS
          + " steps, the parallel scan a trajectory of >= " + AUTO_MIN_PARALLEL_STEPS + " steps): " + onCpu, -1);
    }
    String memory = memoryProblem(target, device, shape);
    if (memory != null) return new Decision(cpu, "auto: GPU present but " + memory + ": " + onCpu, -1);
    return new Decision(target, "auto: " + pathReason(target, shape) + " on " + device.device().describe(),
        device.ordinal());
  }

  /**
   * The decision for a model with a diffuse prior (initial.diffuse): the sequential and batched CPU engines run the
   * exact diffuse filter; any other engine (the parallel scan, the lean in-place path, a GPU path) gives way to the
   * sequential engine, with the reason.
   */
  public static Decision forDiffuse(Decision d) {
    if (d.engine() == Engine.SEQUENTIAL || d.engine() == Engine.BATCHED) return d;
    return new Decision(Engine.SEQUENTIAL, "the model's initial state is diffuse (initial.diffuse) and the "
        + d.engine().label() + " engine has no exact diffuse filter: sequential engine on the CPU instead of ("
        + d.reason() + ")", -1);
  }

  /** The batched kernel for many trajectories; the parallel scan for a few long ones. */
  static Engine gpuPath(WorkShape shape) {
    boolean few = shape.trajectories() <= PARALLEL_MAX_TRAJECTORIES;
    return few && shape.maxSteps() >= AUTO_MIN_PARALLEL_STEPS ? Engine.GPU_PARALLEL : Engine.GPU_BATCHED;
  }

  private static String pathReason(Engine target, WorkShape shape) {
    return target == Engine.GPU_PARALLEL
        ? "parallel-in-time scan for " + shape.trajectories() + " long trajectories (longest " + shape.maxSteps() + " steps)"
        : "batched filter/smoother, one GPU thread per trajectory, for " + shape.trajectories() + " trajectories ("
            + shape.totalSteps() + " steps)";
  }

  private static String memoryProblem(Engine target, TaskDevice device, WorkShape shape) {
    if (target != Engine.GPU_PARALLEL) return null;
    long have = device.device().memoryBytes();
    long need = shape.parallelBytes();
    if (need <= MEMORY_SHARE * have) return null;
    return String.format(Locale.ROOT, "a %d-step trajectory needs about %.1f GiB of device memory for the parallel "
        + "scan, more than %.0f%% of the device's %.1f GiB", shape.maxSteps(), need / 1073741824.0, MEMORY_SHARE * 100,
        have / 1073741824.0);
  }

  /** A sentence for the job log saying what the CPU engines do and why. */
  public String describe() {
    String blocks = "blocks of up to " + Blocker.MAX_TRAJECTORIES + " trajectories / " + Blocker.MAX_STEPS + " rows";
    String lean = ", in place from " + LEAN_MIN_STEPS + " steps (half the memory)";
    switch (engine) {
      case SEQUENTIAL:
        return "sequential Kalman filter + RTS smoother for every trajectory" + lean + " (--engine sequential)";
      case PARALLEL:
        return "parallel-in-time (Särkkä) smoother on " + threads + " thread(s) for every trajectory (--engine parallel)";
      case BATCHED:
        return "batched engine: lockstep lanes in " + blocks + ", longer trajectories alone in its scalar lane"
            + lean + " (--engine batched)";
      default:
        String parallelPart = threads >= AUTO_PARALLEL_MIN_THREADS
            ? ", parallel-in-time on " + threads + " threads from " + AUTO_PARALLEL_MIN_STEPS + " steps"
            : "; no parallel-in-time scan with " + threads + " thread(s) per task (it needs "
                + AUTO_PARALLEL_MIN_THREADS + " to beat a sequential pass)";
        return "auto: batched engine, lockstep lanes below " + AUTO_BATCH_MAX_STEPS + " steps in " + blocks
            + " (SIMD over trajectories), its scalar lane above" + parallelPart + lean;
    }
  }
}
