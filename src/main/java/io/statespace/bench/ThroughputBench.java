package io.statespace.bench;

import io.statespace.data.Trajectory;
import io.statespace.inference.batched.BatchedEngine;
import io.statespace.inference.parallel.ParallelEngine;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.StateSpaceModel;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleSupplier;

/**
 * The main table of {@code bench}: steps per second of filter + smoother (and filter only) for each of our
 * engines and each JVM peer, on the same model and data in the same process, for many short trajectories and
 * one long one; the ratio of each of ours to the peer doing the same pass (Hipparchus for filter + smoother,
 * Commons Math for filter only), and bytes allocated per step. The batched engine also runs without its shared
 * covariances and steady state (the per-lane path) and with the shared covariances copied per lane, and on the
 * tracking sample's shape (irregular dt, missing data), there also with its general lockstep kernels forced
 * instead of the unrolled ones, so that each gain is a ratio measured in one run.
 */
public final class ThroughputBench {
  private final int trajectories;
  private final int steps;
  private final int longSteps;
  private final int runs;
  private final double warmupSeconds;

  public ThroughputBench(int trajectories, int steps, int longSteps, int runs, double warmupSeconds) {
    this.trajectories = trajectories;
    this.steps = steps;
    this.longSteps = longSteps;
    this.runs = runs;
    this.warmupSeconds = warmupSeconds;
  }

  public void run(PrintStream out) {
    BenchModel bench = new BenchModel();
    StateSpaceModel model = bench.model();
    List<String> missing = new ArrayList<>();
    List<Peer> peers = Peers.load(missing);
    missing.forEach(m -> out.println("note: " + m));
    List<List<Trajectory>> cases = List.of(bench.simulate(trajectories, steps, 1), bench.simulate(1, longSteps, 2));
    String[] caseNames = {trajectories + " x " + steps, "1 x " + longSteps};
    long[] caseSteps = {(long) trajectories * steps, longSteps};
    try (ParallelEngine parallel1 = new ParallelEngine(1); ParallelEngine parallel2 = new ParallelEngine(2)) {
      List<Workload> workloads = new ArrayList<>();
      workloads.add(Workload.of("sequential", new SequentialEngine(), model, true));
      workloads.add(Workload.ofBlock("batched", new BatchedEngine(), model, true));
      workloads.add(Workload.ofBlock(COPIED, copied(), model, true));
      workloads.add(Workload.ofBlock(PER_LANE, perLane(), model, true));
      workloads.add(Workload.of("parallel, 1 thread", parallel1, model, true));
      workloads.add(Workload.of("parallel, 2 threads", parallel2, model, true));
      workloads.add(Workload.of("sequential", new SequentialEngine(), model, false));
      workloads.add(Workload.ofBlock("batched", new BatchedEngine(), model, false));
      for (Peer peer : peers) workloads.add(Workload.of(peer, bench));
      Measurement[][] results = new Measurement[workloads.size()][cases.size()];
      for (int c = 0; c < cases.size(); c++) {
        List<Trajectory> data = cases.get(c);
        out.printf(Locale.ROOT, "  measuring %d workloads on %s, interleaved ...%n", workloads.size(), caseNames[c]);
        List<DoubleSupplier> runs = new ArrayList<>();
        for (Workload workload : workloads) runs.add(() -> workload.run.applyAsDouble(data));
        Measurement[] measured = Measurement.interleaved(runs, 2, warmupSeconds, this.runs);
        for (int w = 0; w < workloads.size(); w++) results[w][c] = measured[w];
      }
      print(out, workloads, results, caseNames, caseSteps);
      ratios(out, workloads, results, caseNames);
    }
    tracking(out, bench);
    new FitEvaluationBench(trajectories, steps, this.runs, warmupSeconds).run(out);
  }

  /** Only the tracking-shape table ({@code bench --tracking}): for profiling and for the specialised kernels. */
  public void runTracking(PrintStream out) {
    tracking(out, new BenchModel());
  }

