package io.statespace.cli;

import io.statespace.family.Families;
import io.statespace.family.Family;
import io.statespace.learn.LossFunction;
import io.statespace.learn.StandardErrors;
import io.statespace.learn.StopRules;
import io.statespace.model.spec.FitSpec;
import io.statespace.model.spec.ModelSpec;
import io.statespace.spark.FitJob;
import io.statespace.spark.FitReport;
import io.statespace.spark.FitSettings;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fit}: shared parameters fitted to every trajectory (maximum likelihood, EM or prediction loss). */
@Command(name = "fit", mixinStandardHelpOptions = true,
    description = "Fit the model file's free parameters to all trajectories; write model.json, history.csv, report.json.")
public final class FitCommand implements Callable<Integer> {
  @Mixin
  InputOptions in;

  @Mixin
  OutputOptions out;

  @Mixin
  QuarantineOption quarantine;

  @Option(names = "--loss", defaultValue = "nll", paramLabel = "L", description = "nll (maximum likelihood) or prediction (one-step-ahead MSE) (default: ${DEFAULT-VALUE}).")
  String loss;

  @Option(names = "--optimizer", defaultValue = "lbfgs", paramLabel = "O", description = "lbfgs, adam or em (default: ${DEFAULT-VALUE}).")
  String optimizer;

  @Option(names = "--max-iter", defaultValue = "100", paramLabel = "N", description = "Iteration limit (default: ${DEFAULT-VALUE}).")
  int maxIter;

  @Option(names = "--tolerance", defaultValue = "1e-6", paramLabel = "T", description = "Stop when |gradient|∞ <= T·max(1,|loss|) (default: ${DEFAULT-VALUE}).")
  double tolerance;

  @Option(names = "--relative-tolerance", defaultValue = "1e-10", paramLabel = "T", description = "Stop when the loss changes by less than T relative (default: ${DEFAULT-VALUE}).")
  double relativeTolerance;

