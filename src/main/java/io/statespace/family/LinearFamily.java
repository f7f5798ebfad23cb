package io.statespace.family;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.statespace.learn.LinearParameterization;
import io.statespace.learn.Parameterization;
import io.statespace.model.LinearModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.CovarianceCheck;
import io.statespace.model.spec.ModelSpecException;
import io.statespace.model.spec.SpecBlocks;
import io.statespace.model.spec.SpecNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The explicit {@code linear} family ({@link LinearModel}): keys {@code state_dim}, {@code obs_dim},
 * {@code dynamics} and {@code emissions} ({@code weights}, {@code bias}, {@code cov},
 * {@code input_weights}); fitted by {@link LinearParameterization}, and the one family EM can fit.
 */
final class LinearFamily implements Family {
  @Override
  public String name() {
    return "linear";
  }

  @Override
  public boolean owns(StateSpaceModel model) {
    return model instanceof LinearModel;
  }

  @Override
  public LinearModel parse(SpecNode top) {
    top.allowOnly(SpecBlocks.keys("state_dim", "obs_dim", "dynamics", "emissions"));
    int n = SpecBlocks.positiveInt(top, "state_dim");
    int m = SpecBlocks.positiveInt(top, "obs_dim");
    int p = SpecBlocks.inputCount(top);
    double[][] initial = SpecBlocks.initial(top, n);
    SpecNode dyn = top.object("dynamics");
    dyn.allowOnly(Set.of("weights", "bias", "cov", "input_weights"));
    SpecNode em = top.object("emissions");
    em.allowOnly(Set.of("weights", "bias", "cov", "input_weights"));
    double[] f = dyn.get("weights").matrix(n, n);
    double[] b = dyn.has("bias") ? dyn.get("bias").vector(n) : null;
    double[] q = dyn.get("cov").matrix(n, n);
    CovarianceCheck.check("dynamics.cov", q, n, false);
    double[] h = em.get("weights").matrix(m, n);
    double[] d = em.has("bias") ? em.get("bias").vector(m) : null;
    double[] r = em.get("cov").matrix(m, m);
    CovarianceCheck.check("emissions.cov", r, m, true);
    double[] bu = inputWeights(dyn, n, p);
    double[] du = inputWeights(em, m, p);
    return new LinearModel(n, m, p, initial[0], initial[1], f, b, bu, q, h, d, du, r);
  }

  private static double[] inputWeights(SpecNode block, int rows, int p) {
    if (!block.has("input_weights")) return null;
    if (p == 0) {
      throw new ModelSpecException(block.path() + ".input_weights", "given, but columns.inputs names no input columns");
    }
    return block.get("input_weights").matrix(rows, p);
  }

  @Override
  public void write(StateSpaceModel model, ObjectNode root) {
    LinearModel lm = (LinearModel) model;
    int n = lm.stateDim();
    int m = lm.obsDim();
    int p = lm.inputDim();
    root.put("state_dim", n);
    root.put("obs_dim", m);
    SpecBlocks.writeInitial(root, lm.initialMean(), lm.initialCov(), n);
    ObjectNode dyn = root.putObject("dynamics");
    SpecBlocks.matrix(dyn.putArray("weights"), lm.dynamicsWeights(), n, n);
    SpecBlocks.vector(dyn.putArray("bias"), lm.dynamicsBias());
    SpecBlocks.matrix(dyn.putArray("cov"), lm.dynamicsCov(), n, n);
    if (p > 0) SpecBlocks.matrix(dyn.putArray("input_weights"), lm.dynamicsInputWeights(), n, p);
    ObjectNode em = root.putObject("emissions");
    SpecBlocks.matrix(em.putArray("weights"), lm.emissionsWeights(), m, n);
    SpecBlocks.vector(em.putArray("bias"), lm.emissionsBias());
    SpecBlocks.matrix(em.putArray("cov"), lm.emissionsCov(), m, m);
    if (p > 0) SpecBlocks.matrix(em.putArray("input_weights"), lm.emissionsInputWeights(), m, p);
  }

  @Override
  public List<String> parameterNames(StateSpaceModel model) {
    List<String> names = new ArrayList<>(List.of("initial.mean", "initial.cov"));
    for (String block : new String[] {"dynamics", "emissions"}) {
      names.add(block + ".weights");
      names.add(block + ".bias");
      names.add(block + ".cov");
      if (model.inputDim() > 0) names.add(block + ".input_weights");
    }
    return names;
  }

  @Override
  public Parameterization parameterization(StateSpaceModel model, List<String> free) {
    return new LinearParameterization((LinearModel) model, free);
  }

  @Override
  public io.statespace.learn.ExpectationMaximization expectationMaximization(Parameterization parameterization) {
    return new io.statespace.learn.LinearExpectationMaximization((io.statespace.learn.LinearParameterization) parameterization);
  }

  @Override
  public Optional<String> refusal(Capability capability, StateSpaceModel model) {
    return capability == Capability.EM ? Optional.empty() : Family.super.refusal(capability, model);
  }
}
