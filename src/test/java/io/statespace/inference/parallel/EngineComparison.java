package io.statespace.inference.parallel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.StateSpaceModel;
import io.statespace.testing.Differences;
import java.util.Map;

/**
 * Runs the sequential reference and the parallel engine in both orders of evaluation (chunked on 1-3
 * threads, and the tree on 2) with every output, asserts that each posterior array and the log-likelihood
 * agree to {@link #TOLERANCE} relative, and prints the observed differences, one line per case.
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

  void check(String label, StateSpaceModel model, Trajectory trajectory, int threads) {
    Posterior expected = new SequentialEngine().smooth(model, trajectory, Outputs.ALL);
    Map<String, Double> viaChunks = Differences.of(chunked(threads).smooth(model, trajectory, Outputs.ALL), expected);
    Map<String, Double> viaTree = Differences.of(tree.smooth(model, trajectory, Outputs.ALL), expected);
    double worst = Math.max(Differences.max(viaChunks), Differences.max(viaTree));
    System.out.printf("parallel vs sequential %s: max %.1e | chunked(%d threads)%s | tree%s%n", label, worst,
        threads, Differences.format(viaChunks), Differences.format(viaTree));
    assertTrue(Differences.max(viaChunks) < TOLERANCE, label + ", chunked: " + Differences.format(viaChunks));
    assertTrue(Differences.max(viaTree) < TOLERANCE, label + ", tree: " + Differences.format(viaTree));
  }

  @Override
  public void close() {
    for (ParallelEngine engine : chunked) engine.close();
    tree.close();
    treePool.close();
  }
}
