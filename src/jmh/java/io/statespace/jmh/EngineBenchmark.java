package io.statespace.jmh;

import io.statespace.bench.BenchModel;
import io.statespace.data.Trajectory;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.batched.BatchedEngine;
import io.statespace.inference.parallel.ParallelEngine;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.StateSpaceModel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Filter + smoother and filter-only throughput of each engine on the bench model (2-D constant velocity, 4 states,
 * 2 observations), in steps per second: every shape holds 10^5 steps, so one operation is one step
 * ({@code @OperationsPerInvocation}) and {@code -prof gc}'s gc.alloc.rate.norm is bytes per step.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EngineBenchmark {
  private static final int STEPS = 100_000;

  /** sequential, batched, parallel-1 or parallel-2 (threads). */
  @Param({"sequential", "batched", "parallel-1", "parallel-2"})
  public String engine;

  /** trajectories x steps, 10^5 steps in all. */
  @Param({"1000x100", "1x100000"})
  public String shape;

  private StateSpaceModel model;
  private List<Trajectory> data;
  private SequentialEngine sequential;
  private BatchedEngine batched;
  private ParallelEngine parallel;

  @Setup(Level.Trial)
  public void setUp() {
    BenchModel bench = new BenchModel();
    model = bench.model();
    String[] parts = shape.split("x");
    data = bench.simulate(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), 1);
    sequential = new SequentialEngine();
    batched = new BatchedEngine();
    if (engine.startsWith("parallel-")) parallel = new ParallelEngine(Integer.parseInt(engine.substring(9)));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (parallel != null) parallel.close();
  }

  @Benchmark
  @OperationsPerInvocation(STEPS)
  public double smooth() {
    return run(true);
  }

  @Benchmark
  @OperationsPerInvocation(STEPS)
  public double filter() {
    return run(false);
  }

  private double run(boolean smooth) {
    double sum = 0.0;
    if (engine.equals("batched")) {
      Posterior[] out = smooth ? batched.smooth(model, data, Outputs.MOMENTS) : batched.filter(model, data, Outputs.MOMENTS);
      for (Posterior p : out) sum += p.filteredMeans()[0];
      return sum;
    }
    for (Trajectory tr : data) {
      Posterior p;
      if (engine.equals("sequential")) {
        p = smooth ? sequential.smooth(model, tr, Outputs.MOMENTS) : sequential.filter(model, tr, Outputs.MOMENTS);
      } else {
        p = smooth ? parallel.smooth(model, tr, Outputs.MOMENTS) : parallel.filter(model, tr, Outputs.MOMENTS);
      }
      sum += p.filteredMeans()[0];
    }
    return sum;
  }
}
