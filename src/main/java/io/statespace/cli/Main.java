package io.statespace.cli;

import io.statespace.model.spec.ModelSpecException;
import io.statespace.spark.AtomicOutput;
import io.statespace.spark.FitJob;
import io.statespace.spark.InputException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The single entry point: {@code statespace <subcommand> [options]}. Exit codes: 0 success, 2 bad
 * command line, model file, input or output location (reported in one line before any Spark job
 * runs), 3 more rows quarantined than --max-quarantined-fraction allows (nothing committed), 1 anything else.
 */
@Command(name = "statespace", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
    description = "Kalman filtering, RTS and parallel-in-time smoothing, and fitting of linear-Gaussian "
        + "state-space models over many trajectories on Apache Spark.",
    subcommands = {SmoothCommand.class, SampleCommand.class, FitCommand.class, SimulateCommand.class, PlotCommand.class, BenchCommand.class})
public final class Main implements Runnable {
  /** Exit code for configuration and usage errors. */
  public static final int USAGE = 2;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(new CommandLine(this), "a subcommand is required (smooth, sample, fit, simulate, plot, bench)");
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs a command line and returns its exit code. */
  public static int execute(String... args) {
    return execute(new PrintWriter(System.err, true), args);
  }

  /** Runs a command line with errors going to {@code err} (tests read them). */
  public static int execute(PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setErr(err);
    cli.setExecutionExceptionHandler(Main::handle);
    return cli.execute(args);
  }

  private static int handle(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
    PrintWriter err = cli.getErr();
    if (e instanceof io.statespace.spark.QuarantineLimit.Exceeded) {
      err.println("error: " + e.getMessage());
      err.flush();
      return io.statespace.spark.QuarantineLimit.EXIT_CODE;
    }
    if (isConfigError(e)) {
      err.println("error: " + e.getMessage());
      err.flush();
      return USAGE;
    }
    err.println("error: " + e);
    e.printStackTrace(err);
    err.flush();
    return 1;
  }

  static boolean isConfigError(Throwable e) {
    return e instanceof ModelSpecException || e instanceof InputException || e instanceof AtomicOutput.OutputException
        || e instanceof ConfigException || e instanceof FitJob.CheckpointMismatch;
  }
}
