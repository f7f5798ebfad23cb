package io.statespace.model.spec;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.statespace.model.StateSpaceModel;
import java.util.List;

/**
 * A model family's block of the model file: its name, how its keys parse into its model and are written
 * back, and the names {@code fit.free} may list. Families live above the model layer (they also carry their
 * fitting parameterisation) and are found through the one {@link FamilyCatalog} on the classpath.
 */
public interface FamilyFormat {
  /** The model-file {@code "family"} value. */
  String name();

  /** True when {@code model} is this family's model. */
  boolean owns(StateSpaceModel model);

  /**
   * Parses and validates the family's keys of the top-level object (which also holds the common keys
   * {@link SpecBlocks#COMMON_KEYS}); the first problem is a {@link ModelSpecException} naming its key.
   */
  StateSpaceModel parse(SpecNode top);

  /** Writes the family's keys (and {@code initial}) of {@code model} into {@code root}, in file order. */
  void write(StateSpaceModel model, ObjectNode root);

  /** The names {@code fit.free} may list for {@code model}, in a stable order. */
  List<String> parameterNames(StateSpaceModel model);
}
