package io.statespace.inference.parallel;

import io.statespace.data.Trajectory;
import io.statespace.inference.InferenceException;
import io.statespace.inference.Posterior;
import io.statespace.model.StateSpaceModel;
import java.util.ArrayList;
import java.util.List;

/**
 * The segmented smoother of one trajectory run in one process (docs/ARCHITECTURE.md §7.5): the same passes,
 * scans and check as the distributed path ({@code spark.segment}), one segment after another, with the
 * segments' posteriors joined into one. It is the reference the distributed path is held to, and the way
 * the tests compare the segmented algorithm with the sequential engine for any cuts.
 */
public final class SegmentedSmoother {
  private SegmentedSmoother() {}

  /**
   * Smooths {@code trajectory} cut at {@code cuts} (strictly increasing, from 0 to its length).
   *
   * @throws io.statespace.inference.InferenceException when a segment's numbers or the forward check fail
   */
  public static Posterior smooth(StateSpaceModel model, Trajectory trajectory, int[] cuts, boolean crossCovariances) {
    Scanned scanned = scan(model, trajectory, cuts);
    List<SegmentPasses.Forward> forwards = scanned.forwards();
    Moments[] after = scanned.after();
    SegmentPasses passes = new SegmentPasses(model);
    int steps = trajectory.length();
    int n = model.stateDim();
    int count = cuts.length - 1;
    double logLik = 0.0;
    for (SegmentPasses.Forward f : forwards) logLik += f.logLikelihood();
    int nn = n * n;
    double[] fm = new double[steps * n];
    double[] fc = new double[steps * nn];
    double[] sm = new double[steps * n];
    double[] sc = new double[steps * nn];
    double[] cross = crossCovariances ? new double[(steps - 1) * nn] : null;
    for (int j = 0; j < count; j++) {
      Posterior p = passes.smooth(forwards.get(j), after[j], crossCovariances);
      int s = cuts[j];
      int len = p.length();
      System.arraycopy(p.filteredMeans(), 0, fm, s * n, len * n);
      System.arraycopy(p.filteredCovariances(), 0, fc, s * nn, len * nn);
      System.arraycopy(p.smoothedMeans(), 0, sm, s * n, len * n);
      System.arraycopy(p.smoothedCovariances(), 0, sc, s * nn, len * nn);
      if (cross != null) {
        int pairs = after[j] == null ? len - 1 : len;
        System.arraycopy(p.smoothedCrossCovariances(), 0, cross, s * nn, pairs * nn);
      }
    }
    return new Posterior(steps, n, logLik, fm, fc, null, null, sm, sc, cross);
  }

  /**
   * Passes 1 and 2 and the driver's scans and check over {@code trajectory} cut at {@code cuts}: each
   * segment's forward pass and the smoothed moments after it (null for the last), from which pass 3 (the
   * smoother, or the fit's local terms) runs segment by segment. Pass 2 runs again on the segments whose
   * prefix the forward check repaired ({@link SegmentChain}).
   *
   * @throws io.statespace.inference.InferenceException when a segment's numbers or the forward check fail
   */
  public static Scanned scan(StateSpaceModel model, Trajectory trajectory, int[] cuts) {
    SegmentCuts.require(cuts, trajectory.length());
    int n = model.stateDim();
    int count = cuts.length - 1;
    long[] starts = new long[count];
    List<SegmentWindow> windows = new ArrayList<>(count);
    for (int j = 0; j < count; j++) {
      starts[j] = cuts[j];
      windows.add(SegmentWindow.of(trajectory, cuts[j], cuts[j + 1]));
    }
    SegmentPasses passes = new SegmentPasses(model);
    List<double[]> filterElements = new ArrayList<>(count);
    for (SegmentWindow w : windows) {
      try {
        filterElements.add(passes.filterElement(w));
      } catch (InferenceException e) {
        filterElements.add(null);
      }
    }
    SegmentChain chain = new SegmentChain(n, trajectory.id(), starts, filterElements, SegmentChain.priorOf(model));
    List<SegmentPasses.Forward> forwards = new ArrayList<>(java.util.Collections.nCopies(count, null));
    do {
      for (int j : chain.toRun()) {
        try {
          SegmentPasses.Forward f = passes.filter(windows.get(j), chain.before(j));
          forwards.set(j, f);
          chain.result(j, f.end());
        } catch (InferenceException e) {
          chain.failed(j, e);
        }
      }
    } while (!chain.advance());
    if (chain.refusal() != null) {
      if (chain.refusalCause() != null) throw chain.refusalCause();
      throw new IllegalStateException(chain.refusal());
    }
    List<double[]> smootherElements = new ArrayList<>(count);
    for (SegmentPasses.Forward f : forwards) smootherElements.add(passes.smootherElement(f));
    return new Scanned(forwards, SegmentScan.smoothedAfter(n, smootherElements, trajectory.id(), starts), chain);
  }

  /** Each segment's forward pass and the smoothed moments after it (null for the last segment). */
  public record Scanned(List<SegmentPasses.Forward> forwards, Moments[] after, SegmentChain chain) {}
}
