package io.statespace.execution;

import io.statespace.inference.BatchSmoothingEngine;
import io.statespace.inference.SmoothingEngine;
import io.statespace.inference.batched.BatchedEngine;
import io.statespace.inference.parallel.ParallelEngine;
import io.statespace.inference.sequential.InPlaceSmoother;
import io.statespace.inference.sequential.SequentialEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine instances of one task, made on first use and reused (they hold scratch space); closing stops
 * the parallel engine's threads and releases the GPU engines. Not thread-safe.
 */
final class Engines implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Engines.class);

  private final int threads;
  private final GpuEngines gpu;
  private SequentialEngine sequential;
  private InPlaceSmoother inPlace;
  private ParallelEngine parallel;
  private BatchedEngine batched;
  private BatchSmoothingEngine gpuBatched;
  private SmoothingEngine gpuParallel;

  Engines(int threads, GpuEngines gpu) {
    this.threads = threads;
    this.gpu = gpu;
  }

  SmoothingEngine sequential() {
    if (sequential == null) sequential = new SequentialEngine();
    return sequential;
  }

  InPlaceSmoother inPlace() {
    if (inPlace == null) inPlace = new InPlaceSmoother();
    return inPlace;
  }

  /** The engine that takes one trajectory per call: sequential, parallel or the GPU scan. */
  SmoothingEngine single(Engine engine, int ordinal) {
    switch (engine) {
      case SEQUENTIAL:
        return sequential();
      case PARALLEL:
        if (parallel == null) parallel = new ParallelEngine(threads);
        return parallel;
      case GPU_PARALLEL:
        if (gpuParallel == null) gpuParallel = gpu.parallel().create(ordinal);
        return gpuParallel;
      default:
        throw new IllegalArgumentException(engine + " takes blocks");
    }
  }

  /** The engine that takes a whole block per call: the batched engine or the GPU kernel. */
  BatchSmoothingEngine block(Engine engine, int ordinal) {
    switch (engine) {
      case BATCHED:
        if (batched == null) batched = new BatchedEngine();
        return batched;
      case GPU_BATCHED:
        if (gpuBatched == null) gpuBatched = gpu.batched().create(ordinal);
        return gpuBatched;
      default:
        throw new IllegalArgumentException(engine + " takes one trajectory at a time");
    }
  }

  @Override
  public void close() {
    if (parallel != null) parallel.close();
    parallel = null;
    for (Object engine : new Object[] {gpuBatched, gpuParallel}) {
      if (engine instanceof AutoCloseable) {
        try {
          ((AutoCloseable) engine).close();
        } catch (Exception e) {
          LOG.warn("execution: closing a GPU engine failed: {}", e.toString());
        }
      }
    }
    gpuBatched = null;
    gpuParallel = null;
  }
}
