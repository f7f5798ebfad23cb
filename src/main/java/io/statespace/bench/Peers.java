package io.statespace.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Loads the peers by class name. They are compiled from {@code src/bench/java} with the test-scoped libraries
 * (Hipparchus) and are on the classpath that {@code jobs/bench.sh} builds, not in the spark jar.
 */
public final class Peers {
  /** Hipparchus LinearKalmanFilter + KalmanSmoother, then Commons Math 3 KalmanFilter. */
  static final String[] CLASSES = {"io.statespace.bench.peers.HipparchusPeer", "io.statespace.bench.peers.CommonsMathPeer"};
  /** Writes PNG charts with XChart. */
  static final String CHARTS = "io.statespace.bench.peers.XChartWriter";

  private Peers() {}

  /** The peers found on the classpath; a line on {@code missing} for each one that is not. */
  public static List<Peer> load(List<String> missing) {
    List<Peer> out = new ArrayList<>();
    for (String name : CLASSES) {
      Object peer = instantiate(name);
      if (peer == null) {
        missing.add(name + " is not on the classpath (run jobs/bench.sh, which adds target/bench-classpath.txt)");
      } else {
        out.add((Peer) peer);
      }
    }
    return out;
  }

  /** The chart writer, or null when XChart is not on the classpath. */
  public static ChartWriter charts() {
    return (ChartWriter) instantiate(CHARTS);
  }

  private static Object instantiate(String name) {
    try {
      return Class.forName(name).getDeclaredConstructor().newInstance();
    } catch (ClassNotFoundException | NoClassDefFoundError e) {
      return null;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot create " + name, e);
    }
  }
}
