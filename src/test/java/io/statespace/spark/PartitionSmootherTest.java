package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.execution.EngineChoice;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.InPlaceSmoother;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepParameters;
import io.statespace.model.spec.Columns;
import io.statespace.testing.RandomModels;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The engine stage without Spark: parsed rows in, union rows out. A trajectory the engine cannot process
 * inside a block is quarantined alone (the block is rerun trajectory by trajectory); the others get the
 * sequential engine's states and log-likelihoods, and their summary rows say that the sequential engine
 * produced them after the batched engine failed; every row comes out exactly once. The lean path's rows
 * equal those of a full posterior.
 */
class PartitionSmootherTest {
  private static final Columns COLUMNS = new Columns("id", "t", List.of("y"), List.of("u"));
  private static final int OBS_DIM = 1;
  private static final int INPUT_DIM = 1;
  /** The parsed rows' schema of an input of string ids and double times ({@link ParsedRows#schema}). */
  private static final StructType PARSED = ParsedRows.schema(new StructType().add("id", DataTypes.StringType)
      .add("t", DataTypes.DoubleType).add("y", DataTypes.DoubleType).add("u", DataTypes.DoubleType), COLUMNS);

  @ParameterizedTest
  @EnumSource(value = EngineChoice.class, names = {"BATCHED", "AUTO", "SEQUENTIAL"})
  void aFailingTrajectoryInABlockIsQuarantinedAloneAndTheOthersAreSmoothed(EngineChoice engine) {
    StateSpaceModel model = new NoiseFromInput();
    List<Row> rows = new ArrayList<>();
    Map<String, Trajectory> trajectories = new HashMap<>();
    for (int k = 0; k < 9; k++) {
      int steps = 3 + k;
      double[] times = new double[steps];
      double[] y = new double[steps];
      double[] u = new double[steps];
      for (int t = 0; t < steps; t++) {
        times[t] = t;
        y[t] = Math.sin(k + t);
        u[t] = k == 4 && t == 2 ? 0.0 : 0.5 + 0.1 * t;
        rows.add(RowFactory.create("tr-" + k, true, "tr-" + k, RowFactory.create((long) t, 0.0), times[t], seq(y[t]),
            seq(u[t]), null, null, null));
      }
      trajectories.put("tr-" + k, new Trajectory("tr-" + k, times, y, 1, u, 1));
    }
    List<InternalRow> parsed = UnsafeRowsFixture.unsafe(rows, PARSED);
    Iterator<InternalRow> out = new PartitionSmoother(model, COLUMNS, engine, 1, BackendRouter.of("cpu"),
        OutputChoice.FULL, DataTypes.StringType, DataTypes.DoubleType, true).call(parsed.iterator());
    int quarantineReason = 3 + OBS_DIM + INPUT_DIM + 4 + 1 + 4 + 2; // 4 state arrays, forecast, 4 summary fields
    int logLik = 3 + OBS_DIM + INPUT_DIM + 4 + 1 + 3;
    int smoothedMean = 3 + OBS_DIM + INPUT_DIM + 2;
    int states = 0;
    int quarantined = 0;
    int summaries = 0;
    SequentialEngine reference = new SequentialEngine();
    while (out.hasNext()) {
      InternalRow r = out.next();
      int kind = r.getInt(0);
      if (kind == UnionRows.QUARANTINE) {
        quarantined++;
        assertEquals("inference_failed", r.getUTF8String(quarantineReason).toString());
        assertEquals("tr-4", r.getUTF8String(quarantineReason - 2).toString());
        continue;
      }
      String id = r.getUTF8String(1).toString();
      Posterior expected = reference.smooth(model, trajectories.get(id), Outputs.MOMENTS);
      if (kind == UnionRows.SUMMARY) {
        summaries++;
        assertEquals(expected.logLikelihood(), r.getDouble(logLik), 1e-9 * Math.abs(expected.logLikelihood()));
        String engineLabel = engine == EngineChoice.SEQUENTIAL ? "sequential" : "sequential_after_batched_failure";
        assertEquals(engineLabel, r.getUTF8String(r.numFields() - 1).toString(), id);
        assertEquals("cpu", r.getUTF8String(r.numFields() - 2).toString(), id);
      } else {
        states++;
        int t = (int) r.getDouble(2);
        double[] mean = r.getArray(smoothedMean).toDoubleArray();
        assertEquals(expected.smoothedMeans()[t], mean[0], 1e-9 * Math.max(1.0, Math.abs(mean[0])));
      }
    }
    assertEquals(7, quarantined, "every row of tr-4 and nothing else");
    assertEquals(rows.size() - 7, states);
    assertEquals(8, summaries);
    assertTrue(states + quarantined == rows.size());

    List<String> withStates = new ArrayList<>();
    new PartitionSmoother(model, COLUMNS, engine, 1, BackendRouter.of("cpu"), OutputChoice.FULL, DataTypes.StringType,
        DataTypes.DoubleType, true).call(parsed.iterator()).forEachRemaining(r -> {
          if (r.getInt(0) != UnionRows.STATE) withStates.add(r.toString());
        });
    List<String> withoutStates = new ArrayList<>();
    new PartitionSmoother(model, COLUMNS, engine, 1, BackendRouter.of("cpu"), OutputChoice.FULL, DataTypes.StringType,
        DataTypes.DoubleType, false).call(parsed.iterator()).forEachRemaining(r -> withoutStates.add(r.toString()));
    assertEquals(withStates, withoutStates, "the summary pass emits the same summary and quarantine rows, no states");
  }

