package io.statespace.bench;

import io.statespace.data.Trajectory;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.batched.BatchedEngine;
import io.statespace.inference.sequential.InPlaceSmoother;
import io.statespace.inference.sequential.SequentialEngine;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * One very long trajectory through one engine path, to find the heap it needs: run under decreasing -Xmx
 * (jobs/bench.sh --memory with STATESPACE_DRIVER_MEMORY); prints the time, the heap still in use with the
 * result alive, and the heap limit.
 */
public final class MemoryBench {
  private final int steps;
  private final String engine;

  /** @param engine sequential, batched or in-place */
  public MemoryBench(int steps, String engine) {
    this.steps = steps;
    this.engine = engine;
  }

  public void run(PrintStream out) {
    BenchModel bench = new BenchModel();
    Trajectory tr = bench.simulate(1, steps, 4).get(0);
    long start = System.nanoTime();
    Object result;
    double check;
    switch (engine) {
      case "sequential": {
        Posterior p = new SequentialEngine().smooth(bench.model(), tr, Outputs.MOMENTS);
        check = p.smoothedMeans()[0];
        result = p;
        break;
      }
      case "batched": {
        Posterior p = new BatchedEngine().smooth(bench.model(), tr, Outputs.MOMENTS);
        check = p.smoothedMeans()[0];
        result = p;
        break;
      }
      case "in-place": {
        InPlaceSmoother.Result r = new InPlaceSmoother().smooth(bench.model(), tr);
        check = r.smoothedMeans(0)[0] + r.filteredMean(0)[0];
        result = r;
        break;
      }
      default:
        throw new IllegalArgumentException("--engine: sequential, batched or in-place, got '" + engine + "'");
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.gc();
    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    out.printf(Locale.ROOT, "memory: %s, one trajectory of %d steps: %.1f s (%.3g steps/s), heap in use with the result"
        + " alive %.2f GiB, -Xmx %.2f GiB (check %.6g, %s)%n", engine, steps, seconds, steps / seconds, used / 1073741824.0,
        Runtime.getRuntime().maxMemory() / 1073741824.0, check, result.getClass().getSimpleName());
  }
}
