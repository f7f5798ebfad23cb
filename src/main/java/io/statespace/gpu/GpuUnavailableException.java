package io.statespace.gpu;

/**
 * {@code --backend gpu} was asked for, but this machine or this model cannot use the GPU. Thrown by
 * {@code io.statespace.execution.ExecutionPolicy} before any work starts, with the probe's or the model's reason, so that a job
 * fails at once with a clear message instead of falling back silently (docs/ARCHITECTURE.md §6).
 */
public final class GpuUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public GpuUnavailableException(String message) {
    super(message);
  }
}
