package io.statespace.execution;

import io.statespace.data.Trajectory;
import io.statespace.family.Families;
import io.statespace.family.Family;
import io.statespace.gpu.BatchInferenceException;
import io.statespace.gpu.WorkShape;
import io.statespace.inference.InferenceException;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.model.DiffusePrior;
import io.statespace.model.StateSpaceModel;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a block or a lone trajectory on the engine {@link ExecutionPolicy} decides, and owns every fallback:
 * when the batched engine, the parallel scan or a GPU engine fails numerically on a trajectory (an
 * {@link InferenceException}: the parallel scan's covariance-form elements or the batched engine's P⁻ − WᵀW
 * update cancel catastrophically over time gaps of 10^6 s, say), that trajectory is smoothed by the sequential
 * engine, the numerical reference, logged ({@link FallbackLog}) and labelled in its {@link Outcome}. A block
 * engine's failure reruns only the trajectories it did not finish. A trajectory the sequential engine cannot
 * process either is returned as failed, with the reason. Any other exception (an {@link IllegalArgumentException}
 * for an empty trajectory or one of the wrong dimensions, which assembly never makes; a CUDA error) is a
 * bug or an outage, not content, and propagates. One per task; not thread-safe; close it when the task ends.
 */
public final class BlockRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BlockRunner.class);

  private final ExecutionPolicy policy;
  private final TaskDevice device;
  private final Engines engines;
  private final FallbackLog fallbacks = new FallbackLog();
  private final Set<Engine> logged = EnumSet.noneOf(Engine.class);
  private StateSpaceModel checkedModel;
  private String gpuUnsupported;
  private boolean diffuse;

  public BlockRunner(ExecutionPolicy policy, TaskDevice device, GpuEngines gpu) {
    this.policy = policy;
    this.device = device;
    this.engines = new Engines(policy.threads(), gpu);
  }

  /** A runner on the CPU engines only ({@code --backend cpu}). */
  public static BlockRunner cpu(EngineChoice engine, int threads) {
    return new BlockRunner(new ExecutionPolicy(engine, BackendOption.CPU, threads), TaskDevice.none("--backend cpu"),
        GpuEngines.none());
  }

  public ExecutionPolicy policy() {
    return policy;
  }

  /** Fallbacks to the sequential engine so far in this task. */
  public long fallbacks() {
    return fallbacks.count();
  }

  /** Smooths a block that the policy's {@link ExecutionPolicy#joinsBlock} accepted; one outcome per trajectory, in order. */
  public List<Outcome> runBlock(StateSpaceModel model, List<Trajectory> block, Outputs outputs) {
    ExecutionPolicy.Decision d = policy.forBlock(device, shape(model, block));
    if (diffuse) d = ExecutionPolicy.forDiffuse(d);
    note(d);
    return run(d, model, block, outputs);
  }

  /** Smooths a trajectory that goes alone. */
  public Outcome runAlone(StateSpaceModel model, Trajectory trajectory, Outputs outputs) {
    ExecutionPolicy.Decision d = policy.forLone(device, shape(model, List.of(trajectory)));
    if (diffuse) d = ExecutionPolicy.forDiffuse(d);
    note(d);
    if (d.engine() == Engine.SEQUENTIAL_IN_PLACE) {
      try {
        return Outcome.lean(trajectory, engines.inPlace().smooth(model, trajectory));
      } catch (InferenceException e) {
        return Outcome.failed(trajectory, Engine.SEQUENTIAL_IN_PLACE, null, e.getMessage());
      }
    }
    return run(d, model, List.of(trajectory), outputs).get(0);
  }

  private List<Outcome> run(ExecutionPolicy.Decision d, StateSpaceModel model, List<Trajectory> block, Outputs outputs) {
    List<Outcome> out = new ArrayList<>(block.size());
    if (!d.engine().blocks()) {
      for (Trajectory t : block) out.add(runOne(d, model, t, outputs));
      return out;
    }
    Posterior[] posteriors = null;
    Map<Integer, String> failures = Map.of();
    String blockFailure = null;
    try {
      posteriors = engines.block(d.engine(), d.ordinal()).smooth(model, block, outputs);
    } catch (BatchInferenceException e) {
      posteriors = e.partial();
      failures = e.failures();
      blockFailure = e.getMessage();
    } catch (InferenceException e) {
      blockFailure = e.getMessage();
    }
    for (int i = 0; i < block.size(); i++) {
      Trajectory t = block.get(i);
      if (posteriors != null && posteriors[i] != null) {
        out.add(Outcome.smoothed(t, posteriors[i], d.engine(), null));
      } else {
        String own = failures.get(i);
        out.add(fallBack(model, t, outputs, d.engine(), own != null ? own : "its block failed: " + blockFailure));
      }
    }
    return out;
  }

  private Outcome runOne(ExecutionPolicy.Decision d, StateSpaceModel model, Trajectory t, Outputs outputs) {
    try {
      return Outcome.smoothed(t, engines.single(d.engine(), d.ordinal()).smooth(model, t, outputs), d.engine(), null);
    } catch (InferenceException e) {
      if (d.engine() == Engine.SEQUENTIAL) return Outcome.failed(t, Engine.SEQUENTIAL, null, e.getMessage());
      return fallBack(model, t, outputs, d.engine(), e.getMessage());
    }
  }

  /** The sequential engine on a trajectory that {@code failed} could not smooth. */
  private Outcome fallBack(StateSpaceModel model, Trajectory t, Outputs outputs, Engine failed, String reason) {
    fallbacks.record(t.id(), failed, reason);
    try {
      return Outcome.smoothed(t, engines.sequential().smooth(model, t, outputs), Engine.SEQUENTIAL, failed);
    } catch (InferenceException e) {
      return Outcome.failed(t, Engine.SEQUENTIAL, failed, e.getMessage());
    }
  }

  /**
   * The work's shape; the model's GPU capability (its family's answer) is checked once per model, and not at
   * all under --backend cpu.
   */
  private WorkShape shape(StateSpaceModel model, List<Trajectory> block) {
    long max = 0;
    long total = 0;
    for (Trajectory t : block) {
      max = Math.max(max, t.length());
      total += t.length();
    }
    if (model != checkedModel) {
      gpuUnsupported = policy.backend() == BackendOption.CPU ? "not checked under --backend cpu"
          : Families.refusal(model, Family.Capability.GPU).orElse(null);
      diffuse = DiffusePrior.isDiffuse(model);
      checkedModel = model;
    }
    return new WorkShape(block.size(), max, total, model.stateDim(), model.obsDim(), gpuUnsupported);
  }

  /**
   * Logs each engine's first decision in the task, with its reason; a line this executor has already logged (the
   * same decision for the same reason, e.g. no usable GPU, in every task) goes to DEBUG ({@link OncePerJvm}).
   */
  private void note(ExecutionPolicy.Decision d) {
    if (!logged.add(d.engine())) return;
    String line = "execution: " + d.engine().label() + ": " + d.reason();
    if (policy.backend() == BackendOption.CPU || !OncePerJvm.first(line)) {
      LOG.debug(line);
    } else {
      LOG.info(line);
    }
  }

  @Override
  public void close() {
    fallbacks.close();
    engines.close();
  }
}
