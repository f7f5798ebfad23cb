package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.SmoothingEngine;
import io.statespace.inference.batched.BatchedEngine;
import io.statespace.inference.sequential.InPlaceSmoother;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.testing.AllEngines;
import io.statespace.testing.RandomModels;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rows of {@code --outputs predicted,smoothed_obs,diagnostics} made from every CPU engine's posterior equal
 * those made from the sequential engine's, per element at 1e-9 (relative to the element's RMS over the trajectory,
 * docs/ARCHITECTURE.md's usual scale), on random time-varying models with inputs, fully and partly missing steps
 * and irregular dt: the parallel scan, the batched engine's scalar lane (with its steady-state switch on a long
 * regular stretch) and its lockstep lanes sharing one covariance recursion; the lean in-place path gives the
 * sequential engine's rows bit for bit. Missing components are null elements; the summary's diagnostics agree;
 * too few observed steps give null diagnostics, not an error.
 */
class ExtraOutputsEnginesTest {
  private static final OutputChoice ALL = OutputChoice.FULL.withOutputs("predicted,smoothed_obs,diagnostics");
  private static final double TOLERANCE = 1e-9;

  /** The rows (states then summary) of one trajectory from one posterior, as value arrays. */
  private static List<Object[]> rows(StateSpaceModel model, Trajectory tr, Posterior posterior, InPlaceSmoother.Result lean) {
    Object[] times = new Object[tr.length()];
    for (int t = 0; t < times.length; t++) times[t] = tr.times()[t];
    AssembledTrajectory assembled = new AssembledTrajectory(tr, tr.id(), times);
    List<OutputChoice.StateArray> arrays = ALL.stateArrays();
    UnionRows union = new UnionRows(model.obsDim(), model.inputDim(), arrays.size(), true, DataTypes.StringType,
        DataTypes.DoubleType);
    TrajectoryRows.Extras extras = TrajectoryRows.extras(model, ALL, tr, posterior, lean);
    Iterator<InternalRow> it = posterior != null
        ? TrajectoryRows.smoothed(assembled, union, arrays, posterior, extras, "cpu", "test")
        : TrajectoryRows.lean(assembled, union, arrays, lean, extras, "cpu", "test");
    List<Object[]> out = new ArrayList<>();
    while (it.hasNext()) out.add(((GenericInternalRow) it.next()).values().clone());
    assertEquals(tr.length() + 1, out.size());
    return out;
  }

  /** An array cell's values, a null element as NaN. */
  private static double[] values(Object cell) {
    ArrayData a = (ArrayData) cell;
    double[] v = new double[a.numElements()];
    for (int i = 0; i < v.length; i++) v[i] = a.isNullAt(i) ? Double.NaN : a.getDouble(i);
    return v;
  }

