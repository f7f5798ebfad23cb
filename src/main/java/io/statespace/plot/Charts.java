package io.statespace.plot;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;

/** Lays XChart charts out into one PNG (headless): stacked, or in a grid of equal cells. */
final class Charts {
  private Charts() {}

  /**
   * Time tick labels without a thousands separator (years read 1871, not 1,871) while the times are small
   * enough to print in full.
   */
  static void timeAxis(XYChart chart, double[] times) {
    double largest = 0;
    for (double t : times) {
      if (Double.isFinite(t)) largest = Math.max(largest, Math.abs(t));
    }
    if (largest < 1e7) chart.getStyler().setXAxisDecimalPattern("0.####");
  }

  static void writeStacked(List<XYChart> charts, Path png) throws IOException {
    writeGrid(charts, 1, png);
  }

  /** Row by row, {@code columns} charts per row; each cell as large as the largest chart. */
  static void writeGrid(List<XYChart> charts, int columns, Path png) throws IOException {
    BufferedImage[] images = new BufferedImage[charts.size()];
    int rows = (charts.size() + columns - 1) / columns;
    int[] rowHeight = new int[rows];
    int[] columnWidth = new int[columns];
    for (int i = 0; i < charts.size(); i++) {
      images[i] = BitmapEncoder.getBufferedImage(charts.get(i));
      rowHeight[i / columns] = Math.max(rowHeight[i / columns], images[i].getHeight());
      columnWidth[i % columns] = Math.max(columnWidth[i % columns], images[i].getWidth());
    }
    int width = java.util.Arrays.stream(columnWidth).sum();
    int height = java.util.Arrays.stream(rowHeight).sum();
    BufferedImage all = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = all.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    int y = 0;
    for (int r = 0; r < rows; r++) {
      int x = 0;
      for (int c = 0; c < columns && r * columns + c < images.length; c++) {
        g.drawImage(images[r * columns + c], x, y, null);
        x += columnWidth[c];
      }
      y += rowHeight[r];
    }
    g.dispose();
    Path parent = png.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    ImageIO.write(all, "png", png.toFile());
  }
}
