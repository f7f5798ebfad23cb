package io.statespace.inference.batched;

import io.statespace.data.Trajectory;
import io.statespace.inference.BatchSmoothingEngine;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.SmoothingEngine;
import io.statespace.model.DiffusePrior;
import io.statespace.model.StateSpaceModel;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The vectorised CPU engine: advances many trajectories of one model in lockstep, the Kalman filter
 * ({@link LaneFilter}) then the RTS smoother ({@link LaneSmoother}), in structure of arrays with the lane
 * (trajectory) index innermost so that the JIT turns each small-matrix operation into SIMD loops over
 * trajectories. The block is sorted by length and cut into tiles of {@link #width()} lanes (consecutive
 * lengths, so ragged blocks waste little; a tile's state stays in cache); missing components are masked. A
 * tile of fewer than {@link #MIN_LOCKSTEP_LANES} lanes, a lone long trajectory say, runs lane by lane in
 * scalar code ({@link ScalarLane}). Where the model fits them, tiles run fixed-size unrolled kernels instead of
 * the general lockstep ones ({@link Kernels}: {@link BlockLanes}, {@link UnrolledLanes}), in tiles of
 * {@link #UNROLLED_WIDTH} lanes.
 * Same {@link Posterior} as the sequential engine up to rounding. One instance per thread; it reuses its
 * scratch while the model's dimensions stay the same.
 *
 * <p>Shared covariances (docs/ARCHITECTURE.md §7.3): the covariance recursion depends only on the model, the
 * time gaps and the missing pattern, so trajectories of the block whose (length, missing pattern, gaps where
 * F and Q read them) agree exactly ({@link CovarianceGroups}) form a group of at least
 * {@link #MIN_SHARED_LANES}: its recursion runs once (the scalar lane, recording its gains in a
 * {@link GainRecord}) and only the means of its lanes advance in lockstep ({@link SharedMeans}). Their
 * posteriors then hold the same covariance arrays ({@link Sharing#SHARED}, the default: no copy, and 64
 * instead of 320 bytes allocated per step for n = 4; measured faster, docs/BENCHMARKS.md) or copies
 * ({@link Sharing#COPIED}). The scalar lane also switches to the
 * steady state of a long regular stretch ({@link ScalarLane}). A model with a diffuse prior runs each
 * trajectory's diffuse period alone and the rest in the lanes ({@link DiffuseHandover}).
 */
public final class BatchedEngine implements BatchSmoothingEngine, SmoothingEngine {
  /** Lanes per tile: wide enough to amortise each loop, narrow enough for a tile's state to stay in L2. */
  public static final int DEFAULT_WIDTH = 64;
  /** A tile of fewer lanes runs lane by lane in scalar code ({@link ScalarLane}): measured, lockstep pays from 8. */
  public static final int MIN_LOCKSTEP_LANES = 8;
  /**
   * Fewest trajectories that share one covariance recursion: the shared recursion costs about three lockstep
   * lanes (a scalar-lane pass, docs/BENCHMARKS.md), so from four members the group is cheaper than its lanes.
   */
  public static final int MIN_SHARED_LANES = 4;
  /**
   * Lanes per tile when the unrolled kernels run it (at most {@link #width()}): they gain nothing from wide tiles
   * (one lane at a time, no SIMD across lanes), and a narrow tile's posterior arrays (16 lanes × T steps × 320
   * bytes for n = 4) stay in L2 from their allocation through the filter and the smoother: 1.85× the general
   * kernels instead of 1.58× at 64 lanes, side by side on the tracking shape (docs/BENCHMARKS.md).
   */
  static final int UNROLLED_WIDTH = 16;

  /** What the engine does with trajectories whose covariance recursion is the same. */
  public enum Sharing {
    /** Every lane runs its own recursion (the engine before sharing; for comparisons). */
    PER_LANE,
    /** One recursion per group; the group's posteriors hold the same covariance arrays (read-only). */
    SHARED,
    /** One recursion per group; each posterior gets its own copy of the covariance arrays. */
    COPIED
  }

  /** Which kernels run the lockstep tiles. */
  public enum Kernels {
    /**
     * Unrolled scalar kernels where they fit: {@link BlockLanes} for a model that splits into blocks of two
     * states and one observation, else {@link UnrolledLanes} for n = 4, m = 2; the general ones otherwise.
     */
    FIXED_SIZE,
    /** Always the general lockstep kernels ({@link LaneFilter}, {@link LaneSmoother}): for comparisons. */
    GENERAL
  }

  private final int width;
  private final Sharing sharing;
  private final boolean steadyState;
  private final Kernels kernels;
  private SharedMeans means;
  private GainRecord record;
  private int n = -1;
  private int m = -1;
  private LaneFilter filter;
  private LaneSmoother smoother;
  private ScalarLane scalar;
  private UnrolledLanes unrolled;
  private BlockLanes blockLanes;
  private int[][] blockShape;
  private DiffuseHandover diffuse;

  public BatchedEngine() {
    this(DEFAULT_WIDTH);
  }

  /** @param width lanes per tile (at least 1) */
  public BatchedEngine(int width) {
    this(width, Sharing.SHARED, true);
  }

  /**
   * @param width lanes per tile (at least 1)
   * @param sharing what to do with trajectories that share a covariance recursion
   * @param steadyState whether the scalar lane switches to the steady state of a converged regular stretch
   */
  public BatchedEngine(int width, Sharing sharing, boolean steadyState) {
    this(width, sharing, steadyState, Kernels.FIXED_SIZE);
  }

  /**
   * @param width lanes per tile (at least 1)
   * @param sharing what to do with trajectories that share a covariance recursion
   * @param steadyState whether the scalar lane switches to the steady state of a converged regular stretch
   * @param kernels the kernels of the lockstep tiles
   */
  public BatchedEngine(int width, Sharing sharing, boolean steadyState, Kernels kernels) {
    if (width < 1) throw new IllegalArgumentException("tile width must be at least 1, got " + width);
    this.width = width;
    this.sharing = Objects.requireNonNull(sharing, "sharing");
    this.steadyState = steadyState;
    this.kernels = Objects.requireNonNull(kernels, "kernels");
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
      scalar = new ScalarLane(n, m, steadyState);
      means = new SharedMeans(n, m, width, algebra);
      record = new GainRecord(n, m);
      diffuse = new DiffuseHandover(n, m);
      unrolled = kernels == Kernels.FIXED_SIZE && UnrolledLanes.fits(n, m) ? new UnrolledLanes(width) : null;
      blockLanes = null;
      blockShape = null;
    }
  }

  /** Which kernels ran the tiles of the last call, and the smoother steps the unrolled kernels gave back to n×n. */
  static final class KernelUse {
    int scalarTiles;
    int generalTiles;
    int unrolledTiles;
    int blockTiles;
    long generalSteps;
  }

  private final KernelUse use = new KernelUse();

  /** The kernels of the last call, for tests. */
  KernelUse kernelUse() {
    return use;
  }

  /** Steps of the last lone trajectory (or group recursion) that took each steady-state path, for tests. */
  ScalarLane.Counts steadyCounts() {
    return scalar.counts();
  }

  private Posterior[] run(StateSpaceModel model, List<Trajectory> block, Outputs outputs, boolean smooth) {
    ensure(model);
    use.scalarTiles = 0;
    use.generalTiles = 0;
    use.unrolledTiles = 0;
    use.blockTiles = 0;
    use.generalSteps = 0;
    for (Trajectory tr : block) {
      if (tr.length() == 0) throw new IllegalArgumentException("trajectory '" + tr.id() + "' has no steps");
    }
    if (DiffusePrior.isDiffuse(model)) return diffuse.run(model, block, outputs, smooth, this::lanes);
    return lanes(model, block, outputs, smooth);
  }

  /** The lanes (shared groups, tiles, the scalar lane) for a model with a proper prior. */
  private Posterior[] lanes(StateSpaceModel model, List<Trajectory> block, Outputs outputs, boolean smooth) {
    int count = block.size();
    Posterior[] result = new Posterior[count];
    int[] rest = null;
    if (sharing != Sharing.PER_LANE && count >= MIN_SHARED_LANES) {
      LaneParameters.Binding binding = LaneParameters.binding(model, model.bind(block.get(0)));
      if (binding != LaneParameters.Binding.GENERIC) {
        boolean gaps = binding == LaneParameters.Binding.GAPS;
        CovarianceGroups groups = CovarianceGroups.of(block, gaps, pattern -> CovarianceGroups.hash(pattern, gaps),
            MIN_SHARED_LANES);
        for (int[] group : groups.groups()) runShared(model, block, group, outputs, smooth, result);
        rest = groups.rest();
      }
    }
    List<Trajectory> lanesBlock = block;
    if (rest != null) {
      Trajectory[] left = new Trajectory[rest.length];
      for (int i = 0; i < rest.length; i++) left[i] = block.get(rest[i]);
      lanesBlock = Arrays.asList(left);
    }
    int[] order = byLengthDescending(lanesBlock);
    int lanesCount = lanesBlock.size();
    int tileWidth = lanesCount > 0 && unrolledKernelsApply(model, lanesBlock.get(order[0]))
        ? Math.min(width, UNROLLED_WIDTH) : width;
    Trajectory[] lanes = new Trajectory[width];
    for (int start = 0; start < lanesCount; start += tileWidth) {
      int size = Math.min(tileWidth, lanesCount - start);
      int lanesPerTile = size < MIN_LOCKSTEP_LANES ? 1 : size;
      for (int first = start; first < start + size; first += lanesPerTile) {
        for (int l = 0; l < lanesPerTile; l++) lanes[l] = lanesBlock.get(order[first + l]);
        Posterior[] tileResult = runTile(model, new Tile(model, lanes, lanesPerTile), outputs, smooth);
        for (int l = 0; l < lanesPerTile; l++) {
          int index = rest == null ? order[first + l] : rest[order[first + l]];
          result[index] = tileResult[l];
        }
      }
    }
    return result;
  }

  /**
   * One group that shares its covariance recursion: the first member's full pass in the scalar lane records the
   * gains, then the other members' means advance in tiles of {@link #width()} lanes with those gains.
   */
  private void runShared(StateSpaceModel model, List<Trajectory> block, int[] group, Outputs outputs,
      boolean smooth, Posterior[] result) {
    Trajectory first = block.get(group[0]);
    int steps = first.length();
    int nn = n * n;
    Tile alone = new Tile(model, new Trajectory[] {first}, 1);
    LaneParameters firstParams = LaneParameters.bind(model, alone, 1);
    double[] fm = new double[steps * n];
    double[] fc = new double[steps * nn];
    double[] pm = outputs.predictions() ? new double[steps * n] : null;
    double[] pc = outputs.predictions() ? new double[steps * nn] : null;
    double[] sm = smooth ? new double[steps * n] : null;
    double[] sc = smooth ? new double[steps * nn] : null;
    double[] cross = smooth && outputs.crossCovariances() ? new double[(steps - 1) * nn] : null;
    double logLik = scalar.filter(alone, firstParams, fm, fc, pm, pc, record);
    if (smooth) scalar.smooth(alone, firstParams, fm, fc, sm, sc, cross, record);
    result[group[0]] = new Posterior(steps, n, logLik, fm, fc, pm, pc, sm, sc, cross);
    Trajectory[] lanes = new Trajectory[width];
    double[] laneLogLik = new double[width];
    for (int start = 1; start < group.length; start += width) {
      int size = Math.min(width, group.length - start);
      for (int l = 0; l < size; l++) lanes[l] = block.get(group[start + l]);
      Tile tile = new Tile(model, lanes, size);
      LaneParameters params = LaneParameters.bind(model, tile, width);
      double[][] laneFm = new double[size][];
      double[][] lanePm = pm == null ? null : new double[size][];
      double[][] laneSm = smooth ? new double[size][] : null;
      for (int l = 0; l < size; l++) {
        laneFm[l] = new double[steps * n];
        if (lanePm != null) lanePm[l] = new double[steps * n];
        if (smooth) laneSm[l] = new double[steps * n];
      }
      means.filter(tile, params, record, laneFm, lanePm, laneLogLik);
      if (smooth) means.smooth(tile, params, record, laneFm, laneSm);
      for (int l = 0; l < size; l++) {
        result[group[start + l]] = new Posterior(steps, n, laneLogLik[l], laneFm[l], own(fc),
            lanePm == null ? null : lanePm[l], own(pc), smooth ? laneSm[l] : null, own(sc), own(cross));
      }
    }
  }

  /** A group member's covariance array: the group's own under {@link Sharing#SHARED}, else a copy. */
  private double[] own(double[] groupArray) {
    return groupArray == null || sharing == Sharing.SHARED ? groupArray : groupArray.clone();
  }

  /** Indices of the block, longest trajectory first (stable); refuses an empty trajectory. */
  private static int[] byLengthDescending(List<Trajectory> block) {
    long[] keys = new long[block.size()];
    for (int i = 0; i < keys.length; i++) {
      Trajectory tr = block.get(i);
      keys[i] = ((long) (Integer.MAX_VALUE - tr.length()) << 32) | i;
    }
    Arrays.sort(keys);
    int[] order = new int[keys.length];
    for (int i = 0; i < keys.length; i++) order[i] = (int) keys[i];
    return order;
  }

  /**
   * Whether the tiles of this model will run the unrolled kernels ({@link #blocks} or {@link UnrolledLanes}),
   * judged on one trajectory's binding: the structural zeros come from the model, not from the trajectory.
   */
  private boolean unrolledKernelsApply(StateSpaceModel model, Trajectory probe) {
    if (kernels != Kernels.FIXED_SIZE) return false;
    if (UnrolledLanes.fits(n, m)) return true;
    Tile tile = new Tile(model, new Trajectory[] {probe}, 1);
    return BlockLanes.blocks(LaneParameters.bind(model, tile, 1), n, m) != null;
  }

  /**
   * The block kernels for this tile's parameters ({@link BlockLanes#blocks}), kept while the blocks stay the
   * same, or null where they do not apply.
   */
  private BlockLanes blocks(LaneParameters params) {
    if (kernels != Kernels.FIXED_SIZE) return null;
    int[][] blocks = BlockLanes.blocks(params, n, m);
    if (blocks == null) return null;
    if (blockLanes == null || !Arrays.deepEquals(blocks, blockShape)) {
      blockLanes = new BlockLanes(n, m, blocks, width);
      blockShape = blocks;
    }
    return blockLanes;
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
      logLik[0] = scalar.filter(tile, params, fm[0], fc[0], pm == null ? null : pm[0], pc == null ? null : pc[0],
          null);
      use.scalarTiles++;
      if (smooth) scalar.smooth(tile, params, fm[0], fc[0], sm[0], sc[0], cross == null ? null : cross[0], null);
    } else if (blocks(params) != null) {
      use.blockTiles++;
      blockLanes.filter(tile, params, fm, fc, pm, pc, logLik);
      if (smooth) use.generalSteps += blockLanes.smooth(tile, params, fm, fc, sm, sc, cross);
    } else if (unrolled != null) {
      use.unrolledTiles++;
      unrolled.filter(tile, params, fm, fc, pm, pc, logLik);
      if (smooth) use.generalSteps += unrolled.smooth(tile, params, fm, fc, sm, sc, cross);
    } else {
      use.generalTiles++;
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
