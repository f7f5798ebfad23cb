package io.statespace.bench.peers;

import io.statespace.bench.ChartWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** {@link ChartWriter} with XChart (headless: run with -Djava.awt.headless=true). */
public final class XChartWriter implements ChartWriter {
  @Override
  public void writeLines(Path png, String title, String xLabel, String yLabel, double[] x, Map<String, double[]> series,
      boolean logX, boolean logY) throws IOException {
    XYChart chart = new XYChartBuilder().width(640).height(400).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
    chart.getStyler().setXAxisLogarithmic(logX);
    chart.getStyler().setYAxisLogarithmic(logY);
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
    for (Map.Entry<String, double[]> s : series.entrySet()) {
      chart.addSeries(s.getKey(), x, s.getValue()).setMarker(SeriesMarkers.CIRCLE);
    }
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
