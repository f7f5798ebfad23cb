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

/** Stacks XChart charts into one PNG (headless). */
final class Charts {
  private Charts() {}

  static void writeStacked(List<XYChart> charts, Path png) throws IOException {
    int width = 0;
    int height = 0;
    BufferedImage[] images = new BufferedImage[charts.size()];
    for (int i = 0; i < charts.size(); i++) {
      images[i] = BitmapEncoder.getBufferedImage(charts.get(i));
      width = Math.max(width, images[i].getWidth());
      height += images[i].getHeight();
    }
    BufferedImage all = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = all.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    int y = 0;
    for (BufferedImage image : images) {
      g.drawImage(image, 0, y, null);
      y += image.getHeight();
    }
    g.dispose();
    Path parent = png.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    ImageIO.write(all, "png", png.toFile());
  }
}
