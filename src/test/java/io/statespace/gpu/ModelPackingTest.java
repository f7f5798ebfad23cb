package io.statespace.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.gpu.ModelPacking.Kind;
import io.statespace.gpu.ModelPacking.Layout;
import io.statespace.gpu.ModelPacking.PackedModel;
import io.statespace.gpu.PtxModules.Shape;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.LinearModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.testing.RandomModels;
import io.statespace.testing.LevelModels;
import io.statespace.testing.TrendModels;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The model buffer the kernels read: layout offsets, values, padding blocks, and which models can run. */
class ModelPackingTest {
  @Test
  void layoutMatchesModelCuh() {
    Layout l = new Layout(4, 2, 3);
    assertEquals(0, l.mu0);
    assertEquals(4, l.sigma0);
    assertEquals(20, l.f);
    assertEquals(36, l.b);
    assertEquals(40, l.q);
    assertEquals(56, l.cv);
    assertEquals(58, l.bu);
    assertEquals(70, l.h);
    assertEquals(78, l.d);
    assertEquals(80, l.r);
    assertEquals(84, l.du);
    assertEquals(90, l.size);
  }

  private static double[] block(double[] buf, int off, int rows, int cols, int stride) {
    double[] out = new double[rows * cols];
    for (int i = 0; i < rows; i++) System.arraycopy(buf, off + i * stride, out, i * cols, cols);
    return out;
  }

  @Test
  void linearModelsArePackedWithIdentityPadding() {
    SplittableRandom rng = new SplittableRandom(11);
    LinearModel model = RandomModels.linear(rng, 3, 2, 2);
    PackedModel pm = ModelPacking.pack(model, Kind.LINEAR, new Shape("lin", 4, 3));
    assertTrue(pm.padded());
    Layout l = new Layout(4, 3, 2);
    double[] b = pm.buffer();
    assertEquals(l.size, b.length);
    assertArrayEquals(model.initialMean(), Arrays.copyOfRange(b, l.mu0, l.mu0 + 3));
    assertArrayEquals(model.initialCov(), block(b, l.sigma0, 3, 3, 4));
    assertArrayEquals(model.dynamicsWeights(), block(b, l.f, 3, 3, 4));
    assertArrayEquals(model.dynamicsCov(), block(b, l.q, 3, 3, 4));
    assertArrayEquals(model.dynamicsInputWeights(), Arrays.copyOfRange(b, l.bu, l.bu + 6));
    assertArrayEquals(model.emissionsWeights(), block(b, l.h, 2, 3, 4));
    assertArrayEquals(model.emissionsCov(), block(b, l.r, 2, 2, 3));
    assertArrayEquals(model.emissionsInputWeights(), Arrays.copyOfRange(b, l.du, l.du + 4));
    assertEquals(1.0, b[l.sigma0 + 15], "padded prior variance");
    assertEquals(1.0, b[l.f + 15], "padded F diagonal");
    assertEquals(0.0, b[l.q + 15], "padded Q");
    assertEquals(1.0, b[l.r + 8], "padded R diagonal");
    assertEquals(0.0, b[l.h + 2 * 4 + 3], "padded H row");
    for (int j = 0; j < 2; j++) assertEquals(0.0, b[l.bu + 3 * 2 + j], "padded B row");
    assertEquals(0.0, b[l.mu0 + 3]);
  }

  @Test
  void constantVelocityWithIrregularDtKeepsItsNoiseParameters() {
    ConstantVelocityModel cv = new ConstantVelocityModel(2, Double.NaN, ConstantVelocityModel.Noise.PIECEWISE, 1.5,
        new double[] {0.5, 0.25}, new double[] {1, 2, 3, 4}, RandomModels.spd(new SplittableRandom(3), 4, 1.0, 0.2));
    PackedModel pm = ModelPacking.pack(cv, Shapes.shipped());
    assertEquals(Kind.CONSTANT_VELOCITY, pm.kind());
    assertTrue(pm.usesDt());
    Layout l = new Layout(4, 2, 0);
    assertEquals(1.0, pm.buffer()[l.cv]);
    assertEquals(1.5, pm.buffer()[l.cv + 1]);
    assertArrayEquals(new double[] {1, 0, 0, 0, 0, 1, 0, 0}, block(pm.buffer(), l.h, 2, 4, 4));
    assertArrayEquals(new double[] {0.25, 0, 0, 0.0625}, block(pm.buffer(), l.r, 2, 2, 2));
  }

