package io.statespace.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.commons.math3.special.Erf;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a {@code fit} run did: the result, timings and the row accounting. Written as report.json. */
public final class FitReport {
  /**
   * One free parameter in natural units, with the loss's gradient at the starting point with respect to
   * its unconstrained coordinate (θ, e.g. log q): which parameters the data pull on, and how hard.
   */
  public record Parameter(String name, double initial, double fitted, double standardError, String thetaName,
      double initialGradient) {
    /** True when the parameter is fitted as its logarithm (θ = log of it): a positive scalar. */
    public boolean logScale() {
      return thetaName.equals("log " + name);
    }

    /** The Wald statistic for "the parameter is 0": estimate / standard error (NaN without one). */
    public double z() {
      return fitted / standardError;
    }

    /** Two-sided normal p-value of {@link #z()}: P(|N(0,1)| ≥ |z|) (NaN without a standard error). */
    public double pValue() {
      double z = z();
      return Double.isNaN(z) ? Double.NaN : Erf.erfc(Math.abs(z) / Math.sqrt(2.0));
    }

    /**
     * The lower end of the 95% interval: for a log-scale parameter exp(θ̂ − 1.96 se_θ) with se_θ = se / estimate
     * (the θ-space Wald interval carried back, always positive); otherwise estimate − 1.96 se.
     */
    public double lower() {
      return logScale() ? fitted * Math.exp(-Z_975 * standardError / fitted) : fitted - Z_975 * standardError;
    }

    /** The upper end of the 95% interval (see {@link #lower()}). */
    public double upper() {
      return logScale() ? fitted * Math.exp(Z_975 * standardError / fitted) : fitted + Z_975 * standardError;
    }

    /** "log" (interval carried back from θ = log of the parameter) or "wald" (estimate ± 1.96 se). */
    public String intervalKind() {
      return logScale() ? "log" : "wald";
    }

    /**
     * True when a positive parameter (a log-scale scalar, or a covariance's diagonal entry) ended below
     * {@link #BOUNDARY_SHARE} of its starting value: it is heading for 0, the boundary of its domain.
     */
    public boolean atBoundary() {
      boolean positive = logScale() || DIAGONAL.matcher(name).matches();
      return positive && initial > 0 && fitted < BOUNDARY_SHARE * initial;
    }
  }

  /** The 0.975 quantile of the standard normal: 95% intervals are ± this many standard errors. */
  public static final double Z_975 = 1.959963984540054;

  /** A positive parameter below this share of its starting value is reported at the boundary. */
  public static final double BOUNDARY_SHARE = 1e-6;

  private static final java.util.regex.Pattern DIAGONAL = java.util.regex.Pattern.compile(".*\\.cov\\[(\\d+)]\\[\\1]");

  /**
   * What the report adds to the fit's numbers for reading it: the observed components (n of BIC), the free θ
   * coordinates (k of AIC and BIC), which standard errors were asked for (null: none, {@code --no-standard-errors}),
   * and the final prediction loss without dropout (NaN unless the loss is the prediction loss with dropout).
   */
  public record Assessment(long observedComponents, int freeCoordinates, String standardErrorsKind,
      double finalLossWithoutDropout) {}

  /** At most this many ids of trajectories left out at the starting point are listed. */
  public static final int LISTED_IDS = 100;

  /**
   * The trajectories quarantined because their loss or gradient is not finite (or their filter fails) at
   * the starting point: how many, and the first {@link #LISTED_IDS} as "id (reason_code)", sorted.
   */
  public record LeftOut(long trajectories, List<String> ids) {
    public LeftOut {
      ids = List.copyOf(ids);
    }
  }

  /** The Hessian of the loss at the optimum in θ: eigenvalues ascending, eigenvectors as rows. */
  public record Curvature(List<String> thetaNames, double[] eigenvalues, double[][] eigenvectors) {}