  @ParameterizedTest
  @MethodSource("choices")
  void leanRowsEqualTheRowsOfAFullPosterior(OutputChoice choice) {
    SplittableRandom rng = new SplittableRandom(4);
    StateSpaceModel model = RandomModels.timeVarying(4, 3, 1, 1);
    Trajectory trajectory = RandomModels.trajectory(rng, model, "long", 80, new RandomModels.DataShape());
    Object[] times = new Object[trajectory.length()];
    for (int t = 0; t < times.length; t++) times[t] = trajectory.times()[t];
    AssembledTrajectory assembled = new AssembledTrajectory(trajectory, "long", times);
    List<OutputChoice.StateArray> arrays = choice.stateArrays();
    UnionRows union = new UnionRows(OBS_DIM, INPUT_DIM, arrays.size(), DataTypes.StringType, DataTypes.DoubleType);
    Iterator<InternalRow> full = TrajectoryRows.smoothed(assembled, union, arrays,
        new SequentialEngine().smooth(model, trajectory, Outputs.MOMENTS), "cpu", "sequential");
    Iterator<InternalRow> lean = TrajectoryRows.lean(assembled, union, arrays,
        new InPlaceSmoother(16).smooth(model, trajectory), "cpu", "sequential");
    int rows = 0;
    while (full.hasNext()) {
      Object[] a = ((GenericInternalRow) full.next()).values();
      Object[] b = ((GenericInternalRow) lean.next()).values();
      rows++;
      assertEquals(a.length, b.length);
      int arraysSeen = 0;
      for (int c = 0; c < a.length; c++) {
        if (a[c] instanceof ArrayData) {
          arraysSeen++;
          assertArrayEquals(((ArrayData) a[c]).toDoubleArray(), ((ArrayData) b[c]).toDoubleArray(),
              "row " + rows + " column " + c);
        } else {
          assertEquals(a[c], b[c], "row " + rows + " column " + c);
        }
      }
      assertEquals(rows <= trajectory.length() ? arrays.size() : 0, arraysSeen, "row " + rows);
    }
    assertFalse(lean.hasNext());
    assertEquals(trajectory.length() + 1, rows);
  }

  static Stream<OutputChoice> choices() {
    Stream.Builder<OutputChoice> all = Stream.builder();
    for (OutputChoice.Covariances c : OutputChoice.Covariances.values()) {
      all.add(new OutputChoice(c, true));
      all.add(new OutputChoice(c, false));
    }
    return all.build();
  }

  private static scala.collection.immutable.Seq<Double> seq(double v) {
    return CollectionConverters.asScala(List.of(v)).toList();
  }

  /** y_t = x_t + v_t with Var v_t = u_t, and H_t = 0 where u_t = 0: S_t = 0 there, which no engine can use. */
  private static final class NoiseFromInput implements StateSpaceModel {
    private static final long serialVersionUID = 1L;

    @Override
    public int stateDim() {
      return 1;
    }

    @Override
    public int obsDim() {
      return OBS_DIM;
    }

    @Override
    public int inputDim() {
      return INPUT_DIM;
    }

    @Override
    public StepParameters bind(Trajectory trajectory) {
      double[] u = trajectory.inputs();
      return new StepParameters() {
        @Override
        public int stateDim() {
          return 1;
        }

        @Override
        public int obsDim() {
          return 1;
        }

        @Override
        public void initial(double[] mean, double[] cov) {
          mean[0] = 0.0;
          cov[0] = 1.0;
        }

        @Override
        public void dynamics(int t, double[] weights, double[] bias, double[] cov) {
          weights[0] = 0.9;
          bias[0] = 0.1;
          cov[0] = 0.3;
        }

        @Override
        public void emissions(int t, double[] weights, double[] bias, double[] cov) {
          weights[0] = u[t] == 0.0 ? 0.0 : 1.0;
          bias[0] = 0.0;
          cov[0] = u[t];
        }
      };
    }
  }
}
