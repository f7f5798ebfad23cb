package io.statespace.learn;

import io.statespace.data.Trajectory;
import io.statespace.inference.InferenceException;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.DiffusePrior;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepParameters;

/**
 * Evaluates a {@link LossFunction} at one θ trajectory by trajectory, adding each trajectory's loss and
 * gradient into a {@link LossAccumulator}. Holds the filter's tape and scratch space (reused across
 * trajectories): one instance per partition and thread, never serialised. In Spark:
 * {@code mapPartitions(it -> { ev = loss.evaluator(θ, epoch); acc = loss.zero(); it.forEachRemaining(t ->
 * ev.add(t, acc)); return acc; }).treeReduce(LossAccumulator::merge)}.
 */
public final class LossEvaluator {
  private final LossFunction loss;
  private final StateSpaceModel model;
  private final GradientChain chain;
  private final long epoch;
  private final AdjointFilter filter;
  private FisherGradient fisher;
  private SequentialEngine engine;
  private byte[] modes = new byte[0];
  private final double[] theta;
  private BlockLossEvaluator lanes;
  private final boolean diffuse;
  private DiffuseLikelihood diffuseLikelihood;

  LossEvaluator(LossFunction loss, double[] theta, long epoch) {
    this.loss = loss;
    this.theta = theta.clone();
    this.model = loss.parameterization().model(theta);
    this.chain = loss.parameterization().chain(theta);
    this.epoch = epoch;
    this.filter = new AdjointFilter(model.stateDim(), model.obsDim());
    this.diffuse = DiffusePrior.isDiffuse(model);
  }

  /** The model at this θ. */
  public StateSpaceModel model() {
    return model;
  }

  /**
   * Adds one trajectory's loss and gradient. A numerical failure (an innovation covariance that is not
   * positive definite at this θ) is recorded in the accumulator, not thrown; wrong dimensions are.
   */
  public void add(Trajectory trajectory, LossAccumulator accumulator) {
    addSequential(trajectory, accumulator);
    accumulator.countEngine(false, false);
  }

  /** {@link #add} without counting the engine (the batched path's small tiles and fallbacks count their own). */
  void addSequential(Trajectory trajectory, LossAccumulator accumulator) {
    StepParameters params = model.bind(trajectory);
    int steps = trajectory.length();
    if (steps == 0) throw new IllegalArgumentException("trajectory '" + trajectory.id() + "' has no steps");
    try {
      double value;
      long components;
      chain.begin(trajectory);
      if (diffuse) {
        if (loss.kind() != LossFunction.Kind.NEGATIVE_LOG_LIKELIHOOD) {
          throw new IllegalArgumentException("--loss " + loss.kind().key() + ": a model with a diffuse initial state "
              + "(initial.diffuse) is fitted by its likelihood only (--loss nll)");
        }
        if (diffuseLikelihood == null) diffuseLikelihood = new DiffuseLikelihood(model.stateDim(), model.obsDim());
        value = diffuseLikelihood.evaluate(params, trajectory.id(), trajectory.observations(), steps, chain);
        components = diffuseLikelihood.scored();
      } else if (loss.kind() == LossFunction.Kind.NEGATIVE_LOG_LIKELIHOOD && loss.gradientMethod() == LossFunction.GradientMethod.FISHER) {
        if (fisher == null) {
          fisher = new FisherGradient(model.stateDim(), model.obsDim());
          engine = new SequentialEngine();
        }
        Posterior posterior = engine.smooth(model, trajectory, Outputs.of(false, true));
        fisher.run(params, trajectory.id(), trajectory.observations(), posterior, chain);
        value = -posterior.logLikelihood();
        components = steps * (long) model.obsDim() - trajectory.missingValues();
      } else if (loss.kind() == LossFunction.Kind.NEGATIVE_LOG_LIKELIHOOD) {
        value = filter.forward(params, trajectory.id(), trajectory.observations(), steps, null, 1.0, 0.0);
        filter.backward(chain);
        components = filter.scored();
      } else {
        value = filter.forward(params, trajectory.id(), trajectory.observations(), steps, dropoutModes(trajectory),
            0.0, 1.0);
        filter.backward(chain);
        components = filter.scored();
      }
      chain.end(accumulator.gradientSums());
      accumulator.addTrajectory(value, steps, components);
    } catch (InferenceException e) {
      accumulator.addFailure(e.getMessage());
    }
  }

  /**
   * Adds every trajectory into the accumulator; returns it. With {@link LossFunction.Engine#BATCHED} the
   * trajectories are evaluated as one block in lockstep lanes ({@link BlockLossEvaluator}).
   */
  public LossAccumulator addAll(Iterable<Trajectory> trajectories, LossAccumulator accumulator) {
    if (loss.engine() != LossFunction.Engine.SEQUENTIAL) {
      java.util.List<Trajectory> block = new java.util.ArrayList<>();
      for (Trajectory t : trajectories) block.add(t);
      if (lanes == null) lanes = new BlockLossEvaluator(this, loss, model, theta);
      lanes.addBlock(block, accumulator);
      return accumulator;
    }
    for (Trajectory t : trajectories) add(t, accumulator);
    return accumulator;
  }

  /** Trajectories evaluated with a shared covariance half so far ({@link BlockLossEvaluator}), for tests. */
  long sharedLanes() {
    return lanes == null ? 0 : lanes.sharedLanes();
  }

  private byte[] dropoutModes(Trajectory trajectory) {
    int steps = trajectory.length();
    if (modes.length < steps) modes = new byte[Math.max(steps, 2 * modes.length)];
    fillModes(loss, trajectory, epoch, modes);
    return modes;
  }

  /** Writes each step's filter mode under the loss's dropout masks of this epoch into {@code into}. */
  static void fillModes(LossFunction loss, Trajectory trajectory, long epoch, byte[] into) {
    DropoutMask mask = loss.dropout();
    long key = mask.key(trajectory.id());
    byte dropped = loss.feedback() ? AdjointFilter.FEEDBACK : AdjointFilter.SKIP;
    for (int t = 0; t < trajectory.length(); t++) into[t] = mask.dropped(key, t, epoch) ? dropped : AdjointFilter.UPDATE;
  }

  long epoch() {
    return epoch;
  }
}
