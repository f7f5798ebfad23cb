package io.statespace.inference.sequential;

import io.statespace.data.Trajectory;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.SmoothingEngine;
import io.statespace.inference.diffuse.DiffuseFilter;
import io.statespace.inference.diffuse.DiffusePeriod;
import io.statespace.inference.diffuse.DiffuseSmoother;
import io.statespace.model.DiffusePrior;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepParameters;

/**
 * The float64 reference engine: {@link KalmanFilter} then {@link RtsSmoother}, one step after another; a
 * model with a diffuse prior takes the exact diffuse filter and smoother over its diffuse period
 * ({@link DiffuseFilter}, {@link DiffuseSmoother}) and the ordinary ones after it.
 * Reuses its scratch space while the model dimensions stay the same; one instance per thread.
 */
public final class SequentialEngine implements SmoothingEngine {
  private KalmanFilter filter;
  private RtsSmoother smoother;
  private DiffuseFilter diffuseFilter;
  private DiffuseSmoother diffuseSmoother;
  private int n = -1;
  private int m = -1;

  private void ensure(StateSpaceModel model) {
    if (model.stateDim() != n || model.obsDim() != m) {
      n = model.stateDim();
      m = model.obsDim();
      filter = new KalmanFilter(n, m);
      smoother = new RtsSmoother(n);
      diffuseFilter = new DiffuseFilter(n, m);
      diffuseSmoother = new DiffuseSmoother(n);
    }
  }

  @Override
  public Posterior filter(StateSpaceModel model, Trajectory trajectory, Outputs outputs) {
    return run(model, trajectory, outputs, false);
  }

  @Override
  public Posterior smooth(StateSpaceModel model, Trajectory trajectory, Outputs outputs) {
    return run(model, trajectory, outputs, true);
  }

  private Posterior run(StateSpaceModel model, Trajectory trajectory, Outputs outputs, boolean smooth) {
    ensure(model);
    StepParameters params = model.bind(trajectory);
    int steps = trajectory.length();
    if (steps == 0) {
      throw new IllegalArgumentException("trajectory '" + trajectory.id() + "' has no steps");
    }
    double[] fm = new double[steps * n];
    double[] fc = new double[steps * n * n];
    double[] pm = outputs.predictions() ? new double[steps * n] : null;
    double[] pc = outputs.predictions() ? new double[steps * n * n] : null;
    DiffusePeriod period = null;
    double logLik;
    if (DiffusePrior.isDiffuse(model)) {
      period = diffuseFilter.run(params, trajectory.id(), trajectory.observations(), steps, fm, fc, pm, pc);
      logLik = period.logLikelihood();
      if (period.length() < steps) {
        logLik += filter.runFrom(params, trajectory.id(), trajectory.observations(), period.length(), steps, fm, fc, pm, pc);
      }
    } else {
      logLik = filter.run(params, trajectory.id(), trajectory.observations(), steps, fm, fc, pm, pc);
    }
    if (!smooth) {
      return diffuseSteps(new Posterior(steps, n, logLik, fm, fc, pm, pc, null, null, null), period);
    }
    double[] sm = new double[steps * n];
    double[] sc = new double[steps * n * n];
    double[] cross = outputs.crossCovariances() ? new double[Math.max(0, steps - 1) * n * n] : null;
    if (period == null) {
      smoother.run(params, trajectory.id(), steps, fm, fc, sm, sc, cross);
    } else {
      smoother.run(params, trajectory.id(), steps, period.length(), fm, fc, sm, sc, cross);
      diffuseSmoother.run(params, trajectory.id(), steps, period, fm, fc, sm, sc, cross);
    }
    return diffuseSteps(new Posterior(steps, n, logLik, fm, fc, pm, pc, sm, sc, cross), period);
  }

  private static Posterior diffuseSteps(Posterior posterior, DiffusePeriod period) {
    return period == null ? posterior : posterior.withDiffuseSteps(period.length());
  }
}
