package io.statespace.gpu.check;

import io.statespace.data.Trajectory;
import io.statespace.gpu.CopyBandwidth;
import io.statespace.gpu.DeviceProbe;
import io.statespace.gpu.FitStatistics;
import io.statespace.gpu.GpuBatchEngine;
import io.statespace.gpu.GpuDevice;
import io.statespace.gpu.GpuParallelEngine;
import io.statespace.gpu.Kernels;
import io.statespace.gpu.ModelPacking;
import io.statespace.gpu.PtxModules;
import io.statespace.gpu.ScanGeometry;
import io.statespace.gpu.Shapes;
import io.statespace.gpu.Timings;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.parallel.ParallelEngine;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.StateSpaceModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The GPU harness (no Spark): compares every GPU path with the CPU float64 engine on random models and
 * data, and measures throughput next to the CPU engines and the memory-bandwidth floor. Run by
 * jobs/gpu-check.sh; docs/GPU.md says how to run it on a GPU machine without Java or Maven.
 *
 * <ol>
 *   <li>Device, driver, PTX provenance, and the device's copy bandwidth (a large cuMemcpyDtoD timed with
 *       events, bytes read plus written).</li>
 *   <li>Agreement: the batched engine (every compiled shape family, padded shapes, constant velocity with
 *       irregular and zero gaps, ragged lengths, whole and partial missing steps, batches up to 10^5), its
 *       device reductions (log-likelihood, fitting statistics), and the parallel scan for T from 1 to 10^6,
 *       each array's maximum relative difference from {@link SequentialEngine}; all must be below 1e-9.</li>
 *   <li>Throughput: batched 10^5 × 100 and 10^4 × 10^3, parallel scan 10^5, 10^6 and 10^7 steps: steps/s of
 *       the kernels and of the whole call, of the CPU engines on this machine's cores, and of the
 *       bandwidth floor (bytes that must move / measured copy bandwidth).</li>
 *   <li>With --dynamax: the dynamax notebook's serial-versus-parallel smoothing table for T = 100 to 100,000
 *       on its car-tracking model, and a PNG plot of the speed-up.</li>
 * </ol>
 * Exit codes: 0 all agreement checks passed, 1 a GPU path disagreed with the CPU engine, 2 bad usage,
 * 3 no usable GPU (the reason is printed).
 */
public final class GpuCheck {
  public static final int EXIT_OK = 0;
  public static final int EXIT_MISMATCH = 1;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_NO_GPU = 3;
  static final double TOLERANCE = 1e-9;

  static final String USAGE = String.join("\n",
      "usage: jobs/gpu-check.sh [options]",
      "  --quick            smaller agreement cases, no throughput section (a few minutes)",
      "  --dynamax          also the dynamax serial-vs-parallel table (T = 100..100,000) and its PNG plot",
      "  --out DIR          where to write gpu-check.txt, the CSV tables and the PNGs (default gpu-check-out)",
      "  --device N         CUDA ordinal (default: the first usable device)",
      "  --cpu-threads N    threads for the CPU engines (default: all cores)",
      "  --reps N           timed repetitions, the median is reported (default 5)",
      "  --max-steps N      longest trajectory of the parallel agreement cases (default 1000000)",
      "  --batch N          largest batch of the batched agreement cases (default 100000)",
      "  --no-agreement     skip the agreement section",
      "  --no-throughput    skip the throughput section",
      "  --seed S           random seed (default 20261121)",
      "  --replot CSV       only redraw the PNGs from a dynamax.csv this harness wrote (no GPU needed)",
      "exit codes: 0 agreement within 1e-9 everywhere, 1 a GPU path disagreed, 2 bad usage, 3 no usable GPU");

  private final Options options;
  private final PrintStream out;
  private final StringBuilder agreementCsv = new StringBuilder("path,model,trajectories,steps,max_rel_error,worst_array,pass\n");
  private final StringBuilder throughputCsv = new StringBuilder(
      "case,steps,gpu_kernel_ms,gpu_total_ms,gpu_kernel_steps_per_s,gpu_total_steps_per_s,cpu_engine,cpu_ms,"
          + "cpu_steps_per_s,floor_bytes,floor_ms,floor_steps_per_s,kernel_over_floor\n");
  private double bandwidth;
  private double worst;
  private boolean failed;

