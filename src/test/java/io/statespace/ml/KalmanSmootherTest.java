package io.statespace.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.statespace.execution.EngineChoice;
import io.statespace.model.spec.ModelSpec;
import io.statespace.spark.InputException;
import io.statespace.spark.OutputChoice;
import io.statespace.spark.RowwiseSmoothing;
import io.statespace.spark.SmoothJob;
import io.statespace.spark.SmoothReport;
import io.statespace.spark.SmoothSettings;
import io.statespace.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkException;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KalmanSmoother on a real local SparkSession: transform equals the smooth job's written output row for row
 * (bundled sample, bad input under keep/skip/error), smooth(df) equals its report.json, the schema is exact and
 * checked before any job, and the stage saves and loads alone and in a Pipeline.
 */
class KalmanSmootherTest {
  private static SparkSession spark;
  @TempDir static Path dir;

  /** Valid rows, a bad value sharing (a, 1) with a valid row, a null id, a bad time, an infinite value, a shared time. */
  private static final String BAD = "id,t,x,y\n"
      + "a,0,1,2\na,1,1.5,2.5\na,1,zzz,1\na,2,2,3\na,3,Infinity,1\na,4,2.5,3.5\n"
      + ",5,1,1\nb,0,1,1\nb,1,2,2\nb,1,3,3\nb,2,1,\nb,x,1,1\nc,0,0,0\n";

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("KalmanSmootherTest");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static String model(String name) throws Exception {
    return Files.readString(Path.of("conf/" + name + ".json"));
  }

  /** The CSV as the job reads it: every column a string. */
  private static Dataset<Row> csv(Path file) {
    return spark.read().option("header", "true").csv(file.toString());
  }

  private static Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  /** Runs the smooth job with Parquet output and returns its directory. */
  private static Path job(Path input, String modelJson, String name) {
    return job(input, modelJson, name, OutputChoice.FULL);
  }

  /** Runs the smooth job with Parquet output and {@code outputs} ({@code --covariances}, {@code --no-filtered}). */
  private static Path job(Path input, String modelJson, String name, OutputChoice outputs) {
    Path out = dir.resolve(name);
    SmoothJob.run(spark, new SmoothSettings(input.toString(), "csv", out.toString(), "parquet", ModelSpec.parse(modelJson),
        EngineChoice.SEQUENTIAL, 1, 2, false).withOutputs(outputs));
    return out;
  }

  private static KalmanSmoother smoother(String modelJson) {
    return new KalmanSmoother().setModelJson(modelJson).setEngine("sequential").setPartitions(2);
  }

  /** A CSV cell as the job parses it; null stays null (a missing observation). */
  private static Double number(String cell) {
    return cell == null ? null : Double.valueOf(cell);
  }

  private static String key(Row r, String id, String t) {
    return r.getAs(id) + "|" + r.getAs(t);
  }

  /** The job's state rows by "id|t". */
  private static Map<String, Row> states(Path out) {
    Map<String, Row> m = new HashMap<>();
    for (Row r : spark.read().parquet(out.resolve("states").toString()).collectAsList()) {
      assertNull(m.put(key(r, "id", "t"), r), "the job wrote two state rows for " + key(r, "id", "t"));
    }
    return m;
  }

  @Test
  void transformEqualsTheSmoothJobRowForRowOnTheSample() throws Exception {
    Path input = Path.of("data-samples/projectile.csv");
    String json = model("projectile");
    Map<String, Row> expected = states(job(input, json, "sample-job"));
    Dataset<Row> df = csv(input);
    List<Row> got = smoother(json).transform(df).collectAsList();
    assertEquals(df.count(), got.size(), "one output row per input row");
    assertEquals(expected.size(), got.size(), "the sample has no bad rows");
    for (Row r : got) {
      Row e = expected.get(key(r, "id", "t"));
      assertNotNull(e, "no job row for " + key(r, "id", "t"));
      assertEquals(e.<Double>getAs("x"), number(r.<String>getAs("x")), "the state belongs to another input row");
      for (String c : RowwiseSmoothing.added(OutputChoice.FULL).subList(0, 4)) {
        assertEquals(e.getList(e.fieldIndex(c)), r.getList(r.fieldIndex(c)), c + " of " + key(r, "id", "t"));
      }
      assertNull(r.getAs("reason_code"));
    }
  }

