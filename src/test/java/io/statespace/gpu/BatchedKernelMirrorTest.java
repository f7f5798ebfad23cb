package io.statespace.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.gpu.ModelPacking.Kind;
import io.statespace.gpu.ModelPacking.PackedModel;
import io.statespace.gpu.PtxModules.Shape;
import io.statespace.gpu.check.CheckCases;
import io.statespace.gpu.check.Compare;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.LinearModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.testing.RandomModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The batched kernel's algorithm and packing, checked on the CPU through its Java mirror: every posterior
 * array of every trajectory agrees with the sequential float64 engine to 1e-9 relative, for random linear
 * models with inputs and biases and for constant-velocity models with irregular dt (zero gaps included),
 * with whole and partial missing steps and ragged lengths; and padding (storage past a lane's length,
 * shape padding, and the other lanes of a batch) changes no bit of any result.
 */
class BatchedKernelMirrorTest {
  private static final double TOLERANCE = 1e-9;

  /** Packs, runs the mirror, unpacks: the engine's host path with the kernels replaced by the mirror. */
  static Posterior[] mirror(PackedModel pm, List<Trajectory> block, Outputs outputs, boolean smooth, double filler) {
    BatchLayout layout = BatchLayout.of(block);
    double[] y = BatchPacking.observations(layout, block, pm, filler);
    double[] u = BatchPacking.inputs(layout, block, pm, filler);
    double[] dt = BatchPacking.gaps(layout, block, pm, filler);
    BatchedKernelMirror.Result r = new BatchedKernelMirror(pm).run(layout, y, u, dt, outputs.predictions(), smooth,
        outputs.crossCovariances());
    int big = pm.shape().stateDim();
    int n = pm.stateDim();
    double[] fm = BatchedKernelMirror.unpack(layout, r.fm, big);
    double[] fc = BatchedKernelMirror.unpack(layout, r.fc, big * big);
    double[] pm1 = r.pm == null ? null : BatchedKernelMirror.unpack(layout, r.pm, big);
    double[] pc = r.pc == null ? null : BatchedKernelMirror.unpack(layout, r.pc, big * big);
    double[] sm = r.sm == null ? null : BatchedKernelMirror.unpack(layout, r.sm, big);
    double[] sc = r.sc == null ? null : BatchedKernelMirror.unpack(layout, r.sc, big * big);
    double[] cr = r.cross == null ? null : BatchedKernelMirror.unpack(layout, r.cross, big * big);
    long[] dst = layout.dstSteps();
    Posterior[] out = new Posterior[block.size()];
    for (int l = 0; l < layout.lanes(); l++) {
      assertEquals(0, r.status[2 * l], "lane " + l + " failed at step " + r.status[2 * l + 1]);
      int steps = layout.length(l);
      out[layout.trajectoryOfLane(l)] = new Posterior(steps, n, r.loglik[l],
          BatchPacking.slice(fm, dst[l], steps, big, n, false), BatchPacking.slice(fc, dst[l], steps, big, n, true),
          pm1 == null ? null : BatchPacking.slice(pm1, dst[l], steps, big, n, false),
          pc == null ? null : BatchPacking.slice(pc, dst[l], steps, big, n, true),
          sm == null ? null : BatchPacking.slice(sm, dst[l], steps, big, n, false),
          sm == null ? null : BatchPacking.slice(sc, dst[l], steps, big, n, true),
          cr == null ? null : BatchPacking.slice(cr, dst[l], steps - 1, big, n, true));
    }
    return out;
  }

  private static double compareWithSequential(String label, StateSpaceModel model, List<Trajectory> block,
      Posterior[] actual, boolean smooth) {
    SequentialEngine reference = new SequentialEngine();
    double worst = 0.0;
    for (int k = 0; k < block.size(); k++) {
      Posterior expected = smooth ? reference.smooth(model, block.get(k), Outputs.ALL)
          : reference.filter(model, block.get(k), Outputs.ALL);
      Map<String, Double> d = Compare.of(actual[k], expected);
      worst = Math.max(worst, Compare.max(d));
      assertTrue(Compare.max(d) < TOLERANCE, label + ", trajectory " + k + " (T=" + block.get(k).length() + "): " + d);
    }
    System.out.printf("batched mirror vs sequential %s: %d trajectories, max relative difference %.1e%n", label,
        block.size(), worst);
    return worst;
  }

  @Test
  void linearModelsMatchTheSequentialEngine() {
    SplittableRandom rng = new SplittableRandom(401);
    for (int round = 0; round < 8; round++) {
      int n = 1 + rng.nextInt(6);
      int m = 1 + rng.nextInt(Math.min(n, 4));
      int p = rng.nextInt(3);
      LinearModel model = RandomModels.linear(rng, n, m, p);
      List<Trajectory> block = CheckCases.ragged(rng, model, 1 + rng.nextInt(70), 1 + rng.nextInt(80));
      PackedModel pm = ModelPacking.pack(model, Shapes.shipped());
      String label = String.format("linear n=%d m=%d p=%d in %s", n, m, p, pm.shape().name());
      compareWithSequential(label, model, block, mirror(pm, block, Outputs.ALL, true, 0.0), true);
      compareWithSequential(label + " (filter)", model, block, mirror(pm, block, Outputs.ALL, false, 0.0), false);
    }
  }

