package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.execution.EngineChoice;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.spec.Columns;
import io.statespace.model.spec.FitSpec;
import io.statespace.model.spec.ModelSpec;
import io.statespace.simulate.CsvSink;
import io.statespace.simulate.MissingPattern;
import io.statespace.simulate.ModelScenario;
import io.statespace.testing.SparkTestSession;
import io.statespace.testing.WrittenRows;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code --covariances full|std|none} and {@code --no-filtered}, read back from the written files against the
 * full output of the same input: exactly the chosen columns in the documented order; the same ids and times;
 * means and covariances equal to the full output's, and each standard deviation the square root of its full
 * covariance's diagonal, element by element; summary and quarantine unchanged; written state rows +
 * quarantine rows = input rows; report.json records the choice. The full output itself is checked against
 * the sequential engine by {@link SmoothJobTest}.
 */
class OutputChoiceJobTest {
  private static final Columns COLUMNS = new Columns("id", "t", List.of("x", "y"), List.of());
  private static final int N = 4;
  private static SparkSession spark;
  @TempDir static Path dir;
  private static Path input;
  private static String full;
  private static Map<String, Row> fullStates;

  @BeforeAll
  static void start() throws IOException {
    spark = SparkTestSession.start("OutputChoiceJobTest");
    input = dir.resolve("in.csv");
    ModelScenario scenario = new ModelScenario(spec().model(), 0.1, 0.2, new MissingPattern(0.1, 0.1));
    SplittableRandom rng = new SplittableRandom(21);
    try (CsvSink sink = new CsvSink(input, "id", "t", List.of("x", "y"), List.of(), List.of())) {
      for (int k = 0; k < 20; k++) sink.write(scenario.generate("tr-" + k, 1 + rng.nextInt(50), rng.split()));
    }
    Files.writeString(input, "tr-0,0.0,1.0,2.0\nbad,abc,1.0,1.0\n", java.nio.file.StandardOpenOption.APPEND);
    full = smooth("full", "parquet", OutputChoice.FULL);
    fullStates = byKey(spark.read().parquet(full + "/states").collectAsList());
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

  private static String smooth(String name, String outFormat, OutputChoice choice) {
    String out = dir.resolve("out-" + name).toString();
    SmoothJob.run(spark, new SmoothSettings(input.toString(), "csv", out, outFormat, spec(), EngineChoice.AUTO, 1, 3,
        false).withOutputs(choice));
    return out;
  }

  private static Map<String, Row> byKey(List<Row> rows) {
    Map<String, Row> m = new HashMap<>();
    for (Row r : rows) assertEquals(null, m.put(r.getAs("id") + "|" + r.getAs("t"), r), "one row per id and time");
    return m;
  }

  static Stream<OutputChoice> choices() {
    List<OutputChoice> all = new ArrayList<>();
    for (OutputChoice.Covariances c : OutputChoice.Covariances.values()) {
      if (c != OutputChoice.Covariances.FULL) all.add(new OutputChoice(c, true));
      all.add(new OutputChoice(c, false));
    }
    return all.stream();
  }

  @Test
  void theDefaultWritesTheFourArraysAsBefore() throws IOException {
    assertEquals(List.of("id", "t", "x", "y", "filtered_mean", "filtered_cov", "smoothed_mean", "smoothed_cov"),
        Arrays.asList(spark.read().parquet(full + "/states").columns()));
    assertEquals(Map.of("covariances", "full", "filtered", true, "extra", List.of()),
        SmoothJobTest.writtenReport(full).get("outputs"));
    assertEquals(WrittenRows.csvDataLines(input), WrittenRows.count(spark, Path.of(full, "states"), "parquet")
        + WrittenRows.count(spark, Path.of(full, "quarantine"), "parquet"));
    assertEquals(3, WrittenRows.count(spark, Path.of(full, "quarantine"), "parquet"),
        "the duplicate time (two rows) and the unparsable time");
  }

  @ParameterizedTest
  @MethodSource("choices")
  void parquetStatesCarryTheChosenArraysEqualToTheFullOutput(OutputChoice choice) throws IOException {
    String out = smooth(choice.covariances().label() + "-" + choice.filtered(), "parquet", choice);
    List<String> arrays = choice.stateArrays().stream().map(OutputChoice.StateArray::name).collect(Collectors.toList());
    List<String> expectedColumns = new ArrayList<>(List.of("id", "t", "x", "y"));
    expectedColumns.addAll(arrays);
    assertEquals(expectedColumns, Arrays.asList(spark.read().parquet(out + "/states").columns()));
    Map<String, Row> states = byKey(spark.read().parquet(out + "/states").collectAsList());
    assertEquals(fullStates.keySet(), states.keySet(), "the same ids and times as the full output");
    for (Map.Entry<String, Row> e : states.entrySet()) {
      Row r = e.getValue();
      Row f = fullStates.get(e.getKey());
      assertEquals(f.<Object>getAs("x"), r.<Object>getAs("x"));
      assertEquals(f.<Object>getAs("y"), r.<Object>getAs("y"));
      for (String a : arrays) assertArrayEquals(expected(f, a), doubles(r, a), e.getKey() + " " + a);
    }
    assertSameRows(full + "/summary", out + "/summary");
    assertSameRows(full + "/quarantine", out + "/quarantine");
    assertEquals(WrittenRows.csvDataLines(input), WrittenRows.count(spark, Path.of(out, "states"), "parquet")
        + WrittenRows.count(spark, Path.of(out, "quarantine"), "parquet"));
    Map<?, ?> report = SmoothJobTest.writtenReport(out);
    assertEquals(Map.of("covariances", choice.covariances().label(), "filtered", choice.filtered(), "extra", List.of()),
        report.get("outputs"));
    assertEquals((long) states.size(), ((Number) report.get("rows_out")).longValue());
  }

  @Test
  void csvFlattensStandardDeviationsLikeTheOtherArrays() throws IOException {
    OutputChoice choice = new OutputChoice(OutputChoice.Covariances.STD, true);
    String out = smooth("csv-std", "csv", choice);
    List<Row> rows = spark.read().option("header", "true").csv(out + "/states").collectAsList();
    List<String> expectedColumns = new ArrayList<>(List.of("id", "t", "x", "y"));
    for (String a : new String[] {"filtered_mean", "filtered_std", "smoothed_mean", "smoothed_std"}) {
      for (int i = 0; i < N; i++) expectedColumns.add(a + "_" + i);
    }
    assertFalse(rows.isEmpty());
    assertEquals(expectedColumns, Arrays.asList(rows.get(0).schema().fieldNames()));
    assertEquals(fullStates.size(), rows.size());
    for (Row r : rows) {
      Row f = fullStates.get(r.getAs("id") + "|" + r.getAs("t"));
      assertNotNull(f, "id and time written as in the full output: " + r);
      for (String a : new String[] {"filtered_mean", "filtered_std", "smoothed_mean", "smoothed_std"}) {
        double[] values = new double[N];
        for (int i = 0; i < N; i++) values[i] = Double.parseDouble(r.getAs(a + "_" + i));
        assertArrayEquals(expected(f, a), values, a);
      }
    }
    assertEquals(WrittenRows.csvDataLines(input), WrittenRows.count(spark, Path.of(out, "states"), "csv")
        + WrittenRows.count(spark, Path.of(out, "quarantine"), "csv"));
  }

  /** Array {@code name} as the full output row {@code f} implies it: itself, or sqrt of its covariance's diagonal. */
  private static double[] expected(Row f, String name) {
    if (!name.endsWith("_std")) return doubles(f, name);
    double[] cov = doubles(f, name.replace("_std", "_cov"));
    double[] std = new double[N];
    for (int i = 0; i < N; i++) std[i] = Math.sqrt(cov[i * N + i]);
    return std;
  }

  private static double[] doubles(Row r, String column) {
    return r.<Double>getList(r.fieldIndex(column)).stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static void assertSameRows(String expected, String actual) {
    List<String> a = spark.read().parquet(expected).collectAsList().stream().map(Row::toString).sorted()
        .collect(Collectors.toList());
    List<String> b = spark.read().parquet(actual).collectAsList().stream().map(Row::toString).sorted()
        .collect(Collectors.toList());
    assertTrue(!a.isEmpty());
    assertEquals(a, b, actual);
  }
}
