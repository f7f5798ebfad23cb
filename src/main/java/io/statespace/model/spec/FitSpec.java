package io.statespace.model.spec;

import io.statespace.model.StateSpaceModel;
import java.io.Serializable;
import java.util.List;
import java.util.Set;

/** The model file's {@code fit} section: which named parameters a fit may change. */
public final class FitSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  private final List<String> free;

  public FitSpec(List<String> free) {
    this.free = List.copyOf(free);
  }

  public static FitSpec none() {
    return new FitSpec(List.of());
  }

  /** Names of the free parameters, in file order. */
  public List<String> free() {
    return free;
  }

  static FitSpec parse(SpecNode node, String family, StateSpaceModel model) {
    node.allowOnly(Set.of("free"));
    List<String> free = node.has("free") ? node.get("free").strings() : List.of();
    Set<String> known = FamilyFormats.parameterNames(model);
    for (int i = 0; i < free.size(); i++) {
      if (!known.contains(free.get(i))) {
        throw new ModelSpecException("fit.free[" + i + "]", "'" + free.get(i) + "' is not a parameter of the "
            + family + " family (known: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
      }
    }
    if (free.stream().distinct().count() != free.size()) throw new ModelSpecException("fit.free", "lists a parameter twice");
    if (io.statespace.model.DiffusePrior.isDiffuse(model)) {
      for (int i = 0; i < free.size(); i++) {
        if (free.get(i).startsWith("initial.")) {
          throw new ModelSpecException("fit.free[" + i + "]", "'" + free.get(i) + "' cannot be fitted with a diffuse initial "
              + "state (initial.diffuse): the diffuse likelihood does not depend on the prior");
        }
      }
    }
    return new FitSpec(free);
  }
}
