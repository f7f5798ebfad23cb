package io.statespace.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What {@code smooth} writes per state row ({@code --covariances}, {@code --no-filtered}, {@code --outputs}): the
 * smoothed mean always; the filtered mean unless {@code filtered} is false; and with each mean its full covariance
 * ({@link Covariances#FULL}, the default and the layout before these options existed), the square roots of
 * its diagonal ({@link Covariances#STD}) or nothing ({@link Covariances#NONE}); then the opt-in {@link Extra}s
 * (one-step predictions and innovations, smoothed observations, summary diagnostics). The engine stage builds only
 * the arrays named here, so a narrower choice also moves fewer bytes, and the default computes no extra.
 */
public record OutputChoice(Covariances covariances, boolean filtered, Set<Extra> extras) implements Serializable {
  /** Today's layout: filtered and smoothed means and full covariances. */
  public static final OutputChoice FULL = new OutputChoice(Covariances.FULL, true);

  /** The opt-in outputs of {@code --outputs} (README "Output"), in output order. */
  public enum Extra {
    /** predicted_mean, predicted_cov|std, predicted_obs_mean, predicted_obs_cov|std, innovation, standardized_innovation. */
    PREDICTED,
    /** smoothed_obs_mean, smoothed_obs_std, smoothed_obs_predictive_std. */
    SMOOTHED_OBS,
    /** summary/'s observed, mean_nis, ljung_box, ljung_box_pvalue, ljung_box_lag. */
    DIAGNOSTICS;

    /** The value as the user writes it. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

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
    EnumSet<Extra> copy = EnumSet.noneOf(Extra.class);
    if (extras != null) copy.addAll(extras);
    extras = Collections.unmodifiableSet(copy);
  }

  /** The choice without extras. */
  public OutputChoice(Covariances covariances, boolean filtered) {
    this(covariances, filtered, Set.of());
  }

  /**
   * This choice with the extras of {@code --outputs}: a comma-separated list of predicted, smoothed_obs and
   * diagnostics, in any order and combination (empty: none).
   *
   * @throws IllegalArgumentException naming the option, the unknown value and the known ones
   */
  public OutputChoice withOutputs(String list) {
    EnumSet<Extra> chosen = EnumSet.noneOf(Extra.class);
    chosen.addAll(extras);
    if (list == null || list.isBlank()) return this;
    for (String item : list.split(",", -1)) {
      chosen.add(extra(item.trim()));
    }
    return new OutputChoice(covariances, filtered, chosen);
  }

  /** As {@link #withOutputs(String)} from the ML API's string array. */
  public OutputChoice withOutputs(String[] values) {
    return values == null ? this : withOutputs(String.join(",", values));
  }

  /** This choice with {@code extra} added. */
  public OutputChoice with(Extra extra) {
    EnumSet<Extra> chosen = EnumSet.of(extra);
    chosen.addAll(extras);
    return new OutputChoice(covariances, filtered, chosen);
  }

  private static Extra extra(String value) {
    for (Extra e : Extra.values()) {
      if (e.label().equals(value)) return e;
    }
    throw new IllegalArgumentException("--outputs: unknown value '" + value + "'; must be a comma list of "
        + Stream.of(Extra.values()).map(Extra::label).collect(Collectors.joining(", ")));
  }

  /** True when {@code extra} was asked for. */
  public boolean has(Extra extra) {
    return extras.contains(extra);
  }

  /**
   * True when rows need one-step predictions (predicted arrays, or the diagnostics made from them), which the
   * segmented path does not provide: such trajectories are smoothed in one task.
   */
  public boolean needsPredictions() {
    return has(Extra.PREDICTED) || has(Extra.DIAGNOSTICS);
  }

  /** True when any extra is asked for (the segmented path provides none of them). */
  public boolean hasExtras() {
    return !extras.isEmpty();
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
  record StateArray(String name, Moment moment, Part part) {
    /** Elements in the array for state dimension n (the state's arrays only). */
    int length(int n) {
      return length(n, n);
    }

    /** Elements in the array for state dimension n and observation dimension p. */
    int length(int n, int p) {
      int d = dimension(n, p);
      return part == Part.COV ? d * d : d;
    }

    /** n for an array of the state, p for one of the observation. */
    int dimension(int n, int p) {
      return moment.observation ? p : n;
    }

    /** True for the innovations, whose missing components are null elements. */
    boolean nullableElements() {
      return moment == Moment.INNOVATION || moment == Moment.STANDARDIZED_INNOVATION;
    }

    /** The column's type: an array of doubles, with null elements only for the innovations. */
    org.apache.spark.sql.types.DataType sqlType() {
      return org.apache.spark.sql.types.DataTypes.createArrayType(org.apache.spark.sql.types.DataTypes.DoubleType,
          nullableElements());
    }

    /** True for a vector of values (a mean, an innovation), false for an uncertainty. */
    boolean mean() {
      return part == Part.MEAN;
    }

    /** True for a d×d matrix (flattened to {@code name_i_j} in CSV, else {@code name_i}). */
    boolean matrix() {
      return part == Part.COV;
    }
  }

  /** What an array holds of its moment: the values, the full covariance, or the square roots of its diagonal. */
  enum Part {
    MEAN,
    COV,
    STD
  }

  /** Which moment an array is taken from, and whether it lives in observation space (p) or state space (n). */
  enum Moment {
    FILTERED(false),
    SMOOTHED(false),
    PREDICTED(false),
    PREDICTED_OBS(true),
    INNOVATION(true),
    STANDARDIZED_INNOVATION(true),
    SMOOTHED_OBS(true),
    SMOOTHED_OBS_PREDICTIVE(true);

    final boolean observation;

    Moment(boolean observation) {
      this.observation = observation;
    }
  }

  /**
   * The state arrays in output order: filtered before smoothed, mean before its uncertainty; then the predicted
   * state, the predicted observation, innovation and standardized_innovation; then the smoothed observation.
   */
  List<StateArray> stateArrays() {
    List<StateArray> arrays = new ArrayList<>();
    if (filtered) add(arrays, "filtered", Moment.FILTERED);
    add(arrays, "smoothed", Moment.SMOOTHED);
    if (has(Extra.PREDICTED)) {
      add(arrays, "predicted", Moment.PREDICTED);
      add(arrays, "predicted_obs", Moment.PREDICTED_OBS);
      arrays.add(new StateArray("innovation", Moment.INNOVATION, Part.MEAN));
      arrays.add(new StateArray("standardized_innovation", Moment.STANDARDIZED_INNOVATION, Part.MEAN));
    }
    if (has(Extra.SMOOTHED_OBS)) {
      arrays.add(new StateArray("smoothed_obs_mean", Moment.SMOOTHED_OBS, Part.MEAN));
      arrays.add(new StateArray("smoothed_obs_std", Moment.SMOOTHED_OBS, Part.STD));
      arrays.add(new StateArray("smoothed_obs_predictive_std", Moment.SMOOTHED_OBS_PREDICTIVE, Part.STD));
    }
    return arrays;
  }

  private void add(List<StateArray> arrays, String prefix, Moment moment) {
    arrays.add(new StateArray(prefix + "_mean", moment, Part.MEAN));
    if (covariances.suffix != null) {
      arrays.add(new StateArray(prefix + "_" + covariances.suffix, moment,
          covariances == Covariances.FULL ? Part.COV : Part.STD));
    }
  }

  /** {@code report}, a report.json object, with this choice added as {@code "outputs"}. */
  String addTo(String report) {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    try {
      Map<String, Object> m = json.readValue(report, new TypeReference<LinkedHashMap<String, Object>>() {});
      Map<String, Object> outputs = new LinkedHashMap<>();
      outputs.put("covariances", covariances.label());
      outputs.put("filtered", filtered);
      outputs.put("extra", extras.stream().map(Extra::label).collect(Collectors.toList()));
      m.put("outputs", outputs);
      return json.writeValueAsString(m) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("report.json: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "covariances " + covariances.label() + (filtered ? ", filtered and smoothed moments" : ", smoothed moments only")
        + (extras.isEmpty() ? "" : ", and " + extras.stream().map(Extra::label).collect(Collectors.joining(", ")));
  }
}