  @Test
  void badInputKeepSkipAndErrorFollowTheJobsQuarantine() throws Exception {
    Path input = write("bad.csv", BAD);
    String json = model("tracking");
    Path out = job(input, json, "bad-job");
    Map<String, Row> expected = states(out);
    List<String> jobQuarantine = new ArrayList<>();
    for (Row q : spark.read().parquet(out.resolve("quarantine").toString()).collectAsList()) {
      jobQuarantine.add(q.getAs("id") + "|" + q.getAs("t") + "|" + q.getAs("reason_code"));
    }
    Dataset<Row> df = csv(input);
    long rows = df.count();

    List<Row> kept = smoother(json).transform(df).collectAsList();
    assertEquals(rows, kept.size(), "keep loses no row");
    List<String> quarantined = new ArrayList<>();
    int smoothed = 0;
    for (Row r : kept) {
      String code = r.getAs("reason_code");
      if (code == null) {
        Row e = expected.get(key(r, "id", "t"));
        assertNotNull(e, "a smoothed row the job did not smooth: " + key(r, "id", "t"));
        assertEquals(e.<Double>getAs("x"), number(r.<String>getAs("x")), "the state belongs to another input row");
        assertEquals(e.getList(e.fieldIndex("smoothed_cov")), r.getList(r.fieldIndex("smoothed_cov")));
        smoothed++;
      } else {
        assertNull(r.getAs("smoothed_mean"), "a quarantined row has no states");
        assertNotNull(r.getAs("reason"));
        quarantined.add(r.getAs("id") + "|" + r.getAs("t") + "|" + code);
      }
    }
    Collections.sort(quarantined);
    Collections.sort(jobQuarantine);
    assertEquals(jobQuarantine, quarantined);
    assertEquals(expected.size(), smoothed);
    assertTrue(quarantined.contains("a|1|bad_value") && quarantined.contains("b|1|duplicate_time")
        && quarantined.contains("null|5|null_id"), quarantined.toString());

    List<Row> skipped = smoother(json).setHandleInvalid("skip").transform(df).collectAsList();
    assertEquals(smoothed, skipped.size());
    assertTrue(skipped.stream().allMatch(r -> r.getAs("reason_code") == null && r.getAs("smoothed_mean") != null));

    Dataset<Row> failing = smoother(json).setHandleInvalid("error").transform(df);
    SparkException e = assertThrows(SparkException.class, failing::collectAsList);
    assertTrue(String.valueOf(e.getMessage()).contains("handleInvalid=error: the row with id"), e.getMessage());
  }

  @Test
  void typedIdsAndTimesComeBackExactly() throws Exception {
    StructType schema = new StructType().add("id", DataTypes.DoubleType).add("t", DataTypes.TimestampType)
        .add("x", DataTypes.DoubleType).add("y", DataTypes.DoubleType).add("note", DataTypes.StringType);
    List<Row> in = new ArrayList<>();
    java.sql.Timestamp t0 = java.sql.Timestamp.valueOf("2024-01-01 00:00:00.123456");
    for (int i = 0; i < 6; i++) {
      java.sql.Timestamp t = new java.sql.Timestamp(t0.getTime() + i * 1000L);
      t.setNanos(123456000 + i * 1000);
      in.add(org.apache.spark.sql.RowFactory.create(i < 3 ? -0.0 : 0.0, t, 1.0 * i, 2.0 * i, "n" + i));
    }
    in.add(org.apache.spark.sql.RowFactory.create(7.5, t0, 1.0, null, "lonely"));
    Dataset<Row> df = spark.createDataFrame(in, schema);
    List<Row> got = smoother(model("tracking")).transform(df).collectAsList();
    assertEquals(in.size(), got.size());
    Map<String, Row> byNote = new HashMap<>();
    for (Row r : got) byNote.put(r.getAs("note"), r);
    for (Row r : in) {
      Row o = byNote.get(r.<String>getAs(4));
      assertEquals(Double.doubleToRawLongBits(r.getDouble(0)), Double.doubleToRawLongBits(o.getDouble(0)), "id bits");
      assertEquals(r.get(1), o.get(1), "time to the microsecond");
      assertNull(o.getAs("reason_code"), "every row smoothed: " + o);
      assertEquals(16, o.getList(o.fieldIndex("smoothed_cov")).size());
    }
  }

