package io.statespace.gpu;

import io.statespace.gpu.PtxModules.Shape;
import java.util.List;

/**
 * The kernels of src/main/cuda/statespace.cu with their parameter types, in order. The launch code builds
 * its arguments through {@link KernelArgs}, which refuses arguments that do not match these lists, and a
 * unit test compares the lists with the {@code .param} declarations of every shipped PTX module, so a
 * signature change on one side cannot go unnoticed on a machine without a GPU.
 */
public enum Kernels {
  /** Batched filter (+ smoother): model, p, lanes, len, groupStep, y, u, dt, fm, fc, pm, pc, sm, sc, cross, loglik, status. */
  BATCH("batch_", true, Param.PTR, Param.I32, Param.I32, Param.PTR, Param.PTR, Param.PTR, Param.PTR, Param.PTR,
      Param.PTR, Param.PTR, Param.PTR, Param.PTR, Param.PTR, Param.PTR, Param.PTR, Param.PTR, Param.PTR),
  /** Filtering elements: model, p, count, y, u, dt, elems, cap, threads, chunk, status. */
  FILTER_ELEMENTS("felem_", true, Param.PTR, Param.I32, Param.I64, Param.PTR, Param.PTR, Param.PTR, Param.PTR,
      Param.I64, Param.I32, Param.I32, Param.PTR),
  /** Post-hoc log-likelihood terms: model, p, count, y, u, dt, fm, fc, pm, pc, terms, status. */
  LOG_LIKELIHOOD("loglik_", true, Param.PTR, Param.I32, Param.I64, Param.PTR, Param.PTR, Param.PTR, Param.PTR,
      Param.PTR, Param.PTR, Param.PTR, Param.PTR, Param.PTR),
  /** Smoothing elements: model, p, count, u, dt, fm, fc, elems, cap, threads, chunk, gainsT, status. */
  SMOOTHER_ELEMENTS("selem_", true, Param.PTR, Param.I32, Param.I64, Param.PTR, Param.PTR, Param.PTR, Param.PTR,
      Param.PTR, Param.I64, Param.I32, Param.I32, Param.PTR, Param.PTR),
  /** Filter scan, tile pass: elems, cap, count, totals, totalsCap, chunk. */
  FILTER_SCAN_TILE("fscan_tile_n", false, Param.PTR, Param.I64, Param.I64, Param.PTR, Param.I64, Param.I32),
  /** Filter scan, carry pass: elems, cap, count, totals, totalsCap, chunk. */
  FILTER_SCAN_CARRY("fscan_carry_n", false, Param.PTR, Param.I64, Param.I64, Param.PTR, Param.I64, Param.I32),
  /** Filter read-off: elems, cap, count, threads, chunk, fm, fc, status. */
  FILTER_READOFF("freadoff_n", false, Param.PTR, Param.I64, Param.I64, Param.I32, Param.I32, Param.PTR, Param.PTR,
      Param.PTR),
  /** Smoother scan (reverse), tile pass. */
  SMOOTHER_SCAN_TILE("sscan_tile_n", false, Param.PTR, Param.I64, Param.I64, Param.PTR, Param.I64, Param.I32),
  /** Smoother scan (reverse), carry pass. */
  SMOOTHER_SCAN_CARRY("sscan_carry_n", false, Param.PTR, Param.I64, Param.I64, Param.PTR, Param.I64, Param.I32),
  /** Smoother read-off: elems, cap, count, threads, chunk, sm, sc, status. */
  SMOOTHER_READOFF("sreadoff_n", false, Param.PTR, Param.I64, Param.I64, Param.I32, Param.I32, Param.PTR, Param.PTR,
      Param.PTR),
  /** Lag-one cross-covariances: count, sc, gainsT, cross. */
  CROSS_COVARIANCE("crosscov_n", false, Param.I64, Param.PTR, Param.PTR, Param.PTR),
  /** Per-lane fitting statistics: lanes, len, groupStep, sm, sc, cross, loglik, status, stats. */
  BATCH_STATISTICS("batch_stats_n", false, Param.I32, Param.PTR, Param.PTR, Param.PTR, Param.PTR, Param.PTR,
      Param.PTR, Param.PTR, Param.PTR),
  /** Grouped to per-trajectory layout: src, c, lanes, groups, storedSteps, len, groupStep, dstStep, dst. */
  UNPACK("unpack_lanes", null, Param.PTR, Param.I32, Param.I32, Param.I32, Param.I64, Param.PTR, Param.PTR,
      Param.PTR, Param.PTR),
  /** Column sums, one pass: in, rows, out. */
  REDUCE("reduce_columns", null, Param.PTR, Param.I64, Param.PTR);

  /** A kernel parameter's type, with its PTX declaration. */
  public enum Param {
    /** A device pointer (null allowed for optional outputs). */
    PTR(".u64"),
    /** int. */
    I32(".u32"),
    /** long long. */
    I64(".u64"),
    /** double. */
    F64(".f64");

    private final String ptx;

    Param(String ptx) {
      this.ptx = ptx;
    }

    /** The type in a PTX {@code .param} declaration. */
    public String ptx() {
      return ptx;
    }
  }

  private final String prefix;
  private final Boolean byModel;
  private final List<Param> params;

  /**
   * @param byModel true: the name ends in the shape name (kind, N, M); false: in N only; null: no suffix
   */
  Kernels(String prefix, Boolean byModel, Param... params) {
    this.prefix = prefix;
    this.byModel = byModel;
    this.params = List.of(params);
  }

  public List<Param> params() {
    return params;
  }

  /** The entry name in the module of {@code shape}. */
  public String name(Shape shape) {
    if (byModel == null) return prefix;
    return byModel ? prefix + shape.name() : prefix + shape.stateDim();
  }
}
