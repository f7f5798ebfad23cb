package io.statespace.family;

import io.statespace.learn.Parameterization;
import io.statespace.model.DiffusePrior;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.FamilyCatalog;
import io.statespace.model.spec.ModelSpec;
import io.statespace.model.spec.ModelSpecException;
import java.util.List;
import java.util.Optional;

/**
 * The registry of model families: one line per family in {@link #ALL}. The model-file layer finds it as
 * its {@link FamilyCatalog} (META-INF/services), the fitter, the simulator and engine routing through the
 * static look-ups here.
 */
public final class Families implements FamilyCatalog {
  /** Every family, in the order error messages list them. */
  public static final List<Family> ALL = List.of(
      new LinearFamily(),
      new ConstantVelocityFamily(),
      new LocalLinearTrendFamily(),
      new LocalLevelFamily());

  /** For {@link java.util.ServiceLoader}; the look-ups are static. */
  public Families() {}

  @Override
  public List<Family> families() {
    return ALL;
  }

  /** The family of a model file's {@code "family"} value. */
  public static Family named(String name) {
    for (Family f : ALL) {
      if (f.name().equals(name)) return f;
    }
    throw new ModelSpecException("family", "unknown family '" + name + "'");
  }

  /** The family whose model this is. */
  public static Family of(StateSpaceModel model) {
    for (Family f : ALL) {
      if (f.owns(model)) return f;
    }
    throw new IllegalArgumentException("no model family for " + model.getClass().getName());
  }

  /** The parameterisation of the file's model with its {@code fit.free} parameters free. */
  public static Parameterization parameterization(ModelSpec spec) {
    return parameterization(spec.model(), spec.fit().free());
  }

  /** See {@link Family#parameterization}. */
  public static Parameterization parameterization(StateSpaceModel model, List<String> free) {
    return of(model).parameterization(model, free);
  }

  /**
   * Why the file's model with its {@code fit.free} parameters cannot use {@code capability} (one line), or
   * empty: what {@code fit --optimizer em} consults before Spark starts.
   */
  public static Optional<String> refusal(ModelSpec spec, Family.Capability capability) {
    return of(spec.model()).refusal(capability, spec.model(), spec.fit().free());
  }

  /** The EM of a parameterisation (its family's; see {@link Family#expectationMaximization}). */
  public static io.statespace.learn.ExpectationMaximization expectationMaximization(StateSpaceModel model,
      Parameterization parameterization) {
    return of(model).expectationMaximization(parameterization);
  }

  /**
   * Why {@code model} cannot use {@code capability} (one line naming the family), or empty: what engine
   * and backend routing consult before Spark starts.
   */
  public static Optional<String> refusal(StateSpaceModel model, Family.Capability capability) {
    if (capability != Family.Capability.BATCHED && DiffusePrior.isDiffuse(model)) {
      return Optional.of("the model's initial state is diffuse (initial.diffuse): only the sequential and batched CPU "
          + "engines run the exact diffuse filter" + (capability == Family.Capability.EM ? ", and EM has no diffuse M-step" : ""));
    }
    return of(model).refusal(capability, model);
  }
}
