package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.statespace.execution.EngineChoice;
import io.statespace.learn.StopRules;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.spec.Columns;
import io.statespace.model.spec.FitSpec;
import io.statespace.model.spec.ModelSpec;
import io.statespace.testing.SparkTestSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Input layouts of real archives (issue 10): CSV parts whose columns come in different orders, Parquet
 * parts whose column types differ, nested and hidden files, colons in names, repeated JSON keys. Every case
 * reads the WRITTEN states/ and quarantine/ back: the rows counted there add up to the rows the test wrote,
 * and each (id, time)'s observations in states/ equal the values the test wrote for it.
 */
class InputLayoutsTest {
  private static SparkSession spark;
  @TempDir static Path dir;

  /** One input row as the test wrote it. */
  record Obs(String id, long t, double x, double y) {}

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("InputLayoutsTest");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static Columns columns() {
    return new Columns("id", "t", List.of("x", "y"), List.of());
  }

  private static ModelSpec spec(FitSpec fit) {
    double[] cov = new double[16];
    for (int i = 0; i < 4; i++) cov[i * 5] = 4.0;
    return new ModelSpec(new ConstantVelocityModel(2, Double.NaN, ConstantVelocityModel.Noise.CONTINUOUS, 1.0,
        new double[] {0.5, 0.5}, new double[] {0, 0, 0, 0}, cov), columns(), fit, null);
  }

  /** Rows of a file: ids {@code <prefix>0..} with values that differ in every file (base) and every row. */
  private static List<Obs> rows(String prefix, int ids, int steps, double base) {
    List<Obs> out = new ArrayList<>();
    for (int i = 0; i < ids; i++) {
      for (int k = 0; k < steps; k++) out.add(new Obs(prefix + i, k, base + 10 * i + k + 0.25, -base - 10 * i - 0.5 * k));
    }
    return out;
  }

  /** Writes rows as CSV with the columns in the given order (any permutation of id, t, x, y). */
  private static Path writeCsv(Path file, List<Obs> rows, String... order) throws IOException {
    Files.createDirectories(file.getParent());
    StringBuilder s = new StringBuilder(String.join(",", order)).append('\n');
    for (Obs o : rows) {
      List<String> cells = new ArrayList<>();
      for (String c : order) {
        cells.add(switch (c) {
          case "id" -> o.id();
          case "t" -> Long.toString(o.t());
          case "x" -> Double.toString(o.x());
          case "y" -> Double.toString(o.y());
          default -> "extra-" + o.t();
        });
      }
      s.append(String.join(",", cells)).append('\n');
    }
    Files.writeString(file, s.toString());
    return file;
  }

  private static SmoothReport smooth(Path input, String format, String out) {
    return SmoothJob.run(spark, new SmoothSettings(input.toString(), format, dir.resolve(out).toString(), "parquet",
        spec(FitSpec.none()), EngineChoice.AUTO, 1, 2, false));
  }

  private static Map<String, Object> report(String out) throws IOException {
    @SuppressWarnings("unchecked")
    Map<String, Object> m = new ObjectMapper().readValue(dir.resolve(out).resolve("report.json").toFile(), Map.class);
    return m;
  }

  /**
   * Reads states/ and quarantine/ back from the written files: every expected row is in states/ with the
   * values written for its (id, time), except those expected in quarantine/; returns the quarantine rows.
   */
  private static List<Row> checkWritten(String out, List<Obs> expected, int quarantined) {
    List<Row> states = spark.read().parquet(dir.resolve(out).resolve("states").toString()).collectAsList();
    List<Row> quarantine = spark.read().parquet(dir.resolve(out).resolve("quarantine").toString()).collectAsList();
    assertEquals(expected.size(), states.size() + quarantine.size(), "rows in = states rows + quarantine rows, counted in the files");
    assertEquals(quarantined, quarantine.size(), "quarantine rows: " + quarantine);
    Map<String, Obs> byKey = new HashMap<>();
    for (Obs o : expected) byKey.put(o.id() + "@" + o.t(), o);
    for (Row r : states) {
      Object t = r.getAs("t");
      String key = r.getAs("id") + "@" + (t instanceof String s ? Long.parseLong(s) : ((Number) t).longValue());
      Obs o = byKey.remove(key);
      assertTrue(o != null, "states row " + key + " was not written to the input, or is there twice");
      assertEquals(o.x(), ((Number) r.getAs("x")).doubleValue(), 0.0, key + " x");
      assertEquals(o.y(), ((Number) r.getAs("y")).doubleValue(), 0.0, key + " y");
    }
    assertEquals(quarantined, byKey.size(), "input rows not in states/: " + byKey.keySet());
    return quarantine;
  }

