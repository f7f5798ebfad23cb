package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.execution.EngineChoice;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.spec.Columns;
import io.statespace.model.spec.FitSpec;
import io.statespace.model.spec.ModelSpec;
import io.statespace.testing.SparkTestSession;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Times and ids through the whole smooth job, checked in the written files against the input: epoch
 * nanoseconds and sub-millisecond timestamps keep every row and their exact dt, ids of every type group by
 * value and come back exactly in every output format, and odd number cells end in quarantine, never in a
 * failed task. Rows are counted in the files (states + quarantine = input), never taken from the report.
 */
class ExactTimesAndIdsTest {
  private static final Columns COLUMNS = new Columns("id", "t", List.of("x", "y"), List.of());
  private static final List<String> FORMATS = List.of("csv", "parquet", "json", "orc");
  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  private static SparkSession spark;
  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("ExactTimesAndIdsTest");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static ModelSpec spec() {
    double[] cov = new double[16];
    for (int i = 0; i < 4; i++) cov[i * 5] = 1.0;
    ConstantVelocityModel model = new ConstantVelocityModel(2, Double.NaN, ConstantVelocityModel.Noise.CONTINUOUS,
        0.7, new double[] {0.4, 0.6}, new double[] {1.0, -2.0, 0.5, 0.3}, cov);
    return new ModelSpec(model, COLUMNS, FitSpec.none(), null);
  }

  private static void smooth(String input, String format, String output, String outFormat) {
    SmoothJob.run(spark, new SmoothSettings(input, format, output, outFormat, spec(), EngineChoice.SEQUENTIAL, 1, 2, false));
  }

  private static StructType schema(DataType idType, DataType timeType) {
    return new StructType().add("id", idType).add("t", timeType).add("x", DataTypes.DoubleType)
        .add("y", DataTypes.DoubleType);
  }

  private static Dataset<Row> read(String format, String path, StructType schema) {
    if (format.equals("csv")) return spark.read().option("header", "true").option("escape", "\"").csv(path);
    if (format.equals("json")) return spark.read().schema(schema).json(path);
    return spark.read().format(format).load(path);
  }

  /** Epoch nanoseconds (1.7e18, steps of 1 ns to 1 µs): no row merged, and the engine sees the exact dt. */
  @Test
  void nanosecondEpochTimesKeepEveryRowAndTheirExactDt() {
    long base = 1_700_000_000_000_000_000L;
    long[] steps = {1000, 1, 1000, 3, 250, 1000, 1, 1, 1000};
    Random rng = new Random(11);
    Map<Long, long[]> times = new TreeMap<>();
    Map<Long, double[]> obs = new HashMap<>();
    List<Row> rows = new ArrayList<>();
    for (long id : new long[] {1L, 2L}) {
      int n = id == 1L ? 40 : 25;
      long[] t = new long[n];
      double[] y = new double[2 * n];
      for (int k = 0; k < n; k++) {
        t[k] = k == 0 ? base + 17 * id : t[k - 1] + (id == 1L ? steps[k % steps.length] : 1000);
        y[2 * k] = k % 7 == 3 ? Double.NaN : Math.sin(0.3 * k) + 0.1 * rng.nextGaussian();
        y[2 * k + 1] = 0.01 * k + 0.1 * rng.nextGaussian();
        rows.add(RowFactory.create(id, t[k], y[2 * k], y[2 * k + 1]));
      }
      times.put(id, t);
      obs.put(id, y);
    }
    java.util.Collections.shuffle(rows, rng);
    String input = dir.resolve("nanos.parquet").toString();
    spark.createDataFrame(rows, schema(DataTypes.LongType, DataTypes.LongType)).write().parquet(input);
    String out = dir.resolve("out-nanos").toString();
    smooth(input, "parquet", out, "parquet");

    assertEquals(0, spark.read().parquet(out + "/quarantine").count(), "no row may be quarantined");
    List<Row> states = spark.read().parquet(out + "/states").collectAsList();
    assertEquals(rows.size(), states.size());
    SequentialEngine engine = new SequentialEngine();
    double worst = 0.0;
    for (Map.Entry<Long, long[]> e : times.entrySet()) {
      long[] t = e.getValue();
      double[] relative = new double[t.length];
      for (int k = 0; k < t.length; k++) relative[k] = t[k] - t[0];
      Posterior p = engine.smooth(spec().model(), new Trajectory("x", relative, obs.get(e.getKey()), 2), Outputs.MOMENTS);
      Map<Long, Integer> step = new HashMap<>();
      for (int k = 0; k < t.length; k++) step.put(t[k], k);
      int seen = 0;
      for (Row r : states) {
        if (r.<Long>getAs("id") != e.getKey().longValue()) continue;
        Integer k = step.get(r.<Long>getAs("t"));
        assertTrue(k != null, "time " + r.getAs("t") + " is not an input time of " + e.getKey());
        seen++;
        worst = Math.max(worst, deviation(r.getList(r.fieldIndex("smoothed_mean")), p.smoothedMeans(), k * 4, 4));
        worst = Math.max(worst, deviation(r.getList(r.fieldIndex("smoothed_cov")), p.smoothedCovariances(), k * 16, 16));
        worst = Math.max(worst, deviation(r.getList(r.fieldIndex("filtered_mean")), p.filteredMeans(), k * 4, 4));
      }
      assertEquals(t.length, seen);
    }
    assertTrue(worst <= 1e-9, "smoothed with the wrong dt: deviation " + worst);
  }

