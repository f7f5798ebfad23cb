package io.statespace.execution;

import io.statespace.gpu.GpuBatchEngine;
import io.statespace.gpu.GpuParallelEngine;
import io.statespace.inference.BatchSmoothingEngine;
import io.statespace.inference.SmoothingEngine;
import java.io.Serializable;

/**
 * How GPU engines are made on a device ordinal: the JCuda engines in production, stand-ins in tests that
 * check routing and fallbacks on machines without a GPU. Serializable, as the jobs ship it to executors.
 */
public record GpuEngines(Factory<? extends BatchSmoothingEngine> batched, Factory<? extends SmoothingEngine> parallel)
    implements Serializable {
  /** Makes an engine on a CUDA device ordinal. */
  public interface Factory<E> extends Serializable {
    E create(int ordinal);
  }

  /** The JCuda batched kernel and parallel scan. */
  public static GpuEngines cuda() {
    return new GpuEngines(GpuBatchEngine::new, GpuParallelEngine::new);
  }

  /** For runs that never use a GPU (the policy then never asks for one). */
  public static GpuEngines none() {
    return new GpuEngines(o -> {
      throw new IllegalStateException("no GPU engines in this run");
    }, o -> {
      throw new IllegalStateException("no GPU engines in this run");
    });
  }
}
