package io.statespace.bench;

import io.statespace.data.Trajectory;
import io.statespace.execution.Blocker;
import io.statespace.inference.BatchSmoothingEngine;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.SmoothingEngine;
import io.statespace.model.StateSpaceModel;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** One row of the throughput table: an engine (ours or a peer) running a pass over a list of trajectories. */
final class Workload {
  final String engine;
  final boolean smooths;
  final boolean peer;
  final ToDoubleFunction<List<Trajectory>> run;

  private Workload(String engine, boolean smooths, boolean peer, ToDoubleFunction<List<Trajectory>> run) {
    this.engine = engine;
    this.smooths = smooths;
    this.peer = peer;
    this.run = run;
  }

  /** Our single-trajectory engine, trajectory by trajectory. */
  static Workload of(String name, SmoothingEngine engine, StateSpaceModel model, boolean smooth) {
    return new Workload(name, smooth, false, data -> {
      double sum = 0.0;
      for (Trajectory tr : data) {
        sum += lastState(smooth ? engine.smooth(model, tr, Outputs.MOMENTS) : engine.filter(model, tr, Outputs.MOMENTS),
            smooth);
      }
      return sum;
    });
  }

  /**
   * Our batched engine, in the blocks the smooth job makes ({@link Blocker#MAX_TRAJECTORIES} trajectories,
   * {@link Blocker#MAX_STEPS} rows): one block of all 10,000 trajectories would keep 320 MB of results
   * alive through young collections, which G1 then copies (measured: 2.2e6 instead of 5.2e6 steps/s).
   */
  static Workload ofBlock(String name, BatchSmoothingEngine engine, StateSpaceModel model, boolean smooth) {
    return new Workload(name, smooth, false, data -> {
      double sum = 0.0;
      int start = 0;
      while (start < data.size()) {
        int end = start;
        long rows = 0;
        while (end < data.size() && end - start < Blocker.MAX_TRAJECTORIES
            && (end == start || rows + data.get(end).length() <= Blocker.MAX_STEPS)) {
          rows += data.get(end++).length();
        }
        List<Trajectory> block = data.subList(start, end);
        Posterior[] out = smooth ? engine.smooth(model, block, Outputs.MOMENTS) : engine.filter(model, block, Outputs.MOMENTS);
        for (Posterior p : out) sum += lastState(p, smooth);
        start = end;
      }
      return sum;
    });
  }

  /** A peer library. */
  static Workload of(Peer peer, BenchModel model) {
    return new Workload(peer.name(), peer.smooths(), true, data -> peer.run(model, data));
  }

  /** First component of the state estimate at the last step, the checksum every workload returns. */
  private static double lastState(Posterior p, boolean smooth) {
    double[] means = smooth ? p.smoothedMeans() : p.filteredMeans();
    return means[(p.length() - 1) * p.stateDim()];
  }
}