  /** Largest deviation of actual[0..len) from expected[offset..offset+len), relative with a floor of 1. */
  private static double deviation(List<Object> actual, double[] expected, int offset, int len) {
    double worst = 0.0;
    for (int i = 0; i < len; i++) {
      double e = expected[offset + i];
      worst = Math.max(worst, Math.abs((Double) actual.get(i) - e) / Math.max(1.0, Math.abs(e)));
    }
    return worst;
  }

  /** The fit job's assembly (FitBlocks) gives the engines the same exact relative times. */
  @Test
  void fitAssemblyKeepsNanosecondStepsExact() {
    long base = 1_700_000_000_000_000_000L;
    List<Row> rows = new ArrayList<>();
    for (int k = 0; k < 30; k++) rows.add(RowFactory.create("a", base + k * 3L / 2, 0.1 * k, -0.1 * k));
    String input = dir.resolve("fit-nanos.parquet").toString();
    spark.createDataFrame(rows, schema(DataTypes.StringType, DataTypes.LongType)).write().parquet(input);
    InputSource source = InputSource.read(spark, input, "parquet", COLUMNS);
    List<FitItem> items = FitJob.assemble(source, COLUMNS, 2, 0, 2).collect();
    List<Trajectory> trajectories = items.stream().filter(FitItem::isBlock)
        .flatMap(i -> Stream.of(i.block.trajectories)).collect(Collectors.toList());
    assertEquals(0, items.stream().filter(i -> !i.isBlock()).count(), "no row may be quarantined");
    assertEquals(1, trajectories.size());
    double[] times = trajectories.get(0).times();
    assertEquals(30, times.length);
    for (int k = 0; k < 30; k++) assertEquals((double) (k * 3L / 2), times[k], "step " + k);
  }

  /** Timestamps 1 µs apart stay distinct and exact in CSV and JSON output, states and quarantine. */
  @Test
  void subMillisecondTimestampsKeepTheirMicrosecondsInTextOutput() throws IOException {
    Instant base = Instant.parse("2023-11-14T22:13:20Z");
    long[] stepMicros = {1, 250, 1, 999, 3};
    List<Row> rows = new ArrayList<>();
    List<Instant> a = new ArrayList<>();
    double[] relative = new double[15];
    double[] y = new double[2 * relative.length];
    long micros = 0;
    for (int k = 0; k < relative.length; k++) {
      micros += k == 0 ? 0 : stepMicros[k % stepMicros.length];
      Instant t = base.plusNanos(micros * 1000);
      a.add(t);
      relative[k] = micros / 1e6;
      y[2 * k] = Math.cos(0.2 * k);
      y[2 * k + 1] = 0.05 * k;
      rows.add(RowFactory.create("a", Timestamp.from(t), y[2 * k], y[2 * k + 1]));
    }
    Instant dup = base.plusNanos(7_000);
    rows.add(RowFactory.create("b", Timestamp.from(dup), 1.0, 1.0));
    rows.add(RowFactory.create("b", Timestamp.from(dup), 2.0, 2.0));
    rows.add(RowFactory.create("b", Timestamp.from(dup.plusNanos(1_000)), 3.0, 3.0));
    String input = dir.resolve("micros.parquet").toString();
    spark.createDataFrame(rows, schema(DataTypes.StringType, DataTypes.TimestampType)).write().parquet(input);

    Posterior p = new SequentialEngine().smooth(spec().model(), new Trajectory("a", relative, y, 2), Outputs.MOMENTS);

    for (String format : List.of("csv", "json")) {
      String out = dir.resolve("out-micros-" + format).toString();
      smooth(input, "parquet", out, format);
      StructType text = new StructType().add("id", DataTypes.StringType).add("t", DataTypes.StringType);
      List<Row> states = read(format, out + "/states",
          text.add("smoothed_mean", DataTypes.createArrayType(DataTypes.DoubleType))).collectAsList();
      List<Row> quarantine = read(format, out + "/quarantine", text).collectAsList();
      assertEquals(rows.size(), states.size() + quarantine.size(), format + ": rows in = states + quarantine");
      assertEquals(2, quarantine.size(), format);
      for (Row q : quarantine) assertEquals(dup.toString(), q.getAs("t"), format + ": quarantine time text");
      List<Instant> written = new ArrayList<>();
      double worst = 0.0;
      for (Row r : states) {
        String t = r.getAs("t");
        assertTrue(t.matches(".*:\\d\\d\\.\\d{6}(Z|[+-]\\d\\d:\\d\\d)"), format + ": not to the microsecond: " + t);
        Instant instant = OffsetDateTime.parse(t).toInstant();
        if (r.<String>getAs("id").equals("a")) {
          written.add(instant);
          int k = a.indexOf(instant);
          assertTrue(k >= 0, format + ": time " + t + " is not an input time");
          worst = Math.max(worst, Math.abs(number(r, format, "smoothed_mean", 0) - p.smoothedMeans()[k * 4])
              / Math.max(1.0, Math.abs(p.smoothedMeans()[k * 4])));
        }
      }
      assertEquals(a, written.stream().sorted().collect(Collectors.toList()), format + ": every time exactly once");
      assertTrue(worst <= 1e-9, format + ": smoothed with the wrong dt: deviation " + worst);
    }
  }

