package io.statespace.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * statsmodels' {@code plot_diagnostics} for one observed component, as a 2×2 PNG: the standardised
 * innovations over time (with the ±1.96 lines), their density histogram with a Gaussian KDE and the N(0, 1)
 * density, a normal Q-Q plot with the 45° line, and the correlogram with the ±1.96/√n band. For a correct
 * model the innovations are white N(0, 1) noise, so each panel has a visible reference to compare with.
 */
public final class DiagnosticsPlot {
  /** Each panel's size in pixels; the PNG is twice as wide and twice as high. */
  public static final int PANEL_WIDTH = 640;
  public static final int PANEL_HEIGHT = 460;
  static final int BINS = 10;
  /** The Q-Q panel draws at most this many points (evenly spaced ranks, the extremes always included). */
  static final int MAX_QQ_POINTS = 2000;

  private static final Color DATA = new Color(31, 119, 180);
  private static final Color KDE = new Color(255, 127, 14);
  private static final Color NORMAL = new Color(44, 160, 44);
  private static final Color REFERENCE = new Color(120, 120, 120);
  private static final BasicStroke DASHED = new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
      new float[] {6f, 4f}, 0f);

  private DiagnosticsPlot() {}

  public static void write(InnovationSeries series, int lags, Path png) throws IOException {
    Charts.writeGrid(charts(series, lags), 2, png);
  }

  /** The four panels, in reading order (time series, histogram, Q-Q, correlogram). */
  static List<XYChart> charts(InnovationSeries series, int lags) {
    double[] observed = series.observed();
    if (observed.length == 0) throw new IllegalArgumentException("no observed standardized innovation to plot");
    String prefix = series.label() + ", " + series.component() + ": ";
    List<XYChart> charts = new ArrayList<>();
    charts.add(overTime(prefix, series));
    charts.add(histogram(prefix, observed));
    charts.add(quantiles(prefix, observed));
    charts.add(correlogram(prefix, Correlogram.of(series.values(), lags)));
    return charts;
  }

  private static XYChart chart(String title, String x, String y) {
    XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y).build();
    chart.getStyler().setLegendPosition(LegendPosition.InsideNE);
    chart.getStyler().setMarkerSize(5);
    chart.getStyler().setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(13f));
    return chart;
  }

  private static XYChart overTime(String prefix, InnovationSeries s) {
    XYChart chart = chart(prefix + "standardized innovation", "time", "standardized innovation");
    Charts.timeAxis(chart, s.times().stream().flatMapToDouble(java.util.Arrays::stream).toArray());
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (int k = 0; k < s.times().size(); k++) {
      double[] t = s.times().get(k);
      double[] v = s.values().get(k);
      for (int i = 0; i < t.length; i++) {
        if (Double.isNaN(v[i])) continue;
        lo = Math.min(lo, t[i]);
        hi = Math.max(hi, t[i]);
        xs.add(t[i]);
        ys.add(v[i]);
      }
    }
    if (s.times().size() == 1) {
      XYSeries line = chart.addSeries("standardized innovation", s.times().get(0), s.values().get(0));
      line.setLineColor(DATA);
      line.setMarker(SeriesMarkers.CIRCLE);
      line.setMarkerColor(DATA);
      line.setLineWidth(1f);
    } else {
      XYSeries dots = chart.addSeries("standardized innovation (" + s.times().size() + " trajectories)", xs, ys);
      dots.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
      dots.setMarker(SeriesMarkers.CIRCLE);
      dots.setMarkerColor(DATA);
    }
    if (lo == hi) {
      lo -= 0.5;
      hi += 0.5;
    }
    reference(chart, "0", new double[] {lo, hi}, new double[] {0, 0}, REFERENCE, null).setShowInLegend(false);
    reference(chart, "±1.96", new double[] {lo, hi}, new double[] {1.96, 1.96}, REFERENCE, DASHED);
    reference(chart, "-1.96", new double[] {lo, hi}, new double[] {-1.96, -1.96}, REFERENCE, DASHED).setShowInLegend(false);
    return chart;
  }

  private static XYChart histogram(String prefix, double[] observed) {
    XYChart chart = chart(prefix + "histogram and densities", "standardized innovation", "density");
    DensityHistogram h = DensityHistogram.of(observed, BINS);
    double[] e = h.edges();
    double[] d = h.density();
    int bins = d.length;
    double[] hx = new double[2 * bins + 2];
    double[] hy = new double[2 * bins + 2];
    hx[0] = e[0];
    for (int b = 0; b < bins; b++) {
      hx[2 * b + 1] = e[b];
      hy[2 * b + 1] = d[b];
      hx[2 * b + 2] = e[b + 1];
      hy[2 * b + 2] = d[b];
    }
    hx[2 * bins + 1] = e[bins];
    XYSeries bars = chart.addSeries("histogram (n = " + observed.length + ")", hx, hy);
    bars.setXYSeriesRenderStyle(XYSeriesRenderStyle.PolygonArea);
    bars.setFillColor(new Color(DATA.getRed(), DATA.getGreen(), DATA.getBlue(), 110));
    bars.setLineColor(DATA);
    bars.setMarker(SeriesMarkers.NONE);
    double lo = Math.min(-3.92, e[0]);
    double hi = Math.max(3.92, e[bins]);
    int points = 161;
    double[] x = new double[points];
    double[] normal = new double[points];
    double[] kde = new double[points];
    GaussianKde estimate = GaussianKde.of(observed);
    for (int i = 0; i < points; i++) {
      x[i] = lo + (hi - lo) * i / (points - 1);
      normal[i] = GaussianKde.standardNormal(x[i]);
      kde[i] = estimate == null ? Double.NaN : estimate.density(x[i]);
    }
    if (estimate != null) reference(chart, "KDE", x, kde, KDE, null).setLineWidth(2f);
    reference(chart, "N(0,1)", x, normal, NORMAL, null).setLineWidth(2f);
    chart.getStyler().setXAxisMin(lo).setXAxisMax(hi).setYAxisMin(0.0).setYAxisDecimalPattern("0.0#");
    return chart;
  }

  private static XYChart quantiles(String prefix, double[] observed) {
    XYChart chart = chart(prefix + "normal Q-Q", "theoretical quantile N(0,1)", "sample quantile");
    NormalQuantiles q = NormalQuantiles.of(observed);
    int n = observed.length;
    int shown = Math.min(n, MAX_QQ_POINTS);
    double[] x = new double[shown];
    double[] y = new double[shown];
    for (int i = 0; i < shown; i++) {
      int rank = shown == 1 ? 0 : (int) Math.round((double) i * (n - 1) / (shown - 1));
      x[i] = q.theoretical()[rank];
      y[i] = q.sample()[rank];
    }
    XYSeries dots = chart.addSeries(shown == n ? "sample (n = " + n + ")" : "sample (" + shown + " of " + n + " ranks)", x, y);
    dots.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
    dots.setMarker(SeriesMarkers.CIRCLE);
    dots.setMarkerColor(DATA);
    double lo = Math.min(x[0], y[0]);
    double hi = Math.max(x[shown - 1], y[shown - 1]);
    reference(chart, "45° line", new double[] {lo, hi}, new double[] {lo, hi}, Color.RED, null).setLineWidth(1.5f);
    chart.getStyler().setLegendPosition(LegendPosition.InsideNW);
    return chart;
  }

  private static XYChart correlogram(String prefix, Correlogram c) {
    XYChart chart = chart(prefix + "correlogram", "lag", "autocorrelation");
    double[] acf = c.acf();
    int lags = acf.length - 1;
    double[] lag = new double[lags + 1];
    for (int k = 0; k <= lags; k++) {
      lag[k] = k;
      reference(chart, "lag " + k, new double[] {k, k}, new double[] {0, acf[k]}, DATA, null).setShowInLegend(false);
    }
    XYSeries tops = chart.addSeries("ACF", lag, acf);
    tops.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
    tops.setMarker(SeriesMarkers.CIRCLE);
    tops.setMarkerColor(DATA);
    double band = c.band();
    double[] ends = {-0.5, lags + 0.5};
    XYSeries upper = chart.addSeries("±1.96/√n (n = " + c.observed() + ")", new double[] {-0.5, lags + 0.5, lags + 0.5, -0.5},
        new double[] {band, band, -band, -band});
    upper.setXYSeriesRenderStyle(XYSeriesRenderStyle.PolygonArea);
    upper.setFillColor(new Color(DATA.getRed(), DATA.getGreen(), DATA.getBlue(), 45));
    upper.setLineColor(new Color(DATA.getRed(), DATA.getGreen(), DATA.getBlue(), 45));
    upper.setMarker(SeriesMarkers.NONE);
    reference(chart, "zero", ends, new double[] {0, 0}, REFERENCE, null).setShowInLegend(false);
    double low = Math.min(-band, java.util.Arrays.stream(acf).min().orElse(0.0));
    chart.getStyler().setXAxisMin(-0.5).setXAxisMax(lags + 0.5).setYAxisMin(Math.min(-0.25, low - 0.05)).setYAxisMax(1.05);
    return chart;
  }

  private static XYSeries reference(XYChart chart, String name, double[] x, double[] y, Color color, BasicStroke stroke) {
    XYSeries s = chart.addSeries(name, x, y);
    s.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
    s.setMarker(SeriesMarkers.NONE);
    s.setLineColor(color);
    if (stroke != null) s.setLineStyle(stroke);
    return s;
  }
}
