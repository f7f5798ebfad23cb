package io.statespace.learn;

import java.util.List;
import java.util.Locale;

/**
 * One line of fit progress: after iteration k (0 = the starting point), the loss and the gradient's
 * infinity norm at the new point, the step length ‖θ_k − θ_{k−1}‖₂, the objective evaluations so far, the
 * seconds since the fit began (across resumes) and θ_k (null when not recorded: rows of checkpoints written
 * before θ was kept).
 */
public record HistoryRow(int iteration, double loss, double gradientNorm, double step, long evaluations,
    double seconds, double[] theta) {
  /** A row without θ. */
  public HistoryRow(int iteration, double loss, double gradientNorm, double step, long evaluations, double seconds) {
    this(iteration, loss, gradientNorm, step, evaluations, seconds, null);
  }

  /** Header of {@link #toCsv()}: the first columns of history.csv. */
  public static String csvHeader() {
    return "iteration,loss,gradient_norm,step,evaluations,seconds";
  }

  /** The row as CSV, numbers in full precision. */
  public String toCsv() {
    return iteration + "," + loss + "," + gradientNorm + "," + step + "," + evaluations + ","
        + String.format(Locale.ROOT, "%.3f", seconds);
  }

  /**
   * history.csv: {@link #csvHeader()} followed by one column per free parameter in the units the report uses
   * ({@link Parameterization#naturalNames()}: {@code q}, {@code measurement_std[0]}, ...), then one line per row
   * with the parameters at that iteration (empty cells for a row without θ).
   */
  public static String csv(List<HistoryRow> rows, Parameterization param) {
    StringBuilder out = new StringBuilder(csvHeader());
    for (String name : param.naturalNames()) out.append(',').append(name);
    out.append('\n');
    for (HistoryRow row : rows) {
      out.append(row.toCsv());
      double[] values = row.theta() == null ? null : param.natural(row.theta());
      for (int i = 0; i < param.naturalNames().size(); i++) {
        out.append(',');
        if (values != null) out.append(values[i]);
      }
      out.append('\n');
    }
    return out.toString();
  }
}
