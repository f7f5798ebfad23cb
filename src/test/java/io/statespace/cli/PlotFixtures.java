package io.statespace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Smooth outputs for plot tests, written with Spark in the layouts the contract of issue 15 gives (arrays in
 * Parquet, one column per element in CSV: {@code name_i}, {@code name_i_j} for covariances; nulls where missing), rows shuffled over two part files, with the
 * model copy {@code model.json}: the Nile local level's standardised innovations (statsmodels' values from
 * src/test/resources/io/statespace/plot/diagnostics_reference.json, two trajectories), and a 2-D tracking
 * trajectory with smoothed_obs, predicted_obs and forecast rows.
 */
final class PlotFixtures {
  static final String NILE_MODEL = "{\"family\": \"local-level\", \"level_std\": 38.33, \"measurement_std\": 122.88, "
      + "\"initial\": {\"mean\": [1000], \"cov\": [[1e7]]}, \"columns\": {\"id\": \"id\", \"time\": \"year\", \"observations\": [\"flow\"]}}";

  private PlotFixtures() {}

  static JsonNode reference() throws IOException {
    try (InputStream in = PlotFixtures.class.getResourceAsStream("/io/statespace/plot/diagnostics_reference.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  static double[] doubles(JsonNode ref, String key) {
    JsonNode a = ref.get(key);
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) out[i] = a.get(i).isNull() ? Double.NaN : a.get(i).asDouble();
    return out;
  }

  /**
   * DIR/states (fmt) and DIR/model.json of the Nile fixture: trajectories "first" (1871-1970) and "second"
   * (1931-1970), the flow null in the missing years; with {@code innovations} false the column is left out
   * (today's layout).
   */
  static Path nile(SparkSession spark, Path dir, String fmt, boolean innovations) throws IOException {
    JsonNode ref = reference();
    double[] years = doubles(ref, "years");
    double[] secondYears = doubles(ref, "second_years");
    List<Row> rows = new ArrayList<>();
    addNile(rows, "first", years, doubles(ref, "first"), innovations);
    addNile(rows, "second", secondYears, doubles(ref, "second"), innovations);
    Collections.shuffle(rows, new Random(7));
    boolean flat = fmt.equals("csv");
    List<StructField> fields = new ArrayList<>(List.of(DataTypes.createStructField("id", DataTypes.StringType, false),
        DataTypes.createStructField("year", DataTypes.LongType, false), DataTypes.createStructField("flow", DataTypes.DoubleType, true),
        DataTypes.createStructField("smoothed_mean", DataTypes.createArrayType(DataTypes.DoubleType, true), true)));
    if (innovations) {
      fields.add(DataTypes.createStructField("standardized_innovation", DataTypes.createArrayType(DataTypes.DoubleType, true), true));
    }
    Path out = dir.resolve("nile-" + fmt + (innovations ? "" : "-plain"));
    write(spark, rows, new StructType(fields.toArray(StructField[]::new)), flat, fmt, out);
    Files.writeString(out.resolve("model.json"), NILE_MODEL);
    return out;
  }

  private static void addNile(List<Row> rows, String id, double[] years, double[] innovations, boolean withInnovations) {
    for (int t = 0; t < years.length; t++) {
      Double v = Double.isNaN(innovations[t]) ? null : innovations[t];
      Double flow = v == null ? null : 1000.0 + 100 * v;
      List<Object> cells = new ArrayList<>(List.of(id, (long) years[t]));
      cells.add(flow);
      cells.add(List.of(1000.0));
      if (withInnovations) cells.add(Arrays.asList(v));
      rows.add(RowFactory.create(cells.toArray()));
    }
  }

  /** Arrays as they are (Parquet, ORC, JSON), or split into name_i columns (CSV), then written as two parts. */
  static void write(SparkSession spark, List<Row> rows, StructType schema, boolean flat, String fmt, Path out) {
    org.apache.spark.sql.Dataset<Row> df = spark.createDataFrame(rows, schema);
    if (flat) {
      List<org.apache.spark.sql.Column> columns = new ArrayList<>();
      for (StructField f : schema.fields()) {
        DataType type = f.dataType();
        if (type instanceof org.apache.spark.sql.types.ArrayType) {
          int size = rows.stream().map(r -> r.get(schema.fieldIndex(f.name()))).filter(v -> v != null)
              .mapToInt(v -> ((List<?>) v).size()).max().orElse(0);
          int side = (int) Math.round(Math.sqrt(size));
          for (int i = 0; i < size; i++) {
            String element = f.name().endsWith("_cov") ? f.name() + "_" + i / side + "_" + i % side : f.name() + "_" + i;
            columns.add(org.apache.spark.sql.functions.col(f.name()).getItem(i).as(element));
          }
        } else {
          columns.add(org.apache.spark.sql.functions.col(f.name()));
        }
      }
      df = df.select(columns.toArray(org.apache.spark.sql.Column[]::new));
    }
    df.repartition(2).write().format(fmt).option("header", "true").save(out.resolve("states").toString());
  }

  /**
   * A 2-D tracking trajectory "trk" (conf/tracking.json's columns id, t, x, y): 40 estimated steps (dt 0.25),
   * x missing at steps 5 and 6, both components at 20 and 21, then 10 forecast rows; smoothed_mean and
   * smoothed_std (as with --covariances std), smoothed_obs_mean/_std/_predictive_std, and predicted_obs_mean
   * and predicted_obs_cov (variances 0.04 (k + 1)² and 0.09 (k + 1)² on the k-th forecast row). A second
   * trajectory "other" makes the output hold two.
   */
  static Path tracking(SparkSession spark, Path dir, String fmt) throws IOException {
    List<Row> rows = new ArrayList<>();
    addTrack(rows, "trk", 40, 10);
    addTrack(rows, "other", 12, 0);
    Collections.shuffle(rows, new Random(3));
    StructType schema = new StructType(new StructField[] {
        DataTypes.createStructField("id", DataTypes.StringType, false),
        DataTypes.createStructField("t", DataTypes.DoubleType, false),
        DataTypes.createStructField("x", DataTypes.DoubleType, true),
        DataTypes.createStructField("y", DataTypes.DoubleType, true),
        array("smoothed_mean"), array("smoothed_std"), array("predicted_obs_mean"), array("predicted_obs_cov"),
        array("smoothed_obs_mean"), array("smoothed_obs_std"), array("smoothed_obs_predictive_std"),
        DataTypes.createStructField("forecast", DataTypes.BooleanType, false)});
    Path out = dir.resolve("tracking-" + fmt);
    write(spark, rows, schema, fmt.equals("csv"), fmt, out);
    Files.writeString(out.resolve("model.json"), Files.readString(Path.of("conf/tracking.json")));
    return out;
  }

  private static StructField array(String name) {
    return DataTypes.createStructField(name, DataTypes.createArrayType(DataTypes.DoubleType, true), true);
  }

  static double trackX(double t) {
    return 2 + 1.5 * t + 0.3 * Math.sin(3 * t);
  }

  static double trackY(double t) {
    return 0.5 * t + 0.4 * Math.cos(2 * t);
  }

  private static void addTrack(List<Row> rows, String id, int steps, int ahead) {
    for (int k = 0; k < steps + ahead; k++) {
      double t = 0.25 * k;
      boolean forecast = k >= steps;
      double mx = trackX(t);
      double my = trackY(t);
      Double x = forecast || k == 5 || k == 6 || k == 20 || k == 21 ? null : mx + 0.4 * Math.sin(17.0 * k);
      Double y = forecast || k == 20 || k == 21 ? null : my + 0.4 * Math.cos(11.0 * k);
      double s = 0.12 + 0.05 * Math.abs(Math.sin(k));
      double vx = 0.04 * (k - steps + 1) * (k - steps + 1);
      double vy = 0.09 * (k - steps + 1) * (k - steps + 1);
      rows.add(RowFactory.create(id, t, x, y,
          List.of(mx, my, 1.5, 0.5), List.of(s, s, 0.2, 0.2),
          forecast ? List.of(mx, my) : null, forecast ? List.of(vx, 0.01, 0.01, vy) : null,
          List.of(mx, my), List.of(s, s), List.of(Math.sqrt(s * s + 0.25), Math.sqrt(s * s + 0.25)), forecast));
    }
  }
}
