package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.model.spec.Columns;
import io.statespace.model.spec.ModelSpec;
import io.statespace.testing.SparkTestSession;
import java.io.Serializable;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine stage reads Spark's internal rows ({@link InternalRowCursor}), the other callers generic rows
 * ({@link RowCursor}); one {@link TrajectoryAssembler} serves both. On the same grouped rows of every id and time
 * type the project supports (with rows sharing a time, rows rejected while parsing, missing observations, and
 * forecast steps), both give the same trajectories (ids and time values of the same classes and exact values,
 * the same relative times, observations and inputs) and the same quarantine rows. The internal rows come from the
 * real plan, whose iterator reuses its row object, and from an iterator that overwrites one row's bytes on every
 * load: what the assembler keeps is copied.
 */
class AssemblyRowFormsTest {
  private static final HexFormat HEX = HexFormat.of().withUpperCase();
  private static final Columns WITH_INPUT = new Columns("id", "t", List.of("x", "y"), List.of("u"));
  private static final Columns NO_INPUT = new Columns("id", "t", List.of("x", "y"), List.of());
  private static final String LOCAL_LEVEL = "{\"family\": \"local-level\", \"level_std\": 1, \"measurement_std\": 1,"
      + " \"initial\": {\"mean\": [0], \"cov\": [[1]]}, \"columns\": {\"id\": \"id\", \"time\": \"t\", \"observations\": [\"y\"]}}";

  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("AssemblyRowFormsTest");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** Fresh values per call (byte arrays must group by content, not by reference). */
  private interface Values extends Serializable {
    List<Object> fresh();
  }

  /**
   * An id type with two or three ids, a time type with six increasing times, a time value its parser refuses
   * (null when the type cannot hold one), and the forecast step for it.
   */
  private record Case(String name, DataType idType, Values ids, DataType timeType, Values times, Object badTime,
      String forecastDt) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Timestamp timestamp(String instant) {
    return Timestamp.from(Instant.parse(instant));
  }

