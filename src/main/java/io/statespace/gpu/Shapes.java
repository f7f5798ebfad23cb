package io.statespace.gpu;

import io.statespace.gpu.PtxModules.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The shapes (model kind, state dimension N, observation dimension M) for which PTX modules exist, and the
 * choice of the shape a model runs in. Kernels use fixed-size register arrays, so each shape is a separate
 * module; a model of an unlisted shape runs in the smallest listed shape of its kind with N' ≥ n and
 * M' ≥ m (fewest state dimensions first, since the work grows as N'³), padded by {@link ModelPacking}: the
 * extra states are an independent, never observed block with F = I, Q = 0 and prior N(0, I), and the extra
 * observation components are always missing, so results at the real dimensions cannot change.
 */
public final class Shapes {
  private static volatile Shapes shipped;

  private final List<Shape> shapes;

  public Shapes(List<Shape> shapes) {
    this.shapes = List.copyOf(shapes);
  }

  /** The shapes of the PTX shipped on the classpath (read once from its manifest). */
  public static Shapes shipped() {
    Shapes s = shipped;
    if (s == null) {
      s = new Shapes(PtxModules.classpathManifest().shapes());
      shipped = s;
    }
    return s;
  }

  public List<Shape> all() {
    return shapes;
  }

  /**
   * The shape a model of this kind and dimensions runs in, or empty when no listed shape is large enough.
   * Constant-velocity shapes are never padded (their kernels build F and Q for exactly N/2 axes), so a
   * {@code cv} model needs its own shape.
   */
  public Optional<Shape> fit(String kind, int n, int m) {
    Shape best = null;
    for (Shape s : shapes) {
      if (!s.kind().equals(kind)) continue;
      boolean fits = kind.equals("cv") ? s.stateDim() == n && s.obsDim() == m : s.stateDim() >= n && s.obsDim() >= m;
      if (!fits) continue;
      if (best == null || s.stateDim() < best.stateDim()
          || (s.stateDim() == best.stateDim() && s.obsDim() < best.obsDim())) {
        best = s;
      }
    }
    return Optional.ofNullable(best);
  }

  /** Why no shape fits, for the backend decision's reason. */
  public String missingReason(String kind, int n, int m) {
    List<String> listed = new ArrayList<>();
    for (Shape s : shapes) {
      if (s.kind().equals(kind)) listed.add("N=" + s.stateDim() + ",M=" + s.obsDim());
    }
    return "no compiled GPU shape for a " + (kind.equals("cv") ? "constant-velocity" : "linear")
        + " model with state dimension " + n + " and observation dimension " + m + " (compiled: " + listed + ")";
  }
}
