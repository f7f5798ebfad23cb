package io.statespace.plot;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * One trajectory's observations with its filtered and smoothed estimates (mean ± 2 standard deviations of
 * the estimated observation), one chart per observed component, plus the path in the plane for two
 * components. Missing observations are simply absent from the scatter.
 */
public final class TrajectoryPlot {
  private static final Color BAND = new Color(150, 150, 150);
  private static final Color FILTERED = new Color(230, 120, 30);
  private static final Color SMOOTHED = new Color(30, 90, 200);

  private TrajectoryPlot() {}

  public static void write(String title, double[] times, double[] observations, List<String> names,
      ObservationBands filtered, ObservationBands smoothed, Path png) throws IOException {
    int m = names.size();
    int steps = times.length;
    List<XYChart> charts = new ArrayList<>();
    for (int i = 0; i < m; i++) {
      XYChart chart = new XYChartBuilder().width(900).height(320).title(title + ": " + names.get(i))
          .xAxisTitle("time").yAxisTitle(names.get(i)).build();
      chart.getStyler().setMarkerSize(5);
      double[] lo = new double[steps];
      double[] hi = new double[steps];
      double[] mid = new double[steps];
      double[] fmid = new double[steps];
      for (int t = 0; t < steps; t++) {
        mid[t] = smoothed.mean[t * m + i];
        lo[t] = mid[t] - 2 * smoothed.std[t * m + i];
        hi[t] = mid[t] + 2 * smoothed.std[t * m + i];
        fmid[t] = filtered.mean[t * m + i];
      }
      line(chart, "smoothed - 2 sd", times, lo).setLineColor(BAND);
      line(chart, "smoothed + 2 sd", times, hi).setLineColor(BAND);
      line(chart, "filtered", times, fmid).setLineColor(FILTERED);
      line(chart, "smoothed", times, mid).setLineColor(SMOOTHED);
      scatter(chart, "observed", observedTimes(times, observations, m, i), observedValues(observations, m, i));
      charts.add(chart);
    }
    if (m == 2) {
      XYChart path = new XYChartBuilder().width(900).height(500).title(title + ": path").xAxisTitle(names.get(0))
          .yAxisTitle(names.get(1)).build();
      path.getStyler().setMarkerSize(5);
      double[] sx = new double[steps];
      double[] sy = new double[steps];
      for (int t = 0; t < steps; t++) {
        sx[t] = smoothed.mean[2 * t];
        sy[t] = smoothed.mean[2 * t + 1];
      }
      line(path, "smoothed", sx, sy).setLineColor(SMOOTHED);
      List<Double> ox = new ArrayList<>();
      List<Double> oy = new ArrayList<>();
      for (int t = 0; t < steps; t++) {
        if (!Double.isNaN(observations[2 * t]) && !Double.isNaN(observations[2 * t + 1])) {
          ox.add(observations[2 * t]);
          oy.add(observations[2 * t + 1]);
        }
      }
      scatter(path, "observed", ox.stream().mapToDouble(Double::doubleValue).toArray(),
          oy.stream().mapToDouble(Double::doubleValue).toArray());
      charts.add(path);
    }
    Charts.writeStacked(charts, png);
  }

  private static XYSeries line(XYChart chart, String name, double[] x, double[] y) {
    XYSeries s = chart.addSeries(name, x, y);
    s.setMarker(SeriesMarkers.NONE);
    return s;
  }

  private static void scatter(XYChart chart, String name, double[] x, double[] y) {
    if (x.length == 0) return;
    XYSeries s = chart.addSeries(name, x, y);
    s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
  }

  private static double[] observedTimes(double[] times, double[] obs, int m, int i) {
    return java.util.stream.IntStream.range(0, times.length).filter(t -> !Double.isNaN(obs[t * m + i]))
        .mapToDouble(t -> times[t]).toArray();
  }

  private static double[] observedValues(double[] obs, int m, int i) {
    return java.util.stream.IntStream.range(0, obs.length / m).filter(t -> !Double.isNaN(obs[t * m + i]))
        .mapToDouble(t -> obs[t * m + i]).toArray();
  }
}
