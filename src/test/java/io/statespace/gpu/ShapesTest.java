package io.statespace.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.gpu.PtxModules.Shape;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The choice of the compiled shape a model runs in. */
class ShapesTest {
  private final Shapes shapes = new Shapes(List.of(new Shape("lin", 2, 1), new Shape("lin", 4, 2),
      new Shape("lin", 4, 4), new Shape("lin", 6, 3), new Shape("cv", 4, 2)));

  @Test
  void exactShapesAreUsedAsTheyAre() {
    assertEquals(Optional.of(new Shape("lin", 4, 2)), shapes.fit("lin", 4, 2));
    assertEquals(Optional.of(new Shape("cv", 4, 2)), shapes.fit("cv", 4, 2));
  }

  @Test
  void otherShapesPadToTheSmallestLargerOne() {
    assertEquals(Optional.of(new Shape("lin", 2, 1)), shapes.fit("lin", 1, 1));
    assertEquals(Optional.of(new Shape("lin", 4, 2)), shapes.fit("lin", 3, 2));
    assertEquals(Optional.of(new Shape("lin", 4, 4)), shapes.fit("lin", 3, 3));
    assertEquals(Optional.of(new Shape("lin", 6, 3)), shapes.fit("lin", 5, 1));
  }

  @Test
  void tooLargeOrUnpaddableShapesHaveNoFit() {
    assertTrue(shapes.fit("lin", 7, 1).isEmpty());
    assertTrue(shapes.fit("lin", 6, 4).isEmpty());
    assertTrue(shapes.fit("cv", 2, 1).isEmpty(), "constant-velocity shapes are never padded");
    assertTrue(shapes.missingReason("lin", 7, 1).contains("state dimension 7"));
  }

  @Test
  void shapesValidateThemselves() {
    assertThrows(IllegalArgumentException.class, () -> new Shape("cv", 4, 3));
    assertThrows(IllegalArgumentException.class, () -> new Shape("tv", 4, 2));
    assertThrows(IllegalArgumentException.class, () -> PtxModules.parseShapes(List.of("lin 2 1", "lin 2 1")));
    assertEquals(List.of(new Shape("lin", 2, 1)), PtxModules.parseShapes(List.of("# comment", "", " lin  2 1 ")));
  }

  @Test
  void theShippedShapesCoverTheConstantVelocityFamilyAndSmallLinearModels() {
    Shapes shipped = Shapes.shipped();
    for (int axes = 1; axes <= 3; axes++) {
      assertTrue(shipped.fit("cv", 2 * axes, axes).isPresent(), "cv axes=" + axes);
      assertTrue(shipped.fit("lin", 2 * axes, axes).isPresent(), "cv with a fixed dt, axes=" + axes);
    }
    for (int n = 1; n <= 8; n++) {
      for (int m = 1; m <= Math.min(n, 3); m++) assertTrue(shipped.fit("lin", n, m).isPresent(), "n=" + n + " m=" + m);
    }
  }
}
