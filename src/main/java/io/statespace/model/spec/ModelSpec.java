package io.statespace.model.spec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.statespace.model.StateSpaceModel;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * A validated model file (docs/ARCHITECTURE.md §4.3): the family's model, the column names and the fit
 * section. Everything is checked while parsing, before any Spark job starts; the first problem found
 * is reported with its key.
 */
public final class ModelSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  static final ObjectMapper JSON = JsonMapper.builder()
      .enable(JsonParser.Feature.ALLOW_COMMENTS)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .build();

  private final StateSpaceModel model;
  private final Columns columns;
  private final FitSpec fit;
  private final String description;

  public ModelSpec(StateSpaceModel model, Columns columns, FitSpec fit, String description) {
    this.model = model;
    this.columns = columns;
    this.fit = fit;
    this.description = description;
  }

  public StateSpaceModel model() {
    return model;
  }

  public Columns columns() {
    return columns;
  }

  public FitSpec fit() {
    return fit;
  }

  /** Free text from the file, or null. */
  public String description() {
    return description;
  }

  public String family() {
    return FamilyFormats.of(model).name();
  }

  public ModelSpec withModel(StateSpaceModel newModel) {
    return new ModelSpec(newModel, columns, fit, description);
  }

  public ModelSpec withColumns(Columns newColumns) {
    return new ModelSpec(model, newColumns, fit, description);
  }

  /** Reads and validates a model file. */
  public static ModelSpec read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ModelSpecException("", "cannot read model file " + file + ": " + e.getMessage());
    }
    return parse(text);
  }

  /** Parses and validates model-file JSON (comments allowed). */
  public static ModelSpec parse(String text) {
    if (text == null || text.isBlank()) throw new ModelSpecException("", "the model file is empty");
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw new ModelSpecException("", "not valid JSON" + where + ": " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) throw new ModelSpecException("", "the model file must hold a JSON object");
    SpecNode top = new SpecNode(root, "");
    String family = top.get("family").text();
    StateSpaceModel model = FamilyFormats.named(family).parse(top);
    Columns columns = parseColumns(top, model);
    FitSpec fit = top.has("fit") ? FitSpec.parse(top.object("fit"), family, model) : FitSpec.none();
    String description = top.has("description") ? top.get("description").text() : null;
    return new ModelSpec(model, columns, fit, description);
  }

  private static Columns parseColumns(SpecNode top, StateSpaceModel model) {
    if (!top.has("columns")) {
      if (top.has("inputs")) throw new ModelSpecException("inputs", "give input columns inside \"columns\"");
      return Columns.defaultId("time", List.of(), List.of());
    }
    SpecNode c = top.object("columns");
    c.allowOnly(Set.of("id", "time", "observations", "inputs"));
    String time = c.has("time") ? c.get("time").text() : "time";
    List<String> obs = c.has("observations") ? c.get("observations").strings() : List.of();
    List<String> inputs = c.has("inputs") ? c.get("inputs").strings() : List.of();
    String id = c.has("id") ? c.get("id").textOrEmpty() : null;
    Columns columns = id == null ? Columns.defaultId(time, obs, inputs)
        : id.isEmpty() ? Columns.singleSeries(time, obs, inputs) : new Columns(id, time, obs, inputs);
    checkColumns(columns, model, "columns.");
    return columns;
  }

  /**
   * Checks counts and uniqueness of column names against the model's dimensions.
   *
   * @param prefix key prefix for messages ("columns." for the file, "--" style for the command line)
   */
  public static void checkColumns(Columns columns, StateSpaceModel model, String prefix) {
    if (!columns.observations().isEmpty() && columns.observations().size() != model.obsDim()) {
      throw new ModelSpecException(prefix + "observations", "expected " + model.obsDim() + " column names, got "
          + columns.observations().size());
    }
    if (columns.inputs().size() != model.inputDim()) {
      throw new ModelSpecException(prefix + "inputs", "the model has " + model.inputDim() + " inputs, got "
          + columns.inputs().size() + " column names");
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (String name : columns.all()) {
      if (!seen.add(name)) throw new ModelSpecException(prefix.isEmpty() ? "columns" : prefix.substring(0, prefix.length() - 1), "column '" + name + "' is used twice");
    }
  }

  /** The names {@code fit.free} may list for this model, in a stable order (one list for the validator and the fitter). */
  public static java.util.List<String> parameterNames(StateSpaceModel model) {
    return java.util.List.copyOf(FamilyFormats.parameterNames(model));
  }

  /** The model file text for this spec (the output of {@code fit} is a valid input of {@code smooth}). */
  public String toJson() {
    return ModelSpecWriter.write(this);
  }
}