  /** Every cell of {@code actual} against {@code expected}: arrays per element relative to the column's RMS, nulls alike. */
  private static void assertRowsClose(String label, List<Object[]> expected, List<Object[]> actual) {
    assertEquals(expected.size(), actual.size());
    int width = expected.get(0).length;
    double[][] scales = new double[width][];
    for (Object[] row : expected.subList(0, expected.size() - 1)) {
      for (int c = 0; c < width; c++) {
        if (!(row[c] instanceof ArrayData)) continue;
        double[] v = values(row[c]);
        if (scales[c] == null) scales[c] = new double[v.length];
        for (int i = 0; i < v.length; i++) if (!Double.isNaN(v[i])) scales[c][i] += v[i] * v[i] / expected.size();
      }
    }
    int compared = 0;
    for (int r = 0; r < expected.size(); r++) {
      for (int c = 0; c < width; c++) {
        Object e = expected.get(r)[c];
        Object a = actual.get(r)[c];
        if (e instanceof ArrayData) {
          double[] ev = values(e);
          double[] av = values(a);
          assertEquals(ev.length, av.length);
          for (int i = 0; i < ev.length; i++) {
            String where = label + ": row " + r + " column " + c + "[" + i + "]";
            assertEquals(Double.isNaN(ev[i]), Double.isNaN(av[i]), where + " null where the reference is");
            if (Double.isNaN(ev[i])) continue;
            double scale = Math.max(Math.abs(ev[i]), Math.sqrt(scales[c][i]));
            assertTrue(Math.abs(ev[i] - av[i]) <= TOLERANCE * scale, where + ": " + av[i] + " vs " + ev[i]);
            compared++;
          }
        } else if (e instanceof Double && a instanceof Double) {
          double ev = (Double) e;
          assertTrue(Math.abs(ev - (Double) a) <= TOLERANCE * Math.max(1.0, Math.abs(ev)),
              label + ": row " + r + " column " + c + ": " + a + " vs " + e);
        } else if (c != width - 1) {
          assertEquals(e, a, label + ": row " + r + " column " + c);
        }
      }
    }
    assertTrue(compared > expected.size() * 10, label + ": elements compared " + compared);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3})
  void everyEngineGivesTheSequentialEnginesRows(int seed) {
    int n = 2 + seed % 3;
    int m = 1 + seed % 3;
    int p = seed % 2;
    StateSpaceModel model = RandomModels.timeVarying(seed, n, m, p);
    Trajectory tr = RandomModels.trajectory(new SplittableRandom(seed), model, "tr-" + seed, 150, new RandomModels.DataShape());
    List<Object[]> reference = rows(model, tr, new SequentialEngine().smooth(model, tr, Outputs.MOMENTS), null);
    assertMissingComponentsAreNull(model, tr, reference);
    try (AllEngines engines = new AllEngines()) {
      for (Map.Entry<String, SmoothingEngine> e : engines.byName().entrySet()) {
        assertRowsClose(e.getKey(), reference, rows(model, tr, e.getValue().smooth(model, tr, Outputs.MOMENTS), null));
      }
    }
    List<Object[]> lean = rows(model, tr, null, new InPlaceSmoother(32).smooth(model, tr));
    for (int r = 0; r < reference.size(); r++) {
      for (int c = 0; c < reference.get(r).length; c++) {
        Object e = reference.get(r)[c];
        if (e instanceof ArrayData) {
          assertArrayEquals(values(e), values(lean.get(r)[c]), "lean row " + r + " column " + c);
        } else {
          assertEquals(e, lean.get(r)[c], "lean row " + r + " column " + c);
        }
      }
    }
  }

  /** The innovations are null exactly at the missing components, and every row carries every array. */
  private static void assertMissingComponentsAreNull(StateSpaceModel model, Trajectory tr, List<Object[]> rows) {
    int m = model.obsDim();
    List<OutputChoice.StateArray> arrays = ALL.stateArrays();
    int first = 3 + m + model.inputDim();
    int innovation = first + indexOf(arrays, "innovation");
    int standardized = first + indexOf(arrays, "standardized_innovation");
    int missing = 0;
    for (int t = 0; t < tr.length(); t++) {
      double[] v = values(rows.get(t)[innovation]);
      double[] w = values(rows.get(t)[standardized]);
      for (int i = 0; i < m; i++) {
        boolean absent = Double.isNaN(tr.observations()[t * m + i]);
        assertEquals(absent, Double.isNaN(v[i]), "innovation at " + t + "[" + i + "]");
        assertEquals(absent, Double.isNaN(w[i]), "standardized innovation at " + t + "[" + i + "]");
        if (absent) missing++;
      }
      for (int k = 0; k < arrays.size(); k++) assertNotNull(rows.get(t)[first + k], arrays.get(k).name() + " at " + t);
    }
    assertTrue(missing > 0, "the trajectory has missing components");
  }

  private static int indexOf(List<OutputChoice.StateArray> arrays, String name) {
    for (int k = 0; k < arrays.size(); k++) if (arrays.get(k).name().equals(name)) return k;
    throw new AssertionError(name);
  }

  /** A long regular trajectory of a time-invariant model: the scalar lane switches to its steady-state gains. */
  @Test
  void theScalarLanesSteadyStateGivesTheSequentialEnginesRows() {
    SplittableRandom rng = new SplittableRandom(8);
    StateSpaceModel model = RandomModels.linear(rng, 3, 2, 1);
    RandomModels.DataShape shape = RandomModels.DataShape.complete();
    shape.missingStepFraction = 0.002;
    shape.partialFraction = 0.002;
    Trajectory tr = RandomModels.trajectory(rng, model, "steady", 1500, shape);
    List<Object[]> reference = rows(model, tr, new SequentialEngine().smooth(model, tr, Outputs.MOMENTS), null);
    assertRowsClose("scalar lane", reference, rows(model, tr, new BatchedEngine().smooth(model, List.of(tr),
        Outputs.MOMENTS)[0], null));
  }

  /**
   * Trajectories with one length, missing pattern and times share one covariance recursion in the lockstep lanes: a
   * constant-velocity model with dt from irregular times, and a linear model with inputs (its own per lane).
   */
  @Test
  void lanesSharingOneCovarianceGiveTheSequentialEnginesRows() {
    SplittableRandom rng = new SplittableRandom(9);
    double[] cov = new double[16];
    for (int i = 0; i < 4; i++) cov[i * 5] = 1.0;
    StateSpaceModel[] models = {new ConstantVelocityModel(2, Double.NaN, ConstantVelocityModel.Noise.CONTINUOUS, 0.7,
        new double[] {0.4, 0.6}, new double[] {1.0, -2.0, 0.5, 0.3}, cov), RandomModels.linear(rng, 3, 2, 1)};
    for (StateSpaceModel model : models) {
      Trajectory base = RandomModels.trajectory(rng, model, "base", 90, new RandomModels.DataShape());
      List<Trajectory> block = new ArrayList<>();
      for (int k = 0; k < 40; k++) {
        Trajectory values = RandomModels.trajectory(rng, model, "tr-" + k, base.length(), RandomModels.DataShape.complete());
        double[] obs = values.observations().clone();
        for (int i = 0; i < obs.length; i++) if (Double.isNaN(base.observations()[i])) obs[i] = Double.NaN;
        block.add(new Trajectory("tr-" + k, base.times(), obs, base.obsDim(), values.inputs(), values.inputDim()));
      }
      Posterior[] shared = new BatchedEngine().smooth(model, block, Outputs.MOMENTS);
      assertSame(shared[0].filteredCovariances(), shared[1].filteredCovariances(), "one shared covariance recursion");
      for (int k = 0; k < block.size(); k += 13) {
        Trajectory tr = block.get(k);
        assertRowsClose("lane " + k, rows(model, tr, new SequentialEngine().smooth(model, tr, Outputs.MOMENTS), null),
            rows(model, tr, shared[k], null));
      }
    }
  }

  /**
   * Fewer than 5 observed values per component: no Ljung-Box test (null statistic, p-value and lag) but a mean NIS;
   * nothing observed at all: observed 0 and every diagnostic null. Neither is an error.
   */
  @Test
  void tooFewObservedStepsGiveNullDiagnostics() {
    StateSpaceModel model = RandomModels.timeVarying(4, 2, 2, 0);
    Trajectory values = RandomModels.trajectory(new SplittableRandom(4), model, "few", 12,
        RandomModels.DataShape.complete());
    double[] obs = values.observations().clone();
    for (int t = 4; t < 12; t++) obs[2 * t] = obs[2 * t + 1] = Double.NaN;
    Trajectory few = new Trajectory("few", values.times(), obs, 2);
    Object[] summary = summary(model, few);
    int o = 3 + 2 + ALL.stateArrays().size() + 1 + 4 + 5;
    assertEquals(8L, summary[o]);
    assertNotNull(summary[o + 1], "mean NIS over the 4 observed steps");
    assertNull(summary[o + 2]);
    assertNull(summary[o + 3]);
    assertNull(summary[o + 4]);

    java.util.Arrays.fill(obs, Double.NaN);
    Object[] none = summary(model, new Trajectory("none", values.times(), obs, 2));
    assertEquals(0L, none[o]);
    for (int k = 1; k <= 4; k++) assertNull(none[o + k], "diagnostic " + k + " with nothing observed");
  }

  private static Object[] summary(StateSpaceModel model, Trajectory tr) {
    List<Object[]> rows = rows(model, tr, new SequentialEngine().smooth(model, tr, Outputs.MOMENTS), null);
    Object[] summary = rows.get(rows.size() - 1);
    assertEquals(UnionRows.SUMMARY, summary[0]);
    assertFalse(summary.length == 0);
    return summary;
  }
}
