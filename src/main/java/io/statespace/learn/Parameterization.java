package io.statespace.learn;

import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.ModelSpec;
import java.io.Serializable;
import java.util.List;

/**
 * Unconstrained parameters θ ∈ R^p of a model family with some parameters free and the rest frozen at the
 * model file's values. Positive scalars are optimised in log space and covariances through a Cholesky
 * factor with log diagonal ({@link CovarianceCoordinates}), so every θ is a valid model and optimisers
 * need no constraints. Immutable and serialisable: the Spark driver broadcasts it with θ.
 *
 * <p>Each model family builds its own (the family registry {@code io.statespace.family.Families}, above
 * this package, maps a model file and its {@code fit.free} list to one).
 */
public interface Parameterization extends Serializable {
  /** The model-file family ("linear", "constant-velocity", "local-linear-trend"). */
  String family();

  /** The free names as given (model-file {@code fit.free} spelling). */
  List<String> free();

  /** One name per θ coordinate, e.g. "log q", "dynamics.weights[0][1]", "emissions.cov.log_chol[0][0]". */
  List<String> names();

  /** p, the number of θ coordinates. */
  default int size() {
    return names().size();
  }

  /** θ of the model this parameterisation was built from (the model file's values). */
  double[] initial();

  /**
   * θ of a model of this family whose frozen parts equal the base model's (used by EM, which
   * produces models).
   *
   * @throws IllegalArgumentException when a free covariance is not positive definite or a free positive
   *     scalar is not positive
   */
  double[] theta(StateSpaceModel model);

  /** The model at θ: the family's own model class. */
  StateSpaceModel model(double[] theta);

  /** The model file of the fit at θ: {@code base} with its model replaced (a valid input of smooth). */
  default ModelSpec fittedSpec(ModelSpec base, double[] theta) {
    return base.withModel(model(theta));
  }

  /** Worker-side chain rule from step gradients to dL/dθ at θ (scratch space; one per thread). */
  GradientChain chain(double[] theta);

  /**
   * Names of the natural-unit values of the free parameters, for reports: "q", "measurement_std[1]",
   * "dynamics.cov[1][0]" (covariances by their entries on and below the diagonal).
   */
  List<String> naturalNames();

  /** The natural-unit values at θ, in {@link #naturalNames()} order. */
  double[] natural(double[] theta);

  /** d natural / dθ at θ, naturalNames().size() × p (the delta method for standard errors). */
  double[][] naturalJacobian(double[] theta);
}
