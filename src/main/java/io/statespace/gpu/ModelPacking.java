package io.statespace.gpu;

import io.statespace.gpu.PtxModules.Shape;
import io.statespace.model.LinearModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepForm;
import java.util.Optional;

/**
 * Packs a model into the flat float64 buffer the kernels read (layout in src/main/cuda/model.cuh,
 * mirrored by {@link Layout}), padded to the shape it runs in. What runs on the GPU is decided by the model's
 * {@link StepForm}: a {@link StepForm.Constant} form (time-invariant F, b, Q, H, d, R with per-step input
 * terms B u_t and D u_t: the linear family, and any family with a fixed dt) packs as a linear model; a
 * {@link StepForm.TimeGaps} form with the per-axis constant-velocity kinematics has kernels that build F and
 * Q from each step's dt on the device. Other models (other gap forms, arbitrary per-step parameters) stay on
 * the CPU engines.
 */
public final class ModelPacking {
  private ModelPacking() {}

  /** Device model kinds; the codes are model.cuh's KIND_LINEAR and KIND_CV. */
  public enum Kind {
    LINEAR("lin"),
    CONSTANT_VELOCITY("cv");

    private final String code;

    Kind(String code) {
      this.code = code;
    }

    /** The shape kind in shapes.txt and in kernel names. */
    public String code() {
      return code;
    }
  }

  /** Offsets of model.cuh's Layout for N state, M observation and P input dimensions. */
  public static final class Layout {
    public final int mu0;
    public final int sigma0;
    public final int f;
    public final int b;
    public final int q;
    public final int cv;
    public final int bu;
    public final int h;
    public final int d;
    public final int r;
    public final int du;
    public final int size;

    public Layout(int n, int m, int p) {
      mu0 = 0;
      sigma0 = n;
      f = n + n * n;
      b = n + 2 * n * n;
      q = 2 * n + 2 * n * n;
      cv = 2 * n + 3 * n * n;
      bu = cv + 2;
      h = bu + n * p;
      d = h + m * n;
      r = d + m;
      du = r + m * m;
      size = du + m * p;
    }
  }

  /** A packed model: the kind and shape it runs in, its real dimensions and the device buffer's contents. */
  public record PackedModel(Kind kind, Shape shape, int stateDim, int obsDim, int inputDim, double[] buffer) {
    /** True when the kernels need each step's dt (constant velocity without a fixed dt). */
    public boolean usesDt() {
      return kind == Kind.CONSTANT_VELOCITY;
    }

    /** True when the shape is larger than the model (padding in use). */
    public boolean padded() {
      return shape.stateDim() != stateDim || shape.obsDim() != obsDim;
    }
  }

  /** The device kind a model packs as, or empty when the kernels cover its step form in no way. */
  public static Optional<Kind> kindOf(StateSpaceModel model) {
    StepForm form = model.stepForm();
    if (form instanceof StepForm.Constant) return Optional.of(Kind.LINEAR);
    if (form instanceof StepForm.TimeGaps gaps && gaps.axisKinematics() != null) return Optional.of(Kind.CONSTANT_VELOCITY);
    return Optional.empty();
  }

  /** Why the model cannot run on the GPU with these shapes, or null when it can. */
  public static String unsupportedReason(StateSpaceModel model, Shapes shapes) {
    Optional<Kind> kind = kindOf(model);
    if (kind.isEmpty()) {
      return "the GPU kernels cover constant step parameters (the linear family, any family with a fixed dt) and "
          + "constant velocity with dt from the time column; this model's steps are neither";
    }
    String code = kind.get().code();
    if (shapes.fit(code, model.stateDim(), model.obsDim()).isEmpty()) {
      return shapes.missingReason(code, model.stateDim(), model.obsDim());
    }
    return null;
  }

  /** Packs the model into its shape; throws IllegalArgumentException with the reason when unsupported. */
  public static PackedModel pack(StateSpaceModel model, Shapes shapes) {
    String reason = unsupportedReason(model, shapes);
    if (reason != null) throw new IllegalArgumentException(reason);
    Kind kind = kindOf(model).orElseThrow();
    Shape shape = shapes.fit(kind.code(), model.stateDim(), model.obsDim()).orElseThrow();
    return pack(model, kind, shape);
  }

  /** Packs the model into a given shape (at least as large as the model; cv shapes exactly its size). */
  public static PackedModel pack(StateSpaceModel model, Kind kind, Shape shape) {
    int n = model.stateDim();
    int m = model.obsDim();
    int p = model.inputDim();
    int big = shape.stateDim();
    int bigM = shape.obsDim();
    if (big < n || bigM < m) throw new IllegalArgumentException("shape " + shape + " is smaller than the model");
    Layout at = new Layout(big, bigM, p);
    double[] buf = new double[at.size];
    StepForm form = model.stepForm();
    LinearModel lin;
    if (kind == Kind.LINEAR) {
      if (!(form instanceof StepForm.Constant constant)) throw new IllegalArgumentException("the model's steps are not constant");
      lin = constant.linear();
    } else {
      if (!(form instanceof StepForm.TimeGaps gaps) || gaps.axisKinematics() == null) {
        throw new IllegalArgumentException("the model has no constant-velocity gap form");
      }
      if (big != n || bigM != m) throw new IllegalArgumentException("constant-velocity shapes are never padded");
      lin = gaps.atUnitGap();
      buf[at.cv] = gaps.axisKinematics()[0];
      buf[at.cv + 1] = gaps.axisKinematics()[1];
    }
    place(buf, at.mu0, lin.initialMean(), n, 1, 1, 0.0);
    place(buf, at.sigma0, lin.initialCov(), n, n, big, 1.0);
    place(buf, at.h, lin.emissionsWeights(), m, n, big, 0.0);
    place(buf, at.r, lin.emissionsCov(), m, m, bigM, 1.0);
    if (kind == Kind.LINEAR) {
      place(buf, at.f, lin.dynamicsWeights(), n, n, big, 1.0);
      place(buf, at.b, lin.dynamicsBias(), n, 1, 1, 0.0);
      place(buf, at.q, lin.dynamicsCov(), n, n, big, 0.0);
      place(buf, at.bu, lin.dynamicsInputWeights(), n, p, p, 0.0);
      place(buf, at.d, lin.emissionsBias(), m, 1, 1, 0.0);
      place(buf, at.du, lin.emissionsInputWeights(), m, p, p, 0.0);
    }
    return new PackedModel(kind, shape, n, m, p, buf);
  }

  /**
   * Writes a rows×cols row-major block at {@code off} into a region whose rows are {@code stride} long;
   * for a square padded block the extra diagonal gets {@code padDiagonal} (the rest stays 0).
   */
  private static void place(double[] buf, int off, double[] values, int rows, int cols, int stride,
      double padDiagonal) {
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) buf[off + i * stride + j] = values[i * cols + j];
    }
    if (stride > cols && stride > 1 && padDiagonal != 0.0) {
      for (int i = cols; i < stride; i++) buf[off + i * stride + i] = padDiagonal;
    }
  }
}