  public final String loss;
  public final String optimizer;
  public final double initialLoss;
  public final double finalLoss;
  public final double gradientNorm;
  public final int iterations;
  public final String stopReason;
  public final String stopNote;
  public final long evaluations;
  public final double seconds;
  public final double fitSeconds;
  public final double engineSeconds;
  public final int parallelism;
  public final List<Parameter> parameters;
  public final String standardErrorsNote;
  public final long rowsIn;
  public final long rowsUsed;
  public final long rowsQuarantined;
  public final Map<String, Long> quarantineByReason;
  public final long trajectories;
  public final boolean resumed;
  public final String output;
  public final Curvature curvature;
  /** EM: the last E-step's trajectories by the engine that smoothed them (fallbacks labelled); else empty. */
  public final Map<String, Long> eStepTrajectoriesByEngine;
  /** Data files read from the input. */
  public final int inputFiles;
  public final LeftOut leftOut;
  /** Where the output came from (report.json's provenance and stale_staging); null when not recorded. */
  public final Provenance provenance;

  FitReport(String loss, String optimizer, double initialLoss, double finalLoss, double gradientNorm, int iterations,
      String stopReason, String stopNote, long evaluations, double seconds, double fitSeconds, double engineSeconds,
      int parallelism, List<Parameter> parameters, String standardErrorsNote, long rowsIn, long rowsUsed,
      long rowsQuarantined, Map<String, Long> quarantineByReason, long trajectories, boolean resumed, String output,
      Curvature curvature, Map<String, Long> eStepTrajectoriesByEngine, int inputFiles, LeftOut leftOut) {
    this(loss, optimizer, initialLoss, finalLoss, gradientNorm, iterations, stopReason, stopNote, evaluations, seconds,
        fitSeconds, engineSeconds, parallelism, parameters, standardErrorsNote, rowsIn, rowsUsed, rowsQuarantined,
        quarantineByReason, trajectories, resumed, output, curvature, eStepTrajectoriesByEngine, inputFiles, leftOut, null);
  }

  private FitReport(String loss, String optimizer, double initialLoss, double finalLoss, double gradientNorm, int iterations,
      String stopReason, String stopNote, long evaluations, double seconds, double fitSeconds, double engineSeconds,
      int parallelism, List<Parameter> parameters, String standardErrorsNote, long rowsIn, long rowsUsed,
      long rowsQuarantined, Map<String, Long> quarantineByReason, long trajectories, boolean resumed, String output,
      Curvature curvature, Map<String, Long> eStepTrajectoriesByEngine, int inputFiles, LeftOut leftOut,
      Provenance provenance) {
    this.loss = loss;
    this.optimizer = optimizer;
    this.initialLoss = initialLoss;
    this.finalLoss = finalLoss;
    this.gradientNorm = gradientNorm;
    this.iterations = iterations;
    this.stopReason = stopReason;
    this.stopNote = stopNote;
    this.evaluations = evaluations;
    this.seconds = seconds;
    this.fitSeconds = fitSeconds;
    this.engineSeconds = engineSeconds;
    this.parallelism = parallelism;
    this.parameters = List.copyOf(parameters);
    this.standardErrorsNote = standardErrorsNote;
    this.rowsIn = rowsIn;
    this.rowsUsed = rowsUsed;
    this.rowsQuarantined = rowsQuarantined;
    this.quarantineByReason = Map.copyOf(quarantineByReason);
    this.trajectories = trajectories;
    this.resumed = resumed;
    this.output = output;
    this.curvature = curvature;
    this.eStepTrajectoriesByEngine = new java.util.TreeMap<>(eStepTrajectoriesByEngine);
    this.inputFiles = inputFiles;
    this.leftOut = leftOut;
    this.provenance = provenance;
  }

  /** This report with its provenance (and the evaluation cost it carries). */
  FitReport with(Provenance p) {
    return new FitReport(loss, optimizer, initialLoss, finalLoss, gradientNorm, iterations, stopReason, stopNote, evaluations,
        seconds, fitSeconds, engineSeconds, parallelism, parameters, standardErrorsNote, rowsIn, rowsUsed, rowsQuarantined,
        quarantineByReason, trajectories, resumed, output, curvature, eStepTrajectoriesByEngine, inputFiles, leftOut, p)
        .withEvaluationCost(gradientTrajectoriesByEngine, standardErrorsSeconds, standardErrorsPasses)
        .withAssessment(assessment);
  }

