package io.statespace.ml;

import io.statespace.spark.FitReport;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link StateSpaceEstimator#fit} reports besides the fitted model: the fit job's report (report.json's
 * numbers: losses, stop reason, iterations, parameters with standard errors, row accounting) and its history
 * (history.csv's text, one line per iteration). Not saved with the model, as in Spark ML's own summaries.
 */
public final class FitSummary {
  private final FitReport report;
  private final String historyCsv;

  FitSummary(FitReport report, String historyCsv) {
    this.report = report;
    this.historyCsv = historyCsv;
  }

  /** The fit job's report; its {@code output} names a work directory that no longer exists. */
  public FitReport report() {
    return report;
  }

  /** history.csv: a header line, then one line per iteration. */
  public String historyCsv() {
    return historyCsv;
  }

  /** The history's lines after the header. */
  public List<String> history() {
    return historyCsv.lines().skip(1).filter(l -> !l.isBlank()).toList();
  }

  /** The stop reason's key (report.json's {@code stop_reason}). */
  public String stopReason() {
    return report.stopReason;
  }

  /** Fitted values by parameter name, in the model file's order. */
  public Map<String, Double> parameters() {
    Map<String, Double> m = new LinkedHashMap<>();
    for (FitReport.Parameter p : report.parameters) m.put(p.name(), p.fitted());
    return m;
  }

  /** AIC = 2 NLL + 2k (NaN unless the loss is the likelihood). */
  public double aic() {
    return report.aic();
  }

  /** BIC = 2 NLL + k ln n, n the observed components (NaN unless the loss is the likelihood). */
  public double bic() {
    return report.bic();
  }

  /** Observed (non-missing) observation components over every trajectory fitted: BIC's n. */
  public long observedComponents() {
    return report.assessment().observedComponents();
  }

  /** "oim" or "robust" (null when standard errors were switched off). */
  public String standardErrorsMethod() {
    return report.assessment().standardErrorsKind();
  }

  /** z = estimate / standard error by parameter name (NaN without a standard error). */
  public Map<String, Double> zValues() {
    Map<String, Double> m = new LinkedHashMap<>();
    for (FitReport.Parameter p : report.parameters) m.put(p.name(), p.z());
    return m;
  }

  /** Two-sided normal p-values of {@link #zValues()} by parameter name. */
  public Map<String, Double> pValues() {
    Map<String, Double> m = new LinkedHashMap<>();
    for (FitReport.Parameter p : report.parameters) m.put(p.name(), p.pValue());
    return m;
  }

  /** 95% intervals {lower, upper} by parameter name (README "Fitting": log-scale or Wald; NaN without a standard error). */
  public Map<String, double[]> confidenceIntervals() {
    Map<String, double[]> m = new LinkedHashMap<>();
    for (FitReport.Parameter p : report.parameters) m.put(p.name(), new double[] {p.lower(), p.upper()});
    return m;
  }

  /** The report's warnings, one line each (missing standard errors, no convergence, parameters at a boundary). */
  public List<String> warnings() {
    return report.warnings();
  }

  /** The prediction loss without dropout at the fitted parameters (NaN unless fitted with dropout). */
  public double finalLossWithoutDropout() {
    return report.assessment().finalLossWithoutDropout();
  }

  /** Standard errors by parameter name (NaN where not computed). */
  public Map<String, Double> standardErrors() {
    Map<String, Double> m = new LinkedHashMap<>();
    for (FitReport.Parameter p : report.parameters) m.put(p.name(), p.standardError());
    return m;
  }
}
