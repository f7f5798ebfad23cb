package io.statespace.cli;

import io.statespace.spark.FitReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The parameter table {@code fit} prints at its end (statsmodels' summary layout): per free parameter its
 * estimate, standard error, z, two-sided p-value and 95% interval, columns aligned, then AIC and BIC and a
 * line saying how standard errors and intervals were made.
 */
final class ParameterTable {
  private ParameterTable() {}

  /** The table's lines (without the "fit: " prefix). */
  static List<String> lines(FitReport report) {
    int width = "parameter".length();
    for (FitReport.Parameter p : report.parameters) width = Math.max(width, p.name().length());
    String row = "%-" + width + "s %14s %12s %9s %10s %14s %14s";
    List<String> out = new ArrayList<>();
    out.add(String.format(Locale.ROOT, row, "parameter", "estimate", "std_err", "z", "P>|z|", "[0.025", "0.975]"));
    for (FitReport.Parameter p : report.parameters) {
      out.add(String.format(Locale.ROOT, row, p.name(), number(p.fitted(), "%.8g"), number(p.standardError(), "%.4g"),
          number(p.z(), "%.3f"), number(p.pValue(), "%.3g"), number(p.lower(), "%.6g"), number(p.upper(), "%.6g")));
    }
    if (!Double.isNaN(report.aic())) {
      out.add(String.format(Locale.ROOT, "AIC %.6f, BIC %.6f (k = %d free coordinates, n = %d observed components)",
          report.aic(), report.bic(), report.assessment().freeCoordinates(), report.assessment().observedComponents()));
    }
    boolean anyLog = report.parameters.stream().anyMatch(FitReport.Parameter::logScale);
    if (report.parameters.stream().anyMatch(p -> !Double.isNaN(p.standardError()))) {
      out.add(report.assessment().standardErrorsKind() + " standard errors"
          + (anyLog ? ", computed in theta (log space for positive parameters) and carried to these units by the delta method;"
              + " a positive parameter's interval is exp(theta +- 1.96 se_theta), the others' estimate +- 1.96 se" : ""));
    }
    return out;
  }

  private static String number(double v, String format) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, format, v);
  }
}
