package io.statespace.execution;

import io.statespace.data.Trajectory;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.InPlaceSmoother;

/**
 * What {@link BlockRunner} made of one trajectory: a posterior (or, on the lean path, the in-place result)
 * and the engine that produced it, or the reason no engine could process it. When a faster engine failed on
 * the trajectory and the sequential engine then smoothed it, {@link #failedEngine()} names the one that
 * failed, and the labels say so.
 *
 * @param posterior the smoothed trajectory, null on the lean path or on failure
 * @param lean the lean path's result, else null
 * @param engine the engine that produced the result (SEQUENTIAL after a fallback), or the last one tried
 * @param failedEngine the engine whose failure sent the trajectory to the sequential engine, or null
 * @param failure why the trajectory could not be processed (it then goes to quarantine), or null
 */
public record Outcome(Trajectory trajectory, Posterior posterior, InPlaceSmoother.Result lean, Engine engine,
    Engine failedEngine, String failure) {
  static Outcome smoothed(Trajectory trajectory, Posterior posterior, Engine engine, Engine failedEngine) {
    return new Outcome(trajectory, posterior, null, engine, failedEngine, null);
  }

  static Outcome lean(Trajectory trajectory, InPlaceSmoother.Result result) {
    return new Outcome(trajectory, null, result, Engine.SEQUENTIAL_IN_PLACE, null, null);
  }

  static Outcome failed(Trajectory trajectory, Engine engine, Engine failedEngine, String failure) {
    return new Outcome(trajectory, null, null, engine, failedEngine, failure);
  }

  /** True when the trajectory was smoothed. */
  public boolean ok() {
    return failure == null;
  }

  /** True when the sequential engine smoothed it after another engine failed. */
  public boolean fellBack() {
    return failedEngine != null;
  }

  /** report.json's trajectories_by_engine label, e.g. batched or sequential_after_batched_failure. */
  public String engineLabel() {
    return failedEngine == null ? engine.label() : failedEngine.fallbackLabel();
  }

  /** report.json's trajectories_by_backend label: cpu, gpu_batched, gpu_parallel or cpu_after_gpu_failure. */
  public String backendLabel() {
    if (failedEngine == null) return engine.backendLabel();
    return failedEngine.gpu() ? Engine.CPU_AFTER_GPU_FAILURE : Engine.CPU_BACKEND;
  }
}
