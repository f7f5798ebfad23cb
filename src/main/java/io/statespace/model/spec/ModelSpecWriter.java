package io.statespace.model.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.statespace.model.StateSpaceModel;

/**
 * Writes a {@link ModelSpec} back in the model-file format, numbers in full precision: {@code family},
 * {@code description}, the family's own keys ({@link FamilyFormat#write}), {@code columns}, {@code fit}.
 */
final class ModelSpecWriter {
  private ModelSpecWriter() {}

  static String write(ModelSpec spec) {
    ObjectNode root = ModelSpec.JSON.createObjectNode();
    root.put("family", spec.family());
    if (spec.description() != null) root.put("description", spec.description());
    StateSpaceModel model = spec.model();
    FamilyFormats.of(model).write(model, root);
    ObjectNode cols = root.putObject("columns");
    Columns c = spec.columns();
    if (c.singleSeries()) {
      cols.put("id", "");
    } else if (c.idSource() == Columns.IdSource.GIVEN || c.id().equals(Columns.DEFAULT_ID)) {
      cols.put("id", c.id());
    }
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
}