  @Test
  void csvPartsWithTheirOwnColumnOrdersAreMatchedByName() throws IOException {
    Path in = dir.resolve("orders");
    List<Obs> a = rows("a", 2, 4, 0);
    List<Obs> b = rows("b", 2, 3, 1000);
    List<Obs> c = rows("c", 1, 5, 5000);
    writeCsv(in.resolve("part-0.csv"), a, "id", "t", "x", "y");
    writeCsv(in.resolve("part-1.csv"), b, "y", "id", "x", "t");
    writeCsv(in.resolve("part-2.csv"), c, "t", "note", "x", "y", "id");
    List<Obs> all = new ArrayList<>(a);
    all.addAll(b);
    all.addAll(c);
    SmoothReport r = smooth(in, "csv", "out-orders");
    checkWritten("out-orders", all, 0);
    assertEquals(3, ((Number) report("out-orders").get("input_files")).intValue());
    assertEquals(3, r.inputFiles);
  }

  /**
   * More parts than {@link FileSchemas#DRIVER_FILES}, so that their headers are read in a Spark job rather than
   * on the driver (the test above takes the driver's path): every part's own column order is honoured.
   */
  @Test
  void csvPartsReadInASparkJobAreMatchedByNameToo() throws IOException {
    Path in = dir.resolve("many-orders");
    String[][] orders = {{"id", "t", "x", "y"}, {"y", "id", "x", "t"}, {"t", "note", "x", "y", "id"}, {"x", "y", "t", "id"}};
    List<Obs> all = new ArrayList<>();
    int parts = FileSchemas.DRIVER_FILES + 2;
    for (int p = 0; p < parts; p++) {
      List<Obs> part = rows("p" + p, 1, 3, 100 * p);
      writeCsv(in.resolve("part-" + p + ".csv"), part, orders[p % orders.length]);
      all.addAll(part);
    }
    SmoothReport r = smooth(in, "csv", "out-many-orders");
    checkWritten("out-many-orders", all, 0);
    assertEquals(parts, r.inputFiles);
  }

  @Test
  void aCsvPartLackingOrRepeatingANeededColumnIsRefusedNamingTheFile() throws IOException {
    Path in = dir.resolve("lacking");
    writeCsv(in.resolve("part-0.csv"), rows("a", 1, 2, 0), "id", "t", "x", "y");
    writeCsv(in.resolve("part-1.csv"), rows("b", 1, 2, 0), "id", "t", "x");
    InputException e = assertThrows(InputException.class, () -> smooth(in, "csv", "out-lacking"));
    assertTrue(e.getMessage().contains("input file ") && e.getMessage().contains("part-1.csv") && e.getMessage().contains("no column 'y'"),
        e.getMessage());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    assertFalse(Files.exists(dir.resolve("out-lacking")), "no output for a refused input");

    Path twice = dir.resolve("twice");
    writeCsv(twice.resolve("part-0.csv"), rows("a", 1, 2, 0), "id", "t", "x", "y");
    Files.writeString(twice.resolve("part-1.csv"), "id,t,x,y,X\nb,0,1,2,3\n");
    InputException d = assertThrows(InputException.class, () -> smooth(twice, "csv", "out-twice"));
    assertTrue(d.getMessage().contains("part-1.csv") && d.getMessage().contains("column 'x' appears twice"), d.getMessage());
  }

  @Test
  void everyFileUnderTheInputIsReadAndHiddenOnesAreNot() throws Exception {
    Path in = dir.resolve("nested");
    List<Obs> top = rows("top", 1, 3, 0);
    List<Obs> jan = rows("jan", 2, 3, 100);
    List<Obs> feb = rows("feb", 1, 4, 200);
    List<Obs> hive = rows("north", 1, 3, 300);
    writeCsv(in.resolve("top.csv"), top, "id", "t", "x", "y");
    writeCsv(in.resolve("2024").resolve("01").resolve("part-0.csv"), jan, "id", "t", "x", "y");
    writeCsv(in.resolve("2024").resolve("02").resolve("part-0.csv"), feb, "t", "id", "y", "x");
    writeCsv(in.resolve("region=north").resolve("part-0.csv"), hive, "id", "t", "x", "y");
    // What Spark's writers and file systems leave beside data: none of it is input.
    Files.writeString(in.resolve("_SUCCESS"), "");
    Files.writeString(in.resolve(".draft.csv"), "not,a,csv\n\u0001\u0002\n");
    writeCsv(in.resolve("_temporary").resolve("0").resolve("part-0.csv"), rows("tmp", 1, 2, 900), "id", "t", "x", "y");
    writeCsv(in.resolve("2024").resolve(".hidden").resolve("part-0.csv"), rows("hid", 1, 2, 900), "id", "t", "x", "y");
    writeCsv(in.resolve("2024").resolve("01").resolve("_part-9.csv"), rows("und", 1, 2, 900), "id", "t", "x", "y");
    List<Obs> all = new ArrayList<>(top);
    all.addAll(jan);
    all.addAll(feb);
    all.addAll(hive);

    smooth(in, "csv", "out-nested");
    checkWritten("out-nested", all, 0);
    assertEquals(4, ((Number) report("out-nested").get("input_files")).intValue());
    StructType states = spark.read().parquet(dir.resolve("out-nested/states").toString()).schema();
    assertFalse(List.of(states.fieldNames()).contains("region"), "directory names are not columns: " + states.simpleString());

    FitReport fit = FitJob.run(spark, FitSettings.of(new FitSettings.Paths(in.toString(), "csv",
        dir.resolve("fit-nested").toString(), "csv", 2, false), spec(new FitSpec(List.of("q"))), new StopRules(2, 0, 0)));
    Map<String, Object> fitJson = report("fit-nested");
    assertEquals(4, ((Number) fitJson.get("input_files")).intValue());
    assertEquals(all.size(), ((Number) fitJson.get("rows_in")).intValue(), "fit reads every row of the four files");
    assertEquals(4, fit.inputFiles);
  }

