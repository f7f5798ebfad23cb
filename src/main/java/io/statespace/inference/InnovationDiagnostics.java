package io.statespace.inference;

import io.statespace.data.Trajectory;
import io.statespace.model.StepParameters;
import java.util.Arrays;

/**
 * The residual diagnostics of one trajectory (summary/ with {@code --outputs diagnostics}), from its standardised
 * innovations ({@link PredictiveMoments}): the observed components, the mean normalised innovation squared over
 * the steps with at least one observed component (NIS_t = v_oᵀ S_oo⁻¹ v_o, which has mean k_t under the model),
 * and a Ljung-Box test ({@link LjungBox}) per observation component on that component's standardised innovations
 * at its observed steps, in time order (missing steps left out, as {@code acorr_ljungbox} on the observed values);
 * the one reported is the component with the smallest p-value (the first on ties), not adjusted for the number of
 * components. With complete data and one component this is statsmodels' {@code test_serial_correlation("ljungbox")}
 * at its default lag.
 */
public final class InnovationDiagnostics {
  private final int p;
  private final double[][] series;
  private final int[] counts;
  private long observed;
  private int observedSteps;
  private double nisSum;

  public InnovationDiagnostics(int obsDim, int steps) {
    this.p = obsDim;
    this.series = new double[obsDim][Math.max(1, Math.min(steps, 1024))];
    this.counts = new int[obsDim];
  }

  /**
   * The diagnostics of a trajectory from its filtered moments (T×n and T×n×n), one prediction per step, leaving out
   * its first {@code diffuseSteps} steps (an exact diffuse period, as statsmodels' residual tests do).
   */
  public static Result of(StepParameters params, Trajectory trajectory, double[] filteredMeans, double[] filteredCovs,
      int diffuseSteps) {
    int n = params.stateDim();
    PredictiveMoments moments = new PredictiveMoments(params, trajectory);
    InnovationDiagnostics d = new InnovationDiagnostics(params.obsDim(), trajectory.length());
    for (int t = 0; t < trajectory.length(); t++) {
      int prev = Math.max(0, t - 1);
      moments.predict(t, filteredMeans, prev * n, filteredCovs, prev * n * n);
      if (t >= diffuseSteps) d.add(moments);
    }
    return d.result();
  }

  /** Adds the step {@code moments} last predicted; steps must come in time order. */
  public void add(PredictiveMoments moments) {
    int k = moments.observedCount();
    if (k == 0) return;
    observed += k;
    observedSteps++;
    nisSum += moments.nis();
    double[] e = moments.standardizedInnovation();
    for (int i = 0; i < p; i++) {
      if (Double.isNaN(e[i])) continue;
      if (counts[i] == series[i].length) series[i] = Arrays.copyOf(series[i], 2 * series[i].length);
      series[i][counts[i]++] = e[i];
    }
  }

  /** The summary's values for the steps added. */
  public Result result() {
    LjungBox.Result worst = null;
    for (int i = 0; i < p; i++) {
      LjungBox.Result r = LjungBox.test(series[i], counts[i]);
      if (r != null && (worst == null || r.pValue() < worst.pValue())) worst = r;
    }
    return new Result(observed, observedSteps == 0 ? Double.NaN : nisSum / observedSteps, worst);
  }

  /**
   * @param observed observed components over all steps
   * @param meanNis mean NIS over the steps with an observed component (NaN when there is none)
   * @param ljungBox the reported test, or null when no component has enough observed steps (or any variation)
   */
  public record Result(long observed, double meanNis, LjungBox.Result ljungBox) {}
}
