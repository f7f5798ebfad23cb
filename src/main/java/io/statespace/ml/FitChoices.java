package io.statespace.ml;

import io.statespace.family.Families;
import io.statespace.family.Family;
import io.statespace.learn.LossFunction;
import io.statespace.learn.StopRules;
import io.statespace.model.spec.FitSpec;
import io.statespace.model.spec.ModelSpec;
import io.statespace.spark.FitSettings;
import java.util.Arrays;
import java.util.Locale;

/**
 * The estimator's parameters as the fit job's {@link FitSettings}, with the checks of {@code fit}'s options
 * (the same rules, named by parameter): free parameters the family knows, EM only for the likelihood of a
 * family with closed-form M-steps, dropout and feedback only with the prediction loss, and EM's E-step engine.
 */
final class FitChoices {
  private FitChoices() {}

  static FitSettings settings(StateSpaceEstimator e, ModelSpec spec, FitSettings.Paths paths) {
    if (e.isDefined(e.free())) spec = new ModelSpec(spec.model(), spec.columns(), new FitSpec(Arrays.asList(e.getFree())), spec.description());
    if (spec.fit().free().isEmpty()) throw new IllegalArgumentException("free: no free parameters (list them in the model file's fit.free or with setFree)");
    try {
      Families.parameterization(spec);
    } catch (IllegalArgumentException ex) {
      throw new IllegalArgumentException((e.isDefined(e.free()) ? "free: " : "fit.free: ") + ex.getMessage(), ex);
    }
    LossFunction.Kind loss = e.getLoss().equals("nll") ? LossFunction.Kind.NEGATIVE_LOG_LIKELIHOOD : LossFunction.Kind.PREDICTION;
    FitSettings.Method method = FitSettings.Method.valueOf(e.getOptimizer().toUpperCase(Locale.ROOT));
    if (method == FitSettings.Method.EM) {
      Families.refusal(spec, Family.Capability.EM).ifPresent(r -> {
        throw new IllegalArgumentException("optimizer em: " + r);
      });
      if (loss != LossFunction.Kind.NEGATIVE_LOG_LIKELIHOOD) throw new IllegalArgumentException("optimizer em: maximises the likelihood; use loss nll");
    }
    if (e.getDropout() > 0 && loss != LossFunction.Kind.PREDICTION) throw new IllegalArgumentException("dropout: only with loss prediction");
    if (e.getFeedback() && loss != LossFunction.Kind.PREDICTION) throw new IllegalArgumentException("feedback: only with loss prediction");
    return new FitSettings(paths, spec, new FitSettings.Objective(loss, e.getDropout(), e.getSeed(), e.getFeedback()),
        new FitSettings.Search(method, new StopRules(e.getMaxIter(), e.getTol(), e.getRelativeTol()), e.getLearningRate(),
            smoother(method, e.getFitEngine())),
        new FitSettings.Extras(false, e.getStandardErrors(), e.getCurvature(), false, io.statespace.spark.QuarantineLimit.NONE,
            io.statespace.learn.StandardErrors.Kind.of(e.getStandardErrorsMethod())));
  }

  /** fit --engine: EM's E-step smoother (auto = batched); the gradient-based optimisers use the adjoint sequential filter. */
  private static FitSettings.Smoother smoother(FitSettings.Method method, String engine) {
    if (method == FitSettings.Method.EM) {
      return engine.equals("sequential") ? FitSettings.Smoother.SEQUENTIAL : FitSettings.Smoother.BATCHED;
    }
    if (engine.equals("batched")) {
      throw new IllegalArgumentException("fitEngine batched: no effect with optimizer " + method.key + ", which evaluates the loss "
          + "and its exact gradient with the adjoint sequential filter (fitEngine chooses EM's E-step only); leave it at auto");
    }
    return FitSettings.Smoother.SEQUENTIAL;
  }
}
