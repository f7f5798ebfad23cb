package io.statespace.learn;

import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.LinearModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.ModelSpec;
import java.util.List;

/** Builds the {@link Parameterization} of a model family from a model file or an explicit free list. */
public final class Parameterizations {
  private Parameterizations() {}

  /** The parameterisation of the file's model with its {@code fit.free} parameters free. */
  public static Parameterization of(ModelSpec spec) {
    return of(spec.model(), spec.fit().free());
  }

  /**
   * The parameterisation of {@code model} with the named parameters free (model-file spelling, see
   * {@link #parameterNames}) and everything else frozen.
   *
   * @throws IllegalArgumentException for an unknown name, a model of no fittable family, or a free
   *     parameter whose starting value has no unconstrained coordinates (a zero variance, say)
   */
  public static Parameterization of(StateSpaceModel model, List<String> free) {
    if (model instanceof LinearModel) return new LinearParameterization((LinearModel) model, free);
    if (model instanceof ConstantVelocityModel) {
      return new ConstantVelocityParameterization((ConstantVelocityModel) model, free);
    }
    throw new IllegalArgumentException("no parameterisation for " + model.getClass().getName());
  }

  /** The names {@code fit.free} may list for this model: the model-file validator's list. */
  public static List<String> parameterNames(StateSpaceModel model) {
    return ModelSpec.parameterNames(model);
  }
}
