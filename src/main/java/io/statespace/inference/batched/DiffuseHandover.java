package io.statespace.inference.batched;

import io.statespace.data.Trajectory;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.diffuse.DiffuseFilter;
import io.statespace.inference.diffuse.DiffusePeriod;
import io.statespace.inference.diffuse.DiffuseSmoother;
import io.statespace.linalg.Products;
import io.statespace.linalg.Symmetric;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepForm;
import io.statespace.model.StepParameters;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The batched engine on a model with a diffuse prior (docs/ARCHITECTURE.md §7.6): each trajectory's diffuse period
 * (usually one or two steps) runs alone through the exact diffuse filter, and the rest of every trajectory, from
 * its first proper step d, runs in the lockstep lanes as a trajectory of its own whose prior is the one-step
 * prediction from the period's last filtered moments (the ordinary filter's own predict). Backwards, the lanes
 * smooth steps d.. and the diffuse smoother takes over at step d from their smoothed moments. The numbers are the
 * sequential engine's: the same filter steps, with the diffuse smoother's hand-over in both.
 */
final class DiffuseHandover {
  private final int n;
  private final int m;
  private final DiffuseFilter filter;
  private final DiffuseSmoother smoother;
  private final double[] f;
  private final double[] c;
  private final double[] q;
  private final double[] work;

  DiffuseHandover(int stateDim, int obsDim) {
    n = stateDim;
    m = obsDim;
    filter = new DiffuseFilter(n, m);
    smoother = new DiffuseSmoother(n);
    f = new double[n * n];
    c = new double[n];
    q = new double[n * n];
    work = new double[n * n];
  }

  /** The lanes' part of the work: runs the rest of each trajectory as {@code lanes} would run a block. */
  interface Lanes {
    Posterior[] run(StateSpaceModel model, List<Trajectory> block, Outputs outputs, boolean smooth);
  }

