package io.statespace.model.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.statespace.model.DiffusePrior;
import java.util.Arrays;
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

  /**
   * {@code initial.mean} (n) and {@code initial.cov} (n×n, positive semi-definite), or with
   * {@code initial.diffuse} the exact diffuse prior ({@link DiffusePrior}): {@code true} makes every component
   * diffuse (mean and cov are then omitted), a list of component indices makes those diffuse, and mean and cov
   * are then sized for the remaining components, in order.
   *
   * @return {mean (n), cov (n×n)}, a diffuse component marked as {@link DiffusePrior} describes
   */
  public static double[][] initial(SpecNode top, int n) {
    SpecNode init = top.object("initial");
    init.allowOnly(Set.of("mean", "cov", "diffuse"));
    boolean[] diffuse = diffuseComponents(init, n);
    int[] proper = DiffusePrior.properIndices(diffuse);
    int k = proper.length;
    if (k == 0) {
      for (String key : new String[] {"mean", "cov"}) {
        if (init.has(key)) {
          throw new ModelSpecException(init.path() + "." + key, "every component is diffuse (initial.diffuse): omit it");
        }
      }
      return DiffusePrior.assemble(diffuse, new double[0], new double[0]);
    }
    double[] mean = init.get("mean").vector(k);
    double[] cov = init.get("cov").matrix(k, k);
    CovarianceCheck.check("initial.cov", cov, k, false);
    return DiffusePrior.assemble(diffuse, mean, cov);
  }

  /** {@code initial.diffuse}: absent or false (none), true (all) or a list of distinct indices below n. */
  private static boolean[] diffuseComponents(SpecNode init, int n) {
    boolean[] out = new boolean[n];
    if (!init.has("diffuse")) return out;
    SpecNode node = init.get("diffuse");
    JsonNode json = node.json();
    if (json.isBoolean()) {
      if (json.booleanValue()) Arrays.fill(out, true);
      return out;
    }
    if (!json.isArray() || json.size() == 0) {
      throw new ModelSpecException(node.path(), "expected true, false or a non-empty array of state component indices (0.."
          + (n - 1) + ")");
    }
    for (int i = 0; i < json.size(); i++) {
      JsonNode item = json.get(i);
      String where = node.path() + "[" + i + "]";
      if (!item.isIntegralNumber()) throw new ModelSpecException(where, "expected a state component index, got " + item);
      int index = item.asInt();
      if (index < 0 || index >= n) {
        throw new ModelSpecException(where, "component " + index + " is out of range (the state has " + n + " components)");
      }
      if (out[index]) throw new ModelSpecException(where, "component " + index + " is listed twice");
      out[index] = true;
    }
    return out;
  }

  /**
   * Writes {@code initial}: mean and cov, or for a diffuse prior {@code diffuse} (true, or the indices) with the
   * mean and cov of the remaining components.
   */
  public static void writeInitial(ObjectNode root, double[] mean, double[] cov, int n) {
    ObjectNode init = root.putObject("initial");
    boolean[] diffuse = DiffusePrior.components(cov, n);
    int[] proper = DiffusePrior.properIndices(diffuse);
    if (proper.length == 0) {
      init.put("diffuse", true);
      return;
    }
    if (proper.length < n) {
      ArrayNode indices = init.putArray("diffuse");
      for (int i = 0; i < n; i++) {
        if (diffuse[i]) indices.add(i);
      }
    }
    vector(init.putArray("mean"), DiffusePrior.restrict(mean, proper));
    matrix(init.putArray("cov"), DiffusePrior.restrict(cov, n, proper), proper.length, proper.length);
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