  private static final String COPIED = "batched, shared covariances copied per lane";
  private static final String PER_LANE = "batched, per-lane covariances, no steady state";
  private static final String GENERAL_KERNELS = "batched, general lockstep kernels (forced)";

  private static BatchedEngine copied() {
    return new BatchedEngine(BatchedEngine.DEFAULT_WIDTH, BatchedEngine.Sharing.COPIED, true);
  }

  /** The default engine with the unrolled kernels switched off: the tracking shape before them. */
  private static BatchedEngine generalKernels() {
    return new BatchedEngine(BatchedEngine.DEFAULT_WIDTH, BatchedEngine.Sharing.SHARED, true,
        BatchedEngine.Kernels.GENERAL);
  }

  private static BatchedEngine perLane() {
    return new BatchedEngine(BatchedEngine.DEFAULT_WIDTH, BatchedEngine.Sharing.PER_LANE, false);
  }

  /** The batched engine (shared covariances, steady state) over the batched engine without them, per case. */
  private static void ratios(PrintStream out, List<Workload> workloads, Measurement[][] results, String[] caseNames) {
    int shared = -1;
    int copiedRow = -1;
    int perLaneRow = -1;
    for (int w = 0; w < workloads.size(); w++) {
      Workload workload = workloads.get(w);
      if (!workload.smooths) continue;
      if (workload.engine.equals("batched")) shared = w;
      if (workload.engine.equals(COPIED)) copiedRow = w;
      if (workload.engine.equals(PER_LANE)) perLaneRow = w;
    }
    for (int c = 0; c < caseNames.length; c++) {
      double base = results[perLaneRow][c].medianSeconds;
      out.printf(Locale.ROOT, "filter + smoother on %s: batched / per-lane path %.2fx, copied covariances / per-lane"
          + " %.2fx (same run, interleaved)%n", caseNames[c], base / results[shared][c].medianSeconds,
          base / results[copiedRow][c].medianSeconds);
    }
  }

