package io.statespace.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

/**
 * The numbers behind {@code plot --diagnostics} against values computed independently with statsmodels, scipy
 * and numpy (src/test/resources/io/statespace/plot/diagnostics_reference.py, stored as JSON): the correlogram
 * of the Nile local level's standardised innovations with missing years (statsmodels' acf, missing =
 * "conservative"), the pooled correlogram over two trajectories, the Q-Q quantiles, the density histogram and
 * the KDE; and the 2×2 PNG's size.
 */
class InnovationDiagnosticsTest {
  private static JsonNode ref;

  @TempDir Path dir;

  @BeforeAll
  static void load() throws Exception {
    try (var in = InnovationDiagnosticsTest.class.getResourceAsStream("diagnostics_reference.json")) {
      ref = new ObjectMapper().readTree(in);
    }
  }

  static double[] doubles(String key) {
    JsonNode a = ref.get(key);
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) out[i] = a.get(i).isNull() ? Double.NaN : a.get(i).asDouble();
    return out;
  }

  static double[] observed(double[] values) {
    return java.util.Arrays.stream(values).filter(v -> !Double.isNaN(v)).toArray();
  }

  @Test
  void correlogramOfOneTrajectoryWithMissingYearsIsStatsmodelsConservativeAcf() {
    double[] first = doubles("first");
    assertEquals(5, first.length - observed(first).length, "the fixture has five missing years");
    Correlogram c = Correlogram.of(List.of(first), 10);
    assertArrayEquals(doubles("acf"), c.acf(), 1e-12);
    assertEquals(95, c.observed());
    assertEquals(1.96 / Math.sqrt(95), c.band(), 1e-15);
  }

  @Test
  void pooledCorrelogramNeverPairsValuesOfTwoTrajectories() {
    Correlogram c = Correlogram.of(List.of(doubles("first"), doubles("second")), 10);
    assertArrayEquals(doubles("pooled_acf"), c.acf(), 1e-12);
    assertEquals(ref.get("pooled_count").asInt(), c.observed());
    double[] glued = new double[doubles("first").length + doubles("second").length];
    System.arraycopy(doubles("first"), 0, glued, 0, doubles("first").length);
    System.arraycopy(doubles("second"), 0, glued, doubles("first").length, doubles("second").length);
    double[] concatenated = Correlogram.of(List.of(glued), 10).acf();
    double largest = 0;
    for (int k = 0; k <= 10; k++) largest = Math.max(largest, Math.abs(concatenated[k] - c.acf()[k]));
    assertTrue(largest > 1e-4, "gluing the trajectories would pair values across them: " + largest);
  }

  @Test
  void correlogramRefusesTooFewValues() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Correlogram.of(List.of(new double[] {1, Double.NaN, 2}), 2));
    assertEquals("2 observed values, too few for a correlogram of 2 lags", e.getMessage());
  }

  @Test
  void qqQuantilesAreScipysNormalPpfAtIOverNPlusOne() {
    NormalQuantiles q = NormalQuantiles.of(observed(doubles("first")));
    assertArrayEquals(doubles("qq_theoretical"), q.theoretical(), 1e-12);
    assertArrayEquals(doubles("qq_sample"), q.sample(), 0.0);
  }

  @Test
  void histogramIsNumpysDensityHistogram() {
    DensityHistogram h = DensityHistogram.of(observed(doubles("first")), 10);
    assertArrayEquals(doubles("hist_edges"), h.edges(), 1e-12);
    assertArrayEquals(doubles("hist_density"), h.density(), 1e-12);
    double area = 0;
    for (int b = 0; b < 10; b++) area += h.density()[b] * (h.edges()[b + 1] - h.edges()[b]);
    assertEquals(1.0, area, 1e-12, "a density: the bars' area is one");
  }

  @Test
  void histogramCountsTheLargestValueInTheLastBin() {
    DensityHistogram h = DensityHistogram.of(new double[] {0, 1, 2, 3, 4}, 4);
    assertArrayEquals(new double[] {0.2, 0.2, 0.2, 0.4}, h.density(), 1e-15);
  }

  @Test
  void aValueOnABinEdgeGoesAboveItAsInNumpyEvenWhenTheDivisionRoundsDown() {
    double lo = -2.5969072676627962;
    double hi = 2.5575578371179746;
    double edge = lo + (hi - lo) * 1 / 10;
    assertEquals(0, (int) ((edge - lo) / (hi - lo) * 10), "the division alone would put it in bin 0");
    DensityHistogram h = DensityHistogram.of(new double[] {lo, edge, hi}, 10);
    assertEquals(edge, h.edges()[1], 0.0);
    double one = 1.0 / (3 * (h.edges()[1] - h.edges()[0]));
    assertEquals(one, h.density()[0], 1e-12, "numpy.histogram counts [1 1 0 0 0 0 0 0 0 1]");
    assertEquals(1.0 / (3 * (h.edges()[2] - h.edges()[1])), h.density()[1], 1e-12);
  }

  @Test
  void kdeIsScipysGaussianKdeWithScottsBandwidth() {
    GaussianKde k = GaussianKde.of(observed(doubles("first")));
    double[] at = doubles("kde_at");
    double[] expected = doubles("kde");
    for (int i = 0; i < at.length; i++) assertEquals(expected[i], k.density(at[i]), 1e-12, "at " + at[i]);
    assertNull(GaussianKde.of(new double[] {2, 2, 2}), "no bandwidth for equal values");
  }

  @Test
  void diagnosticsPngIsTwoByTwoPanels() throws Exception {
    double[] years = doubles("years");
    InnovationSeries s = new InnovationSeries("series", "flow", List.of(years), List.of(doubles("first")));
    Path png = dir.resolve("d.png");
    DiagnosticsPlot.write(s, 10, png);
    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(2 * DiagnosticsPlot.PANEL_WIDTH, image.getWidth());
    assertEquals(2 * DiagnosticsPlot.PANEL_HEIGHT, image.getHeight());
    List<XYChart> charts = DiagnosticsPlot.charts(s, 10);
    assertEquals(4, charts.size());
    assertTrue(charts.get(0).getSeries("±1.96") != null);
    assertTrue(charts.get(1).getSeries("N(0,1)") != null && charts.get(1).getSeries("KDE") != null);
    assertTrue(charts.get(2).getSeries("45° line") != null);
    assertTrue(charts.get(3).getSeries("±1.96/√n (n = 95)") != null);
  }
}
