package io.statespace.plot;

import java.awt.BasicStroke;
import java.awt.Graphics2D;
import java.awt.geom.Ellipse2D;
import org.knowm.xchart.style.markers.Marker;

/** An unfilled circle: marks a step where something is absent (a missing observation) without hiding the line. */
final class HollowCircle extends Marker {
  private static final BasicStroke OUTLINE = new BasicStroke(1.6f);

  @Override
  public void paint(Graphics2D g, double x, double y, int size) {
    g.setStroke(OUTLINE);
    double r = size / 2.0;
    g.draw(new Ellipse2D.Double(x - r, y - r, size, size));
  }
}