  @Test
  void parquetPartsWhoseTypesDifferAreWidened() throws IOException {
    Path in = dir.resolve("widen");
    List<Obs> a = rows("a", 2, 3, 0);
    List<Obs> b = rows("b", 1, 4, 70);
    List<Row> aRows = new ArrayList<>();
    for (Obs o : a) aRows.add(RowFactory.create(o.id(), o.t(), Math.round(o.x() - 0.25), o.y()));
    StructType longX = new StructType().add("id", DataTypes.StringType).add("t", DataTypes.LongType)
        .add("x", DataTypes.LongType).add("y", DataTypes.DoubleType);
    spark.createDataFrame(aRows, longX).coalesce(1).write().mode(SaveMode.ErrorIfExists).parquet(in.resolve("a").toString());
    List<Row> bRows = new ArrayList<>();
    for (Obs o : b) bRows.add(RowFactory.create(o.y(), (double) o.t(), o.x(), o.id()));
    StructType doubleX = new StructType().add("y", DataTypes.DoubleType).add("t", DataTypes.DoubleType)
        .add("x", DataTypes.DoubleType).add("id", DataTypes.StringType);
    spark.createDataFrame(bRows, doubleX).coalesce(1).write().mode(SaveMode.ErrorIfExists).parquet(in.resolve("b").toString());
    List<Obs> all = new ArrayList<>();
    for (Obs o : a) all.add(new Obs(o.id(), o.t(), Math.round(o.x() - 0.25), o.y()));
    all.addAll(b);

    smooth(in, "parquet", "out-widen");
    checkWritten("out-widen", all, 0);
    assertEquals(2, ((Number) report("out-widen").get("input_files")).intValue());
  }

  @Test
  void orcPartsWhoseTypesDifferAreWidenedAndAnIdOfNoCommonTypeIsRefused() {
    Path in = dir.resolve("orc");
    StructType intX = new StructType().add("id", DataTypes.StringType).add("t", DataTypes.IntegerType)
        .add("x", DataTypes.IntegerType).add("y", DataTypes.DoubleType);
    spark.createDataFrame(List.of(RowFactory.create("o", 0, 3, 1.5), RowFactory.create("o", 1, 4, 2.5)), intX)
        .coalesce(1).write().orc(in.resolve("p1").toString());
    StructType doubleX = new StructType().add("x", DataTypes.DoubleType).add("id", DataTypes.StringType)
        .add("t", DataTypes.LongType).add("y", DataTypes.DoubleType);
    spark.createDataFrame(List.of(RowFactory.create(7.75, "o", 2L, 3.5)), doubleX).coalesce(1).write().orc(in.resolve("p2").toString());
    smooth(in, "orc", "out-orc");
    checkWritten("out-orc", List.of(new Obs("o", 0, 3, 1.5), new Obs("o", 1, 4, 2.5), new Obs("o", 2, 7.75, 3.5)), 0);

    Path bad = dir.resolve("parquet-id");
    StructType stringId = new StructType().add("id", DataTypes.StringType).add("t", DataTypes.LongType)
        .add("x", DataTypes.DoubleType).add("y", DataTypes.DoubleType);
    spark.createDataFrame(List.of(RowFactory.create("a", 0L, 1.0, 2.0)), stringId).coalesce(1).write().parquet(bad.resolve("p1").toString());
    StructType doubleId = new StructType().add("id", DataTypes.DoubleType).add("t", DataTypes.LongType)
        .add("x", DataTypes.DoubleType).add("y", DataTypes.DoubleType);
    spark.createDataFrame(List.of(RowFactory.create(7.0, 0L, 1.0, 2.0)), doubleId).coalesce(1).write().parquet(bad.resolve("p2").toString());
    InputException e = assertThrows(InputException.class, () -> smooth(bad, "parquet", "out-parquet-id"));
    assertTrue(e.getMessage().contains("p2/part-") && e.getMessage().contains("column 'id' is double but string in "), e.getMessage());
    assertFalse(Files.exists(dir.resolve("out-parquet-id")));
  }

