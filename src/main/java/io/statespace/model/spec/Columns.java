package io.statespace.model.spec;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Which input columns hold the trajectory id, the time, each observed component and each input.
 *
 * <p>The id column is {@linkplain IdSource#GIVEN given} by name, {@linkplain IdSource#DEFAULT defaulted}
 * (the model file has no {@code columns.id}: the column {@code id} when the input has one, else a single
 * series), or {@linkplain IdSource#NONE absent} ({@code "id": ""} or {@code --id-column ""}): then the whole
 * input is one trajectory whose id is {@link #SINGLE_SERIES_ID}, written under the column name {@link #id()}.
 */
public final class Columns implements Serializable {
  private static final long serialVersionUID = 2L;

  /** The id of the one trajectory of an input read without an id column, in every output. */
  public static final String SINGLE_SERIES_ID = "series";
  /** The id column's name when the model file names none. */
  public static final String DEFAULT_ID = "id";

  /** Where the trajectory id comes from. */
  public enum IdSource {
    /** The named column; the input must have it. */
    GIVEN,
    /** The column {@code id} when the input has it, else one series. */
    DEFAULT,
    /** No id column: the whole input is one trajectory. */
    NONE
  }

  private final String id;
  private final IdSource idSource;
  private final String time;
  private final List<String> observations;
  private final List<String> inputs;

  /** Columns with a given id column. */
  public Columns(String id, String time, List<String> observations, List<String> inputs) {
    this(id, IdSource.GIVEN, time, observations, inputs);
  }

  private Columns(String id, IdSource idSource, String time, List<String> observations, List<String> inputs) {
    this.idSource = idSource;
    this.time = time;
    this.observations = List.copyOf(observations);
    this.inputs = List.copyOf(inputs);
    this.id = idSource == IdSource.GIVEN ? id : freeIdName(time, observations, inputs);
  }

  /** Columns whose id is {@code id} when the input has that column, else one series. */
  public static Columns defaultId(String time, List<String> observations, List<String> inputs) {
    return new Columns(null, IdSource.DEFAULT, time, observations, inputs);
  }

  /** Columns of a single series: no id column is read. */
  public static Columns singleSeries(String time, List<String> observations, List<String> inputs) {
    return new Columns(null, IdSource.NONE, time, observations, inputs);
  }

  /**
   * The id column's name: the input's column, or for a single series the output column that holds
   * {@link #SINGLE_SERIES_ID} ({@code id}, or {@code series_id} when another column is called {@code id}).
   */
  public String id() {
    return id;
  }

  public IdSource idSource() {
    return idSource;
  }

  /** Whether the input is one trajectory without an id column. */
  public boolean singleSeries() {
    return idSource == IdSource.NONE;
  }

  public String time() {
    return time;
  }

  public List<String> observations() {
    return observations;
  }

  public List<String> inputs() {
    return inputs;
  }

  /** Every column the engine reads, in the order id, time, observations, inputs. */
  public List<String> all() {
    List<String> all = new ArrayList<>();
    all.add(id);
    all.add(time);
    all.addAll(observations);
    all.addAll(inputs);
    return all;
  }

  /** The columns the input itself must have: {@link #all()} without the id of a single series. */
  public List<String> fromInput() {
    List<String> all = all();
    if (singleSeries()) all.remove(0);
    return all;
  }

  /**
   * These columns for an input that has (or lacks) a column {@code id}: a defaulted id becomes that
   * column or a single series; a given or absent id stays as it is.
   */
  public Columns resolve(boolean inputHasDefaultId) {
    if (idSource != IdSource.DEFAULT) return this;
    return inputHasDefaultId && id.equals(DEFAULT_ID) ? new Columns(DEFAULT_ID, time, observations, inputs) : singleSeries(time, observations, inputs);
  }

  /**
   * A copy with the given names replaced where non-null (command-line overrides); an empty id means no id
   * column (a single series).
   */
  public Columns withOverrides(String newId, String newTime, List<String> newObservations, List<String> newInputs) {
    String t = newTime != null ? newTime : time;
    List<String> o = newObservations != null ? newObservations : observations;
    List<String> in = newInputs != null ? newInputs : inputs;
    if (newId == null) return idSource == IdSource.GIVEN ? new Columns(id, t, o, in) : new Columns(null, idSource, t, o, in);
    return newId.isEmpty() ? singleSeries(t, o, in) : new Columns(newId, t, o, in);
  }

  private static String freeIdName(String time, List<String> observations, List<String> inputs) {
    List<String> taken = new ArrayList<>(observations);
    taken.addAll(inputs);
    taken.add(time);
    for (String name : List.of(DEFAULT_ID, "series_id", "statespace_series_id")) {
      if (taken.stream().noneMatch(name::equalsIgnoreCase)) return name;
    }
    throw new ModelSpecException("columns", "no free name for the single series' id column");
  }
}
