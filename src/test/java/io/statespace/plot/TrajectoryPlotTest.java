package io.statespace.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/**
 * What the trajectory plot draws: the bands under their labels, the fan only on forecast rows, hollow marks
 * exactly at the missing steps, and a path whose x and y axes have the same pixels per unit even when the
 * path is 10 times wider than high.
 */
class TrajectoryPlotTest {
  private static final int STEPS = 30;
  private static final int AHEAD = 5;

  /** x from 0 to 100, y from 0 to 10 over STEPS + AHEAD rows; x missing at 4, both at 9; the last AHEAD rows forecast. */
  private static TrajectoryView view(boolean withForecast) {
    int total = STEPS + AHEAD;
    double[] times = new double[total];
    boolean[] forecast = new boolean[total];
    double[] obs = new double[2 * total];
    double[] mean = new double[2 * total];
    double[] std = new double[2 * total];
    double[] wide = new double[2 * total];
    double[] fanMean = new double[2 * total];
    double[] fanStd = new double[2 * total];
    Arrays.fill(fanMean, Double.NaN);
    Arrays.fill(fanStd, Double.NaN);
    for (int t = 0; t < total; t++) {
      times[t] = t;
      forecast[t] = withForecast && t >= STEPS;
      mean[2 * t] = 100.0 * t / (total - 1);
      mean[2 * t + 1] = 10.0 * t / (total - 1);
      std[2 * t] = std[2 * t + 1] = 0.5;
      wide[2 * t] = wide[2 * t + 1] = 1.0;
      obs[2 * t] = t == 4 || t == 9 || forecast[t] ? Double.NaN : mean[2 * t] + 0.3;
      obs[2 * t + 1] = t == 9 || forecast[t] ? Double.NaN : mean[2 * t + 1] - 0.3;
      if (forecast[t]) {
        fanMean[2 * t] = mean[2 * t];
        fanMean[2 * t + 1] = mean[2 * t + 1];
        fanStd[2 * t] = fanStd[2 * t + 1] = 0.2 * (t - STEPS + 1);
      }
    }
    return new TrajectoryView("trk", times, forecast, List.of("x", "y"), obs, mean, null,
        List.of(new TrajectoryView.Band("wide", wide), new TrajectoryView.Band("narrow", std)),
        withForecast ? fanMean : null, withForecast ? fanStd : null);
  }

  @Test
  void bandsFanAndMissingMarksAreDrawnWhereTheyBelong() {
    List<XYChart> charts = TrajectoryPlot.charts(view(true));
    assertEquals(3, charts.size(), "x, y and the path");
    XYChart x = charts.get(0);
    for (String name : List.of("wide", "narrow", TrajectoryPlot.FAN_1, TrajectoryPlot.FAN_2, TrajectoryPlot.FORECAST_MEAN, "smoothed", "observed")) {
      assertNotNull(x.getSeries(name), name);
    }
    assertNull(x.getSeries("filtered"), "no filtered line without filtered moments");
    XYSeries missing = x.getSeries(TrajectoryPlot.MISSING);
    assertArrayEquals(new double[] {4, 9}, missing.getXData(), "x is missing at steps 4 and 9 (forecast rows are not 'missing')");
    assertArrayEquals(new double[] {100.0 * 4 / 34, 100.0 * 9 / 34}, missing.getYData(), 1e-12, "marked at the smoothed value");
    assertArrayEquals(new double[] {9}, charts.get(1).getSeries(TrajectoryPlot.MISSING).getXData());
    XYSeries fan = x.getSeries(TrajectoryPlot.FAN_2);
    assertEquals(STEPS, Arrays.stream(fan.getXData()).min().orElseThrow(), "the fan starts at the first forecast row");
    double top = Arrays.stream(fan.getYData()).max().orElseThrow();
    assertEquals(100.0 + 2 * 0.2 * AHEAD, top, 1e-9, "± 2 sd of the last forecast row");
    XYSeries band = x.getSeries("narrow");
    assertEquals(STEPS - 1, Arrays.stream(band.getXData()).max().orElseThrow(), "the smoothed band stops before the forecast rows");
  }

  @Test
  void withoutForecastRowsThereIsNoFan() {
    XYChart x = TrajectoryPlot.charts(view(false)).get(0);
    assertNull(x.getSeries(TrajectoryPlot.FAN_1));
    assertNull(x.getSeries(TrajectoryPlot.FORECAST_MEAN));
    assertArrayEquals(new double[] {4, 9}, x.getSeries(TrajectoryPlot.MISSING).getXData());
  }

  @Test
  void thePathHasEqualScalesOnBothAxes() {
    XYChart path = TrajectoryPlot.charts(view(true)).get(2);
    double x0 = path.getStyler().getXAxisMin();
    double x1 = path.getStyler().getXAxisMax();
    double y0 = path.getStyler().getYAxisMin();
    double y1 = path.getStyler().getYAxisMax();
    assertTrue(x0 <= 0 && x1 >= 100 && y0 <= 0 && y1 >= 10, "the data fit: " + x0 + ".." + x1 + ", " + y0 + ".." + y1);
    double[] perUnit = EqualAspect.pixelsPerUnit(path, x0, x1, y0, y1);
    assertEquals(1.0, perUnit[0] / perUnit[1], 0.01, "pixels per unit x / y: " + Arrays.toString(perUnit));
  }

  @Test
  void runsAreMaximalStretches() {
    List<int[]> runs = TrajectoryPlot.runs(8, t -> t != 2 && t != 3 && t != 7);
    assertEquals(List.of("0-2", "4-7"), runs.stream().map(r -> r[0] + "-" + r[1]).toList());
  }
}
