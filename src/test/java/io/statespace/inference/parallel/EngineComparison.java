package io.statespace.inference.parallel;


import io.statespace.data.Trajectory;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.StateSpaceModel;
import io.statespace.testing.ElementwiseComparison;

/**
 * Runs the sequential reference and the parallel engine in both orders of evaluation (chunked on 1-3
 * threads, and the tree on 2) with every output, asserts that each posterior array and the log-likelihood
 * agree to {@link #TOLERANCE} relative per element ({@link ElementwiseComparison}), and prints the observed differences, one line per case.
 */
final class EngineComparison implements AutoCloseable {
  static final double TOLERANCE = 1e-9;

  private final ParallelEngine[] chunked;
  private final WorkerPool treePool;
  private final ParallelEngine tree;

  EngineComparison() {
    chunked = new ParallelEngine[] {new ParallelEngine(1), new ParallelEngine(2), new ParallelEngine(3)};
    treePool = new WorkerPool(2);
    tree = new ParallelEngine(new TreeScan(treePool));
  }

  /** The chunked engine on {@code threads} (1 to 3) workers. */
  ParallelEngine chunked(int threads) {
    return chunked[threads - 1];
  }

  /** The engine on the tree scan (2 workers). */
  ParallelEngine tree() {
    return tree;
  }

  void check(String label, StateSpaceModel model, Trajectory trajectory, int threads) {
    Posterior expected = new SequentialEngine().smooth(model, trajectory, Outputs.ALL);
    double viaChunks = ElementwiseComparison.assertClose(label + ", chunked(" + threads + " threads)",
        chunked(threads).smooth(model, trajectory, Outputs.ALL), expected, TOLERANCE);
    double viaTree = ElementwiseComparison.assertClose(label + ", tree", tree.smooth(model, trajectory, Outputs.ALL),
        expected, TOLERANCE);
    System.out.printf("parallel vs sequential %s: worst per element %.1e | chunked(%d threads) %.1e | tree %.1e%n", label,
        Math.max(viaChunks, viaTree), threads, viaChunks, viaTree);
  }

  @Override
  public void close() {
    for (ParallelEngine engine : chunked) engine.close();
    tree.close();
    treePool.close();
  }
}
