package io.statespace.model.spec;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashSet;
import java.util.Set;

/** The model-file pieces families share: the common keys, checked scalars, {@code initial}, number arrays. */
public final class SpecBlocks {
  /** Top-level keys every family accepts. */
  public static final Set<String> COMMON_KEYS = Set.of("family", "columns", "initial", "fit", "description");

  private SpecBlocks() {}

  /** The common keys plus the family's own. */
  public static Set<String> keys(String... extra) {
    Set<String> all = new LinkedHashSet<>(COMMON_KEYS);
    all.addAll(Set.of(extra));
    return all;
  }

  public static int positiveInt(SpecNode top, String key) {
    int v = top.get(key).integer();
    if (v < 1) throw new ModelSpecException(key, "must be at least 1, got " + v);
    return v;
  }

  public static double nonNegative(SpecNode top, String key) {
    double v = top.get(key).number();
    if (v < 0) throw new ModelSpecException(key, "must not be negative, got " + v);
    return v;
  }

  public static double positive(SpecNode top, String key) {
    double v = top.get(key).number();
    if (!(v > 0) || Double.isInfinite(v)) throw new ModelSpecException(key, "must be positive, got " + v);
    return v;
  }

  /** The optional fixed step {@code dt} (not negative), or NaN when dt comes from the time column. */
  public static double optionalDt(SpecNode top) {
    if (!top.has("dt")) return Double.NaN;
    double dt = top.get("dt").number();
    if (dt < 0) throw new ModelSpecException("dt", "must not be negative, got " + dt);
    return dt;
  }

  /** The number of input columns the file names in {@code columns.inputs}. */
  public static int inputCount(SpecNode top) {
    return top.has("columns") && top.object("columns").has("inputs") ? top.object("columns").get("inputs").strings().size() : 0;
  }

  /** Refuses {@code columns.inputs} for a family without inputs. */
  public static void noInputs(SpecNode top, String family) {
    if (top.has("columns") && top.object("columns").has("inputs")) {
      throw new ModelSpecException("columns.inputs", "the " + family + " family takes no inputs");
    }
  }

  /** {@code initial.mean} (n) and {@code initial.cov} (n×n, positive semi-definite). */
  public static double[][] initial(SpecNode top, int n) {
    SpecNode init = top.object("initial");
    init.allowOnly(Set.of("mean", "cov"));
    double[] mean = init.get("mean").vector(n);
    double[] cov = init.get("cov").matrix(n, n);
    CovarianceCheck.check("initial.cov", cov, n, false);
    return new double[][] {mean, cov};
  }

  public static void writeInitial(ObjectNode root, double[] mean, double[] cov, int n) {
    ObjectNode init = root.putObject("initial");
    vector(init.putArray("mean"), mean);
    matrix(init.putArray("cov"), cov, n, n);
  }

  public static void vector(ArrayNode out, double[] v) {
    for (double x : v) out.add(x);
  }

  public static void matrix(ArrayNode out, double[] a, int rows, int cols) {
    for (int i = 0; i < rows; i++) {
      ArrayNode row = out.addArray();
      for (int j = 0; j < cols; j++) row.add(a[i * cols + j]);
    }
  }
}
