package io.statespace.plot;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/**
 * Sets a chart's axis ranges so that one unit is as many pixels on the x axis as on the y axis (matplotlib's
 * {@code set_aspect("equal", adjustable="datalim")}): the data range of every series, padded by 5%, and the
 * axis with fewer pixels per unit widened about its centre. The plot area depends on the tick labels, so the
 * chart is rendered and measured, and the ranges are corrected, a few times.
 */
final class EqualAspect {
  private EqualAspect() {}

  static void apply(XYChart chart) {
    double xmin = Double.POSITIVE_INFINITY;
    double xmax = Double.NEGATIVE_INFINITY;
    double ymin = Double.POSITIVE_INFINITY;
    double ymax = Double.NEGATIVE_INFINITY;
    for (XYSeries s : chart.getSeriesCollection()) {
      if (Double.isFinite(s.getXMin())) xmin = Math.min(xmin, s.getXMin());
      if (Double.isFinite(s.getXMax())) xmax = Math.max(xmax, s.getXMax());
      if (Double.isFinite(s.getYMin())) ymin = Math.min(ymin, s.getYMin());
      if (Double.isFinite(s.getYMax())) ymax = Math.max(ymax, s.getYMax());
    }
    if (!(xmin <= xmax && ymin <= ymax)) return;
    double span = Math.max(Math.max(xmax - xmin, ymax - ymin), 1e-9 * Math.max(1.0, Math.max(Math.abs(xmax), Math.abs(ymax))));
    double cx = (xmin + xmax) / 2;
    double cy = (ymin + ymax) / 2;
    double hx = Math.max(xmax - xmin, span * 1e-3) / 2 * 1.05;
    double hy = Math.max(ymax - ymin, span * 1e-3) / 2 * 1.05;
    for (int pass = 0; pass < 4; pass++) {
      set(chart, cx - hx, cx + hx, cy - hy, cy + hy);
      double[] perUnit = pixelsPerUnit(chart, cx - hx, cx + hx, cy - hy, cy + hy);
      double ratio = perUnit[0] / perUnit[1];
      if (Math.abs(ratio - 1) < 0.002) return;
      if (ratio > 1) hx *= ratio;
      else hy /= ratio;
    }
    set(chart, cx - hx, cx + hx, cy - hy, cy + hy);
  }

  /** Pixels per data unit along x and along y, measured on a rendering of the chart with these ranges. */
  static double[] pixelsPerUnit(XYChart chart, double x0, double x1, double y0, double y1) {
    BitmapEncoder.getBufferedImage(chart);
    double px = Math.abs(chart.getScreenXFromChart(x1) - chart.getScreenXFromChart(x0)) / (x1 - x0);
    double py = Math.abs(chart.getScreenYFromChart(y1) - chart.getScreenYFromChart(y0)) / (y1 - y0);
    return new double[] {px, py};
  }

  private static void set(XYChart chart, double x0, double x1, double y0, double y1) {
    chart.getStyler().setXAxisMin(x0).setXAxisMax(x1).setYAxisMin(y0).setYAxisMax(y1);
  }
}
