package io.statespace.family;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.statespace.learn.ConstantVelocityExpectationMaximization;
import io.statespace.learn.ConstantVelocityParameterization;
import io.statespace.learn.ExpectationMaximization;
import io.statespace.learn.Parameterization;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.ModelSpecException;
import io.statespace.model.spec.SpecBlocks;
import io.statespace.model.spec.SpecNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The {@code constant-velocity} family ({@link ConstantVelocityModel}, fitted by
 * {@link ConstantVelocityParameterization}): keys {@code spatial_dims}, {@code dt}, {@code noise} with its
 * level {@code q} (continuous) or {@code std_acc} (piecewise), {@code measurement_std} (one number or one per
 * axis).
 */
public final class ConstantVelocityFamily implements Family {
  ConstantVelocityFamily() {}

  @Override
  public String name() {
    return "constant-velocity";
  }

  @Override
  public boolean owns(StateSpaceModel model) {
    return model instanceof ConstantVelocityModel;
  }

  /** A constant-velocity model, or an IllegalArgumentException naming what was expected. */
  static ConstantVelocityModel cast(StateSpaceModel model) {
    if (!(model instanceof ConstantVelocityModel)) throw new IllegalArgumentException("expected a constant-velocity model");
    return (ConstantVelocityModel) model;
  }

  @Override
  public ConstantVelocityModel parse(SpecNode top) {
    ConstantVelocityModel.Noise[] forms = ConstantVelocityModel.Noise.values();
    List<String> own = new ArrayList<>(List.of("spatial_dims", "dt", "noise", "measurement_std"));
    for (ConstantVelocityModel.Noise form : forms) own.add(form.levelKey());
    top.allowOnly(SpecBlocks.keys(own.toArray(new String[0])));
    int dims = top.get("spatial_dims").integer();
    if (dims < 1 || dims > 3) throw new ModelSpecException("spatial_dims", "must be 1, 2 or 3, got " + dims);
    double dt = SpecBlocks.optionalDt(top);
    String noiseName = top.has("noise") ? top.get("noise").text() : ConstantVelocityModel.Noise.CONTINUOUS.key();
    ConstantVelocityModel.Noise noise = null;
    for (ConstantVelocityModel.Noise form : forms) {
      if (form.key().equals(noiseName)) noise = form;
    }
    if (noise == null) throw new ModelSpecException("noise", "must be \"continuous\" or \"piecewise\", got \"" + noiseName + "\"");
    for (ConstantVelocityModel.Noise other : forms) {
      if (other != noise && top.has(other.levelKey())) {
        throw new ModelSpecException(other.levelKey(), "only with \"noise\": \"" + other.key() + "\" (use "
            + noise.levelKey() + ")");
      }
    }
    double level = SpecBlocks.nonNegative(top, noise.levelKey());
    SpecNode stdNode = top.get("measurement_std");
    double[] std;
    if (stdNode.isArray()) {
      std = stdNode.vector(dims);
    } else {
      std = new double[dims];
      Arrays.fill(std, stdNode.number());
    }
    for (int i = 0; i < dims; i++) {
      if (!(std[i] > 0)) throw new ModelSpecException("measurement_std[" + i + "]", "must be positive, got " + std[i]);
    }
    SpecBlocks.noInputs(top, name());
    double[][] initial = SpecBlocks.initial(top, 2 * dims);
    return new ConstantVelocityModel(dims, dt, noise, level, std, initial[0], initial[1]);
  }

  @Override
  public void write(StateSpaceModel model, ObjectNode root) {
    ConstantVelocityModel cv = cast(model);
    root.put("spatial_dims", cv.spatialDims());
    if (cv.hasFixedDt()) root.put("dt", cv.fixedDt());
    root.put("noise", cv.noise().key());
    root.put(cv.noise().levelKey(), cv.noiseLevel());
    SpecBlocks.vector(root.putArray("measurement_std"), cv.measurementStd());
    SpecBlocks.writeInitial(root, cv.initialMean(), cv.initialCov(), cv.stateDim());
  }

  @Override
  public List<String> parameterNames(StateSpaceModel model) {
    ConstantVelocityModel cv = cast(model);
    List<String> names = new ArrayList<>(List.of("initial.mean", "initial.cov"));
    if (cv.hasFixedDt()) names.add("dt");
    names.add(cv.noise().levelKey());
    names.add("measurement_std");
    for (int i = 0; i < cv.spatialDims(); i++) names.add("measurement_std[" + i + "]");
    return names;
  }

  @Override
  public Parameterization parameterization(StateSpaceModel model, List<String> free) {
    return new ConstantVelocityParameterization(cast(model), free);
  }

  /** EM for every free set but one with {@code dt} ({@link ConstantVelocityExpectationMaximization}). */
  @Override
  public Optional<String> refusal(Capability capability, StateSpaceModel model, List<String> free) {
    if (capability == Capability.EM && free.contains("dt")) return Optional.of(ConstantVelocityExpectationMaximization.REFUSAL_DT);
    return refusal(capability, model);
  }

  @Override
  public Optional<String> refusal(Capability capability, StateSpaceModel model) {
    return capability == Capability.EM ? Optional.empty() : Family.super.refusal(capability, model);
  }

  @Override
  public ExpectationMaximization expectationMaximization(Parameterization parameterization) {
    return new ConstantVelocityExpectationMaximization((ConstantVelocityParameterization) parameterization);
  }

  @Override
  public double fixedDt(StateSpaceModel model) {
    return cast(model).fixedDt();
  }

  /**
   * The 2-D constant-velocity model the projectile scenario reads dt and measurement_std from, or an
   * IllegalArgumentException saying it needs one.
   */
  public static ConstantVelocityModel planar(StateSpaceModel model) {
    if (!(model instanceof ConstantVelocityModel) || model.obsDim() != 2) {
      throw new IllegalArgumentException("needs a 2-D constant-velocity model file (for dt, measurement_std and columns)");
    }
    return (ConstantVelocityModel) model;
  }
}