  static Stream<Case> cases() {
    long ns = 1_700_000_000_000_000_000L;
    return Stream.of(
        new Case("string ids, ISO text times", DataTypes.StringType, () -> List.of("a", " a", "a,\"b\""),
            DataTypes.StringType, () -> List.of("2024-01-01T00:00:00Z", "2024-01-01T00:00:00.000000001Z",
                "2024-01-01T01:00:01+01:00", "2024-01-01T00:00:02.5Z", "2024-01-01T00:00:03Z", "2024-01-01T00:01:00Z"),
            "not a time", "1"),
        new Case("long ids, epoch nanosecond times", DataTypes.LongType, () -> List.of(7L, -3L, ns + 1),
            DataTypes.LongType, () -> List.of(ns, ns + 1, ns + 1000, ns + 1003, ns + 2000, ns + 5000), null, "1"),
        new Case("int ids, int times", DataTypes.IntegerType, () -> List.of(7, -3, Integer.MAX_VALUE),
            DataTypes.IntegerType, () -> List.of(-5, 0, 1, 2, 10, 1000), null, "1"),
        new Case("short ids, short times", DataTypes.ShortType, () -> List.of((short) 7, (short) -3, Short.MAX_VALUE),
            DataTypes.ShortType, () -> List.of((short) 0, (short) 1, (short) 2, (short) 4, (short) 8, (short) 16), null, "1"),
        new Case("byte ids, byte times", DataTypes.ByteType, () -> List.of((byte) 7, (byte) -3, (byte) 0),
            DataTypes.ByteType, () -> List.of((byte) -100, (byte) -1, (byte) 0, (byte) 3, (byte) 9, (byte) 100), null, "1"),
        new Case("boolean ids, double times", DataTypes.BooleanType, () -> List.of(true, false),
            DataTypes.DoubleType, () -> List.of(0.0, 0.1, 0.25, 1.0 / 3, 7.5, 1e6), null, "1"),
        new Case("double ids (-0.0 among them), float times", DataTypes.DoubleType, () -> List.of(0.5, -0.0, 1e300),
            DataTypes.FloatType, () -> List.of(0f, 0.5f, 1.25f, 2f, 2.75f, 100f), null, "1"),
        new Case("float ids, decimal times", DataTypes.FloatType, () -> List.of(1.5f, -2f, 3e38f),
            DataTypes.createDecimalType(20, 9), () -> List.of(new BigDecimal("1.000000000"), new BigDecimal("1.000000001"),
                new BigDecimal("2.500000000"), new BigDecimal("3.000000000"), new BigDecimal("10.000000000"),
                new BigDecimal("11.123456789")), null, "1"),
        new Case("decimal ids, timestamp times", DataTypes.createDecimalType(20, 2),
            () -> List.of(new BigDecimal("12.50"), new BigDecimal("-3.00"), new BigDecimal("0.01")),
            DataTypes.TimestampType, () -> List.of(timestamp("2023-11-14T22:13:20Z"), timestamp("2023-11-14T22:13:20.000001Z"),
                timestamp("2023-11-14T22:13:20.250Z"), timestamp("2023-11-14T22:13:21Z"), timestamp("2023-11-14T22:14:00Z"),
                timestamp("2023-11-15T00:00:00Z")), null, "1"),
        new Case("date ids, timestamp_ntz times", DataTypes.DateType,
            () -> List.of(Date.valueOf(LocalDate.parse("2024-01-01")), Date.valueOf(LocalDate.parse("1969-12-31")),
                Date.valueOf(LocalDate.parse("2024-02-29"))),
            DataTypes.TimestampNTZType, () -> List.of(LocalDateTime.parse("2024-01-01T00:00:00"),
                LocalDateTime.parse("2024-01-01T00:00:00.000001"), LocalDateTime.parse("2024-01-01T00:00:01"),
                LocalDateTime.parse("2024-01-01T00:00:01.5"), LocalDateTime.parse("2024-01-01T00:01:00"),
                LocalDateTime.parse("2024-01-02T00:00:00")), null, "1"),
        new Case("timestamp ids, date times", DataTypes.TimestampType,
            () -> List.of(timestamp("2023-11-14T22:13:20.000001Z"), timestamp("2023-11-14T22:13:20.000002Z"),
                timestamp("1960-01-01T00:00:00Z")),
            DataTypes.DateType, () -> List.of(Date.valueOf(LocalDate.parse("1969-12-30")), Date.valueOf(LocalDate.parse("1970-01-01")),
                Date.valueOf(LocalDate.parse("2024-01-01")), Date.valueOf(LocalDate.parse("2024-01-02")),
                Date.valueOf(LocalDate.parse("2024-02-29")), Date.valueOf(LocalDate.parse("2025-01-01"))), null, "86400"),
        new Case("timestamp_ntz ids, long times", DataTypes.TimestampNTZType,
            () -> List.of(LocalDateTime.parse("2024-01-01T00:00:00.000001"), LocalDateTime.parse("2024-01-01T00:00:00"),
                LocalDateTime.parse("1999-12-31T23:59:59")),
            DataTypes.LongType, () -> List.of(0L, 1L, 2L, 3L, 5L, 8L), null, "1"),
        new Case("binary ids, number text times", DataTypes.BinaryType,
            () -> List.of(new byte[] {1, 2}, new byte[] {1, 2, 0}, new byte[] {(byte) 0xFF}),
            DataTypes.StringType, () -> List.of("0", "0.5", "1e0", "2", "2.000000001", "30"), "1,5", "1"));
  }

  /**
   * The input of a case: id 0 with five times, one observation missing and two rows sharing a time (both
   * quarantined); id 1 with four rows out of order; id 2 (where there is one) with two rows sharing its only time
   * (no trajectory); and rows rejected while parsing: null id, null time, an infinite observation, a missing input
   * (with inputs) and a time the parser refuses (where the type can hold one).
   */
  private static List<Row> rows(Case c, boolean inputs) {
    List<Object> t = c.times().fresh();
    List<Row> rows = new ArrayList<>();
    int[] id0 = {0, 1, 2, 3, 4};
    for (int k : id0) rows.add(row(inputs, c.ids().fresh().get(0), t.get(k), k == 1 ? null : 0.1 * k, -0.2 * k, 0.5 + k));
    rows.add(row(inputs, c.ids().fresh().get(0), t.get(3), 9.0, 9.0, 1.0));
    for (int k : new int[] {5, 0, 2, 1}) rows.add(row(inputs, c.ids().fresh().get(1), t.get(k), 1.0 + k, 2.0 * k, 0.25 * k));
    if (c.ids().fresh().size() > 2) {
      rows.add(row(inputs, c.ids().fresh().get(2), t.get(4), 1.0, 1.0, 1.0));
      rows.add(row(inputs, c.ids().fresh().get(2), t.get(4), 2.0, 2.0, 2.0));
    }
    rows.add(row(inputs, null, t.get(0), 1.0, 1.0, 1.0));
    rows.add(row(inputs, c.ids().fresh().get(1), null, 1.0, 1.0, 1.0));
    rows.add(row(inputs, c.ids().fresh().get(0), t.get(5), Double.POSITIVE_INFINITY, 1.0, 1.0));
    if (inputs) rows.add(row(true, c.ids().fresh().get(1), t.get(3), 1.0, 1.0, null));
    if (c.badTime() != null) rows.add(row(inputs, c.ids().fresh().get(0), c.badTime(), 1.0, 1.0, 1.0));
    return rows;
  }

