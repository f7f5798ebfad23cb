package io.statespace.bench;

import io.statespace.family.Families;
import io.statespace.model.spec.Columns;
import io.statespace.model.spec.ModelSpec;
import io.statespace.simulate.MissingPattern;
import io.statespace.simulate.ModelScenario;
import io.statespace.simulate.SimulatedTrajectory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Writes one long trajectory (10^7 or 10^8 steps, for the segmented path's measurements in
 * docs/BENCHMARKS.md) as Parquet in embedded local mode, without holding it in memory: it is drawn from the
 * model file in chunks of at most 10^6 steps (each chunk from the model's prior, so that a chunk's memory
 * is bounded; the data are a benchmark input, not one physical track), its times continued from the
 * previous chunk's last time plus one step, every chunk appended to the same Parquet directory with the
 * model file's id, time and observation columns (id, time: string and double, as {@code simulate}'s CSV
 * reads back). Usage: {@code LongTrajectory MODEL STEPS OUTPUT [SEED [GAP MISSING PARTIAL]]}.
 */
public final class LongTrajectory {
  private static final int CHUNK = 1_000_000;

  private LongTrajectory() {}

  public static void main(String[] args) {
    if (args.length != 3 && args.length != 4 && args.length != 7) {
      throw new IllegalArgumentException("usage: LongTrajectory MODEL STEPS OUTPUT [SEED [GAP MISSING PARTIAL]]");
    }
    ModelSpec spec = ModelSpec.read(Path.of(args[0]));
    long steps = Long.parseLong(args[1]);
    String output = args[2];
    long seed = args.length > 3 ? Long.parseLong(args[3]) : 1L;
    double gap = args.length > 4 ? Double.parseDouble(args[4]) : 0.05;
    MissingPattern pattern = args.length > 4 ? new MissingPattern(Double.parseDouble(args[5]), Double.parseDouble(args[6]))
        : new MissingPattern(0.05, 0.05);
    double fixed = Families.of(spec.model()).fixedDt(spec.model());
    double dt = Double.isNaN(fixed) ? 1.0 : fixed;
    ModelScenario scenario = new ModelScenario(spec.model(), dt, gap, pattern);
    Columns c = spec.columns();
    if (!c.inputs().isEmpty()) throw new IllegalArgumentException("a model with inputs is not supported here");
    List<StructField> fields = new ArrayList<>();
    fields.add(DataTypes.createStructField(c.id(), DataTypes.StringType, false));
    fields.add(DataTypes.createStructField(c.time(), DataTypes.DoubleType, false));
    for (String o : c.observations()) fields.add(DataTypes.createStructField(o, DataTypes.DoubleType, true));
    StructType schema = DataTypes.createStructType(fields);
    SparkSession spark = SparkSession.builder().appName("long trajectory").master("local[1]").getOrCreate();
    try {
      SplittableRandom root = new SplittableRandom(seed);
      double offset = 0.0;
      long written = 0;
      int m = c.observations().size();
      while (written < steps) {
        int len = (int) Math.min(CHUNK, steps - written);
        SimulatedTrajectory t = scenario.generate("traj-0", len, root.split());
        List<Row> rows = new ArrayList<>(len);
        double[] times = t.times;
        double[] y = t.observations;
        for (int s = 0; s < len; s++) {
          Object[] v = new Object[2 + m];
          v[0] = "traj-0";
          v[1] = offset + times[s];
          for (int i = 0; i < m; i++) v[2 + i] = Double.isNaN(y[s * m + i]) ? null : y[s * m + i];
          rows.add(RowFactory.create(v));
        }
        spark.createDataFrame(rows, schema).coalesce(1).write().mode(written == 0 ? SaveMode.ErrorIfExists : SaveMode.Append)
            .parquet(output);
        offset += times[len - 1] + dt;
        written += len;
        System.out.println("LongTrajectory: " + written + " of " + steps + " steps written to " + output);
      }
    } finally {
      spark.stop();
    }
  }
}
