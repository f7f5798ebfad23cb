package io.statespace.model.spec;

import io.statespace.model.StateSpaceModel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;

/** Looks families up by name and by model in the one {@link FamilyCatalog} on the classpath. */
final class FamilyFormats {
  private FamilyFormats() {}

  /** Loaded on first use, so that the catalog's own class initialisation may touch the model layer. */
  private static final class Holder {
    static final List<FamilyFormat> ALL = load();
  }

  private static List<FamilyFormat> load() {
    Iterator<FamilyCatalog> it = ServiceLoader.load(FamilyCatalog.class, FamilyCatalog.class.getClassLoader()).iterator();
    if (!it.hasNext()) {
      throw new IllegalStateException("no model families: META-INF/services/" + FamilyCatalog.class.getName()
          + " is missing from the classpath");
    }
    FamilyCatalog catalog = it.next();
    if (it.hasNext()) throw new IllegalStateException("more than one " + FamilyCatalog.class.getName() + " on the classpath");
    List<FamilyFormat> all = new ArrayList<>(catalog.families());
    Set<String> names = new HashSet<>();
    for (FamilyFormat f : all) {
      if (!names.add(f.name())) throw new IllegalStateException("model family '" + f.name() + "' is registered twice");
    }
    return List.copyOf(all);
  }

  static List<FamilyFormat> all() {
    return Holder.ALL;
  }

  /** The family named in a file, or a {@link ModelSpecException} on {@code family} listing the known names. */
  static FamilyFormat named(String name) {
    List<String> known = new ArrayList<>();
    for (FamilyFormat f : all()) {
      if (f.name().equals(name)) return f;
      known.add(f.name());
    }
    throw new ModelSpecException("family", "unknown family '" + name + "' (known: " + String.join(", ", known) + ")");
  }

  /** The family whose model this is. */
  static FamilyFormat of(StateSpaceModel model) {
    for (FamilyFormat f : all()) {
      if (f.owns(model)) return f;
    }
    throw new IllegalArgumentException("no model-file family for " + model.getClass().getName());
  }

  static Set<String> parameterNames(StateSpaceModel model) {
    return new LinkedHashSet<>(of(model).parameterNames(model));
  }
}