  private static Row row(boolean inputs, Object id, Object time, Double x, Double y, Double u) {
    return inputs ? RowFactory.create(id, time, x, y, u) : RowFactory.create(id, time, x, y);
  }

  private static Dataset<Row> grouped(Case c, boolean inputs) {
    StructType schema = new StructType().add("id", c.idType()).add("t", c.timeType()).add("x", DataTypes.DoubleType)
        .add("y", DataTypes.DoubleType);
    if (inputs) schema = schema.add("u", DataTypes.DoubleType);
    Columns columns = inputs ? WITH_INPUT : NO_INPUT;
    InputSource source = InputSource.of(spark.createDataFrame(rows(c, inputs), schema), columns);
    return SmoothJob.grouped(spark, source, columns, 2);
  }

  private static ForecastTimes forecast(Case c, boolean inputs) {
    if (inputs) return ForecastTimes.NONE;
    return ForecastTimes.of(2, c.forecastDt(), ModelSpec.parse(LOCAL_LEVEL), "--forecast-steps", "--forecast-dt")
        .forColumn(c.timeType(), "t");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void bothRowFormsGiveTheSameTrajectoriesAndQuarantineRows(Case c) {
    for (boolean inputs : new boolean[] {true, false}) {
      Dataset<Row> grouped = grouped(c, inputs);
      Columns columns = inputs ? WITH_INPUT : NO_INPUT;
      int p = inputs ? 1 : 0;
      ForecastTimes forecast = forecast(c, inputs);
      DataType idType = c.idType();
      DataType timeType = c.timeType();
      List<String> generic = sorted(grouped.javaRDD()
          .mapPartitions(in -> assemble(new RowCursor(in), columns, p, forecast)).collect());
      List<String> internal = sorted(SmoothJob.internalRows(grouped)
          .mapPartitions(in -> assemble(new InternalRowCursor(in, idType, timeType), columns, p, forecast)).collect());
      String what = c + (inputs ? ", with an input" : ", forecast of 2 steps");
      assertEquals(generic, internal, what);
      int rowsIn = rows(c, inputs).size();
      assertEquals(2, internal.stream().filter(s -> s.startsWith("trajectory")).count(), what + ": trajectories");
      long steps = internal.stream().filter(s -> s.startsWith("trajectory"))
          .mapToLong(s -> s.split("\n").length - 1 - (inputs ? 0 : 2)).sum();
      long rejected = internal.stream().filter(s -> s.startsWith("reject")).count();
      assertEquals(8, steps, what + ": input steps kept (id 0: 5 rows and 1 more sharing a time with one of them, "
          + "both quarantined; id 1: 4)");
      assertEquals(rowsIn, steps + rejected, what + ": rows in = steps kept + rows quarantined");
      long idTwo = c.ids().fresh().size() > 2 ? 2 : 0;
      assertEquals(2 + idTwo, internal.stream().filter(s -> s.contains(" duplicate_time ")).count(), what + ": rows sharing a time");
      assertEquals(1, internal.stream().filter(s -> s.contains(" null_id ")).count(), what + ": a null id");
    }
  }

  /**
   * The assembler over an iterator that overwrites one row object's bytes on every load (and loads ahead on
   * {@code hasNext}) gives what it gives over independent rows: the key it compares against, the values it keeps
   * and the row it holds between trajectories are copies. (Keys of one length follow each other in some cases,
   * the date ids' among them, so that a key read in place would take the next trajectory's bytes.)
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void aReusedRowObjectGivesWhatIndependentRowsGive(Case c) {
    Dataset<Row> grouped = grouped(c, true);
    List<InternalRow> rows = UnsafeRowsFixture.unsafe(grouped.collectAsList(), grouped.schema());
    List<String> independent = new ArrayList<>();
    assemble(new InternalRowCursor(rows.iterator(), c.idType(), c.timeType()), WITH_INPUT, 1, ForecastTimes.NONE)
        .forEachRemaining(independent::add);
    List<String> reused = new ArrayList<>();
    assemble(new InternalRowCursor(UnsafeRowsFixture.reusing(rows), c.idType(), c.timeType()), WITH_INPUT, 1,
        ForecastTimes.NONE).forEachRemaining(reused::add);
    assertEquals(independent, reused, c.toString());
    assertEquals(2, reused.stream().filter(s -> s.startsWith("trajectory")).count(), c + ": " + reused);
  }

  /** A held row stays readable after its iterator loads the next row into the same object. */
  @Test
  void aHeldRowSurvivesTheIteratorLoadingTheNextOne() {
    Case c = cases().filter(k -> k.timeType().equals(DataTypes.LongType)).findFirst().orElseThrow();
    Dataset<Row> grouped = grouped(c, true);
    List<Row> parsed = grouped.collectAsList();
    List<InternalRow> rows = UnsafeRowsFixture.unsafe(parsed, grouped.schema());
    InternalRowCursor cursor = new InternalRowCursor(UnsafeRowsFixture.reusing(rows), c.idType(), c.timeType());
    List<String> seen = new ArrayList<>();
    while (cursor.hasNext()) {
      cursor.next();
      cursor.hold();
      boolean more = cursor.hasNext();
      seen.add(cursor.valid() + " " + value(cursor.id()) + " " + value(cursor.timeValue()));
      if (!more) break;
    }
    List<String> expected = parsed.stream().map(r -> r.getBoolean(ParsedRows.VALID_INDEX) + " "
        + value(r.get(ParsedRows.ID_INDEX)) + " " + value(r.get(ParsedRows.TIME_VALUE_INDEX))).collect(Collectors.toList());
    assertEquals(expected, seen);
  }

  private static List<String> sorted(List<String> lines) {
    List<String> out = new ArrayList<>(lines);
    out.sort(null);
    return out;
  }

  /**
   * Every trajectory (key, id, forecast steps, then per step its time value, relative time, observations and
   * inputs) and every quarantine row (id, time, reason, message, raw text) the assembler makes, as exact text
   * with each value's class.
   */
  private static Iterator<String> assemble(ParsedRowCursor cursor, Columns columns, int inputDim, ForecastTimes forecast) {
    List<String> out = new ArrayList<>();
    TrajectoryAssembler assembler = new TrajectoryAssembler(cursor, columns, 2, inputDim,
        (id, time, reason, message, raw) -> out.add("reject " + value(id) + " " + value(time) + " " + reason.code() + " "
            + message + " | " + raw), forecast);
    while (assembler.hasNext()) {
      AssembledTrajectory a = assembler.next();
      if (a == null) continue;
      StringBuilder s = new StringBuilder("trajectory ").append(a.trajectory.id()).append(' ').append(value(a.id))
          .append(" forecast ").append(a.forecastSteps);
      double[] obs = a.trajectory.observations();
      double[] in = a.trajectory.inputs();
      for (int t = 0; t < a.length(); t++) {
        s.append('\n').append(value(a.timeValues[t])).append(' ').append(a.trajectory.times()[t]).append(' ')
            .append(obs[2 * t]).append(' ').append(obs[2 * t + 1]);
        for (int i = 0; i < inputDim; i++) s.append(' ').append(in[t * inputDim + i]);
      }
      out.add(s.toString());
    }
    return out.iterator();
  }

  /** A value's class and exact text (binary as hex, timestamps to the nanosecond). */
  private static String value(Object v) {
    if (v == null) return "null";
    String text = v instanceof byte[] ? HEX.formatHex((byte[]) v)
        : v instanceof Timestamp ? ((Timestamp) v).toInstant().toString() : v.toString();
    return v.getClass().getSimpleName() + ":" + text;
  }
}
