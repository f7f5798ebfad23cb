package io.statespace.family;

import io.statespace.gpu.ModelPacking;
import io.statespace.gpu.Shapes;
import io.statespace.learn.ExpectationMaximization;
import io.statespace.learn.Parameterization;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepForm;
import io.statespace.model.spec.FamilyFormat;
import java.util.List;
import java.util.Optional;

/**
 * One model family in one place: its model-file block ({@link FamilyFormat}), its fitting parameterisation
 * θ ↔ model with the derivative chain, and what the engines may do with it. The batched engine and the GPU
 * kernels read the family's {@link StepForm} from its model; a family lists itself with one line in
 * {@link Families#ALL}.
 *
 * <p>A new family is one file in this package ({@link LocalLinearTrendFamily} is the example): the family,
 * its {@link StateSpaceModel} (with {@link StateSpaceModel#bind} and, where steps share structure, a
 * {@link StepForm}) and its {@link Parameterization}; plus its line in {@link Families#ALL}. Nothing else
 * names families: the model file, simulate, fit, the batched engine and GPU packing all go through here.
 */
public interface Family extends FamilyFormat {
  /** What an engine or optimiser needs from a family beyond filtering and smoothing. */
  enum Capability {
    /** The batched CPU engine (every family: lanes read {@link StateSpaceModel#bind} when no form is shared). */
    BATCHED,
    /** The GPU kernels (constant step parameters, or constant velocity with dt from the time column). */
    GPU,
    /** Expectation-maximisation (closed-form M-steps). */
    EM
  }

  /**
   * The parameterisation of {@code model} (this family's) with the named parameters free, everything else
   * frozen.
   *
   * @throws IllegalArgumentException for an unknown or repeated name, or a free parameter whose starting
   *     value has no unconstrained coordinates (a zero standard deviation, say)
   */
  Parameterization parameterization(StateSpaceModel model, List<String> free);

  /** The model's fixed step dt, or NaN when dt comes from the time column (or the family has none). */
  default double fixedDt(StateSpaceModel model) {
    return Double.NaN;
  }

  /**
   * Why {@code model} with these free parameters cannot use {@code capability} (one line), or empty: for EM,
   * whether every free parameter has an M-step. By default the answer of {@link #refusal(Capability,
   * StateSpaceModel)}.
   */
  default Optional<String> refusal(Capability capability, StateSpaceModel model, List<String> free) {
    return refusal(capability, model);
  }

  /**
   * The EM of a parameterisation of this family.
   *
   * @throws IllegalArgumentException when the family, or these free parameters, have no EM (see {@link #refusal})
   */
  default ExpectationMaximization expectationMaximization(Parameterization parameterization) {
    throw new IllegalArgumentException("the " + name() + " family has no EM (closed-form M-steps)");
  }

  /**
   * Why {@code model} cannot use {@code capability}, as one line, or empty when it can. The GPU answer is
   * against the shipped kernel shapes.
   */
  default Optional<String> refusal(Capability capability, StateSpaceModel model) {
    switch (capability) {
      case BATCHED:
        return Optional.empty();
      case GPU:
        return Optional.ofNullable(ModelPacking.unsupportedReason(model, Shapes.shipped()))
            .map(reason -> "the " + name() + " family: " + reason);
      case EM:
        return Optional.of("needs the linear family (closed-form M-steps); " + name() + " has none");
      default:
        throw new IllegalArgumentException("unknown capability " + capability);
    }
  }
}
