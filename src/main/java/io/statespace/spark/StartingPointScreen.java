package io.statespace.spark;

import io.statespace.learn.LossAccumulator;
import io.statespace.learn.LossEvaluator;
import io.statespace.learn.LossFunction;
import io.statespace.model.spec.Columns;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Locale;

/**
 * The fit's per-trajectory check at the starting point: while the blocks are assembled, each trajectory's
 * loss and gradient are evaluated at the starting θ (epoch 0), and a trajectory whose filter fails
 * ({@link RejectReason#INFERENCE_FAILED}) or whose loss or gradient is not finite
 * ({@link RejectReason#NONFINITE_LOSS}, e.g. observations of 1e200 that overflow) goes to quarantine with
 * all its rows instead of into the cached blocks. One trajectory can then no longer make the whole sum
 * NaN, and the optimiser fits the rest.
 */
final class StartingPointScreen implements Serializable {
  private static final long serialVersionUID = 1L;

  private final LossFunction loss;
  private final double[] theta;
  private final Columns columns;

  StartingPointScreen(LossFunction loss, double[] theta, Columns columns) {
    this.loss = loss;
    this.theta = theta.clone();
    this.columns = columns;
  }

  /** A checker for one partition (it holds the evaluator's scratch space): not shared between threads. */
  Checker open() {
    return new Checker(loss.evaluator(theta, 0L));
  }

  /** Checks trajectories one at a time. */
  final class Checker {
    private final LossEvaluator evaluator;

    private Checker(LossEvaluator evaluator) {
      this.evaluator = evaluator;
    }

    /**
     * True when the trajectory may be fitted; otherwise every one of its rows goes to {@code rejects}
     * and the trajectory is left out.
     */
    boolean admit(AssembledTrajectory t, TrajectoryAssembler.Rejects rejects) {
      LossAccumulator acc = loss.zero();
      evaluator.add(t.trajectory, acc);
      RejectReason reason;
      String message;
      if (acc.failures() > 0) {
        reason = RejectReason.INFERENCE_FAILED;
        message = "the filter failed at the starting parameters: " + acc.firstFailure();
      } else {
        double[] gradient = acc.gradient();
        boolean finiteGradient = Arrays.stream(gradient).allMatch(Double::isFinite);
        if (Double.isFinite(acc.sum()) && finiteGradient) return true;
        reason = RejectReason.NONFINITE_LOSS;
        message = String.format(Locale.ROOT, "trajectory '%s': the %s is not finite at the starting parameters "
            + "(loss %s, gradient %s); left out of the fit", t.trajectory.id(), "loss" + (finiteGradient ? "" : " or its gradient"),
            acc.sum(), finiteGradient ? "finite" : "not finite");
      }
      for (int k = 0; k < t.length(); k++) {
        rejects.reject(t.id, t.timeValues[k], reason, message, t.render(columns, k));
      }
      return false;
    }
  }
}
