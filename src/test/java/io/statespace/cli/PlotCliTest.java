package io.statespace.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.statespace.model.spec.ModelSpec;
import io.statespace.plot.DiagnosticsPlot;
import io.statespace.plot.InnovationSeries;
import io.statespace.plot.TrajectoryPlot;
import io.statespace.plot.TrajectoryView;
import io.statespace.testing.SparkTestSession;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code plot --diagnostics} and the trajectory plot on smooth outputs written with Spark in the layouts of
 * issue 15's contract (PlotFixtures), CSV and Parquet, with nulls: the readers give back the values written,
 * in time order, NaN where missing; the PNGs have the documented size; and every refusal is one line, exit 2.
 */
class PlotCliTest {
  private static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("plot");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private record Result(int code, String err) {}

  private static Result run(String... args) {
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(err, true), args);
    return new Result(code, err.toString());
  }

  private static void assertOneLineRefusal(Result r, String words) {
    assertEquals(2, r.code, r.err);
    assertTrue(r.err.contains(words), "stderr should say '" + words + "': " + r.err);
    assertEquals(1, r.err.strip().lines().count(), "one line: " + r.err);
    assertFalse(r.err.contains("\tat "), "no stack trace: " + r.err);
  }

  private static Dataset<Row> states(Path out, String fmt) {
    return spark.read().format(fmt).option("header", "true").load(out.resolve("states").toString());
  }

  private static void assertSameWithNaN(double[] expected, double[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int t = 0; t < expected.length; t++) {
      assertEquals(Double.isNaN(expected[t]), Double.isNaN(actual[t]), what + " missing at " + t);
      if (!Double.isNaN(expected[t])) assertEquals(expected[t], actual[t], Math.ulp(expected[t]) * 4, what + " at " + t);
    }
  }

  @Test
  void innovationsAreReadBackInTimeOrderWithMissingValuesFromCsvAndParquet() throws Exception {
    JsonNode ref = PlotFixtures.reference();
    for (String fmt : List.of("csv", "parquet")) {
      Path out = PlotFixtures.nile(spark, dir, fmt, true);
      Dataset<Row> all = states(out, fmt);
      StateRows rows = new StateRows(all.columns(), fmt.equals("csv"));
      InnovationSeries one = InnovationReader.read(all, rows, "id", "year", "first", 0, "flow", "states");
      assertEquals("first", one.label());
      assertEquals(1, one.values().size());
      assertArrayEquals(PlotFixtures.doubles(ref, "years"), one.times().get(0), 0.0, fmt);
      assertSameWithNaN(PlotFixtures.doubles(ref, "first"), one.values().get(0), fmt + " first");

      InnovationSeries pooled = InnovationReader.read(all, rows, "id", "year", null, 0, "flow", "states");
      assertEquals("pooled over 2 trajectories", pooled.label());
      assertSameWithNaN(PlotFixtures.doubles(ref, "first"), pooled.values().get(0), fmt + " pooled first");
      assertSameWithNaN(PlotFixtures.doubles(ref, "second"), pooled.values().get(1), fmt + " pooled second");
      assertEquals(ref.get("pooled_count").asInt(), pooled.observed().length, "rows in = values read, nulls kept as missing");
    }
  }

  @Test
  void diagnosticsWritesATwoByTwoPngForOneTrajectoryAndPooled() throws Exception {
    for (String fmt : List.of("csv", "parquet")) {
      Path out = PlotFixtures.nile(spark, dir, fmt, true);
      for (List<String> extra : List.of(List.of("--id", "first"), List.<String>of(), List.of("--component", "flow", "--lags", "20"))) {
        Path png = dir.resolve("d-" + fmt + "-" + extra.size() + ".png");
        List<String> args = new java.util.ArrayList<>(List.of("plot", "--smoothed", out.toString(), "--diagnostics", "--output", png.toString()));
        args.addAll(extra);
        Result r = run(args.toArray(String[]::new));
        assertEquals(0, r.code, fmt + " " + extra + ": " + r.err);
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(2 * DiagnosticsPlot.PANEL_WIDTH, image.getWidth(), fmt + " " + extra);
        assertEquals(2 * DiagnosticsPlot.PANEL_HEIGHT, image.getHeight(), fmt + " " + extra);
      }
    }
  }

  @Test
  void diagnosticsRefusesInOneLine() throws Exception {
    Path plain = PlotFixtures.nile(spark, dir, "csv", false);
    Path png = dir.resolve("r.png");
    assertOneLineRefusal(run("plot", "--smoothed", plain.toString(), "--diagnostics", "--output", png.toString()),
        "has no column 'standardized_innovation_0' (the standardized innovations): run smooth with --outputs predicted");
    Path plainParquet = PlotFixtures.nile(spark, dir, "parquet", false);
    assertOneLineRefusal(run("plot", "--smoothed", plainParquet.toString(), "--diagnostics", "--output", png.toString()),
        "has no column 'standardized_innovation' (the standardized innovations): run smooth with --outputs predicted");
    Path out = PlotFixtures.nile(spark, dir, "parquet", true);
    assertOneLineRefusal(run("plot", "--smoothed", out.toString(), "--diagnostics", "--component", "1", "--output", png.toString()),
        "--component 1: not an observed component of the model (0..0 or one of flow)");
    assertOneLineRefusal(run("plot", "--smoothed", out.toString(), "--diagnostics", "--component", "level", "--output", png.toString()),
        "--component level: not an observed component");
    assertOneLineRefusal(run("plot", "--smoothed", out.toString(), "--diagnostics", "--id", "third", "--output", png.toString()),
        "--id: no trajectory 'third' in " + out.resolve("states"));
    assertOneLineRefusal(run("plot", "--smoothed", out.toString(), "--diagnostics", "--id", "second", "--lags", "40", "--output",
        png.toString()), "plot --diagnostics: 38 observed standardized innovations of flow in second, too few for --lags 40");
    assertOneLineRefusal(run("plot", "--smoothed", out.toString(), "--diagnostics", "--lags", "0", "--output", png.toString()),
        "--lags: must be at least 1, got 0");
    Path constant = dir.resolve("constant");
    Files.createDirectories(constant.resolve("states"));
    StringBuilder csv = new StringBuilder("id,year,flow,standardized_innovation_0\n");
    for (int t = 0; t < 15; t++) csv.append("a,").append(1900 + t).append(",1,0.5\n");
    Files.writeString(constant.resolve("states/part-00000.csv"), csv.toString());
    Files.writeString(constant.resolve("model.json"), PlotFixtures.NILE_MODEL);
    assertOneLineRefusal(run("plot", "--smoothed", constant.toString(), "--diagnostics", "--output", png.toString()),
        "plot --diagnostics: flow in a: all 15 observed values are equal: no correlogram");
    assertFalse(Files.exists(png), "no PNG is written by a refused command");
  }

  @Test
  void trajectoryReaderTakesBandsFanAndMissingStepsFromTheNewColumns() throws Exception {
    ModelSpec spec = ModelSpec.parse(Files.readString(Path.of("conf/tracking.json")));
    for (String fmt : List.of("csv", "parquet")) {
      Path out = PlotFixtures.tracking(spark, dir, fmt);
      Dataset<Row> all = states(out, fmt);
      TrajectoryReader.Read read = TrajectoryReader.read(all, new StateRows(all.columns(), fmt.equals("csv")), spec, "id", "trk", "states");
      TrajectoryView v = read.view();
      assertEquals(List.of(), read.notes(), fmt);
      assertEquals(50, v.times().length, fmt);
      for (int k = 0; k < 50; k++) {
        assertEquals(0.25 * k, v.times()[k], 0.0, fmt + " time order");
        assertEquals(k >= 40, v.forecast()[k], fmt + " forecast at " + k);
        assertEquals(k == 5 || k == 6 || k == 20 || k == 21 || k >= 40, Double.isNaN(v.observations()[2 * k]), fmt + " x missing at " + k);
        assertEquals(k == 20 || k == 21 || k >= 40, Double.isNaN(v.observations()[2 * k + 1]), fmt + " y missing at " + k);
        assertEquals(PlotFixtures.trackX(0.25 * k), v.smoothedMean()[2 * k], 1e-12, fmt + " smoothed_obs_mean");
      }
      assertEquals(List.of(TrajectoryReader.PREDICTIVE, TrajectoryReader.STATE_ONLY), v.bands().stream().map(TrajectoryView.Band::label).toList());
      double s3 = 0.12 + 0.05 * Math.abs(Math.sin(3));
      assertEquals(s3, v.bands().get(1).std()[2 * 3], 1e-15);
      assertEquals(Math.sqrt(s3 * s3 + 0.25), v.bands().get(0).std()[2 * 3 + 1], 1e-15);
      assertEquals(Math.sqrt(0.04 * 9), v.forecastStd()[2 * 42], 1e-15, "sqrt of predicted_obs_cov[0][0] on the third forecast row");
      assertEquals(Math.sqrt(0.09 * 9), v.forecastStd()[2 * 42 + 1], 1e-15, "sqrt of predicted_obs_cov[1][1]");
      assertTrue(Double.isNaN(v.forecastMean()[2 * 39]), "no fan on estimated rows");
      assertEquals(null, v.filteredMean(), "no filtered columns in this output");

      Path png = dir.resolve("t-" + fmt + ".png");
      Result r = run("plot", "--smoothed", out.toString(), "--id", "trk", "--output", png.toString());
      assertEquals(0, r.code, r.err);
      BufferedImage image = ImageIO.read(png.toFile());
      assertEquals(TrajectoryPlot.WIDTH, image.getWidth());
      assertEquals(2 * TrajectoryPlot.COMPONENT_HEIGHT + TrajectoryPlot.PATH_HEIGHT, image.getHeight());
    }
  }

  @Test
  void trajectoryOfTodaysLayoutKeepsTheBandFromTheSmoothedCovariance() throws Exception {
    Path input = dir.resolve("in.csv");
    StringBuilder s = new StringBuilder("id,t,x,y\n");
    for (int t = 0; t < 12; t++) s.append("a,").append(t * 0.1).append(',').append(t == 4 ? "" : String.valueOf(0.3 * t)).append(',').append(0.1 * t).append('\n');
    Files.writeString(input, s.toString());
    Path out = dir.resolve("today");
    assertEquals(0, run("smooth", "--input", input.toString(), "--model", "conf/tracking.json", "--output", out.toString()).code);
    Dataset<Row> all = states(out, "csv");
    ModelSpec spec = ModelSpec.parse(Files.readString(out.resolve("model.json")));
    TrajectoryView v = TrajectoryReader.read(all, new StateRows(all.columns(), true), spec, "id", "a", "states").view();
    assertEquals(List.of(TrajectoryReader.FROM_COV), v.bands().stream().map(TrajectoryView.Band::label).toList());
    assertEquals(null, v.forecastMean());
    assertTrue(v.filteredMean() != null && !Double.isNaN(v.filteredMean()[0]));
    Row first = all.filter("id = 'a'").orderBy(org.apache.spark.sql.functions.col("t").cast("double")).first();
    double var = Double.parseDouble(first.getString(first.fieldIndex("smoothed_cov_0_0")));
    assertEquals(Math.sqrt(var), v.bands().get(0).std()[0], 1e-15, "H = [I 0]: the band is sqrt(smoothed_cov[0][0])");
    assertTrue(Double.isNaN(v.observations()[2 * 4]), "the empty cell is a missing observation");
  }
}
