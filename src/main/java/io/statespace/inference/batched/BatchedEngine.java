package io.statespace.inference.batched;

import io.statespace.data.Trajectory;
import io.statespace.inference.BatchSmoothingEngine;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.SmoothingEngine;
import io.statespace.model.StateSpaceModel;
import java.util.Arrays;
import java.util.List;

/**
 * The vectorised CPU engine: advances many trajectories of one model in lockstep, the Kalman filter
 * ({@link LaneFilter}) then the RTS smoother ({@link LaneSmoother}), in structure of arrays with the lane
 * (trajectory) index innermost so that the JIT turns each small-matrix operation into SIMD loops over
 * trajectories. The block is sorted by length and cut into tiles of {@link #width()} lanes (consecutive
 * lengths, so ragged blocks waste little; a tile's state stays in cache); missing components are masked. A
 * tile of fewer than {@link #MIN_LOCKSTEP_LANES} lanes, a lone long trajectory say, runs lane by lane in
 * scalar code ({@link ScalarLane}).
 * Same {@link Posterior} as the sequential engine up to rounding. One instance per thread; it reuses its
 * scratch while the model's dimensions stay the same.
 */
public final class BatchedEngine implements BatchSmoothingEngine, SmoothingEngine {
  /** Lanes per tile: wide enough to amortise each loop, narrow enough for a tile's state to stay in L2. */
  public static final int DEFAULT_WIDTH = 64;
  /** A tile of fewer lanes runs lane by lane in scalar code ({@link ScalarLane}): measured, lockstep pays from 8. */
  public static final int MIN_LOCKSTEP_LANES = 8;

  private final int width;
  private int n = -1;
  private int m = -1;
  private LaneFilter filter;
  private LaneSmoother smoother;
  private ScalarLane scalar;

  public BatchedEngine() {
    this(DEFAULT_WIDTH);
  }

  /** @param width lanes per tile (at least 1) */
  public BatchedEngine(int width) {
    if (width < 1) throw new IllegalArgumentException("tile width must be at least 1, got " + width);
    this.width = width;
  }

  public int width() {
    return width;
  }

  @Override
  public Posterior[] filter(StateSpaceModel model, List<Trajectory> block, Outputs outputs) {
    return run(model, block, outputs, false);
  }

  @Override
  public Posterior[] smooth(StateSpaceModel model, List<Trajectory> block, Outputs outputs) {
    return run(model, block, outputs, true);
  }

  @Override
  public Posterior filter(StateSpaceModel model, Trajectory trajectory, Outputs outputs) {
    return run(model, List.of(trajectory), outputs, false)[0];
  }

  @Override
  public Posterior smooth(StateSpaceModel model, Trajectory trajectory, Outputs outputs) {
    return run(model, List.of(trajectory), outputs, true)[0];
  }

  private void ensure(StateSpaceModel model) {
    if (model.stateDim() != n || model.obsDim() != m) {
      n = model.stateDim();
      m = model.obsDim();
      LaneAlgebra algebra = new LaneAlgebra(Math.max(n, m));
      filter = new LaneFilter(n, m, width, algebra);
      smoother = new LaneSmoother(n, width, algebra);
      scalar = new ScalarLane(n, m);
    }
  }

  private Posterior[] run(StateSpaceModel model, List<Trajectory> block, Outputs outputs, boolean smooth) {
    ensure(model);
    int count = block.size();
    int[] order = byLengthDescending(block);
    Posterior[] result = new Posterior[count];
    Trajectory[] lanes = new Trajectory[width];
    for (int start = 0; start < count; start += width) {
      int size = Math.min(width, count - start);
      int lanesPerTile = size < MIN_LOCKSTEP_LANES ? 1 : size;
      for (int first = start; first < start + size; first += lanesPerTile) {
        for (int l = 0; l < lanesPerTile; l++) lanes[l] = block.get(order[first + l]);
        Posterior[] tileResult = runTile(model, new Tile(model, lanes, lanesPerTile), outputs, smooth);
        for (int l = 0; l < lanesPerTile; l++) result[order[first + l]] = tileResult[l];
      }
    }
    return result;
  }

  /** Indices of the block, longest trajectory first (stable); refuses an empty trajectory. */
  private static int[] byLengthDescending(List<Trajectory> block) {
    long[] keys = new long[block.size()];
    for (int i = 0; i < keys.length; i++) {
      Trajectory tr = block.get(i);
      if (tr.length() == 0) throw new IllegalArgumentException("trajectory '" + tr.id() + "' has no steps");
      keys[i] = ((long) (Integer.MAX_VALUE - tr.length()) << 32) | i;
    }
    Arrays.sort(keys);
    int[] order = new int[keys.length];
    for (int i = 0; i < keys.length; i++) order[i] = (int) keys[i];
    return order;
  }

  private Posterior[] runTile(StateSpaceModel model, Tile tile, Outputs outputs, boolean smooth) {
    int size = tile.count;
    int nn = n * n;
    LaneParameters params = LaneParameters.bind(model, tile, width);
    double[][] fm = new double[size][];
    double[][] fc = new double[size][];
    double[][] pm = outputs.predictions() ? new double[size][] : null;
    double[][] pc = outputs.predictions() ? new double[size][] : null;
    double[][] sm = smooth ? new double[size][] : null;
    double[][] sc = smooth ? new double[size][] : null;
    double[][] cross = smooth && outputs.crossCovariances() ? new double[size][] : null;
    for (int l = 0; l < size; l++) {
      int steps = tile.lengths[l];
      fm[l] = new double[steps * n];
      fc[l] = new double[steps * nn];
      if (pm != null) {
        pm[l] = new double[steps * n];
        pc[l] = new double[steps * nn];
      }
      if (smooth) {
        sm[l] = new double[steps * n];
        sc[l] = new double[steps * nn];
        if (cross != null) cross[l] = new double[(steps - 1) * nn];
      }
    }
    double[] logLik = new double[width];
    if (size == 1) {
      logLik[0] = scalar.filter(tile, params, fm[0], fc[0], pm == null ? null : pm[0], pc == null ? null : pc[0]);
      if (smooth) scalar.smooth(tile, params, fm[0], fc[0], sm[0], sc[0], cross == null ? null : cross[0]);
    } else {
      filter.run(tile, params, fm, fc, pm, pc, logLik);
      if (smooth) smoother.run(tile, params, fm, fc, sm, sc, cross);
    }
    Posterior[] out = new Posterior[size];
    for (int l = 0; l < size; l++) {
      out[l] = new Posterior(tile.lengths[l], n, logLik[l], fm[l], fc[l], pm == null ? null : pm[l],
          pc == null ? null : pc[l], smooth ? sm[l] : null, smooth ? sc[l] : null, cross == null ? null : cross[l]);
    }
    return out;
  }
}
