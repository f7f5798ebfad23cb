package io.statespace.learn;

import io.statespace.data.Trajectory;
import io.statespace.inference.InferenceException;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.batched.BatchedAdjoint;
import io.statespace.inference.batched.BatchedEngine;
import io.statespace.inference.batched.SharedAdjoint;
import java.util.ArrayList;
import io.statespace.model.StateSpaceModel;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link LossFunction} over a block of trajectories in lockstep lanes. Trajectories that share a covariance
 * recursion (under {@link LossFunction.Engine#BATCHED}: {@link SharedAdjoint#groups}) are evaluated first, group
 * by group, with the covariance half of the forward and reverse pass once per group ({@link SharedAdjoint};
 * docs/ARCHITECTURE.md §7.4). The rest is sorted by length
 * (longest first) and cut into tiles of up to {@link BatchedEngine#DEFAULT_WIDTH} lanes, as even as possible
 * (100 trajectories make tiles of 50 and 50, not 64 and 36, and 70 make 35 and 35, not 64 and a
 * sequential 6), each evaluated by
 * the batched adjoint filter ({@link BatchedAdjoint}), whose per-step gradients go to one
 * {@link GradientChain} per lane. The Fisher-identity gradient takes its moments from the batched smoother
 * instead. A tile of fewer than {@link BatchedEngine#MIN_LOCKSTEP_LANES} lanes (a lone long trajectory) runs
 * through the sequential adjoint, and so does every trajectory of a tile in which some lane's filter failed
 * numerically, so that each failure is recorded exactly as the sequential path records it. A tile's tape
 * is bounded ({@link #TAPE_DOUBLES}): long trajectories get fewer lanes. One instance per thread.
 */
final class BlockLossEvaluator {
  /** The most doubles one tile's tape may hold (32 MiB): lanes × steps × tape doubles per lane-step. */
  static final long TAPE_DOUBLES = 1L << 22;

  static {
    if (BatchedAdjoint.UPDATE != AdjointFilter.UPDATE || BatchedAdjoint.SKIP != AdjointFilter.SKIP
        || BatchedAdjoint.FEEDBACK != AdjointFilter.FEEDBACK) {
      throw new AssertionError("the batched and sequential adjoint filters disagree on the step modes");
    }
  }

  private final LossEvaluator sequential;
  private final LossFunction loss;
  private final StateSpaceModel model;
  private final Parameterization parameterization;
  private final double[] theta;
  private final int width = BatchedEngine.DEFAULT_WIDTH;
  private final BatchedAdjoint adjoint;
  private final GradientChain[] chains;
  private final byte[][] modes;
  private final Trajectory[] lanes;
  private final BatchedAdjoint.Sink sink;
  private SharedAdjoint shared;
  private GradientChain groupChain;
  private SharedAdjoint.Sink groupSink;
  private long sharedLanes;
  private BatchedEngine smoother;
  private FisherGradient fisher;
  private GradientChain fisherChain;

  BlockLossEvaluator(LossEvaluator sequential, LossFunction loss, StateSpaceModel model, double[] theta) {
    this.sequential = sequential;
    this.loss = loss;
    this.model = model;
    this.parameterization = loss.parameterization();
    this.theta = theta;
    this.adjoint = new BatchedAdjoint(model.stateDim(), model.obsDim(), width);
    this.chains = new GradientChain[width];
    this.modes = new byte[width][];
    this.lanes = new Trajectory[width];
    this.sink = new BatchedAdjoint.Sink() {
      @Override
      public void initial(int lane, double[] dMean, double[] dCov) {
        chains[lane].initial(dMean, dCov);
      }

      @Override
      public void dynamics(int lane, int t, double[] dWeights, double[] dBias, double[] dCov) {
        chains[lane].dynamics(t, dWeights, dBias, dCov);
      }

      @Override
      public void emissions(int lane, int t, double[] dWeights, double[] dBias, double[] dCov) {
        chains[lane].emissions(t, dWeights, dBias, dCov);
      }
    };
  }

  /** Adds every trajectory of the block (its loss, gradient and engine) into the accumulator. */
  void addBlock(List<Trajectory> block, LossAccumulator accumulator) {
    if (io.statespace.model.DiffusePrior.isDiffuse(model)) {
      for (Trajectory t : block) sequential.add(t, accumulator);
      return;
    }
    if (loss.kind() == LossFunction.Kind.NEGATIVE_LOG_LIKELIHOOD && loss.gradientMethod() == LossFunction.GradientMethod.FISHER) {
      addFisher(block, accumulator);
      return;
    }
    List<Trajectory> rest = block;
    // A shared group sums its members' gradients in one chain: per-trajectory scores take the per-lane path.
    if (loss.engine() == LossFunction.Engine.BATCHED && !accumulator.scoring()) rest = addGroups(block, accumulator);
    if (rest.isEmpty()) return;
    Trajectory[] sorted = byLengthDescending(rest);
    int perLaneStep = BatchedAdjoint.tapeDoublesPerLaneStep(model.stateDim(), model.obsDim());
    int start = 0;
    while (start < sorted.length) {
      long longest = sorted[start].length();
      int fit = (int) Math.max(1, Math.min(width, TAPE_DOUBLES / (longest * perLaneStep)));
      int remaining = sorted.length - start;
      int tilesLeft = (remaining + fit - 1) / fit;
      int size = (remaining + tilesLeft - 1) / tilesLeft;
      if (size < BatchedEngine.MIN_LOCKSTEP_LANES) {
        for (int l = 0; l < size; l++) {
          sequential.addSequential(sorted[start + l], accumulator);
          accumulator.countEngine(false, false);
        }
      } else {
        addTile(sorted, start, size, accumulator);
      }
      start += size;
    }
  }

  /**
   * Evaluates the groups of the block that share a covariance recursion ({@link SharedAdjoint#groups}, at least
   * {@link BatchedEngine#MIN_SHARED_LANES} of them, with room for {@link BatchedEngine#MIN_LOCKSTEP_LANES}
   * lanes in a tile's tape) with the covariance half once per group; returns the trajectories left over. A
   * group's gradient is chained once, through its first trajectory: exact, since its members share the
   * time gaps and have no inputs, and every chain rule is linear in the step gradients.
   */
  private List<Trajectory> addGroups(List<Trajectory> block, LossAccumulator accumulator) {
    boolean prediction = loss.kind() == LossFunction.Kind.PREDICTION;
    byte[][] blockModes = null;
    if (prediction && loss.dropout().rate() > 0.0) {
      blockModes = new byte[block.size()][];
      for (int i = 0; i < block.size(); i++) {
        blockModes[i] = new byte[block.get(i).length()];
        LossEvaluator.fillModes(loss, block.get(i), sequential.epoch(), blockModes[i]);
      }
    }
    SharedAdjoint.Grouping grouping = SharedAdjoint.groups(model, block, blockModes, BatchedEngine.MIN_SHARED_LANES);
    if (grouping == null || grouping.groups().isEmpty()) return block;
    long perLaneStep = SharedAdjoint.laneTapeDoublesPerStep(model.stateDim(), model.obsDim());
    List<Trajectory> rest = new ArrayList<>(grouping.rest().length);
    for (int i : grouping.rest()) rest.add(block.get(i));
    for (int[] group : grouping.groups()) {
      long steps = block.get(group[0]).length();
      if (steps * perLaneStep * BatchedEngine.MIN_LOCKSTEP_LANES > TAPE_DOUBLES) {
        for (int i : group) rest.add(block.get(i));
        continue;
      }
      Trajectory[] members = new Trajectory[group.length];
      for (int k = 0; k < group.length; k++) members[k] = block.get(group[k]);
      addGroup(members, blockModes == null ? null : blockModes[group[0]], prediction, accumulator);
    }
    return rest;
  }

  private void addGroup(Trajectory[] members, byte[] groupModes, boolean prediction, LossAccumulator accumulator) {
    if (shared == null) {
      shared = new SharedAdjoint(model.stateDim(), model.obsDim(), width, TAPE_DOUBLES);
      groupChain = parameterization.chain(theta);
      groupSink = new SharedAdjoint.Sink() {
        @Override
        public void initial(double[] dMean, double[] dCov) {
          groupChain.initial(dMean, dCov);
        }

        @Override
        public void dynamics(int t, double[] dWeights, double[] dBias, double[] dCov) {
          groupChain.dynamics(t, dWeights, dBias, dCov);
        }

        @Override
        public void emissions(int t, double[] dWeights, double[] dBias, double[] dCov) {
          groupChain.emissions(t, dWeights, dBias, dCov);
        }
      };
    }
    groupChain.begin(members[0]);
    boolean ok = shared.evaluate(model, members, members.length, groupModes, prediction ? 0.0 : 1.0,
        prediction ? 1.0 : 0.0, groupSink);
    if (!ok) {
      for (Trajectory t : members) {
        sequential.addSequential(t, accumulator);
        accumulator.countEngine(false, true);
      }
      return;
    }
    groupChain.end(accumulator.gradientSums());
    for (int l = 0; l < members.length; l++) {
      accumulator.addTrajectory(shared.loss(l), members[l].length(), shared.scored(l));
      accumulator.countEngine(true, false);
    }
    sharedLanes += members.length;
  }

  /** Trajectories this evaluator has evaluated with a shared covariance half, for tests. */
  long sharedLanes() {
    return sharedLanes;
  }

  private void addTile(Trajectory[] sorted, int start, int size, LossAccumulator accumulator) {
    System.arraycopy(sorted, start, lanes, 0, size);
    boolean prediction = loss.kind() == LossFunction.Kind.PREDICTION;
    byte[][] laneModes = null;
    if (prediction && loss.dropout().rate() > 0.0) {
      for (int l = 0; l < size; l++) {
        int steps = lanes[l].length();
        if (modes[l] == null || modes[l].length < steps) modes[l] = new byte[Math.max(steps, 2 * (modes[l] == null ? 0 : modes[l].length))];
        LossEvaluator.fillModes(loss, lanes[l], sequential.epoch(), modes[l]);
      }
      laneModes = modes;
    }
    boolean ok = adjoint.forward(model, lanes, size, laneModes, prediction ? 0.0 : 1.0, prediction ? 1.0 : 0.0);
    if (!ok) {
      for (int l = 0; l < size; l++) {
        sequential.addSequential(lanes[l], accumulator);
        accumulator.countEngine(false, true);
      }
      return;
    }
    for (int l = 0; l < size; l++) {
      if (chains[l] == null) chains[l] = parameterization.chain(theta);
      chains[l].begin(lanes[l]);
    }
    adjoint.backward(sink);
    for (int l = 0; l < size; l++) {
      chains[l].end(accumulator.gradientSums());
      accumulator.addTrajectory(adjoint.loss(l), lanes[l].length(), adjoint.scored(l));
      accumulator.countEngine(true, false);
    }
  }

  /** The Fisher-identity gradient from the batched smoother's moments, trajectory by trajectory. */
  private void addFisher(List<Trajectory> block, LossAccumulator accumulator) {
    if (smoother == null) {
      smoother = new BatchedEngine();
      fisher = new FisherGradient(model.stateDim(), model.obsDim());
      fisherChain = parameterization.chain(theta);
    }
    Posterior[] posteriors;
    try {
      posteriors = smoother.smooth(model, block, Outputs.of(false, true));
    } catch (InferenceException e) {
      for (Trajectory t : block) {
        sequential.addSequential(t, accumulator);
        accumulator.countEngine(false, true);
      }
      return;
    }
    for (int i = 0; i < block.size(); i++) {
      Trajectory t = block.get(i);
      try {
        fisherChain.begin(t);
        fisher.run(model.bind(t), t.id(), t.observations(), posteriors[i], fisherChain);
        fisherChain.end(accumulator.gradientSums());
        accumulator.addTrajectory(-posteriors[i].logLikelihood(), t.length(),
            t.length() * (long) model.obsDim() - t.missingValues());
      } catch (InferenceException e) {
        accumulator.addFailure(e.getMessage());
      }
      accumulator.countEngine(true, false);
    }
  }

  private static Trajectory[] byLengthDescending(List<Trajectory> block) {
    long[] keys = new long[block.size()];
    for (int i = 0; i < keys.length; i++) {
      Trajectory tr = block.get(i);
      if (tr.length() == 0) throw new IllegalArgumentException("trajectory '" + tr.id() + "' has no steps");
      keys[i] = ((long) (Integer.MAX_VALUE - tr.length()) << 32) | i;
    }
    Arrays.sort(keys);
    Trajectory[] out = new Trajectory[keys.length];
    for (int i = 0; i < keys.length; i++) out[i] = block.get((int) keys[i]);
    return out;
  }
}
