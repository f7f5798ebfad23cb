package io.statespace.model.spec;

import java.util.List;

/**
 * The registry of model families as the model file sees it. Exactly one implementation is on the classpath,
 * named in {@code META-INF/services/io.statespace.model.spec.FamilyCatalog} (the family registry above the
 * model and learning layers), so that this layer reads every family without depending on them.
 */
public interface FamilyCatalog {
  /** Every family, each name once. */
  List<? extends FamilyFormat> families();
}