  @Test
  void constantVelocityModelsMatchTheSequentialEngine() {
    SplittableRandom rng = new SplittableRandom(402);
    for (int axes = 1; axes <= 3; axes++) {
      for (boolean fixed : new boolean[] {false, true}) {
        StateSpaceModel model = CheckCases.constantVelocity(rng, axes, fixed);
        List<Trajectory> block = CheckCases.ragged(rng, model, 50, 60);
        PackedModel pm = ModelPacking.pack(model, Shapes.shipped());
        assertEquals(fixed ? Kind.LINEAR : Kind.CONSTANT_VELOCITY, pm.kind());
        compareWithSequential("constant velocity, " + axes + " axes, " + (fixed ? "fixed dt" : "irregular dt"), model,
            block, mirror(pm, block, Outputs.ALL, true, 0.0), true);
      }
    }
  }

  @Test
  void storagePastALanesLengthIsNeverRead() {
    SplittableRandom rng = new SplittableRandom(403);
    StateSpaceModel model = RandomModels.linear(rng, 3, 2, 2);
    List<Trajectory> block = CheckCases.ragged(rng, model, 45, 40);
    PackedModel pm = ModelPacking.pack(model, Shapes.shipped());
    Posterior[] clean = mirror(pm, block, Outputs.ALL, true, 0.0);
    for (double garbage : new double[] {Double.NaN, 1e300, -7.5}) {
      Posterior[] dirty = mirror(pm, block, Outputs.ALL, true, garbage);
      for (int k = 0; k < block.size(); k++) {
        assertTrue(Compare.identical(dirty[k], clean[k]), "filler " + garbage + " changed trajectory " + k);
      }
    }
    StateSpaceModel cv = CheckCases.constantVelocity(rng, 2, false);
    List<Trajectory> cvBlock = CheckCases.ragged(rng, cv, 40, 30);
    PackedModel cvPacked = ModelPacking.pack(cv, Shapes.shipped());
    Posterior[] a = mirror(cvPacked, cvBlock, Outputs.ALL, true, 0.0);
    Posterior[] b = mirror(cvPacked, cvBlock, Outputs.ALL, true, Double.NaN);
    for (int k = 0; k < cvBlock.size(); k++) assertTrue(Compare.identical(a[k], b[k]), "dt filler changed " + k);
  }

  @Test
  void shapePaddingChangesNoBit() {
    SplittableRandom rng = new SplittableRandom(404);
    int[][] dims = {{1, 1, 0}, {2, 1, 1}, {3, 2, 2}, {4, 3, 0}, {5, 2, 1}};
    Shape[] bigger = {new Shape("lin", 4, 2), new Shape("lin", 4, 3), new Shape("lin", 6, 3), new Shape("lin", 6, 3),
        new Shape("lin", 8, 4)};
    for (int c = 0; c < dims.length; c++) {
      int n = dims[c][0];
      int m = dims[c][1];
      LinearModel model = RandomModels.linear(rng, n, m, dims[c][2]);
      List<Trajectory> block = CheckCases.ragged(rng, model, 20, 30);
      Posterior[] exact = mirror(ModelPacking.pack(model, Kind.LINEAR, new Shape("lin", n, m)), block, Outputs.ALL,
          true, 0.0);
      Posterior[] padded = mirror(ModelPacking.pack(model, Kind.LINEAR, bigger[c]), block, Outputs.ALL, true, 0.0);
      for (int k = 0; k < block.size(); k++) {
        assertTrue(Compare.identical(padded[k], exact[k]), "n=" + n + " m=" + m + " padded to " + bigger[c]
            + " changed trajectory " + k + ": " + Compare.of(padded[k], exact[k]));
      }
      System.out.printf("shape padding n=%d m=%d -> %s: all %d trajectories bit-identical%n", n, m, bigger[c].name(),
          block.size());
    }
  }

  @Test
  void otherLanesOfABatchChangeNoBit() {
    SplittableRandom rng = new SplittableRandom(405);
    StateSpaceModel model = RandomModels.linear(rng, 4, 2, 1);
    List<Trajectory> block = CheckCases.ragged(rng, model, 70, 50);
    PackedModel pm = ModelPacking.pack(model, Shapes.shipped());
    Posterior[] together = mirror(pm, block, Outputs.ALL, true, 0.0);
    for (int k = 0; k < block.size(); k += 7) {
      Posterior alone = mirror(pm, List.of(block.get(k)), Outputs.ALL, true, 0.0)[0];
      assertTrue(Compare.identical(alone, together[k]), "trajectory " + k + " differs alone and in the batch");
    }
    List<Trajectory> reversed = new ArrayList<>(block);
    java.util.Collections.reverse(reversed);
    Posterior[] back = mirror(pm, reversed, Outputs.ALL, true, 0.0);
    for (int k = 0; k < block.size(); k++) {
      assertTrue(Compare.identical(back[block.size() - 1 - k], together[k]), "block order changed trajectory " + k);
    }
  }

  @Test
  void aSingularInnovationCovarianceIsReportedWithItsStep() {
    int n = 2;
    LinearModel model = new LinearModel(n, 1, 0, new double[] {0, 0}, new double[] {1, 0, 0, 1},
        new double[] {1, 0, 0, 1}, null, null, new double[] {0.1, 0, 0, 0.1},
        new double[] {0, 0}, null, null, new double[] {0.0});
    double[] times = {0, 1, 2};
    List<Trajectory> block = List.of(new Trajectory("flat", times, new double[] {Double.NaN, 1.0, 2.0}, 1));
    PackedModel pm = ModelPacking.pack(model, Shapes.shipped());
    BatchLayout layout = BatchLayout.of(block);
    BatchedKernelMirror.Result r = new BatchedKernelMirror(pm).run(layout,
        BatchPacking.observations(layout, block, pm, 0.0), null, null, false, true, false);
    assertArrayEquals(new int[] {1, 1}, r.status, "code 1 (innovation) at step 1, the first observed step");
  }
}