  @Test
  void theWrongFormatIsRefusedNamingTheFile() throws IOException {
    Path csv = writeCsv(dir.resolve("plain.csv"), rows("a", 1, 2, 0), "id", "t", "x", "y");
    InputException e = assertThrows(InputException.class, () -> smooth(csv, "parquet", "out-not-parquet"));
    assertTrue(e.getMessage().startsWith("input file ") && e.getMessage().contains("plain.csv")
        && e.getMessage().contains("not a readable parquet file"), e.getMessage());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    assertFalse(Files.exists(dir.resolve("out-not-parquet")));

    Path parquet = dir.resolve("not-csv");
    StructType schema = new StructType().add("id", DataTypes.StringType).add("t", DataTypes.LongType)
        .add("x", DataTypes.DoubleType).add("y", DataTypes.DoubleType);
    spark.createDataFrame(List.of(RowFactory.create("a", 0L, 1.0, 2.0)), schema).coalesce(1).write().parquet(parquet.toString());
    InputException p = assertThrows(InputException.class, () -> smooth(parquet, "csv", "out-not-csv"));
    assertTrue(p.getMessage().startsWith("input file ") && p.getMessage().contains("not-csv/part-")
        && p.getMessage().contains("a parquet file, not CSV: pass --format parquet"), p.getMessage());
    assertFalse(Files.exists(dir.resolve("out-not-csv")));
  }

  @Test
  void colonsInFileAndDirectoryNamesAreRead() throws IOException {
    List<Obs> one = rows("c", 1, 3, 40);
    Path file = writeCsv(dir.resolve("in:put.csv"), one, "id", "t", "x", "y");
    smooth(file, "csv", "out-colon-file");
    checkWritten("out-colon-file", one, 0);

    Path in = dir.resolve("at:10:00");
    List<Obs> two = rows("d", 1, 2, 50);
    List<Obs> three = rows("e", 1, 2, 60);
    writeCsv(in.resolve("2024-01-01T10:00:00.csv"), two, "id", "t", "x", "y");
    writeCsv(in.resolve("sub").resolve("b:c.csv"), three, "x", "y", "id", "t");
    List<Obs> all = new ArrayList<>(two);
    all.addAll(three);
    smooth(in, "csv", "out-colon-dir");
    checkWritten("out-colon-dir", all, 0);
  }

  @Test
  void aJsonLineThatRepeatsAKeyIsQuarantinedNamingTheKeyAndTheLine() throws IOException {
    Path json = dir.resolve("dup.jsonl");
    String repeated = "{\"id\":\"j\",\"t\":1,\"x\":1.5,\"x\":9,\"y\":2.5}";
    Files.writeString(json, "{\"id\":\"j\",\"t\":0,\"x\":1.25,\"y\":2}\n" + repeated + "\n\n"
        + "{\"id\":\"j\",\"t\":2,\"x\":2.5,\"y\":3}\n{\"id\":\"k\",\"t\":0,\"x\":4,\"Y\":1,\"y\":5}\n");
    smooth(json, "json", "out-json");
    List<Row> quarantine = checkWritten("out-json", List.of(new Obs("j", 0, 1.25, 2), new Obs("j", 1, 1.5, 2.5),
        new Obs("j", 2, 2.5, 3), new Obs("k", 0, 4, 5)), 2);
    List<String> reasons = new ArrayList<>();
    for (Row q : quarantine) {
      assertEquals("corrupt_record", q.getAs("reason_code"));
      reasons.add(q.getAs("reason"));
    }
    assertTrue(reasons.stream().anyMatch(s -> s.contains("repeated key \"x\"") && s.contains(repeated)), reasons.toString());
    assertTrue(reasons.stream().anyMatch(s -> s.contains("repeated key \"y\"")), "keys are matched ignoring case: " + reasons);
  }

  @Test
  void repeatedKeysAreFoundAtTheTopLevelOnly() {
    assertEquals("a", JsonLines.repeatedKey("{\"a\":1,\"b\":{\"c\":1},\"a\":2}"));
    assertEquals("A", JsonLines.repeatedKey("{\"a\":1,\"A\":2}"));
    assertEquals(null, JsonLines.repeatedKey("{\"a\":{\"c\":1,\"c\":2},\"b\":[1,1]}"));
    assertEquals(null, JsonLines.repeatedKey("not json"));
  }
}