  @Test
  void transformSchemaIsExactAndRefusesBeforeAnyJob() throws Exception {
    Dataset<Row> df = csv(Path.of("data-samples/projectile.csv"));
    KalmanSmoother s = smoother(model("projectile"));
    assertEquals(s.transformSchema(df.schema()), s.transform(df).schema());
    assertEquals(List.of("id", "t", "x", "y", "filtered_mean", "filtered_cov", "smoothed_mean", "smoothed_cov",
        "reason_code", "reason"), List.of(s.transformSchema(df.schema()).fieldNames()));

    long jobs = spark.sparkContext().statusTracker().getJobIdsForGroup(null).length;
    InputException missing = assertThrows(InputException.class, () -> s.transformSchema(df.drop("y").schema()));
    assertEquals("input DataFrame: no column 'y' (columns: id, t, x)", missing.getMessage());
    InputException clash = assertThrows(InputException.class, () -> s.transform(df.withColumn("reason", df.col("x"))));
    assertTrue(clash.getMessage().contains("column 'reason' clashes with an output column"), clash.getMessage());
    assertEquals(jobs, spark.sparkContext().statusTracker().getJobIdsForGroup(null).length, "no Spark job ran");

    IllegalArgumentException cov = assertThrows(IllegalArgumentException.class, () -> s.setCovariances("diag"));
    assertTrue(cov.getMessage().contains("parameter covariances given invalid value diag"), cov.getMessage());
    assertEquals("full", s.getCovariances(), "the refused value was not set");
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> s.setHandleInvalid("drop"));
    assertTrue(bad.getMessage().contains("parameter handleInvalid given invalid value drop"), bad.getMessage());
  }

  @Test
  void smoothReturnsTheJobsOutputsAndReport() throws Exception {
    Path input = write("bad2.csv", BAD);
    String json = model("tracking");
    Path out = job(input, json, "report-job");
    JsonNode written = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    try (SmoothResult r = smoother(json).smooth(csv(input))) {
      SmoothReport report = r.report();
      assertEquals(written.get("rows_in").asLong(), report.rowsIn);
      assertEquals(written.get("rows_out").asLong(), report.rowsOut);
      assertEquals(written.get("rows_quarantined").asLong(), report.rowsQuarantined);
      assertEquals(written.get("trajectories").asLong(), report.trajectories);
      assertEquals(written.get("quarantine_by_reason").toString(),
          new ObjectMapper().valueToTree(report.quarantineByReason).toString());
      assertEquals(spark.read().parquet(out.resolve("states").toString()).count(), r.states().count());
      assertEquals(spark.read().parquet(out.resolve("summary").toString()).count(), r.summary().count());
      assertEquals(spark.read().parquet(out.resolve("quarantine").toString()).count(), r.quarantine().count());
      assertEquals(report.rowsIn, r.states().count() + r.quarantine().count());
      assertEquals(List.of(spark.read().parquet(out.resolve("states").toString()).schema().fieldNames()),
          List.of(r.states().schema().fieldNames()));
    }
  }

  /**
   * covariances and filtered as the job's --covariances and --no-filtered: transform and smooth(df) carry the
   * same state columns as the job's states/ written with the same flags, row for row, and std is the square
   * root of the full covariance's diagonal.
   */
  @Test
  void outputChoicesEqualTheJobWithTheSameFlags() throws Exception {
    Path input = write("choices.csv", BAD);
    String json = model("tracking");
    Dataset<Row> df = csv(input);
    List<String> inputCols = List.of(df.schema().fieldNames());
    Map<String, Row> full = new HashMap<>();
    for (Row r : smoother(json).transform(df).collectAsList()) full.put(key(r, "id", "t"), r);
    int n = 4;
    for (String[] flags : new String[][] {{"std", "true"}, {"none", "true"}, {"full", "false"}, {"std", "false"}}) {
      String cov = flags[0];
      boolean filtered = Boolean.parseBoolean(flags[1]);
      String label = "covariances=" + cov + ", filtered=" + filtered;
      List<String> arrays = new ArrayList<>();
      for (String prefix : filtered ? List.of("filtered", "smoothed") : List.of("smoothed")) {
        arrays.add(prefix + "_mean");
        if (!cov.equals("none")) arrays.add(prefix + (cov.equals("full") ? "_cov" : "_std"));
      }
      Path out = job(input, json, "choice-" + cov + "-" + filtered, OutputChoice.parse(cov, !filtered));
      Dataset<Row> written = spark.read().parquet(out.resolve("states").toString());
      List<String> writtenArrays = new ArrayList<>(List.of(written.schema().fieldNames()));
      writtenArrays.removeIf(c -> !c.endsWith("_mean") && !c.endsWith("_cov") && !c.endsWith("_std"));
      assertEquals(arrays, writtenArrays, "the job's state arrays, " + label);
      Map<String, Row> expected = states(out);

      KalmanSmoother k = smoother(json).setCovariances(cov).setFiltered(filtered);
      try (SmoothResult r = k.smooth(df)) {
        assertEquals(List.of(written.schema().fieldNames()), List.of(r.states().schema().fieldNames()), label);
        List<Row> got = r.states().collectAsList();
        assertEquals(expected.size(), got.size(), "state rows, " + label);
        for (Row g : got) {
          Row e = expected.get(key(g, "id", "t"));
          assertNotNull(e, "smooth(df) has a state row the job did not write: " + key(g, "id", "t") + ", " + label);
          for (String c : written.schema().fieldNames()) sameCell(e, g, c, label);
        }
      }

      Dataset<Row> transformed = k.transform(df);
      assertEquals(k.transformSchema(df.schema()), transformed.schema(), label);
      List<String> names = new ArrayList<>(inputCols);
      names.addAll(arrays);
      names.addAll(List.of("reason_code", "reason"));
      assertEquals(names, List.of(transformed.schema().fieldNames()), label);
      List<Row> rows = transformed.collectAsList();
      assertEquals(df.count(), rows.size(), "keep loses no row, " + label);
      int smoothed = 0;
      for (Row t : rows) {
        if (t.getAs("reason_code") != null) {
          for (String c : arrays) assertNull(t.getAs(c), c + " of a quarantined row, " + label);
          continue;
        }
        smoothed++;
        Row e = expected.get(key(t, "id", "t"));
        assertNotNull(e, "transform smoothed a row the job did not: " + key(t, "id", "t") + ", " + label);
        assertEquals(e.<Double>getAs("x"), number(t.<String>getAs("x")), "the state belongs to another input row");
        for (String c : arrays) sameCell(e, t, c, label);
        Row f = full.get(key(t, "id", "t"));
        for (String c : arrays) {
          List<Double> v = t.getList(t.fieldIndex(c));
          String prefix = c.substring(0, c.indexOf('_'));
          if (c.endsWith("_mean")) {
            assertEquals(f.getList(f.fieldIndex(c)), v, c + " as with covariances=full, " + label);
          } else if (c.endsWith("_std")) {
            List<Double> fullCov = f.getList(f.fieldIndex(prefix + "_cov"));
            assertEquals(n, v.size(), c + " length");
            for (int i = 0; i < n; i++) {
              double sd = Math.sqrt(fullCov.get(i * n + i));
              assertEquals(sd, v.get(i), 1e-12 * Math.max(1.0, sd), c + "[" + i + "] of " + key(t, "id", "t"));
            }
          }
        }
      }
      assertEquals(expected.size(), smoothed, "smoothed rows, " + label);
    }
  }

  /**
   * Column {@code c} of the job's row {@code e} and the API's row {@code g}: arrays element by element, else equal;
   * id and t by their text, since the job types an all-integer CSV time column as long where the DataFrame's stays
   * the string it was given.
   */
  private static void sameCell(Row e, Row g, String c, String label) {
    Object ev = e.get(e.fieldIndex(c));
    Object gv = g.get(g.fieldIndex(c));
    if (ev instanceof scala.collection.Seq<?> || gv instanceof scala.collection.Seq<?>) {
      List<Object> el = e.getList(e.fieldIndex(c));
      List<Object> gl = g.getList(g.fieldIndex(c));
      assertEquals(el.size(), gl.size(), c + " length of " + key(g, "id", "t") + ", " + label);
      for (int i = 0; i < el.size(); i++) {
        assertEquals(el.get(i), gl.get(i), c + "[" + i + "] of " + key(g, "id", "t") + ", " + label);
      }
    } else if (c.equals("id") || c.equals("t")) {
      assertEquals(String.valueOf(ev), String.valueOf(gv), c + " of " + key(g, "id", "t") + ", " + label);
    } else {
      assertEquals(ev, gv, c + " of " + key(g, "id", "t") + ", " + label);
    }
  }

  @Test
  void savesAndLoadsAloneAndInAPipeline() throws Exception {
    Dataset<Row> df = csv(Path.of("data-samples/projectile.csv")).filter("id < 'throw-03'");
    KalmanSmoother s = smoother(model("projectile")).setHandleInvalid("skip").setObservationCols(new String[] {"x", "y"});
    String path = dir.resolve("smoother").toString();
    s.write().save(path);
    KalmanSmoother loaded = KalmanSmoother.load(path);
    assertEquals(s.uid(), loaded.uid());
    assertEquals(s.getModelJson(), loaded.getModelJson());
    assertEquals("skip", loaded.getHandleInvalid());
    assertEquals("sequential", loaded.getEngine());
    assertArrayEquals(new String[] {"x", "y"}, loaded.getObservationCols());
    assertEquals(sorted(s.transform(df)), sorted(loaded.transform(df)));

    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {s}).fit(df);
    String pipePath = dir.resolve("pipeline").toString();
    fitted.write().save(pipePath);
    PipelineModel back = PipelineModel.load(pipePath);
    assertEquals(sorted(fitted.transform(df)), sorted(back.transform(df)));
  }

  static List<String> sorted(Dataset<Row> d) {
    List<String> rows = new ArrayList<>();
    for (Row r : d.collectAsList()) rows.add(r.toString());
    Collections.sort(rows);
    return rows;
  }
}
