package io.statespace.inference.batched;

import io.statespace.data.Trajectory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The trajectories of a block whose covariance recursion is the same: equal length, equal missing pattern
 * (which components of which steps are NaN) and, when F and Q depend on the time gaps, bitwise equal gaps
 * dt_t = time[t+1] − time[t]. Found cheaply by a hash of those sequences, then verified exactly against each
 * class's first member (a collision never merges two patterns: it only costs a comparison). Classes of at
 * least {@code minSize} members become groups; every other trajectory is left for the per-lane path.
 */
final class CovarianceGroups {
  private final List<int[]> groups;
  private final int[] rest;

  private CovarianceGroups(List<int[]> groups, int[] rest) {
    this.groups = groups;
    this.rest = rest;
  }

  /** Index lists into the block, each of at least minSize trajectories sharing one recursion. */
  List<int[]> groups() {
    return groups;
  }

  /** The indices in no group, ascending. */
  int[] rest() {
    return rest;
  }

  /** A trajectory's missing pattern as bits (1 = missing), one per observation component, step-major. */
  record Pattern(Trajectory trajectory, long[] missing) {
    static Pattern of(Trajectory tr) {
      double[] y = tr.observations();
      long[] bits = new long[(y.length + 63) >>> 6];
      for (int i = 0; i < y.length; i++) {
        double v = y[i];
        if (v != v) bits[i >>> 6] |= 1L << (i & 63);
      }
      return new Pattern(tr, bits);
    }
  }

  /**
   * @param gaps whether the time gaps matter (the model's F and Q depend on them)
   * @param hash a hash of a pattern ({@link #hash}); tests pass a weak one to force collisions
   */
  static CovarianceGroups of(List<Trajectory> block, boolean gaps, ToLongFunction<Pattern> hash, int minSize) {
    List<Pattern> patterns = new ArrayList<>(block.size());
    for (Trajectory tr : block) patterns.add(Pattern.of(tr));
    return ofPatterns(patterns, gaps, hash, minSize);
  }

  /**
   * The same over given patterns (the batched adjoint passes each trajectory's effective update mask as its
   * missing bits): the index lists refer to the list's order.
   */
  static CovarianceGroups ofPatterns(List<Pattern> patternList, boolean gaps, ToLongFunction<Pattern> hash, int minSize) {
    int count = patternList.size();
    long[] hashes = new long[count];
    Pattern[] patterns = patternList.toArray(new Pattern[0]);
    Integer[] order = new Integer[count];
    for (int i = 0; i < count; i++) {
      hashes[i] = hash.applyAsLong(patterns[i]);
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> hashes[a] != hashes[b] ? Long.compare(hashes[a], hashes[b]) : Integer.compare(a, b));
    List<int[]> groups = new ArrayList<>();
    boolean[] grouped = new boolean[count];
    List<List<Integer>> classes = new ArrayList<>();
    int start = 0;
    while (start < count) {
      int end = start;
      while (end < count && hashes[order[end]] == hashes[order[start]]) end++;
      classes.clear();
      for (int k = start; k < end; k++) {
        Pattern pattern = patterns[order[k]];
        List<Integer> home = null;
        for (List<Integer> c : classes) {
          if (samePattern(patterns[c.get(0)], pattern, gaps)) {
            home = c;
            break;
          }
        }
        if (home == null) {
          home = new ArrayList<>();
          classes.add(home);
        }
        home.add(order[k]);
      }
      for (List<Integer> c : classes) {
        if (c.size() < minSize) continue;
        int[] g = new int[c.size()];
        for (int k = 0; k < g.length; k++) {
          g[k] = c.get(k);
          grouped[g[k]] = true;
        }
        groups.add(g);
      }
      start = end;
    }
    int[] rest = new int[count];
    int r = 0;
    for (int i = 0; i < count; i++) {
      if (!grouped[i]) rest[r++] = i;
    }
    return new CovarianceGroups(groups, Arrays.copyOf(rest, r));
  }

  /** The exact test: same length, same missing components, and (if {@code gaps}) bitwise equal time gaps. */
  static boolean samePattern(Pattern a, Pattern b, boolean gaps) {
    Trajectory ta = a.trajectory();
    Trajectory tb = b.trajectory();
    if (ta.length() != tb.length() || ta.obsDim() != tb.obsDim() || !Arrays.equals(a.missing(), b.missing())) {
      return false;
    }
    if (gaps) {
      double[] sa = ta.times();
      double[] sb = tb.times();
      for (int t = 0; t + 1 < sa.length; t++) {
        if (Double.doubleToLongBits(sa[t + 1] - sa[t]) != Double.doubleToLongBits(sb[t + 1] - sb[t])) return false;
      }
    }
    return true;
  }

  /** A hash of what {@link #samePattern} compares: the length, the missing components, the gaps. */
  static long hash(Pattern pattern, boolean gaps) {
    Trajectory tr = pattern.trajectory();
    long h = 0x9E3779B97F4A7C15L * (tr.length() + 1);
    for (long bits : pattern.missing()) h = mix(h, bits);
    if (gaps) {
      double[] times = tr.times();
      for (int t = 0; t + 1 < times.length; t++) h = mix(h, Double.doubleToLongBits(times[t + 1] - times[t]));
    }
    return h;
  }

  private static long mix(long h, long v) {
    long x = (h ^ v) * 0xBF58476D1CE4E5B9L;
    return x ^ (x >>> 31);
  }
}
