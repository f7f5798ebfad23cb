package io.statespace.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code smooth} writes per state row ({@code --covariances}, {@code --no-filtered}): the smoothed mean
 * always; the filtered mean unless {@code filtered} is false; and with each mean its full covariance
 * ({@link Covariances#FULL}, the default and the layout before these options existed), the square roots of
 * its diagonal ({@link Covariances#STD}) or nothing ({@link Covariances#NONE}). The engine stage builds only
 * the arrays named here, so a narrower choice also moves fewer bytes.
 */
public record OutputChoice(Covariances covariances, boolean filtered) implements Serializable {
  /** Today's layout: filtered and smoothed means and full covariances. */
  public static final OutputChoice FULL = new OutputChoice(Covariances.FULL, true);

  /** The uncertainty written with each mean. */
  public enum Covariances {
    /** n×n covariance, row-major. */
    FULL("cov"),
    /** n standard deviations: square roots of the covariance's diagonal. */
    STD("std"),
    /** none. */
    NONE(null);

    private final String suffix;

    Covariances(String suffix) {
      this.suffix = suffix;
    }

    /** The option's value as the user writes it. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public OutputChoice {
    if (covariances == null) throw new IllegalArgumentException("covariances must be full, std or none");
  }

  /**
   * @param covariances {@code --covariances}: full, std or none
   * @param noFiltered {@code --no-filtered}
   * @throws IllegalArgumentException naming the option and the value when the value is none of the three
   */
  public static OutputChoice parse(String covariances, boolean noFiltered) {
    for (Covariances c : Covariances.values()) {
      if (c.label().equals(covariances)) return new OutputChoice(c, !noFiltered);
    }
    throw new IllegalArgumentException("--covariances must be full, std or none, not '" + covariances + "'");
  }

  /** One state array written per the choice. */
  record StateArray(String name, Moment moment, boolean mean) {
    /** Elements in the array for state dimension n. */
    int length(int n) {
      return mean || !name.endsWith("_cov") ? n : n * n;
    }

    /** True for an n×n matrix (flattened to {@code name_i_j} in CSV, else {@code name_i}). */
    boolean matrix() {
      return !mean && name.endsWith("_cov");
    }
  }

  /** Which posterior moment an array is taken from. */
  enum Moment {
    FILTERED,
    SMOOTHED
  }

  /** The state arrays in output order: filtered before smoothed, mean before its uncertainty. */
  List<StateArray> stateArrays() {
    List<StateArray> arrays = new ArrayList<>();
    if (filtered) add(arrays, "filtered", Moment.FILTERED);
    add(arrays, "smoothed", Moment.SMOOTHED);
    return arrays;
  }

  private void add(List<StateArray> arrays, String prefix, Moment moment) {
    arrays.add(new StateArray(prefix + "_mean", moment, true));
    if (covariances.suffix != null) arrays.add(new StateArray(prefix + "_" + covariances.suffix, moment, false));
  }

  /** {@code report}, a report.json object, with this choice added as {@code "outputs"}. */
  String addTo(String report) {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    try {
      Map<String, Object> m = json.readValue(report, new TypeReference<LinkedHashMap<String, Object>>() {});
      Map<String, Object> outputs = new LinkedHashMap<>();
      outputs.put("covariances", covariances.label());
      outputs.put("filtered", filtered);
      m.put("outputs", outputs);
      return json.writeValueAsString(m) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("report.json: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "covariances " + covariances.label() + (filtered ? ", filtered and smoothed moments" : ", smoothed moments only");
  }
}
