package io.statespace.learn;

import java.util.Locale;

/**
 * One line of fit progress: after iteration k (0 = the starting point), the loss and the gradient's
 * infinity norm at the new point, the step length ‖θ_k − θ_{k−1}‖₂, the objective evaluations so far and
 * the seconds since the fit began (across resumes).
 */
public record HistoryRow(int iteration, double loss, double gradientNorm, double step, long evaluations,
    double seconds) {
  /** Header of {@link #toCsv()}: the columns of history.csv. */
  public static String csvHeader() {
    return "iteration,loss,gradient_norm,step,evaluations,seconds";
  }

  /** The row as CSV, numbers in full precision. */
  public String toCsv() {
    return iteration + "," + loss + "," + gradientNorm + "," + step + "," + evaluations + ","
        + String.format(Locale.ROOT, "%.3f", seconds);
  }
}