  /**
   * The tracking sample's shape ({@link BenchModel#simulateTracking}): irregular dt and missing data, where
   * trajectories rarely share a covariance recursion, so the per-lane path does the work: by default the
   * unrolled kernels (the tracking model splits into one block per axis), and forced to the general lockstep
   * kernels for the ratio. Our engines only.
   */
  private void tracking(PrintStream out, BenchModel bench) {
    StateSpaceModel model = bench.trackingModel();
    List<List<Trajectory>> cases = List.of(bench.simulateTracking(trajectories, steps, 3),
        bench.simulateTracking(1, longSteps, 4));
    String[] caseNames = {trajectories + " x " + steps, "1 x " + longSteps};
    long[] caseSteps = {(long) trajectories * steps, longSteps};
    List<Workload> workloads = List.of(
        Workload.of("sequential", new SequentialEngine(), model, true),
        Workload.ofBlock("batched", new BatchedEngine(), model, true),
        Workload.ofBlock(GENERAL_KERNELS, generalKernels(), model, true),
        Workload.ofBlock(PER_LANE, perLane(), model, true));
    Measurement[][] results = new Measurement[workloads.size()][cases.size()];
    for (int c = 0; c < cases.size(); c++) {
      List<Trajectory> data = cases.get(c);
      out.printf(Locale.ROOT, "  measuring %d workloads on the tracking shape %s, interleaved ...%n", workloads.size(),
          caseNames[c]);
      List<DoubleSupplier> runs = new ArrayList<>();
      for (Workload workload : workloads) runs.add(() -> workload.run.applyAsDouble(data));
      Measurement[] measured = Measurement.interleaved(runs, 2, warmupSeconds, this.runs);
      for (int w = 0; w < workloads.size(); w++) results[w][c] = measured[w];
    }
    out.println();
    out.printf(Locale.ROOT, "Tracking shape: dt from the time column (3%% of instants skipped), 7%% of steps fully and"
        + " 3%% partly missing; filter + smoother; median of %d runs; ratio = over the sequential engine%n", runs);
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-52s", "engine"));
    for (String name : caseNames) header.append(String.format(Locale.ROOT, " | %-12s %9s %8s", name + ": steps/s", "ratio", "B/step"));
    out.println(header);
    out.println("-".repeat(header.length()));
    for (int w = 0; w < workloads.size(); w++) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-52s", workloads.get(w).engine));
      for (int c = 0; c < caseNames.length; c++) {
        Measurement m = results[w][c];
        line.append(String.format(Locale.ROOT, " | %-12.3g %8.1fx %8.0f", m.rate(caseSteps[c]),
            results[0][c].medianSeconds / m.medianSeconds, m.bytesPerRun / caseSteps[c]));
      }
      out.println(line);
    }
    for (int c = 0; c < caseNames.length; c++) {
      double reference = results[0][c].checksum;
      double worst = 0.0;
      for (Measurement[] row : results) {
        worst = Math.max(worst, Math.abs(row[c].checksum - reference) / Math.max(1e-300, Math.abs(reference)));
      }
      out.printf(Locale.ROOT, "checksum on the tracking shape %s: %.12g; engines agree within %.1e relative%n",
          caseNames[c], reference, worst);
    }
    for (int c = 0; c < caseNames.length; c++) {
      out.printf(Locale.ROOT, "tracking shape %s: unrolled kernels (default) / general kernels %.2fx (same run, interleaved)%n",
          caseNames[c], results[2][c].medianSeconds / results[1][c].medianSeconds);
    }
  }

  private static String pass(Workload w) {
    return w.smooths ? "filter + smoother" : "filter only";
  }

  private void print(PrintStream out, List<Workload> workloads, Measurement[][] results, String[] caseNames,
      long[] caseSteps) {
    out.println();
    out.printf(Locale.ROOT, "2-D constant velocity (4 states, 2 obs), float64, complete data; median of %d runs after"
        + " warm-up, engines interleaved; %d cores, %s%n", runs, Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name")
        + " " + System.getProperty("java.version"));
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-52s %-17s", "engine", "pass"));
    for (String name : caseNames) {
      header.append(String.format(Locale.ROOT, " | %-12s %9s %8s", name + ": steps/s", "vs peer", "B/step"));
    }
    out.println(header);
    out.println("-".repeat(header.length()));
    for (int w = 0; w < workloads.size(); w++) {
      Workload workload = workloads.get(w);
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-52s %-17s", workload.engine, pass(workload)));
      for (int c = 0; c < caseNames.length; c++) {
        Measurement m = results[w][c];
        Measurement peer = peerFor(workloads, results, workload, c);
        String ratio = peer == null || peer == m ? "" : String.format(Locale.ROOT, "%.1fx", m.rate(caseSteps[c]) / peer.rate(caseSteps[c]));
        line.append(String.format(Locale.ROOT, " | %-12.3g %9s %8.0f", m.rate(caseSteps[c]), ratio,
            m.bytesPerRun / caseSteps[c]));
      }
      out.println(line);
    }
    out.println("vs peer: ours / the peer doing the same pass (filter + smoother: Hipparchus; filter only: Commons Math).");
    for (int c = 0; c < caseNames.length; c++) {
      double reference = results[0][c].checksum;
      double worst = 0.0;
      for (Measurement[] row : results) {
        worst = Math.max(worst, Math.abs(row[c].checksum - reference) / Math.max(1e-300, Math.abs(reference)));
      }
      out.printf(Locale.ROOT, "checksum (sum of last-step estimates) on %s: %.12g; all engines agree within %.1e relative%n",
          caseNames[c], reference, worst);
    }
  }

  /** The peer (not ours) that does the same pass as {@code w}, or null. */
  private static Measurement peerFor(List<Workload> workloads, Measurement[][] results, Workload w, int c) {
    for (int i = 0; i < workloads.size(); i++) {
      Workload p = workloads.get(i);
      if (p.smooths == w.smooths && p.peer) return results[i][c];
    }
    return null;
  }
}
