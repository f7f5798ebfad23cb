package io.statespace.model.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.LinearModel;
import io.statespace.model.StateSpaceModel;

/** Writes a {@link ModelSpec} back in the model-file format, numbers in full precision. */
final class ModelSpecWriter {
  private ModelSpecWriter() {}

  static String write(ModelSpec spec) {
    ObjectNode root = ModelSpec.JSON.createObjectNode();
    root.put("family", spec.family());
    if (spec.description() != null) root.put("description", spec.description());
    StateSpaceModel model = spec.model();
    if (model instanceof LinearModel) {
      writeLinear((LinearModel) model, root);
    } else {
      writeConstantVelocity((ConstantVelocityModel) model, root);
    }
    ObjectNode cols = root.putObject("columns");
    Columns c = spec.columns();
    cols.put("id", c.id());
    cols.put("time", c.time());
    c.observations().forEach(cols.putArray("observations")::add);
    if (!c.inputs().isEmpty()) c.inputs().forEach(cols.putArray("inputs")::add);
    if (!spec.fit().free().isEmpty()) {
      ArrayNode free = root.putObject("fit").putArray("free");
      spec.fit().free().forEach(free::add);
    }
    DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
        .withObjectIndenter(new DefaultIndenter("  ", "\n"))
        .withArrayIndenter(DefaultPrettyPrinter.NopIndenter.instance);
    try {
      return ModelSpec.JSON.writer(printer).writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void writeLinear(LinearModel lm, ObjectNode root) {
    int n = lm.stateDim();
    int m = lm.obsDim();
    int p = lm.inputDim();
    root.put("state_dim", n);
    root.put("obs_dim", m);
    writeInitial(root, lm.initialMean(), lm.initialCov(), n);
    ObjectNode dyn = root.putObject("dynamics");
    matrix(dyn.putArray("weights"), lm.dynamicsWeights(), n, n);
    vector(dyn.putArray("bias"), lm.dynamicsBias());
    matrix(dyn.putArray("cov"), lm.dynamicsCov(), n, n);
    if (p > 0) matrix(dyn.putArray("input_weights"), lm.dynamicsInputWeights(), n, p);
    ObjectNode em = root.putObject("emissions");
    matrix(em.putArray("weights"), lm.emissionsWeights(), m, n);
    vector(em.putArray("bias"), lm.emissionsBias());
    matrix(em.putArray("cov"), lm.emissionsCov(), m, m);
    if (p > 0) matrix(em.putArray("input_weights"), lm.emissionsInputWeights(), m, p);
  }

  private static void writeConstantVelocity(ConstantVelocityModel cv, ObjectNode root) {
    root.put("spatial_dims", cv.spatialDims());
    if (cv.hasFixedDt()) root.put("dt", cv.fixedDt());
    root.put("noise", cv.noise().key());
    root.put(cv.noise() == ConstantVelocityModel.Noise.CONTINUOUS ? "q" : "std_acc", cv.noiseLevel());
    vector(root.putArray("measurement_std"), cv.measurementStd());
    writeInitial(root, cv.initialMean(), cv.initialCov(), cv.stateDim());
  }

  private static void writeInitial(ObjectNode root, double[] mean, double[] cov, int n) {
    ObjectNode init = root.putObject("initial");
    vector(init.putArray("mean"), mean);
    matrix(init.putArray("cov"), cov, n, n);
  }

  private static void vector(ArrayNode out, double[] v) {
    for (double x : v) out.add(x);
  }

  private static void matrix(ArrayNode out, double[] a, int rows, int cols) {
    for (int i = 0; i < rows; i++) {
      ArrayNode row = out.addArray();
      for (int j = 0; j < cols; j++) row.add(a[i * cols + j]);
    }
  }
}
