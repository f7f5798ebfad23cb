package io.statespace.model.spec;

import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.LinearModel;
import io.statespace.model.StateSpaceModel;
import java.util.LinkedHashSet;
import java.util.Set;

/** The model families a file may name, their keys and their fittable parameter names. */
final class Families {
  static final String LINEAR = "linear";
  static final String CONSTANT_VELOCITY = "constant-velocity";

  private static final Set<String> COMMON_KEYS = Set.of("family", "columns", "initial", "fit", "description");

  private Families() {}

  static StateSpaceModel parse(String family, SpecNode top) {
    switch (family) {
      case LINEAR:
        return parseLinear(top);
      case CONSTANT_VELOCITY:
        return parseConstantVelocity(top);
      default:
        throw new ModelSpecException("family", "unknown family '" + family + "' (known: " + LINEAR + ", "
            + CONSTANT_VELOCITY + ")");
    }
  }

  static String familyOf(StateSpaceModel model) {
    if (model instanceof LinearModel) return LINEAR;
    if (model instanceof ConstantVelocityModel) return CONSTANT_VELOCITY;
    throw new IllegalArgumentException("no model-file family for " + model.getClass().getName());
  }

  private static Set<String> keys(String... extra) {
    Set<String> all = new LinkedHashSet<>(COMMON_KEYS);
    all.addAll(Set.of(extra));
    return all;
  }

  private static int positiveInt(SpecNode top, String key) {
    int v = top.get(key).integer();
    if (v < 1) throw new ModelSpecException(key, "must be at least 1, got " + v);
    return v;
  }

  private static LinearModel parseLinear(SpecNode top) {
    top.allowOnly(keys("state_dim", "obs_dim", "dynamics", "emissions"));
    int n = positiveInt(top, "state_dim");
    int m = positiveInt(top, "obs_dim");
    int p = top.has("columns") && top.object("columns").has("inputs") ? top.object("columns").get("inputs").strings().size() : 0;
    double[][] initial = parseInitial(top, n);
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

  private static double[][] parseInitial(SpecNode top, int n) {
    SpecNode init = top.object("initial");
    init.allowOnly(Set.of("mean", "cov"));
    double[] mean = init.get("mean").vector(n);
    double[] cov = init.get("cov").matrix(n, n);
    CovarianceCheck.check("initial.cov", cov, n, false);
    return new double[][] {mean, cov};
  }

  private static ConstantVelocityModel parseConstantVelocity(SpecNode top) {
    top.allowOnly(keys("spatial_dims", "dt", "noise", "q", "std_acc", "measurement_std"));
    int dims = top.get("spatial_dims").integer();
    if (dims < 1 || dims > 3) throw new ModelSpecException("spatial_dims", "must be 1, 2 or 3, got " + dims);
    double dt = Double.NaN;
    if (top.has("dt")) {
      dt = top.get("dt").number();
      if (dt < 0) throw new ModelSpecException("dt", "must not be negative, got " + dt);
    }
    String noiseName = top.has("noise") ? top.get("noise").text() : "continuous";
    ConstantVelocityModel.Noise noise;
    double level;
    if (noiseName.equals("continuous")) {
      noise = ConstantVelocityModel.Noise.CONTINUOUS;
      if (top.has("std_acc")) throw new ModelSpecException("std_acc", "only with \"noise\": \"piecewise\" (use q)");
      level = nonNegative(top, "q");
    } else if (noiseName.equals("piecewise")) {
      noise = ConstantVelocityModel.Noise.PIECEWISE;
      if (top.has("q")) throw new ModelSpecException("q", "only with \"noise\": \"continuous\" (use std_acc)");
      level = nonNegative(top, "std_acc");
    } else {
      throw new ModelSpecException("noise", "must be \"continuous\" or \"piecewise\", got \"" + noiseName + "\"");
    }
    SpecNode stdNode = top.get("measurement_std");
    double[] std;
    if (stdNode.isArray()) {
      std = stdNode.vector(dims);
    } else {
      std = new double[dims];
      java.util.Arrays.fill(std, stdNode.number());
    }
    for (int i = 0; i < dims; i++) {
      if (!(std[i] > 0)) throw new ModelSpecException("measurement_std[" + i + "]", "must be positive, got " + std[i]);
    }
    if (top.has("columns") && top.object("columns").has("inputs")) {
      throw new ModelSpecException("columns.inputs", "the constant-velocity family takes no inputs");
    }
    double[][] initial = parseInitial(top, 2 * dims);
    return new ConstantVelocityModel(dims, dt, noise, level, std, initial[0], initial[1]);
  }

  private static double nonNegative(SpecNode top, String key) {
    double v = top.get(key).number();
    if (v < 0) throw new ModelSpecException(key, "must not be negative, got " + v);
    return v;
  }

  /** Names a fit may list in {@code fit.free} for this model. */
  static Set<String> parameterNames(StateSpaceModel model) {
    Set<String> names = new LinkedHashSet<>();
    names.add("initial.mean");
    names.add("initial.cov");
    if (model instanceof ConstantVelocityModel) {
      ConstantVelocityModel cv = (ConstantVelocityModel) model;
      if (cv.hasFixedDt()) names.add("dt");
      names.add(cv.noise() == ConstantVelocityModel.Noise.CONTINUOUS ? "q" : "std_acc");
      names.add("measurement_std");
      for (int i = 0; i < cv.spatialDims(); i++) names.add("measurement_std[" + i + "]");
    } else {
      for (String block : new String[] {"dynamics", "emissions"}) {
        names.add(block + ".weights");
        names.add(block + ".bias");
        names.add(block + ".cov");
        if (model.inputDim() > 0) names.add(block + ".input_weights");
      }
    }
    return names;
  }
}