  private Assessment assessment = new Assessment(0L, 0, null, Double.NaN);

  /** Adds what reading the fit needs (information criteria, standard errors' kind, loss without dropout); returns this. */
  FitReport withAssessment(Assessment a) {
    assessment = a;
    return this;
  }

  public Assessment assessment() {
    return assessment;
  }

  /** True when the loss is the negative log-likelihood (AIC and BIC exist). */
  private boolean likelihood() {
    return "nll".equals(loss);
  }

  /** AIC = 2 NLL + 2k, k the free θ coordinates (NaN unless the loss is the likelihood). */
  public double aic() {
    return likelihood() ? 2.0 * finalLoss + 2.0 * assessment.freeCoordinates() : Double.NaN;
  }

  /** BIC = 2 NLL + k ln n, n the observed components (NaN unless the loss is the likelihood). */
  public double bic() {
    return likelihood() && assessment.observedComponents() > 0
        ? 2.0 * finalLoss + assessment.freeCoordinates() * Math.log(assessment.observedComponents()) : Double.NaN;
  }

  /**
   * What a reader must not miss, one line each: standard errors asked for but missing (with why), a fit that
   * did not converge (stopped by the iteration limit or without progress), each parameter at the boundary.
   */
  public List<String> warnings() {
    List<String> out = new ArrayList<>();
    boolean missing = parameters.stream().anyMatch(p -> Double.isNaN(p.standardError()));
    if (assessment.standardErrorsKind() != null && missing) out.add("standard errors missing: " + standardErrorsNote);
    if (stopReason.equals("iteration_limit") || stopReason.equals("no_progress")) {
      out.add("the fit did not converge: it stopped by " + stopReason + (stopNote == null ? "" : " (" + stopNote + ")")
          + "; the estimates, standard errors and criteria are not those of an optimum");
    }
    for (Parameter p : parameters) {
      if (p.atBoundary()) {
        out.add(String.format(java.util.Locale.ROOT, "%s = %.4g is at the boundary of its domain (below %.0e of its "
            + "starting value %.4g, heading for 0): its standard error and interval are not reliable", p.name(), p.fitted(),
            BOUNDARY_SHARE, p.initial()));
      }
    }
    return out;
  }

  /** Gradient-based fits: the last evaluation's trajectories by engine (set by {@link #withEvaluationCost}). */
  private Map<String, Long> gradientTrajectoriesByEngine = Map.of();
  private double standardErrorsSeconds = Double.NaN;
  private long standardErrorsPasses;

  /**
   * Adds what the gradient evaluations used and what the standard errors cost: the last evaluation's
   * trajectories by engine ({@code batched}, {@code sequential}, {@code sequential_after_batched_failure}),
   * the standard errors' wall seconds and distributed passes (0 when not computed). Returns this.
   */
  FitReport withEvaluationCost(Map<String, Long> byEngine, double errorsSeconds, long errorsPasses) {
    gradientTrajectoriesByEngine = new java.util.TreeMap<>(byEngine);
    standardErrorsSeconds = errorsSeconds;
    standardErrorsPasses = errorsPasses;
    return this;
  }

  public Map<String, Long> gradientTrajectoriesByEngine() {
    return gradientTrajectoriesByEngine;
  }

  public double standardErrorsSeconds() {
    return standardErrorsSeconds;
  }

  public long standardErrorsPasses() {
    return standardErrorsPasses;
  }

  /** Wall seconds per objective evaluation (one distributed job each). */
  public double secondsPerEvaluation() {
    return evaluations == 0 ? Double.NaN : fitSeconds / evaluations;
  }

  /**
   * The share of the fit's wall time not explained by engine work spread over the cores: 1 − (engine
   * seconds / parallelism) / wall seconds.
   */
  public double sparkOverheadShare() {
    return fitSeconds <= 0 ? Double.NaN : 1.0 - engineSeconds / Math.max(1, parallelism) / fitSeconds;
  }