  private static double number(Row r, String format, String column, int i) {
    if (format.equals("csv")) return Double.parseDouble(r.getAs(column + "_" + i));
    return r.<Double>getList(r.fieldIndex(column)).get(i);
  }

  /** CSV ids that differ only in spaces are different trajectories and come back exactly in every format. */
  @Test
  void idsDifferingOnlyInSpacesStayApartInEveryFormat() throws IOException {
    List<String> ids = List.of("1", " 1", "1 ", " 1 ");
    StringBuilder csv = new StringBuilder("id,t,x,y\n");
    int rowsIn = 0;
    for (String id : ids) {
      for (int k = 0; k < 4; k++) {
        csv.append(id).append(',').append(k).append(',').append(0.1 * k).append(',').append(ids.indexOf(id)).append('\n');
        rowsIn++;
      }
    }
    csv.append("\" 1\",10,1,1\n 1,10,3,3\n");
    rowsIn += 2;
    Path input = dir.resolve("spaces.csv");
    Files.writeString(input, csv.toString());
    for (String format : FORMATS) {
      String out = dir.resolve("out-spaces-" + format).toString();
      smooth(input.toString(), "csv", out, format);
      StructType text = new StructType().add("id", DataTypes.StringType).add("t", DataTypes.StringType);
      Map<String, Long> states = countBy(read(format, out + "/states", text), "id");
      Map<String, Long> summary = countBy(read(format, out + "/summary", text), "id");
      Map<String, Long> quarantine = countBy(read(format, out + "/quarantine", text), "id");
      Map<String, Long> expected = new TreeMap<>();
      for (String id : ids) expected.put(id, 4L);
      assertEquals(expected, states, format + ": states per id");
      assertEquals(ids.stream().sorted().collect(Collectors.toList()), new ArrayList<>(summary.keySet()), format);
      assertEquals(Map.of(" 1", 2L), quarantine, format + ": quarantine per id");
      assertEquals(rowsIn, states.values().stream().mapToLong(Long::longValue).sum()
          + quarantine.values().stream().mapToLong(Long::longValue).sum(), format + ": rows in = states + quarantine");
      if (format.equals("csv")) {
        List<String> lines = partLines(out + "/states");
        for (String id : ids) {
          assertEquals(4, lines.stream().filter(l -> l.startsWith(id + ",") || l.startsWith("\"" + id + "\",")).count(),
              "csv text of id '" + id + "'");
        }
      }
    }
  }

  private static Map<String, Long> countBy(Dataset<Row> data, String column) {
    Map<String, Long> out = new TreeMap<>();
    for (Row r : data.collectAsList()) out.merge(String.valueOf(r.<Object>getAs(column)), 1L, Long::sum);
    return out;
  }