  @Test
  void constantVelocityWithAFixedDtIsPackedAsLinear() {
    ConstantVelocityModel cv = new ConstantVelocityModel(1, 0.5, ConstantVelocityModel.Noise.CONTINUOUS, 2.0,
        new double[] {0.3}, new double[] {0, 1}, new double[] {1, 0, 0, 1});
    PackedModel pm = ModelPacking.pack(cv, Shapes.shipped());
    assertEquals(Kind.LINEAR, pm.kind());
    Layout l = new Layout(2, 1, 0);
    double[] f = new double[4];
    double[] q = new double[4];
    cv.transition(0.5, f, q);
    assertArrayEquals(f, block(pm.buffer(), l.f, 2, 2, 2));
    assertArrayEquals(q, block(pm.buffer(), l.q, 2, 2, 2));
  }

  @Test
  void localLinearTrendWithAFixedDtIsPackedAsLinear() {
    StateSpaceModel trend = TrendModels.model(0.25, 0.4, 0.15, 0.6);
    PackedModel pm = ModelPacking.pack(trend, Shapes.shipped());
    assertEquals(Kind.LINEAR, pm.kind());
    assertEquals(2, pm.stateDim());
    assertEquals(1, pm.obsDim());
    int big = pm.shape().stateDim();
    int bigM = pm.shape().obsDim();
    Layout l = new Layout(big, bigM, 0);
    double[] b = pm.buffer();
    assertArrayEquals(new double[] {1, 0.25, 0, 1}, block(b, l.f, 2, 2, big), "F = [[1, dt], [0, 1]]");
    assertArrayEquals(new double[] {0.4 * 0.4, 0, 0, 0.15 * 0.15}, block(b, l.q, 2, 2, big), "Q = diag(level², slope²)");
    assertArrayEquals(new double[] {1, 0}, block(b, l.h, 1, 2, big), "H = [1, 0]");
    assertEquals(0.6 * 0.6, b[l.r], "R");
    assertArrayEquals(new double[] {0.5, -0.2}, Arrays.copyOfRange(b, l.mu0, l.mu0 + 2));
    assertArrayEquals(new double[] {2.0, 0.3, 0.3, 1.0}, block(b, l.sigma0, 2, 2, big));
  }

  @Test
  void localLevelIsPackedAsLinearOneByOne() {
    StateSpaceModel level = LevelModels.model(0.4, 0.6);
    PackedModel pm = ModelPacking.pack(level, Shapes.shipped());
    assertEquals(Kind.LINEAR, pm.kind());
    assertEquals(1, pm.stateDim());
    assertEquals(1, pm.obsDim());
    assertEquals(1, pm.shape().stateDim(), "lin 1 1 is shipped");
    assertEquals(1, pm.shape().obsDim());
    Layout l = new Layout(1, 1, 0);
    double[] b = pm.buffer();
    assertEquals(1.0, b[l.f], "F = 1");
    assertEquals(0.4 * 0.4, b[l.q], "Q = level_std²");
    assertEquals(1.0, b[l.h], "H = 1");
    assertEquals(0.6 * 0.6, b[l.r], "R = measurement_std²");
    assertEquals(0.5, b[l.mu0]);
    assertEquals(2.0, b[l.sigma0]);
  }

  @Test
  void localLinearTrendWithDtFromTheDataIsRefusedByTheGpu() {
    StateSpaceModel trend = TrendModels.model(Double.NaN, 0.4, 0.15, 0.6);
    assertTrue(ModelPacking.kindOf(trend).isEmpty());
    String reason = ModelPacking.unsupportedReason(trend, Shapes.shipped());
    assertTrue(reason.contains("constant step parameters"), reason);
    assertEquals(reason, WorkShape.of(trend, 1, 1, 1).gpuUnsupported(), "what backend routing reads");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelPacking.pack(trend, Shapes.shipped()));
    assertEquals(reason, e.getMessage());
  }

  @Test
  void otherFamiliesStayOnTheCpu() {
    StateSpaceModel timeVarying = RandomModels.timeVarying(5, 2, 1, 0);
    String reason = ModelPacking.unsupportedReason(timeVarying, Shapes.shipped());
    assertTrue(reason.contains("constant step parameters"), reason);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelPacking.pack(timeVarying, Shapes.shipped()));
    assertEquals(reason, e.getMessage());
    LinearModel big = RandomModels.linear(new SplittableRandom(4), 9, 2, 0);
    assertTrue(ModelPacking.unsupportedReason(big, Shapes.shipped()).contains("state dimension 9"));
    assertNull(ModelPacking.unsupportedReason(RandomModels.linear(new SplittableRandom(4), 5, 2, 1), Shapes.shipped()));
  }
}
