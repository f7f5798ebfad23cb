package io.statespace.inference.sequential;

import io.statespace.data.Trajectory;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.ModelSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Run in a forked JVM by {@link InPlaceSmootherHeapTest}: fragments a small G1 heap the way a Spark task's heap is
 * fragmented before a long trajectory is smoothed (large arrays left at spread addresses, which G1 never moves),
 * then smooths one trajectory in place. Prints whether one T×n×n array could still be allocated (it must not:
 * that is what the heap is built to refuse) and the result's log-likelihood and checksum.
 * Usage: {@code FragmentedHeapRun MODEL STEPS}; run with {@code -XX:+UseG1GC -XX:G1HeapRegionSize=1m}.
 */
public final class FragmentedHeapRun {
  /** One 1 MiB region each (larger than half a region, so humongous), one of every {@link #KEEP} kept. */
  private static final int PIN_BYTES = 768 * 1024;
  private static final int KEEP = 16;

  /** Holds the probe array, so that its allocation cannot be optimised away. */
  private static volatile double[] sink;

  private FragmentedHeapRun() {}

  public static void main(String[] args) {
    StateSpaceModel model = ModelSpec.read(Path.of(args[0])).model();
    int steps = Integer.parseInt(args[1]);
    List<byte[]> pinned = fragment();
    System.out.println("pinned " + pinned.size() + " arrays of " + PIN_BYTES + " bytes");
    boolean flatRefused = false;
    try {
      sink = new double[steps * model.stateDim() * model.stateDim()];
    } catch (OutOfMemoryError e) {
      flatRefused = true;
    }
    sink = null;
    System.out.println("one array of T x n x n refused: " + flatRefused);
    InPlaceSmoother.Result r = new InPlaceSmoother().smooth(model, trajectory(steps));
    System.out.println(summary(r));
    if (pinned.isEmpty()) throw new IllegalStateException("nothing pinned");
  }

  /** Fills the heap with one-region arrays, then keeps every {@link #KEEP}th: free runs of at most KEEP − 1 regions. */
  private static List<byte[]> fragment() {
    List<byte[]> all = new ArrayList<>(1 << 16);
    try {
      for (int i = 0; i < 1 << 16; i++) all.add(new byte[PIN_BYTES]);
    } catch (OutOfMemoryError e) {
      // the heap is full of pins: now thin them out
    }
    for (int i = 0; i < all.size(); i++) {
      if (i % KEEP != 0) all.set(i, null);
    }
    System.gc();
    List<byte[]> kept = new ArrayList<>(all.size() / KEEP + 1);
    for (int i = 0; i < all.size(); i += KEEP) kept.add(all.get(i));
    return kept;
  }

  /** A constant-velocity track observed every second, every 20th step missing; the same in every JVM. */
  static Trajectory trajectory(int steps) {
    double[] times = new double[steps];
    double[] y = new double[2 * steps];
    for (int t = 0; t < steps; t++) {
      times[t] = t;
      boolean missing = t % 20 == 0;
      y[2 * t] = missing ? Double.NaN : 0.5 * t + Math.sin(0.37 * t);
      y[2 * t + 1] = missing ? Double.NaN : -0.25 * t + Math.cos(0.91 * t);
    }
    return new Trajectory("long", times, y, 2);
  }

  /** The log-likelihood and the sum of every smoothed mean, exactly (hexadecimal doubles). */
  static String summary(InPlaceSmoother.Result r) {
    double sum = 0.0;
    for (int t = 0; t < r.length(); t++) {
      for (int i = 0; i < r.stateDim(); i++) sum += r.smoothedMeans(t)[r.meanOffset(t) + i];
    }
    return String.format(Locale.ROOT, "loglik %s checksum %s", Double.toHexString(r.logLikelihood()),
        Double.toHexString(sum));
  }
}