  private static List<String> partLines(String folder) throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of(folder))) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("part-")).collect(Collectors.toList())) {
        lines.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
      }
    }
    return lines;
  }

  @Test
  void binaryIdsGroupByContentAndComeBackExactly() {
    assertIdsRoundTrip(DataTypes.BinaryType, FORMATS,
        () -> List.of(new byte[] {1, 2}, new byte[] {1, 2, 0}, new byte[] {(byte) 0xFF}));
  }

  @Test
  void decimalIdsComeBackExactly() {
    assertIdsRoundTrip(DataTypes.createDecimalType(20, 2), FORMATS,
        () -> List.of(new BigDecimal("12.50"), new BigDecimal("-3.00"), new BigDecimal("0.01")));
  }

  @Test
  void timestampIdsComeBackToTheMicrosecond() {
    assertIdsRoundTrip(DataTypes.TimestampType, List.of("csv", "json", "parquet"),
        () -> List.of(Timestamp.from(Instant.parse("2023-11-14T22:13:20.000001Z")),
            Timestamp.from(Instant.parse("2023-11-14T22:13:20.000002Z"))));
  }

  /** Integral, string, boolean and date ids: Parquet input, text and columnar output (one job each). */
  @Test
  void integralStringBooleanAndDateIdsComeBackExactly() {
    assertIdsRoundTrip(DataTypes.LongType, List.of("csv", "orc"), () -> List.of(7L, -3L, 1_700_000_000_000_000_001L));
    assertIdsRoundTrip(DataTypes.IntegerType, List.of("json"), () -> List.of(7, -3, Integer.MAX_VALUE));
    assertIdsRoundTrip(DataTypes.ByteType, List.of("csv"), () -> List.of((byte) 7, (byte) -3, (byte) 0));
    assertIdsRoundTrip(DataTypes.StringType, List.of("csv"), () -> List.of("a", " a", "a,\"b\""));
    assertIdsRoundTrip(DataTypes.BooleanType, List.of("json"), () -> List.of(true, false));
    assertIdsRoundTrip(DataTypes.DateType, List.of("csv"), () -> List.of(Date.valueOf(LocalDate.parse("2024-01-01")),
        Date.valueOf(LocalDate.parse("1969-12-31"))));
  }

  @Test
  void structIdsAreRefusedNamingTheColumn() {
    StructType schema = new StructType().add("id", new StructType().add("a", DataTypes.LongType))
        .add("t", DataTypes.LongType).add("x", DataTypes.DoubleType).add("y", DataTypes.DoubleType);
    String input = dir.resolve("struct-id.parquet").toString();
    spark.createDataFrame(List.of(RowFactory.create(RowFactory.create(1L), 0L, 1.0, 2.0)), schema).write().parquet(input);
    String out = dir.resolve("out-struct-id").toString();
    InputException e = org.junit.jupiter.api.Assertions.assertThrows(InputException.class,
        () -> smooth(input, "parquet", out, "csv"));
    assertEquals("id column 'id' has type struct<a:bigint>; an id must be a single value (string, number, boolean, "
        + "date, timestamp or binary)", e.getMessage());
    assertTrue(Files.notExists(Path.of(out)), "a refused run leaves no output");
  }

  /** Fresh id objects per row (byte arrays must group by content, not by reference). */
  private interface Ids {
    List<Object> fresh();
  }

  /**
   * Each id with three rows, the first also with two rows sharing time 9 (quarantined), in Parquet; smoothed to
   * each of {@code formats}: states, summary and quarantine give each id back exactly, and rows in = states +
   * quarantine in the written files.
   */
  private static void assertIdsRoundTrip(DataType idType, List<String> formats, Ids ids) {
    List<Row> rows = new ArrayList<>();
    int count = ids.fresh().size();
    for (int i = 0; i < count; i++) {
      for (long t = 0; t < 3; t++) rows.add(RowFactory.create(ids.fresh().get(i), t, 0.1 * t + i, -0.2 * t));
    }
    rows.add(RowFactory.create(ids.fresh().get(0), 9L, 1.0, 1.0));
    rows.add(RowFactory.create(ids.fresh().get(0), 9L, 2.0, 2.0));
    String name = idType.typeName().replaceAll("[^a-z0-9]", "");
    String input = dir.resolve("ids-" + name + ".parquet").toString();
    StructType schema = schema(idType, DataTypes.LongType);
    spark.createDataFrame(rows, schema).write().parquet(input);
    List<String> expected = ids.fresh().stream().map(ExactTimesAndIdsTest::text).sorted().collect(Collectors.toList());
    String first = text(ids.fresh().get(0));
    for (String format : formats) {
      String out = dir.resolve("out-ids-" + name + "-" + format).toString();
      smooth(input, "parquet", out, format);
      StructType written = schema(idType.equals(DataTypes.BinaryType) ? DataTypes.StringType : idType, DataTypes.LongType);
      Function<Row, String> id = r -> format.equals("csv") ? csvText(idType, r.getAs("id")) : text(r.getAs("id"));
      Map<String, Long> states = new TreeMap<>();
      for (Row r : read(format, out + "/states", written).collectAsList()) states.merge(id.apply(r), 1L, Long::sum);
      List<String> summary = read(format, out + "/summary", written).collectAsList().stream().map(id).sorted()
          .collect(Collectors.toList());
      StructType text = new StructType().add("id", DataTypes.StringType).add("t", DataTypes.StringType);
      List<Row> quarantine = read(format, out + "/quarantine", text).collectAsList();
      String what = idType.simpleString() + " ids, " + format + " output";
      assertEquals(expected, new ArrayList<>(states.keySet()), what + ": state ids");
      assertTrue(states.values().stream().allMatch(n -> n == 3L), what + ": three states per id, got " + states);
      assertEquals(expected, summary, what + ": one summary row per id");
      assertEquals(2, quarantine.size(), what + ": the two rows sharing a time");
      for (Row q : quarantine) {
        assertEquals(first, q.getAs("id"), what + ": quarantine id text");
        assertEquals("9", q.getAs("t"), what + ": quarantine time text");
      }
      assertEquals(rows.size(), states.values().stream().mapToLong(Long::longValue).sum() + quarantine.size(),
          what + ": rows in = states + quarantine");
    }
  }

  /** An id as exact text: binary as upper-case hex, decimals plain, timestamps as UTC instants, dates ISO. */
  private static String text(Object v) {
    if (v instanceof byte[]) return HEX.formatHex((byte[]) v);
    if (v instanceof BigDecimal) return ((BigDecimal) v).toPlainString();
    if (v instanceof Timestamp) return ((Timestamp) v).toInstant().toString();
    return String.valueOf(v);
  }

  /** CSV text read back, brought to {@link #text}'s form where CSV writes a zone offset. */
  private static String csvText(DataType idType, String written) {
    if (idType.equals(DataTypes.TimestampType)) {
      assertTrue(written.matches(".*\\.\\d{6}(Z|[+-]\\d\\d:\\d\\d)"), "timestamp id not to the microsecond: " + written);
      return OffsetDateTime.parse(written).toInstant().toString();
    }
    return written;
  }

  /** Number cells in forms the grammar refuses end in quarantine naming the row; no task fails. */
  @Test
  void oddNumberCellsAreQuarantinedNotFatal() throws IOException {
    String nbsp = "\u00A0";
    List<String> lines = List.of(
        "id,t,x,y",
        "a,0,\u0661\u0662,1",
        "a,1,\uFF11,1",
        "a,2,1e99999,1",
        "a,3,.,1",
        "a,4,-,1",
        "a,5,+.e1,1",
        "a,6,1" + nbsp + ",1",
        "a,7,1,1",
        "a,8,2,2",
        "a,\u0661,1,1",
        "a,1e99999,1,1",
        "a,+.e1,1,1");
    Path input = dir.resolve("odd.csv");
    Files.write(input, lines, StandardCharsets.UTF_8);
    String out = dir.resolve("out-odd").toString();
    smooth(input.toString(), "csv", out, "parquet");
    long states = spark.read().parquet(out + "/states").count();
    List<Row> quarantine = spark.read().parquet(out + "/quarantine").collectAsList();
    assertEquals(lines.size() - 1, states + quarantine.size(), "rows in = states + quarantine");
    assertEquals(2, states);
    Map<String, Long> byReason = new TreeMap<>();
    for (Row q : quarantine) byReason.merge(q.getAs("reason_code"), 1L, Long::sum);
    assertEquals(Map.of("bad_value", 6L, "infinite_value", 1L, "bad_time", 3L), byReason);
    for (Row q : quarantine) {
      String reason = q.getAs("reason");
      String row = q.getAs("row");
      assertTrue(reason.startsWith("column 'x'") || reason.startsWith("time column 't'"), reason);
      assertTrue(row.startsWith("id=a, t=" + q.getAs("t") + ", x="), row);
    }
    assertTrue(quarantine.stream().anyMatch(q -> q.<String>getAs("reason").equals(
        "time column 't': '1e99999' is outside the supported range (|t| < 2^63)")));
    assertTrue(quarantine.stream().anyMatch(q -> q.<String>getAs("reason").equals(
        "column 'x': cannot parse '\u0661\u0662' as a number")));
  }
}
