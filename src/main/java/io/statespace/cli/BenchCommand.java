package io.statespace.cli;

import io.statespace.bench.DynamaxTable;
import io.statespace.bench.EndToEndBench;
import io.statespace.bench.FitEvaluationBench;
import io.statespace.bench.MemoryBench;
import io.statespace.bench.ThroughputBench;
import io.statespace.execution.EngineChoice;
import io.statespace.model.spec.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench}: the benchmarks of docs/BENCHMARKS.md. Not tests: timings depend on the machine. With no mode
 * flag it prints the throughput table (our engines and the JVM peers side by side) and the dynamax table.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks: engines vs JVM peers (--throughput), dynamax's serial vs parallel table (--dynamax), "
        + "smooth vs an I/O-only job (--end-to-end), heap of one long trajectory (--memory).")
public final class BenchCommand implements Callable<Integer> {
  @Option(names = "--throughput", description = "Steps/s of each engine and each peer, 10,000 x 100 and 1 x 10^5.")
  boolean throughput;

  @Option(names = "--tracking", description = "Only the tracking-shape rows of --throughput (irregular dt, missing data).")
  boolean tracking;

  @Option(names = "--fit-evaluation", description = "Only the fit-evaluation rows of --throughput.")
  boolean fitEvaluation;

  @Option(names = "--dynamax", description = "Serial vs parallel smoother for T = 100 .. 100,000, table + PNG.")
  boolean dynamax;

  @Option(names = "--end-to-end", description = "The smooth job against a read-group-write job on --input.")
  boolean endToEnd;

  @Option(names = "--memory", description = "One trajectory of --memory-steps steps through --engine.")
  boolean memory;

  @Option(names = "--trajectories", defaultValue = "10000", paramLabel = "N", description = "Throughput: short trajectories (default: ${DEFAULT-VALUE}).")
  int trajectories;

  @Option(names = "--steps", defaultValue = "100", paramLabel = "T", description = "Throughput: steps of each short trajectory (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--long-steps", defaultValue = "100000", paramLabel = "T", description = "Throughput: steps of the long trajectory (default: ${DEFAULT-VALUE}).")
  int longSteps;

  @Option(names = "--runs", defaultValue = "5", paramLabel = "N", description = "Timed runs per measurement; the median is reported (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--warmup-seconds", defaultValue = "3", paramLabel = "S", description = "Minimum warm-up per measurement (default: ${DEFAULT-VALUE}).")
  double warmupSeconds;

  @Option(names = "--threads", defaultValue = "0", paramLabel = "N", description = "Parallel threads: dynamax table (default: all cores), end to end (default: 1, as smooth).")
  int threads;

  @Option(names = "--output-dir", defaultValue = "target/bench", paramLabel = "DIR", description = "Where the CSV and PNG go (default: ${DEFAULT-VALUE}).")
  Path outputDir;

  @Option(names = "--input", paramLabel = "PATH", description = "End to end: the input (e.g. from jobs/simulate.sh).")
  String input;

  @Option(names = "--model", paramLabel = "FILE", description = "End to end: the model file.")
  Path model;

  @Option(names = "--format", defaultValue = "csv", paramLabel = "F", description = "End to end: input format (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--output-format", defaultValue = "parquet", paramLabel = "F", description = "End to end: output format of both jobs (default: ${DEFAULT-VALUE}).")
  String outputFormat;

  @Option(names = "--partitions", defaultValue = "0", paramLabel = "N", description = "End to end: partitions (default: Spark's default parallelism).")
  int partitions;

  @Option(names = "--engine", paramLabel = "E", description = "End to end: smooth's --engine (default auto). Memory: sequential, batched or in-place (default in-place).")
  String engine;

  @Option(names = "--memory-steps", defaultValue = "10000000", paramLabel = "T", description = "Memory: steps of the trajectory (default: ${DEFAULT-VALUE}).")
  int memorySteps;

  @Option(names = "--master", paramLabel = "URL", description = "End to end: Spark master (default: local[*]).")
  String master;

  @Override
  public Integer call() throws IOException {
    if (runs < 1 || trajectories < 1 || steps < 1 || longSteps < 1 || memorySteps < 1) {
      throw new ConfigException("--runs, --trajectories, --steps, --long-steps and --memory-steps must be positive");
    }
    int cores = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    boolean defaults = !throughput && !dynamax && !endToEnd && !memory && !fitEvaluation && !tracking;
    if (fitEvaluation && !throughput) new FitEvaluationBench(trajectories, steps, runs, warmupSeconds).run(System.out);
    if (tracking && !throughput) {
      new ThroughputBench(trajectories, steps, longSteps, runs, warmupSeconds).runTracking(System.out);
    }
    if (memory) new MemoryBench(memorySteps, engine == null ? "in-place" : engine).run(System.out);
    if (throughput || defaults) {
      new ThroughputBench(trajectories, steps, longSteps, runs, warmupSeconds).run(System.out);
    }
    if (dynamax || defaults) new DynamaxTable(cores, runs, warmupSeconds).run(System.out, outputDir);
    if (endToEnd) runEndToEnd(threads > 0 ? threads : 1);
    return 0;
  }

  private void runEndToEnd(int taskThreads) throws IOException {
    if (input == null || model == null) throw new ConfigException("--end-to-end needs --input and --model");
    if (!Files.isRegularFile(model)) throw new ConfigException("--model: no such file " + model);
    EngineChoice choice;
    try {
      choice = EngineChoice.parse(engine == null ? "auto" : engine);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    ModelSpec spec = ModelSpec.read(model);
    SparkSession spark = SparkSessions.start("statespace bench", master);
    try {
      new EndToEndBench(input, format, spec, outputDir.resolve("end-to-end").toString(), outputFormat, choice, taskThreads,
          partitions, runs).run(spark, System.out);
    } finally {
      SparkSessions.stop(spark);
    }
  }
}