  @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Seed of the dropout masks (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--dropout", defaultValue = "0", paramLabel = "P", description = "Prediction loss: probability a step is hidden from the filter (default: ${DEFAULT-VALUE}).")
  double dropout;

  @Option(names = "--feedback", description = "Prediction loss: update with the prediction at dropped steps instead of skipping them.")
  boolean feedback;

  @Option(names = "--learning-rate", defaultValue = "0.05", paramLabel = "R", description = "Adam step size in θ (default: ${DEFAULT-VALUE}).")
  double learningRate;

  @Option(names = "--free", split = ",", paramLabel = "NAMES", description = "Free parameters (overrides fit.free).")
  List<String> free;

  @Option(names = "--resume", description = "Continue from the checkpoint of a killed run of the same fit.")
  boolean resume;

  @Option(names = "--restart", description = "Delete the checkpoint of an earlier run of this output and start from the model file.")
  boolean restart;

  @Option(names = "--no-standard-errors", description = "Skip the observed information (2 evaluations per free parameter).")
  boolean noStandardErrors;

  @Option(names = "--standard-errors", paramLabel = "KIND", description = "oim (inverse observed information) or robust "
      + "(cluster sandwich over trajectories: valid when the noise is misspecified) (default: oim).")
  String standardErrorsKind;

  @Option(names = "--curvature", description = "Report the eigen-decomposition of the loss's Hessian at the optimum (flat or unidentified directions).")
  boolean curvature;

  @Option(names = "--engine", defaultValue = "auto", paramLabel = "E", description = "EM's E-step: batched (each block in lockstep; what auto means) or sequential. "
      + "L-BFGS and Adam evaluate with the adjoint sequential filter: auto or sequential only (default: ${DEFAULT-VALUE}).")
  String engine;

  @Option(names = "--backend", defaultValue = "auto", paramLabel = "B", description = "auto, cpu or gpu (default: ${DEFAULT-VALUE}).")
  String backend;

  @Option(names = "--segment-steps", defaultValue = "auto", paramLabel = "S", description = "Longest trajectory evaluated in one task; longer ones are evaluated in segments across tasks (the negative log-likelihood, its Fisher-identity gradient and EM's statistics): a number of steps, or auto (from executor memory; default: ${DEFAULT-VALUE}).")
  String segmentSteps;

  @Override
  public Integer call() {
    FitSettings settings = settings();
    io.statespace.spark.SegmentSteps segments;
    try {
      segments = io.statespace.spark.SegmentSteps.parse(segmentSteps);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    out.check(in.input, in.modelUri());
    FitJob.checkCheckpoint(settings, new org.apache.hadoop.conf.Configuration());
    SparkSession spark = SparkSessions.start("statespace fit", in.master);
    try {
      FitReport report = FitJob.run(spark, settings, segments);
      System.out.println("fit: " + report.summaryLine());
      System.out.println("fit: rows in: " + report.rowsIn + " = rows used: " + report.rowsUsed + " + rows quarantined: "
          + report.rowsQuarantined + "; trajectories: " + report.trajectories);
      if (report.leftOut.trajectories() > 0) {
        System.out.println("fit: " + report.leftOut.trajectories() + " trajectory(ies) left out, not finite at the starting point"
            + " (rows in quarantine/): " + String.join(", ", report.leftOut.ids())
            + (report.leftOut.trajectories() > report.leftOut.ids().size() ? ", ..." : ""));
      }
      for (FitReport.Parameter p : report.parameters) {
        System.out.printf(Locale.ROOT, "fit:   %-28s %14.8g -> %14.8g%s%n", p.name(), p.initial(), p.fitted(),
            Double.isNaN(p.standardError()) ? "" : String.format(Locale.ROOT, "  (se %.3g)", p.standardError()));
      }
      System.out.println("fit: gradient of the loss at the starting point:");
      for (FitReport.Parameter p : report.parameters) {
        System.out.printf(Locale.ROOT, "fit:   dL/d %-26s %+.4g%n", p.thetaName(), p.initialGradient());
      }
      if (report.curvature != null) {
        FitReport.Curvature c = report.curvature;
        System.out.println("fit: curvature at the optimum (Hessian eigenvalues, eigenvectors over " + c.thetaNames() + "):");
        for (int k = 0; k < c.eigenvalues().length; k++) {
          System.out.printf(Locale.ROOT, "fit:   %+.4g  %s%n", c.eigenvalues()[k], java.util.Arrays.toString(
              java.util.Arrays.stream(c.eigenvectors()[k]).map(v -> Math.round(v * 1000) / 1000.0).toArray()));
        }
      }
      for (String line : ParameterTable.lines(report)) System.out.println("fit: " + line);
      for (String warning : report.warnings()) System.out.println("fit: WARNING: " + warning);
      System.out.println("fit: wrote " + report.output);
      return 0;
    } finally {
      SparkSessions.stop(spark);
    }
  }

  /** Validates every option and the model file before Spark starts. */
  FitSettings settings() {
    ModelSpec spec = in.spec();
    if (free != null) {
      spec = new ModelSpec(spec.model(), spec.columns(), new FitSpec(free), spec.description());
    }
    if (spec.fit().free().isEmpty()) throw new ConfigException("fit.free: no free parameters (list them in the model file or with --free)");
    try {
      Families.parameterization(spec);
    } catch (IllegalArgumentException e) {
      throw new ConfigException((free != null ? "--free: " : "fit.free: ") + e.getMessage());
    }
    String format = in.format();
    InputOptions.checkFormat("--format", format);
    String outFormat = out.format(format);
    LossFunction.Kind lossKind = choose("--loss", loss, LossFunction.Kind.values(), LossFunction.Kind::key);
    FitSettings.Method method = choose("--optimizer", optimizer, FitSettings.Method.values(), m -> m.key);
    if (method == FitSettings.Method.EM) {
      Families.refusal(spec, Family.Capability.EM).ifPresent(r -> {
        throw new ConfigException("--optimizer em: " + r);
      });
      if (lossKind != LossFunction.Kind.NEGATIVE_LOG_LIKELIHOOD) throw new ConfigException("--optimizer em: maximises the likelihood; use --loss nll");
    }
    FitSettings.Smoother smoother = smoother(method);
    if (!(dropout >= 0 && dropout < 1)) throw new ConfigException("--dropout: must be in [0, 1), got " + dropout);
    if (dropout > 0 && lossKind != LossFunction.Kind.PREDICTION) throw new ConfigException("--dropout: only with --loss prediction");
    if (feedback && lossKind != LossFunction.Kind.PREDICTION) throw new ConfigException("--feedback: only with --loss prediction");
    if (!(learningRate > 0)) throw new ConfigException("--learning-rate: must be positive");
    if (maxIter < 0 || !(tolerance >= 0) || !(relativeTolerance >= 0)) {
      throw new ConfigException("--max-iter, --tolerance and --relative-tolerance must not be negative");
    }
    Backends.forFit(backend);
    if (resume && restart) throw new ConfigException("--resume and --restart exclude each other: continue the checkpoint, or delete it");
    StandardErrors.Kind errorsKind = standardErrorsKind == null ? StandardErrors.Kind.OIM : StandardErrors.Kind.of(standardErrorsKind);
    if (errorsKind == null) throw new ConfigException("--standard-errors: must be oim or robust, got '" + standardErrorsKind + "'");
    if (standardErrorsKind != null && noStandardErrors) {
      throw new ConfigException("--standard-errors " + standardErrorsKind + " and --no-standard-errors exclude each other");
    }
    return new FitSettings(new FitSettings.Paths(in.input, format, out.output, outFormat, out.partitions, out.overwrite), spec,
        new FitSettings.Objective(lossKind, dropout, seed, feedback),
        new FitSettings.Search(method, new StopRules(maxIter, tolerance, relativeTolerance), learningRate, smoother),
        new FitSettings.Extras(resume, !noStandardErrors, curvature, restart, quarantine.limit(), errorsKind));
  }

  /**
   * What --engine chooses: EM's E-step smoother, or the gradient-based optimisers' adjoint filter; auto =
   * batched for both, and anything but auto, batched or sequential is refused.
   */
  private FitSettings.Smoother smoother(FitSettings.Method method) {
    String e = engine.toLowerCase(Locale.ROOT);
    if (method == FitSettings.Method.EM) {
      if (e.equals("auto") || e.equals("batched")) return FitSettings.Smoother.BATCHED;
      if (e.equals("sequential")) return FitSettings.Smoother.SEQUENTIAL;
      throw new ConfigException("--engine: EM's E-step runs batched or sequential (auto = batched), got '" + engine + "'");
    }
    if (e.equals("auto") || e.equals("batched")) return FitSettings.Smoother.BATCHED;
    if (e.equals("sequential")) return FitSettings.Smoother.SEQUENTIAL;
    throw new ConfigException("--engine: --optimizer " + method.key + " evaluates the loss and its exact gradient with the "
        + "batched or the sequential adjoint filter (auto = batched), got '" + engine + "'");
  }

  private static <E extends Enum<E>> E choose(String option, String text, E[] values, java.util.function.Function<E, String> keyOf) {
    StringBuilder known = new StringBuilder();
    for (E v : values) {
      String key = keyOf.apply(v);
      if (key.equals(text.toLowerCase(Locale.ROOT))) return v;
      known.append(known.length() == 0 ? "" : ", ").append(key);
    }
    throw new ConfigException(option + ": must be one of " + known + ", got '" + text + "'");
  }
}