  public String summaryLine() {
    String withoutDropout = Double.isNaN(assessment.finalLossWithoutDropout()) ? ""
        : String.format(java.util.Locale.ROOT, " (without dropout %.10g)", assessment.finalLossWithoutDropout());
    return String.format(java.util.Locale.ROOT,
        "%s/%s: loss %.10g -> %.10g%s in %d iterations (%s), |g| %.3g, %.2f s per evaluation, Spark overhead %.0f%%",
        loss, optimizer, initialLoss, finalLoss, withoutDropout, iterations, stopReason, gradientNorm,
        secondsPerEvaluation(), 100 * sparkOverheadShare());
  }

  private static Double finiteOrNull(double v) {
    return Double.isFinite(v) ? v : null;
  }

  public String toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("loss", loss);
    m.put("optimizer", optimizer);
    m.put("initial_loss", initialLoss);
    m.put("final_loss", finalLoss);
    m.put("gradient_norm", gradientNorm);
    m.put("iterations", iterations);
    m.put("stop_reason", stopReason);
    if (stopNote != null) m.put("stop_note", stopNote);
    m.put("resumed", resumed);
    List<Map<String, Object>> params = new ArrayList<>();
    for (Parameter p : parameters) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("name", p.name());
      row.put("initial", p.initial());
      row.put("fitted", p.fitted());
      row.put("standard_error", Double.isNaN(p.standardError()) ? null : p.standardError());
      row.put("theta", p.thetaName());
      row.put("initial_gradient", p.initialGradient());
      row.put("z", finiteOrNull(p.z()));
      row.put("p_value", finiteOrNull(p.pValue()));
      row.put("ci_lower", finiteOrNull(p.lower()));
      row.put("ci_upper", finiteOrNull(p.upper()));
      row.put("interval", p.intervalKind());
      row.put("at_boundary", p.atBoundary());
      params.add(row);
    }
    m.put("parameters", params);
    m.put("standard_errors", standardErrorsNote);
    m.put("standard_errors_method", assessment.standardErrorsKind());
    m.put("observed_components", assessment.observedComponents());
    m.put("free_parameters", assessment.freeCoordinates());
    m.put("aic", finiteOrNull(aic()));
    m.put("bic", finiteOrNull(bic()));
    if (!Double.isNaN(assessment.finalLossWithoutDropout())) {
      m.put("final_loss_without_dropout", assessment.finalLossWithoutDropout());
    }
    m.put("warnings", warnings());
    if (curvature != null) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("theta", curvature.thetaNames());
      c.put("eigenvalues", curvature.eigenvalues());
      c.put("eigenvectors", curvature.eigenvectors());
      m.put("curvature", c);
    }
    m.put("evaluations", evaluations);
    m.put("wall_seconds", seconds);
    m.put("fit_seconds", fitSeconds);
    m.put("seconds_per_evaluation", secondsPerEvaluation());
    m.put("engine_seconds", engineSeconds);
    m.put("parallelism", parallelism);
    m.put("spark_overhead_share", sparkOverheadShare());
    m.put("input_files", inputFiles);
    m.put("rows_in", rowsIn);
    m.put("rows_used", rowsUsed);
    m.put("rows_quarantined", rowsQuarantined);
    m.put("quarantine_by_reason", new java.util.TreeMap<>(quarantineByReason));
    m.put("trajectories", trajectories);
    if (!eStepTrajectoriesByEngine.isEmpty()) m.put("e_step_trajectories_by_engine", eStepTrajectoriesByEngine);
    if (!gradientTrajectoriesByEngine.isEmpty()) m.put("gradient_trajectories_by_engine", gradientTrajectoriesByEngine);
    if (standardErrorsPasses > 0) {
      m.put("standard_errors_seconds", standardErrorsSeconds);
      m.put("standard_errors_passes", standardErrorsPasses);
    }
    Map<String, Object> left = new LinkedHashMap<>();
    left.put("trajectories", leftOut.trajectories());
    left.put("ids", leftOut.ids());
    m.put("left_out_at_start", left);
    m.put("output", output);
    if (provenance != null) {
      m.put("stale_staging", provenance.sweepMap());
      m.put("provenance", provenance.toMap());
    }
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
