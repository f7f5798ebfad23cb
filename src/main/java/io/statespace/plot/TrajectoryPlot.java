package io.statespace.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * One trajectory, one chart per observed component: the observations (dots), the filtered and smoothed
 * estimates of the observation, shaded ±2 sd bands around the smoothed one (predictive and state-only when
 * the output has them), steps with a missing observation marked by hollow circles at the smoothed value, and
 * forecast rows as a fan (±1 and ±2 predictive sd around a dashed mean); for two components also the path in
 * the plane, drawn with equal scales on both axes so that its shape is not distorted.
 */
public final class TrajectoryPlot {
  public static final int WIDTH = 900;
  public static final int COMPONENT_HEIGHT = 320;
  public static final int PATH_HEIGHT = 500;

  static final String MISSING = "missing (at the smoothed value)";
  static final String FORECAST_MEAN = "forecast mean";
  static final String FAN_1 = "forecast ± 1 sd";
  static final String FAN_2 = "forecast ± 2 sd";

  private static final Color OBSERVED = new Color(20, 20, 20);
  private static final Color FILTERED = new Color(230, 120, 30);
  private static final Color SMOOTHED = new Color(30, 90, 200);
  private static final Color FORECAST = new Color(130, 40, 160);
  private static final Color MISSING_MARK = new Color(210, 30, 30);
  private static final int[] BAND_ALPHA = {40, 90};
  private static final BasicStroke DASHED = new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
      new float[] {7f, 4f}, 0f);

  private TrajectoryPlot() {}

  public static void write(TrajectoryView view, Path png) throws IOException {
    Charts.writeStacked(charts(view), png);
  }

  static List<XYChart> charts(TrajectoryView v) {
    List<XYChart> charts = new ArrayList<>();
    for (int i = 0; i < v.obsDim(); i++) charts.add(component(v, i));
    if (v.obsDim() == 2) charts.add(path(v));
    return charts;
  }

  private static XYChart component(TrajectoryView v, int i) {
    int p = v.obsDim();
    String name = v.names().get(i);
    XYChart chart = new XYChartBuilder().width(WIDTH).height(COMPONENT_HEIGHT).title(v.title() + ": " + name)
        .xAxisTitle("time").yAxisTitle(name).build();
    style(chart);
    Charts.timeAxis(chart, v.times());
    IntPredicate estimate = t -> !v.forecast()[t];
    List<int[]> runs = runs(v.steps(), estimate);
    int bandIndex = 0;
    for (TrajectoryView.Band band : v.bands()) {
      Color fill = alpha(SMOOTHED, BAND_ALPHA[Math.min(bandIndex, BAND_ALPHA.length - 1)] + (v.bands().size() == 1 ? 30 : 0));
      bandIndex++;
      boolean first = true;
      for (int[] run : runs) {
        area(chart, first ? band.label() : band.label() + " " + run[0], v.times(), v.smoothedMean(), band.std(), 2.0, p, i, run, fill)
            .setShowInLegend(first);
        first = false;
      }
    }
    if (v.forecastMean() != null) fan(chart, v, i);
    if (v.filteredMean() != null) lineOver(chart, "filtered", v.times(), v.filteredMean(), p, i, estimate, FILTERED, null);
    lineOver(chart, "smoothed", v.times(), v.smoothedMean(), p, i, estimate, SMOOTHED, null);
    dots(chart, "observed", v.times(), v.observations(), p, i, t -> !Double.isNaN(v.observations()[t * p + i]), OBSERVED,
        SeriesMarkers.CIRCLE);
    dots(chart, MISSING, v.times(), v.smoothedMean(), p, i, t -> !v.forecast()[t] && Double.isNaN(v.observations()[t * p + i]),
        MISSING_MARK, new HollowCircle());
    return chart;
  }

  private static void fan(XYChart chart, TrajectoryView v, int i) {
    int p = v.obsDim();
    IntPredicate ahead = t -> v.forecast()[t];
    List<int[]> runs = runs(v.steps(), ahead);
    boolean first = true;
    for (int[] run : runs) {
      String suffix = first ? "" : " " + run[0];
      area(chart, FAN_2 + suffix, v.times(), v.forecastMean(), v.forecastStd(), 2.0, p, i, run, alpha(FORECAST, 45)).setShowInLegend(first);
      area(chart, FAN_1 + suffix, v.times(), v.forecastMean(), v.forecastStd(), 1.0, p, i, run, alpha(FORECAST, 95)).setShowInLegend(first);
      int from = run[0] > 0 ? run[0] - 1 : run[0];
      int count = run[1] - from;
      double[] x = new double[count];
      double[] y = new double[count];
      for (int k = 0; k < count; k++) {
        int t = from + k;
        x[k] = v.times()[t];
        y[k] = v.forecast()[t] ? v.forecastMean()[t * p + i] : v.smoothedMean()[t * p + i];
      }
      XYSeries mean = chart.addSeries(FORECAST_MEAN + suffix, x, y);
      mean.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
      mean.setLineColor(FORECAST);
      mean.setLineStyle(DASHED);
      mean.setMarker(SeriesMarkers.DIAMOND);
      mean.setMarkerColor(FORECAST);
      mean.setShowInLegend(first);
      first = false;
    }
  }

  private static XYChart path(TrajectoryView v) {
    List<String> names = v.names();
    XYChart chart = new XYChartBuilder().width(WIDTH).height(PATH_HEIGHT).title(v.title() + ": path (equal scales)")
        .xAxisTitle(names.get(0)).yAxisTitle(names.get(1)).build();
    style(chart);
    double[] sm = v.smoothedMean();
    IntPredicate estimate = t -> !v.forecast()[t];
    List<Double> sx = new ArrayList<>();
    List<Double> sy = new ArrayList<>();
    for (int t = 0; t < v.steps(); t++) {
      if (estimate.test(t)) {
        sx.add(sm[2 * t]);
        sy.add(sm[2 * t + 1]);
      }
    }
    if (!sx.isEmpty()) {
      XYSeries s = chart.addSeries("smoothed", sx, sy);
      s.setMarker(SeriesMarkers.NONE);
      s.setLineColor(SMOOTHED);
    }
    if (v.forecastMean() != null && v.hasForecast()) {
      List<Double> fx = new ArrayList<>();
      List<Double> fy = new ArrayList<>();
      for (int t = 0; t < v.steps(); t++) {
        boolean lastEstimate = !v.forecast()[t] && t + 1 < v.steps() && v.forecast()[t + 1];
        if (lastEstimate) {
          fx.add(sm[2 * t]);
          fy.add(sm[2 * t + 1]);
        } else if (v.forecast()[t]) {
          fx.add(v.forecastMean()[2 * t]);
          fy.add(v.forecastMean()[2 * t + 1]);
        }
      }
      XYSeries f = chart.addSeries(FORECAST_MEAN, fx, fy);
      f.setLineColor(FORECAST);
      f.setLineStyle(DASHED);
      f.setMarker(SeriesMarkers.DIAMOND);
      f.setMarkerColor(FORECAST);
    }
    double[] obs = v.observations();
    scatter(chart, "observed", pick(obs, 0, t -> both(obs, t)), pick(obs, 1, t -> both(obs, t)), OBSERVED, SeriesMarkers.CIRCLE);
    IntPredicate missing = t -> estimate.test(t) && !both(obs, t);
    scatter(chart, MISSING, pick(sm, 0, missing), pick(sm, 1, missing), MISSING_MARK, new HollowCircle());
    EqualAspect.apply(chart);
    return chart;
  }

  private static boolean both(double[] obs, int t) {
    return !Double.isNaN(obs[2 * t]) && !Double.isNaN(obs[2 * t + 1]);
  }

  private static double[] pick(double[] values, int component, IntPredicate keep) {
    int steps = values.length / 2;
    return java.util.stream.IntStream.range(0, steps).filter(keep).mapToDouble(t -> values[2 * t + component]).toArray();
  }

  private static void style(XYChart chart) {
    chart.getStyler().setMarkerSize(6);
    chart.getStyler().setLegendPosition(LegendPosition.OutsideE);
    chart.getStyler().setLegendFont(chart.getStyler().getLegendFont().deriveFont(11f));
  }

  /** Maximal runs [from, to) of consecutive steps satisfying {@code keep}. */
  static List<int[]> runs(int steps, IntPredicate keep) {
    List<int[]> runs = new ArrayList<>();
    int t = 0;
    while (t < steps) {
      if (!keep.test(t)) {
        t++;
        continue;
      }
      int from = t;
      while (t < steps && keep.test(t)) t++;
      runs.add(new int[] {from, t});
    }
    return runs;
  }

  private static XYSeries area(XYChart chart, String name, double[] times, double[] mean, double[] std, double k, int p, int i,
      int[] run, Color fill) {
    int count = run[1] - run[0];
    double[] x = new double[2 * count];
    double[] y = new double[2 * count];
    for (int j = 0; j < count; j++) {
      int t = run[0] + j;
      x[j] = times[t];
      y[j] = mean[t * p + i] + k * std[t * p + i];
      x[2 * count - 1 - j] = times[t];
      y[2 * count - 1 - j] = mean[t * p + i] - k * std[t * p + i];
    }
    XYSeries s = chart.addSeries(name, x, y);
    s.setXYSeriesRenderStyle(XYSeriesRenderStyle.PolygonArea);
    s.setFillColor(fill);
    s.setLineColor(fill);
    s.setMarker(SeriesMarkers.NONE);
    return s;
  }

  private static void lineOver(XYChart chart, String name, double[] times, double[] values, int p, int i, IntPredicate keep,
      Color color, BasicStroke stroke) {
    double[] y = new double[times.length];
    boolean any = false;
    for (int t = 0; t < times.length; t++) {
      y[t] = keep.test(t) ? values[t * p + i] : Double.NaN;
      any |= keep.test(t);
    }
    if (!any) return;
    XYSeries s = chart.addSeries(name, times, y);
    s.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
    s.setMarker(SeriesMarkers.NONE);
    s.setLineColor(color);
    if (stroke != null) s.setLineStyle(stroke);
  }

  private static void dots(XYChart chart, String name, double[] times, double[] values, int p, int i, IntPredicate keep,
      Color color, Marker marker) {
    double[] x = java.util.stream.IntStream.range(0, times.length).filter(keep).mapToDouble(t -> times[t]).toArray();
    double[] y = java.util.stream.IntStream.range(0, times.length).filter(keep).mapToDouble(t -> values[t * p + i]).toArray();
    scatter(chart, name, x, y, color, marker);
  }

  private static void scatter(XYChart chart, String name, double[] x, double[] y, Color color, Marker marker) {
    if (x.length == 0) return;
    XYSeries s = chart.addSeries(name, x, y);
    s.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
    s.setMarkerColor(color);
    s.setMarker(marker);
  }

  private static Color alpha(Color c, int a) {
    return new Color(c.getRed(), c.getGreen(), c.getBlue(), Math.min(255, a));
  }

}
