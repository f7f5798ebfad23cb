package io.statespace.learn;

import io.statespace.model.LinearModel;
import io.statespace.model.StateSpaceModel;

/** EM for the linear family: Shumway &amp; Stoffer's regressions ({@link LinearMomentSums}, {@link MaximizationStep}). */
public final class LinearExpectationMaximization implements ExpectationMaximization {
  private static final long serialVersionUID = 1L;

  private final LinearParameterization parameterization;

  public LinearExpectationMaximization(LinearParameterization parameterization) {
    this.parameterization = parameterization;
  }

  @Override
  public LinearParameterization parameterization() {
    return parameterization;
  }

  @Override
  public EmStatistics zero() {
    return EmStatistics.zero(parameterization);
  }

  @Override
  public MomentSums sums(StateSpaceModel model) {
    return new LinearMomentSums((LinearModel) model);
  }

  @Override
  public double[] maximize(double[] theta, EmStatistics stats) {
    return parameterization.theta(MaximizationStep.apply(parameterization, parameterization.model(theta), stats));
  }
}