  /** Parsed command line. */
  static final class Options {
    boolean quick;
    boolean dynamax;
    boolean help;
    Path replot;
    Path outDir = Paths.get("gpu-check-out");
    int device = -1;
    int cpuThreads = Runtime.getRuntime().availableProcessors();
    int reps = 5;
    int maxSteps = 1_000_000;
    int batch = 100_000;
    boolean agreement = true;
    boolean throughput = true;
    long seed = 20261121L;

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--quick" -> o.quick = true;
          case "--dynamax" -> o.dynamax = true;
          case "--help", "-h" -> o.help = true;
          case "--no-agreement" -> o.agreement = false;
          case "--no-throughput" -> o.throughput = false;
          case "--out" -> o.outDir = Paths.get(value(args, ++i, a));
          case "--device" -> o.device = Integer.parseInt(value(args, ++i, a));
          case "--cpu-threads" -> o.cpuThreads = Integer.parseInt(value(args, ++i, a));
          case "--reps" -> o.reps = Integer.parseInt(value(args, ++i, a));
          case "--max-steps" -> o.maxSteps = Integer.parseInt(value(args, ++i, a));
          case "--batch" -> o.batch = Integer.parseInt(value(args, ++i, a));
          case "--seed" -> o.seed = Long.parseLong(value(args, ++i, a));
          case "--replot" -> o.replot = Paths.get(value(args, ++i, a));
          default -> throw new IllegalArgumentException("unknown option " + a);
        }
      }
      if (o.quick) {
        o.throughput = false;
        o.maxSteps = Math.min(o.maxSteps, 100_000);
        o.batch = Math.min(o.batch, 10_000);
      }
      if (o.cpuThreads < 1 || o.reps < 1 || o.maxSteps < 1 || o.batch < 1) {
        throw new IllegalArgumentException("--cpu-threads, --reps, --max-steps and --batch must be positive");
      }
      return o;
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) throw new IllegalArgumentException(option + " needs a value");
      return args[i];
    }
  }

  private GpuCheck(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out));
  }

  /** Runs the harness; returns the exit code. */
  public static int run(String[] args, PrintStream console) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      console.println("gpu-check: " + e.getMessage());
      console.println(USAGE);
      return EXIT_USAGE;
    }
    if (options.help) {
      console.println(USAGE);
      return EXIT_OK;
    }
    if (options.replot != null) return replot(options, console);
    DeviceProbe probe = DeviceProbe.detect();
    if (!probe.available()) {
      console.println("gpu-check: no usable GPU: " + probe.reason());
      console.println("gpu-check: exit code " + EXIT_NO_GPU + " (no GPU); nothing was compared");
      return EXIT_NO_GPU;
    }
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream both = new PrintStream(new Tee(console, log), true, StandardCharsets.UTF_8);
    GpuCheck check = new GpuCheck(options, both);
    int code;
    try {
      code = check.runAll(probe);
    } catch (IOException e) {
      both.println("gpu-check: I/O error: " + e.getMessage());
      code = EXIT_USAGE;
    }
    try {
      Files.createDirectories(options.outDir);
      Files.writeString(options.outDir.resolve("gpu-check.txt"), log.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      console.println("gpu-check: could not write " + options.outDir + ": " + e.getMessage());
    }
    return code;
  }

  private int runAll(DeviceProbe probe) throws IOException {
    Files.createDirectories(options.outDir);
    GpuDevice device = GpuDevice.open(options.device >= 0 ? options.device : probe.devices().get(0).ordinal());
    PtxModules.Manifest manifest = PtxModules.classpathManifest();
    out.println("gpu-check: device " + device.info().describe() + ", " + device.info().uuid());
    out.println("gpu-check: PTX " + manifest.nvcc() + ", flags " + manifest.flags() + ", source-sha256 "
        + manifest.sourceHash().substring(0, 12) + "...; Java " + System.getProperty("java.version") + "; "
        + Runtime.getRuntime().availableProcessors() + " CPU cores (CPU engines on " + options.cpuThreads + ")");
    bandwidth = CopyBandwidth.measure(device, Math.max(3, options.reps));
    out.printf(Locale.ROOT, "gpu-check: device-to-device copy bandwidth %.0f GB/s (bytes read + written)%n",
        bandwidth / 1e9);
    StringBuilder jit = new StringBuilder();
    double jitTotal = 0;
    for (PtxModules.Shape shape : Shapes.shipped().all()) {
      long t0 = System.nanoTime();
      device.function(shape, Kernels.BATCH);
      double s = (System.nanoTime() - t0) / 1e9;
      jitTotal += s;
      jit.append(String.format(Locale.ROOT, " %s %.1fs", shape.name(), s));
    }
    out.printf(Locale.ROOT, "gpu-check: module load (driver JIT of the PTX, cached in ~/.nv/ComputeCache) %.1f s:%s%n",
        jitTotal, jit);
    if (options.agreement) agreement(device);
    if (options.throughput) throughput(device);
    if (options.dynamax) dynamax(device);
    Files.writeString(options.outDir.resolve("agreement.csv"), agreementCsv);
    if (options.throughput) Files.writeString(options.outDir.resolve("throughput.csv"), throughputCsv);
    if (options.agreement) {
      out.printf(Locale.ROOT, "gpu-check: agreement %s: max relative difference %.1e (tolerance %.0e)%n",
          failed ? "FAILED" : "passed", worst, TOLERANCE);
    }
    return failed ? EXIT_MISMATCH : EXIT_OK;
  }

  // ---------------------------------------------------------------- agreement

  private List<StateSpaceModel> agreementModels(SplittableRandom rng) {
    List<StateSpaceModel> models = new ArrayList<>();
    int[][] dims = {{1, 1, 0}, {2, 1, 1}, {2, 2, 0}, {3, 1, 2}, {3, 3, 1}, {4, 1, 0}, {4, 2, 1}, {4, 3, 2}, {4, 4, 0},
        {5, 2, 1}, {6, 3, 1}, {7, 2, 0}, {8, 4, 1}};
    for (int[] d : dims) models.add(CheckCases.linear(rng, d[0], d[1], d[2]));
    for (int axes = 1; axes <= 3; axes++) {
      models.add(CheckCases.constantVelocity(rng, axes, false));
      models.add(CheckCases.constantVelocity(rng, axes, true));
    }
    return models;
  }

  private static String describe(StateSpaceModel model) {
    Shapes shapes = Shapes.shipped();
    ModelPacking.PackedModel pm = ModelPacking.pack(model, shapes);
    String family = model.getClass().getSimpleName().replace("Model", "");
    return String.format(Locale.ROOT, "%s n=%d m=%d p=%d (%s%s)", family, model.stateDim(), model.obsDim(),
        model.inputDim(), pm.shape().name(), pm.padded() ? ", padded" : "");
  }

  private void record(String path, StateSpaceModel model, int trajectories, long steps, Map<String, Double> diffs) {
    String worstKey = "-";
    double max = 0.0;
    for (Map.Entry<String, Double> e : diffs.entrySet()) {
      if (!(e.getValue() <= max)) {
        max = e.getValue();
        worstKey = e.getKey();
      }
    }
    boolean pass = max < TOLERANCE;
    if (!pass) failed = true;
    worst = Double.isNaN(max) ? Double.POSITIVE_INFINITY : Math.max(worst, max);
    String label = describe(model);
    out.printf(Locale.ROOT, "agreement %-9s %-46s %7d traj %10d steps  max rel %.1e (%s) %s%n", path, label,
        trajectories, steps, max, worstKey, pass ? "ok" : "FAIL");
    agreementCsv.append(String.format(Locale.ROOT, "%s,\"%s\",%d,%d,%.3e,%s,%s%n", path, label, trajectories, steps,
        max, worstKey, pass));
  }

  /** Per-array maxima of the relative differences of many posteriors. */
  private static Map<String, Double> worstOf(List<Map<String, Double>> all) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (Map<String, Double> d : all) {
      for (Map.Entry<String, Double> e : d.entrySet()) out.merge(e.getKey(), e.getValue(), (a, b) -> Math.max(a, b));
    }
    return out;
  }

  private void agreement(GpuDevice device) {
    out.println("== agreement with the CPU float64 engine (tolerance 1e-9 relative, every array) ==");
    SplittableRandom rng = new SplittableRandom(options.seed);
    int perModel = options.quick ? 300 : 2000;
    try (GpuBatchEngine batch = new GpuBatchEngine(device); GpuParallelEngine parallel = new GpuParallelEngine(device)) {
      for (StateSpaceModel model : agreementModels(rng)) {
        List<Trajectory> block = CheckCases.block(rng, model, perModel, 1, 300);
        compareBatch("batched", batch, model, block, Outputs.ALL);
      }
      StateSpaceModel tracking = CheckCases.constantVelocity(rng, 2, false);
      List<Trajectory> big = CheckCases.block(rng, tracking, options.batch, 1, 100);
      compareBatch("batched", batch, tracking, big, Outputs.MOMENTS);
      for (StateSpaceModel model : List.of(CheckCases.linear(rng, 4, 2, 1), CheckCases.constantVelocity(rng, 3, false))) {
        compareReductions(batch, model, CheckCases.block(rng, model, options.quick ? 500 : 5000, 1, 200));
      }
      List<StateSpaceModel> longModels = List.of(CheckCases.linear(rng, 4, 2, 1), CheckCases.constantVelocity(rng, 2, false),
          CheckCases.linear(rng, 2, 1, 0), CheckCases.linear(rng, 6, 3, 1));
      for (int steps : new int[] {1, 2, 10, 100, 1000, 10_000, 100_000, 1_000_000}) {
        if (steps > options.maxSteps) continue;
        for (StateSpaceModel model : longModels) {
          if (steps > 100_000 && model.stateDim() > 4) continue;
          Trajectory t = CheckCases.trajectory(rng, model, "long", steps, false);
          Posterior expected = new SequentialEngine().smooth(model, t, Outputs.ALL);
          record("parallel", model, 1, steps, Compare.of(parallel.smooth(model, t, Outputs.ALL), expected));
        }
      }
    }
  }

  private void compareBatch(String path, GpuBatchEngine gpu, StateSpaceModel model, List<Trajectory> block,
      Outputs outputs) {
    Posterior[] actual = gpu.smooth(model, block, outputs);
    Posterior[] expected = cpuSmooth(model, block, outputs);
    List<Map<String, Double>> diffs = new ArrayList<>();
    long steps = 0;
    for (int k = 0; k < block.size(); k++) {
      diffs.add(Compare.of(actual[k], expected[k]));
      steps += block.get(k).length();
    }
    record(path, model, block.size(), steps, worstOf(diffs));
  }

  private void compareReductions(GpuBatchEngine gpu, StateSpaceModel model, List<Trajectory> block) {
    Posterior[] expected = cpuSmooth(model, block, Outputs.ALL);
    double logLik = 0.0;
    FitStatistics stats = FitStatistics.zero(model.stateDim());
    long steps = 0;
    for (int k = 0; k < block.size(); k++) {
      logLik += expected[k].logLikelihood();
      stats = stats.plus(FitStatistics.of(expected[k]));
      steps += block.get(k).length();
    }
    Map<String, Double> d = new LinkedHashMap<>();
    d.put("loglikSum", Compare.relative(gpu.logLikelihood(model, block), logLik));
    d.put("fitStatistics", Compare.relative(gpu.statistics(model, block).toArray(), stats.toArray()));
    record("reduction", model, block.size(), steps, d);
  }

  /** The CPU reference for a block, on options.cpuThreads threads (one SequentialEngine each). */
  private Posterior[] cpuSmooth(StateSpaceModel model, List<Trajectory> block, Outputs outputs) {
    Posterior[] out = new Posterior[block.size()];
    runOnCpu(block.size(), (lo, hi) -> {
      SequentialEngine engine = new SequentialEngine();
      for (int k = lo; k < hi; k++) out[k] = engine.smooth(model, block.get(k), outputs);
    });
    return out;
  }

  private interface Range {
    void run(int lo, int hi);
  }

  private void runOnCpu(int count, Range range) {
    int threads = Math.min(options.cpuThreads, Math.max(1, count));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < threads; w++) {
        int lo = (int) ((long) count * w / threads);
        int hi = (int) ((long) count * (w + 1) / threads);
        futures.add(pool.submit(() -> range.run(lo, hi)));
      }
      for (Future<?> f : futures) f.get();
    } catch (Exception e) {
      throw new IllegalStateException("CPU reference failed", e);
    } finally {
      pool.shutdown();
    }
  }

  // ---------------------------------------------------------------- throughput

  /** Bytes that must move: every input read once, every output written once (float64). */
  static long floorBytes(StateSpaceModel model, boolean usesDt, long steps, int trajectories, boolean smooth) {
    int n = model.stateDim();
    long in = model.obsDim() + model.inputDim() + (usesDt ? 1 : 0);
    long outputs = (long) (n + n * n) * (smooth ? 2 : 1);
    return Double.BYTES * (steps * (in + outputs) + trajectories);
  }

  private void throughputRow(String label, long steps, double kernelMs, double totalMs, String cpuEngine, double cpuMs,
      long floorBytes) {
    double floorMs = floorBytes / bandwidth * 1e3;
    out.printf(Locale.ROOT, "%-30s %11d %12.3g %12.3g %-22s %12.3g %12.3g %8.1f%n", label, steps, steps / (kernelMs / 1e3),
        steps / (totalMs / 1e3), cpuEngine, steps / (cpuMs / 1e3), steps / (floorMs / 1e3), kernelMs / floorMs);
    throughputCsv.append(String.format(Locale.ROOT, "\"%s\",%d,%.4f,%.4f,%.4g,%.4g,\"%s\",%.4f,%.4g,%d,%.4f,%.4g,%.3f%n",
        label, steps, kernelMs, totalMs, steps / (kernelMs / 1e3), steps / (totalMs / 1e3), cpuEngine, cpuMs,
        steps / (cpuMs / 1e3), floorBytes, floorMs, steps / (floorMs / 1e3), kernelMs / floorMs));
  }

  private void throughput(GpuDevice device) {
    out.println("== throughput (steps/s; median of " + options.reps + " runs after a warm-up; floor = bytes that must "
        + "move / copy bandwidth) ==");
    out.printf(Locale.ROOT, "%-30s %11s %12s %12s %-22s %12s %12s %8s%n", "case", "steps", "gpu kernel", "gpu call",
        "cpu engine", "cpu", "floor", "kern/flr");
    SplittableRandom rng = new SplittableRandom(options.seed + 1);
    StateSpaceModel cv = CheckCases.constantVelocity(rng, 2, false);
    try (GpuBatchEngine batch = new GpuBatchEngine(device)) {
      for (int[] shape : new int[][] {{100_000, 100}, {10_000, 1000}}) {
        List<Trajectory> block = CheckCases.block(rng, cv, shape[0], shape[1], shape[1]);
        long steps = (long) shape[0] * shape[1];
        double[][] gpu = timeGpu(() -> {
          batch.smooth(cv, block, Outputs.MOMENTS);
          return batch.lastTimings();
        });
        double cpuMs = timeCpu(() -> cpuSmooth(cv, block, Outputs.MOMENTS));
        throughputRow(String.format(Locale.ROOT, "batched %d x %d (CV n=4)", shape[0], shape[1]), steps, gpu[0][0],
            gpu[1][0], "sequential x" + options.cpuThreads, cpuMs, floorBytes(cv, true, steps, shape[0], true));
      }
    }
    try (GpuParallelEngine parallel = new GpuParallelEngine(device); ParallelEngine cpuParallel =
        new ParallelEngine(options.cpuThreads)) {
      for (int steps : new int[] {100_000, 1_000_000, 10_000_000}) {
        Trajectory t = CheckCases.trajectory(rng, cv, "long", steps, false);
        double[][] gpu = timeGpu(() -> {
          parallel.smooth(cv, t, Outputs.MOMENTS);
          return parallel.lastTimings();
        });
        SequentialEngine seq = new SequentialEngine();
        double seqMs = timeCpu(() -> seq.smooth(cv, t, Outputs.MOMENTS));
        double parMs = timeCpu(() -> cpuParallel.smooth(cv, t, Outputs.MOMENTS));
        long floor = floorBytes(cv, true, steps, 1, true);
        throughputRow("parallel scan T=" + steps + " (CV n=4)", steps, gpu[0][0], gpu[1][0], "sequential x1", seqMs, floor);
        throughputRow("parallel scan T=" + steps + " (CV n=4)", steps, gpu[0][0], gpu[1][0],
            "parallel x" + options.cpuThreads, parMs, floor);
        ScanGeometry g = parallel.lastFilterGeometry();
        out.printf(Locale.ROOT, "    filter scan geometry B=%d K=%d, %d levels%n", g.threads(), g.chunk(),
            g.levels(steps).size());
      }
    }
  }

  /** Median kernel and whole-call milliseconds of a GPU call, after one warm-up call. */
  private double[][] timeGpu(Supplier<Timings> call) {
    call.get();
    double[] kernel = new double[options.reps];
    double[] total = new double[options.reps];
    for (int r = 0; r < options.reps; r++) {
      Timings t = call.get();
      kernel[r] = t.kernelMs();
      total[r] = t.totalMs();
    }
    return new double[][] {{median(kernel)}, {median(total)}};
  }

  /** Median wall milliseconds of a CPU call (fewer repetitions for slow calls), after one warm-up call. */
  private double timeCpu(Runnable call) {
    long w0 = System.nanoTime();
    call.run();
    double warm = (System.nanoTime() - w0) / 1e6;
    int reps = warm > 5000 ? 1 : options.reps;
    double[] ms = new double[reps];
    for (int r = 0; r < reps; r++) {
      long t0 = System.nanoTime();
      call.run();
      ms[r] = (System.nanoTime() - t0) / 1e6;
    }
    return median(ms);
  }

  static double median(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  }

  // ---------------------------------------------------------------- dynamax table

  private void dynamax(GpuDevice device) throws IOException {
    out.println("== dynamax lgssm_parallel_inference: serial vs parallel smoothing, car-tracking model "
        + "(2-D constant velocity, n=4, m=2, dt=0.1) ==");
    out.printf(Locale.ROOT, "%9s %14s %14s %14s %14s %10s %14s %14s%n", "T", "gpu serial s", "gpu parallel s",
        "serial kern s", "parallel kern s", "speed-up", "cpu seq s", "cpu par s");
    StateSpaceModel model = CheckCases.tracking();
    SplittableRandom rng = new SplittableRandom(options.seed + 2);
    int[] lengths = {100, 1000, 10_000, 100_000};
    double[] speedup = new double[lengths.length];
    double[] serial = new double[lengths.length];
    double[] par = new double[lengths.length];
    double[] cpuSeq = new double[lengths.length];
    double[] xs = new double[lengths.length];
    StringBuilder csv = new StringBuilder("T,gpu_serial_s,gpu_parallel_s,gpu_serial_kernel_s,gpu_parallel_kernel_s,"
        + "speedup,cpu_sequential_s,cpu_parallel_s\n");
    try (GpuBatchEngine batch = new GpuBatchEngine(device); GpuParallelEngine parallel = new GpuParallelEngine(device);
        ParallelEngine cpuParallel = new ParallelEngine(options.cpuThreads)) {
      for (int i = 0; i < lengths.length; i++) {
        Trajectory t = CheckCases.trajectory(rng, model, "car", lengths[i], true);
        List<Trajectory> one = List.of(t);
        double[][] s = timeGpu(() -> {
          batch.smooth(model, one, Outputs.MOMENTS);
          return batch.lastTimings();
        });
        double[][] p = timeGpu(() -> {
          parallel.smooth(model, t, Outputs.MOMENTS);
          return parallel.lastTimings();
        });
        SequentialEngine seq = new SequentialEngine();
        double seqMs = timeCpu(() -> seq.smooth(model, t, Outputs.MOMENTS));
        double parMs = timeCpu(() -> cpuParallel.smooth(model, t, Outputs.MOMENTS));
        xs[i] = lengths[i];
        serial[i] = s[1][0] / 1e3;
        par[i] = p[1][0] / 1e3;
        cpuSeq[i] = seqMs / 1e3;
        speedup[i] = serial[i] / par[i];
        out.printf(Locale.ROOT, "%9d %14.4g %14.4g %14.4g %14.4g %10.1f %14.4g %14.4g%n", lengths[i], serial[i], par[i],
            s[0][0] / 1e3, p[0][0] / 1e3, speedup[i], cpuSeq[i], parMs / 1e3);
        csv.append(String.format(Locale.ROOT, "%d,%.6g,%.6g,%.6g,%.6g,%.4g,%.6g,%.6g%n", lengths[i], serial[i], par[i],
            s[0][0] / 1e3, p[0][0] / 1e3, speedup[i], cpuSeq[i], parMs / 1e3));
      }
    }
    Path table = options.outDir.resolve("dynamax.csv");
    Files.writeString(table, csv);
    Path speedPlot = options.outDir.resolve("dynamax-speedup.png");
    Path timesPlot = options.outDir.resolve("dynamax-times.png");
    try {
      writePlots(xs, speedup, serial, par, cpuSeq, speedPlot, timesPlot);
      out.println("gpu-check: wrote " + table + ", " + speedPlot + " and " + timesPlot);
    } catch (IOException | RuntimeException | LinkageError e) {
      out.println("gpu-check: wrote " + table + " but no PNG (" + e + "); redraw it elsewhere with"
          + " --replot " + table);
    }
  }

  /** Redraws the PNGs from a dynamax.csv (columns as written by {@link #dynamax}). */
  private static int replot(Options options, PrintStream console) {
    try {
      List<String> lines = Files.readAllLines(options.replot);
      int rows = lines.size() - 1;
      double[] t = new double[rows];
      double[] speedup = new double[rows];
      double[] serial = new double[rows];
      double[] parallel = new double[rows];
      double[] cpu = new double[rows];
      for (int i = 0; i < rows; i++) {
        String[] f = lines.get(i + 1).split(",");
        t[i] = Double.parseDouble(f[0]);
        serial[i] = Double.parseDouble(f[1]);
        parallel[i] = Double.parseDouble(f[2]);
        speedup[i] = Double.parseDouble(f[5]);
        cpu[i] = Double.parseDouble(f[6]);
      }
      Files.createDirectories(options.outDir);
      Path speedPlot = options.outDir.resolve("dynamax-speedup.png");
      Path timesPlot = options.outDir.resolve("dynamax-times.png");
      writePlots(t, speedup, serial, parallel, cpu, speedPlot, timesPlot);
      console.println("gpu-check: wrote " + speedPlot + " and " + timesPlot);
      return EXIT_OK;
    } catch (IOException | RuntimeException e) {
      console.println("gpu-check: cannot replot " + options.replot + ": " + e);
      return EXIT_USAGE;
    }
  }

  /** The speed-up plot (serial / parallel on the GPU, against T) and the times plot, both log-log PNGs. */
  static void writePlots(double[] t, double[] speedup, double[] serial, double[] parallel, double[] cpu, Path speedPlot,
      Path timesPlot) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYChart speed = new XYChartBuilder().width(800).height(500)
        .title("Parallel-in-time smoother speed-up on the GPU (car tracking, float64)")
        .xAxisTitle("time steps T").yAxisTitle("GPU serial time / GPU parallel time").build();
    speed.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true);
    speed.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    speed.addSeries("speed-up", t, speedup);
    Files.write(speedPlot, BitmapEncoder.getBitmapBytes(speed, BitmapEncoder.BitmapFormat.PNG));
    XYChart times = new XYChartBuilder().width(800).height(500)
        .title("Smoother wall time (car tracking, float64)").xAxisTitle("time steps T").yAxisTitle("seconds").build();
    times.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true);
    times.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    times.addSeries("GPU serial (one thread)", t, serial);
    times.addSeries("GPU parallel scan", t, parallel);
    times.addSeries("CPU sequential", t, cpu);
    Files.write(timesPlot, BitmapEncoder.getBitmapBytes(times, BitmapEncoder.BitmapFormat.PNG));
  }

  /** Writes to two streams. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int v) throws IOException {
      a.write(v);
      b.write(v);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }

    @Override
    public void flush() throws IOException {
      a.flush();
      b.flush();
    }
  }
}
