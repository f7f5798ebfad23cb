package io.statespace.plot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

/** A fit's history.csv as two charts: the loss and the gradient norm (log scale) per iteration. */
public final class HistoryPlot {
  private HistoryPlot() {}

  public static void write(String title, double[] iterations, double[] loss, double[] gradientNorm, Path png)
      throws IOException {
    XYChart l = new XYChartBuilder().width(900).height(320).title(title + ": loss").xAxisTitle("iteration")
        .yAxisTitle("loss").build();
    l.addSeries("loss", iterations, loss).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    XYChart g = new XYChartBuilder().width(900).height(320).title(title + ": |gradient|").xAxisTitle("iteration")
        .yAxisTitle("|gradient| (inf-norm)").build();
    g.getStyler().setYAxisLogarithmic(true);
    double[] positive = new double[gradientNorm.length];
    for (int i = 0; i < positive.length; i++) positive[i] = Math.max(gradientNorm[i], Double.MIN_NORMAL);
    g.addSeries("|gradient|", iterations, positive).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    Charts.writeStacked(List.of(l, g), png);
  }
}