  Posterior[] run(StateSpaceModel model, List<Trajectory> block, Outputs outputs, boolean smooth, Lanes lanes) {
    int count = block.size();
    int nn = n * n;
    Start[] starts = new Start[count];
    Map<Trajectory, double[][]> priors = new IdentityHashMap<>();
    List<Trajectory> rests = new ArrayList<>();
    List<Integer> owners = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Trajectory tr = block.get(i);
      int steps = tr.length();
      StepParameters params = model.bind(tr);
      Start s = new Start(params, steps, n, outputs.predictions(), smooth, smooth && outputs.crossCovariances());
      s.period = filter.run(params, tr.id(), tr.observations(), steps, s.fm, s.fc, s.pm, s.pc);
      starts[i] = s;
      int d = s.period.length();
      if (d < steps) {
        Trajectory rest = rest(tr, d);
        priors.put(rest, prediction(params, d, s.fm, s.fc));
        rests.add(rest);
        owners.add(i);
      }
    }
    Posterior[] restPosteriors = rests.isEmpty() ? new Posterior[0]
        : lanes.run(new PriorPerTrajectory(model, priors), rests, outputs, smooth);
    Posterior[] out = new Posterior[count];
    double[] logLik = new double[count];
    for (int k = 0; k < rests.size(); k++) {
      int i = owners.get(k);
      Start s = starts[i];
      Posterior p = restPosteriors[k];
      int d = s.period.length();
      int restSteps = p.length();
      copy(p.filteredMeans(), s.fm, d * n, restSteps * n);
      copy(p.filteredCovariances(), s.fc, d * nn, restSteps * nn);
      if (s.pm != null) {
        copy(p.predictedMeans(), s.pm, d * n, restSteps * n);
        copy(p.predictedCovariances(), s.pc, d * nn, restSteps * nn);
      }
      if (smooth) {
        copy(p.smoothedMeans(), s.sm, d * n, restSteps * n);
        copy(p.smoothedCovariances(), s.sc, d * nn, restSteps * nn);
        if (s.cross != null && restSteps > 1) copy(p.smoothedCrossCovariances(), s.cross, d * nn, (restSteps - 1) * nn);
      }
      logLik[i] = p.logLikelihood();
    }
    for (int i = 0; i < count; i++) {
      Start s = starts[i];
      Trajectory tr = block.get(i);
      if (smooth) smoother.run(s.params, tr.id(), tr.length(), s.period, s.fm, s.fc, s.sm, s.sc, s.cross);
      out[i] = new Posterior(tr.length(), n, s.period.logLikelihood() + logLik[i], s.fm, s.fc, s.pm, s.pc,
          smooth ? s.sm : null, smooth ? s.sc : null, s.cross).withDiffuseSteps(s.period.length());
    }
    return out;
  }

  /** The trajectory from step d on (times, observations and inputs; the model reads only time differences). */
  private static Trajectory rest(Trajectory tr, int d) {
    int steps = tr.length();
    int obs = tr.obsDim();
    int in = tr.inputDim();
    double[] times = java.util.Arrays.copyOfRange(tr.times(), d, steps);
    double[] y = java.util.Arrays.copyOfRange(tr.observations(), d * obs, steps * obs);
    double[] u = in == 0 ? null : java.util.Arrays.copyOfRange(tr.inputs(), d * in, steps * in);
    return new Trajectory(tr.id(), times, y, obs, u, in);
  }

  /** The one-step prediction of step d from the filtered moments of step d−1: {mean, cov}. */
  private double[][] prediction(StepParameters params, int d, double[] fm, double[] fc) {
    params.dynamics(d - 1, f, c, q);
    double[] mean = new double[n];
    double[] cov = new double[n * n];
    Products.multVector(f, 0, fm, (d - 1) * n, mean, 0, n, n);
    for (int i = 0; i < n; i++) mean[i] += c[i];
    Products.sandwich(f, 0, fc, (d - 1) * n * n, work, cov, 0, n, n);
    for (int i = 0; i < n * n; i++) cov[i] += q[i];
    Symmetric.symmetrize(cov, 0, n);
    return new double[][] {mean, cov};
  }

  private static void copy(double[] from, double[] to, int offset, int length) {
    System.arraycopy(from, 0, to, offset, length);
  }

  /** One trajectory's arrays over all its steps, and its diffuse period. */
  private static final class Start {
    final StepParameters params;
    final double[] fm;
    final double[] fc;
    final double[] pm;
    final double[] pc;
    final double[] sm;
    final double[] sc;
    final double[] cross;
    DiffusePeriod period;

    Start(StepParameters params, int steps, int n, boolean predictions, boolean smooth, boolean cross) {
      this.params = params;
      int nn = n * n;
      fm = new double[steps * n];
      fc = new double[steps * nn];
      pm = predictions ? new double[steps * n] : null;
      pc = predictions ? new double[steps * nn] : null;
      sm = smooth ? new double[steps * n] : null;
      sc = smooth ? new double[steps * nn] : null;
      this.cross = cross ? new double[Math.max(0, steps - 1) * nn] : null;
    }
  }

  /**
   * The model for the rests: the base model's steps with each rest's own prior (the prediction from its diffuse
   * period). Its priors differ by trajectory, so it declares no shared step form and no time-invariant steps: the
   * lanes bind it step by step (the generic lane binding, slower than a constant form's). Only for the trajectories it
   * was made with.
   */
  private static final class PriorPerTrajectory implements StateSpaceModel {
    private static final long serialVersionUID = 1L;
    private final StateSpaceModel base;
    private final transient Map<Trajectory, double[][]> priors;

    PriorPerTrajectory(StateSpaceModel base, Map<Trajectory, double[][]> priors) {
      this.base = base;
      this.priors = priors;
    }

    @Override
    public int stateDim() {
      return base.stateDim();
    }

    @Override
    public int obsDim() {
      return base.obsDim();
    }

    @Override
    public int inputDim() {
      return base.inputDim();
    }

    @Override
    public boolean usesTimeGaps() {
      return base.usesTimeGaps();
    }

    @Override
    public StepForm stepForm() {
      return new StepForm.PerStep();
    }

    @Override
    public StepParameters bind(Trajectory trajectory) {
      double[][] prior = priors.get(trajectory);
      if (prior == null) throw new IllegalArgumentException("trajectory '" + trajectory.id() + "' has no hand-over prior");
      return new io.statespace.model.StepsFrom(base.bind(trajectory), 0, prior);
    }
  }
}
