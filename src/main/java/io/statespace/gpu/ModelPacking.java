package io.statespace.gpu;

import io.statespace.gpu.PtxModules.Shape;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.LinearModel;
import io.statespace.model.StateSpaceModel;
import java.util.Optional;

/**
 * Packs a model into the flat float64 buffer the kernels read (layout in src/main/cuda/model.cuh,
 * mirrored by {@link Layout}), padded to the shape it runs in. Two families run on the GPU: the explicit
 * {@link LinearModel} (time-invariant F, b, Q, H, d, R with per-step input terms B u_t and D u_t) and the
 * {@link ConstantVelocityModel}; with a fixed dt the latter is packed as a linear model with F and Q
 * precomputed, without one its kernels build F and Q from each step's dt on the device. Other models
 * (arbitrary per-step parameters) stay on the CPU engines.
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

  /** The device kind a model packs as, or empty when its family has no kernels. */
  public static Optional<Kind> kindOf(StateSpaceModel model) {
    if (model instanceof LinearModel) return Optional.of(Kind.LINEAR);
    if (model instanceof ConstantVelocityModel) {
      return Optional.of(((ConstantVelocityModel) model).hasFixedDt() ? Kind.LINEAR : Kind.CONSTANT_VELOCITY);
    }
    return Optional.empty();
  }

  /** Why the model cannot run on the GPU with these shapes, or null when it can. */
  public static String unsupportedReason(StateSpaceModel model, Shapes shapes) {
    Optional<Kind> kind = kindOf(model);
    if (kind.isEmpty()) {
      return "the GPU kernels cover the linear and constant-velocity families; " + model.getClass().getSimpleName()
          + " is neither";
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
    if (model instanceof LinearModel) {
      LinearModel lin = (LinearModel) model;
      place(buf, at.mu0, lin.initialMean(), n, 1, 1, 0.0);
      place(buf, at.sigma0, lin.initialCov(), n, n, big, 1.0);
      place(buf, at.f, lin.dynamicsWeights(), n, n, big, 1.0);
      place(buf, at.b, lin.dynamicsBias(), n, 1, 1, 0.0);
      place(buf, at.q, lin.dynamicsCov(), n, n, big, 0.0);
      place(buf, at.bu, lin.dynamicsInputWeights(), n, p, p, 0.0);
      place(buf, at.h, lin.emissionsWeights(), m, n, big, 0.0);
      place(buf, at.d, lin.emissionsBias(), m, 1, 1, 0.0);
      place(buf, at.r, lin.emissionsCov(), m, m, bigM, 1.0);
      place(buf, at.du, lin.emissionsInputWeights(), m, p, p, 0.0);
      return new PackedModel(kind, shape, n, m, p, buf);
    }
    ConstantVelocityModel cv = (ConstantVelocityModel) model;
    int axes = cv.spatialDims();
    double[] h = new double[axes * n];
    double[] r = new double[axes * axes];
    double[] std = cv.measurementStd();
    for (int a = 0; a < axes; a++) {
      h[a * n + a] = 1.0;
      r[a * axes + a] = std[a] * std[a];
    }
    place(buf, at.mu0, cv.initialMean(), n, 1, 1, 0.0);
    place(buf, at.sigma0, cv.initialCov(), n, n, big, 1.0);
    place(buf, at.h, h, m, n, big, 0.0);
    place(buf, at.r, r, m, m, bigM, 1.0);
    if (kind == Kind.LINEAR) {
      double[] f = new double[n * n];
      double[] q = new double[n * n];
      cv.transition(cv.fixedDt(), f, q);
      place(buf, at.f, f, n, n, big, 1.0);
      place(buf, at.q, q, n, n, big, 0.0);
    } else {
      if (big != n || bigM != m) throw new IllegalArgumentException("constant-velocity shapes are never padded");
      buf[at.cv] = cv.noise() == ConstantVelocityModel.Noise.PIECEWISE ? 1.0 : 0.0;
      buf[at.cv + 1] = cv.noiseLevel();
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
