package io.statespace.inference.parallel;

import io.statespace.data.Trajectory;
import io.statespace.inference.InferenceException;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepParameters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The driver's forward pass over one long trajectory's segments (docs/ARCHITECTURE.md §7.5): the filtered
 * moments before each segment, first from the scan of the segments' filtering elements, then checked
 * against the segments' own sequential filters and repaired where the scan lost precision.
 *
 * <p>Why a repair: the covariance-form combine of two elements loses precision (or returns NaN) when the
 * left one's covariance is huge in a direction the right one observes, i.e. at the step after a time gap
 * of 10^6 s at which a component is missing: the scan's moments then differ from the sequential filter's
 * by 1e-5 to 1e-3 per element (rank-one piecewise noise: NaN, or O(1) everywhere after the first gap). The
 * error is the combine's, not the check's: one combine from the sequential filter's own moments already
 * shows it. Pass 2 runs the sequential filter over segment j from the moments before it, so its end is the
 * sequential filter's moments at the cut whenever that prefix was; where the prefix of segment j + 1
 * differs from segment j's end, that end replaces it, and the segments whose prefix changed are filtered
 * again. Rounds go on until every cut agrees: the first disagreeing cut moves strictly forward each
 * round, because the prefixes before it are not touched, so at most (segments − 1) repair rounds; in
 * practice one (the filter forgets a prefix's error within a few steps, so a segment's end is right even
 * from a wrong prefix). A prefix that is not finite, or whose element failed, is replaced by the previous
 * segment's end likewise; a segment that has neither starts from a guess, the model's prior, until then.
 *
 * <p>Accepted: every prefix equals the sequential filter of the previous segment, continued from its own
 * prefix, to {@link #TOLERANCE} per element ({@link #residual}'s measure; {@link #REPAIRED_TOLERANCE} for a
 * prefix that is itself an earlier run's sequential end), so that by induction from
 * the prior the moments every segment starts from are the sequential filter's. Refused: a segment whose
 * sequential filter fails from an accepted prefix (the one-task path would fail there too), or more than
 * {@link #MAX_ROUNDS} rounds.
 *
 * <p>Use: {@link #toRun()} lists the segments pass 2 must (re)run with {@link #before(int)}; hand each
 * result to {@link #result} or {@link #failed}; then {@link #advance()}; repeat until it returns true.
 */
public final class SegmentChain {
  /**
   * Largest per-element difference between a prefix from the scan and the previous segment's sequential end
   * accepted without a repair. Near a huge gap the smoother amplifies a prefix's error about 500-fold (1e-11
   * accepted there gave 5e-9 per element against the sequential engine, 1e-13 gives 6e-13); a repair costs
   * one more filter of a segment, never a refusal. Well-conditioned scans: at most 1e-15 on
   * SegmentedSmootherTest's random models, 5e-13 to 5.5e-11 on the tracking model in segments of 2^16 steps
   * (5% gaps and missing steps), where every cut is then repaired once.
   */
  public static final double TOLERANCE = 1e-13;
  /**
   * The same for a prefix that is already a previous run's sequential end: two sequential filters of the
   * same segment from starts that differ by rounding end up to 1e-11 apart (the tracking model, 2^16 steps),
   * which is the filter's own rounding, not lost precision; a tighter bound would repair the cuts one round
   * after another.
   */
  public static final double REPAIRED_TOLERANCE = 1e-10;
  /**
   * Rounds of pass 2 after which a trajectory whose cuts still disagree is refused (each round is one Spark
   * job, which filters again only the segments whose prefix changed). Segments long enough to forget a wrong
   * start converge in one to four rounds (the tracking model's continuous noise over gaps of 10^6 s every ten
   * steps: 2 to 6 rounds for segments of 8 to 50 steps, more than 16 for segments of one step); under
   * rank-one piecewise noise the scan is wrong at every cut and a wrong start is remembered to 1e-12 across a
   * gap, so each round repairs one cut, and more than 17 segments are refused.
   */
  public static final int MAX_ROUNDS = 16;

  private final int n;
  private final String id;
  private final long[] starts;
  private final List<double[]> elements;
  private final Moments guess;
  private final Moments[] before;
  private final Moments[] ends;
  private final String[] failures;
  private final InferenceException[] causes;
  private final boolean[] pending;
  private final boolean[] fromEnd;
  private int rounds;
  private String refusal;
  private InferenceException refusalCause;
  private double worstAccepted;
  private double worstScanned;
  private boolean done;

  /**
   * @param elements the segments' filtering elements in time order (pass 1); null for a segment whose
   *     element failed
   * @param starts each segment's first step in the trajectory (for messages and the log)
   * @param guess the moments a segment starts from while its prefix is unknown (the model's prior, {@link #priorOf})
   */
  public SegmentChain(int n, String id, long[] starts, List<double[]> elements, Moments guess) {
    int count = elements.size();
    if (starts.length != count || count < 1) throw new IllegalArgumentException(count + " elements for " + starts.length + " segments");
    this.n = n;
    this.id = id;
    this.starts = starts.clone();
    this.elements = elements;
    this.guess = guess;
    before = new Moments[count];
    ends = new Moments[count];
    failures = new String[count];
    causes = new InferenceException[count];
    pending = new boolean[count];
    fromEnd = new boolean[count];
    Arrays.fill(pending, true);
    for (int j = 1; j < count; j++) {
      Moments scanned = scanned(j - 1, before[j - 1]);
      before[j] = scanned != null ? scanned : guess;
    }
  }

  /** The segments whose pass 2 must run now, in time order. */
  public List<Integer> toRun() {
    List<Integer> out = new ArrayList<>();
    if (done) return out;
    for (int j = 0; j < pending.length; j++) if (pending[j]) out.add(j);
    return out;
  }

  /** The filtered moments before segment {@code j} to run pass 2 from: null for the first segment (the prior). */
  public Moments before(int j) {
    return before[j];
  }

  /** Pass 2's result for segment {@code j}, run from {@link #before(int)}: the filtered moments of its last step. */
  public void result(int j, Moments end) {
    requirePending(j);
    ends[j] = finite(end) ? end : null;
    causes[j] = ends[j] == null ? new InferenceException(id, (int) starts[j], "the segment's filtered moments are not finite")
        : null;
    failures[j] = causes[j] == null ? null : causes[j].getMessage();
    pending[j] = false;
  }

  /** What pass 2's task returns for one segment: the filtered moments of its last step, or why it has none. */
  public interface Outcome {
    Moments end();

    /** Null when the segment was filtered. */
    String failure();
  }

  /**
   * Hands pass 2's {@code outcome} for segment {@code j} (named {@code segment}) to the chain: {@link #result}
   * or {@link #failed(int, String)}; a null outcome (the task returned nothing for it) is a failure.
   */
  public void collect(int j, String segment, Outcome outcome) {
    if (outcome == null) {
      failed(j, "segment " + segment + " returned no result");
    } else if (outcome.failure() != null) {
      failed(j, outcome.failure());
    } else {
      result(j, outcome.end());
    }
  }

  /** Pass 2 failed on segment {@code j}, run from {@link #before(int)}, with {@code message}. */
  public void failed(int j, String message) {
    requirePending(j);
    ends[j] = null;
    failures[j] = message;
    causes[j] = null;
    pending[j] = false;
  }

  /** As {@link #failed(int, String)}, keeping the exception for {@link #refusalCause()}. */
  public void failed(int j, InferenceException e) {
    failed(j, e.getMessage());
    causes[j] = e;
  }

  /**
   * Checks every cut with the results so far and repairs the prefixes that disagree.
   *
   * @return true when the chain is finished: accepted ({@link #refusal()} null) or refused
   */
  public boolean advance() {
    if (done) return true;
    for (boolean p : pending) if (p) throw new IllegalStateException("segment results missing before the check of '" + id + "'");
    int count = before.length;
    double[] meanScales = meanScales();
    int frontier = -1;
    double worst = 0.0;
    boolean[] changed = new boolean[count];
    for (int j = 0; j < count; j++) {
      if (frontier < 0 && failures[j] != null) {
        refusal = failures[j];
        refusalCause = causes[j];
        done = true;
        return true;
      }
      if (j == count - 1) break;
      double r = ends[j] == null ? Double.POSITIVE_INFINITY : residual(before[j + 1], ends[j], meanScales);
      if (rounds == 0) worstScanned = Math.max(worstScanned, r);
      if (r <= (fromEnd[j + 1] ? REPAIRED_TOLERANCE : TOLERANCE)) {
        if (frontier < 0) worst = Math.max(worst, r);
        continue;
      }
      if (frontier < 0) frontier = j + 1;
      Moments repair;
      if (!changed[j] && ends[j] != null) {
        repair = ends[j];
        fromEnd[j + 1] = true;
      } else {
        Moments scanned = scanned(j, before[j]);
        repair = scanned != null ? scanned : ends[j] != null ? ends[j] : guess;
        fromEnd[j + 1] = scanned == null && ends[j] != null;
      }
      changed[j + 1] = !same(repair, before[j + 1]);
      before[j + 1] = repair;
    }
    if (frontier < 0) {
      worstAccepted = worst;
      done = true;
      return true;
    }
    if (++rounds > MAX_ROUNDS) {
      refusalCause = new InferenceException(id, (int) (starts[frontier] - 1), String.format(Locale.ROOT,
          "the segments' prefixes still differ from the segments' sequential filters after %d rounds of repairs",
          MAX_ROUNDS));
      refusal = refusalCause.getMessage();
      done = true;
      return true;
    }
    for (int j = 0; j < count; j++) pending[j] = changed[j];
    return false;
  }

  /** Why the trajectory cannot be smoothed in segments, or null when it was accepted (or is not finished). */
  public String refusal() {
    return refusal;
  }

  /**
   * The refusal as an exception: the segment's own when it was handed to {@link #failed(int,
   * InferenceException)}, else one with the refusal's message for its step.
   */
  public InferenceException refusalCause() {
    return refusalCause;
  }

  /** The first steps of the segments whose accepted prefix is the previous segment's sequential end, not the scan's. */
  public List<Long> repairedCuts() {
    List<Long> out = new ArrayList<>();
    for (int j = 1; j < fromEnd.length; j++) if (fromEnd[j]) out.add(starts[j]);
    return out;
  }

  /**
   * The worst residual of the scan's own prefixes, before any repair (infinite when one was not finite or a
   * segment failed): how much precision the combine lost.
   */
  public double worstScanned() {
    return worstScanned;
  }

  /** The worst residual among the accepted cuts (0 for one segment), {@link #residual}'s measure. */
  public double worstAccepted() {
    return worstAccepted;
  }

  /** Rounds of pass 2 run after the first. */
  public int repairRounds() {
    return rounds;
  }

  /** The filtered moments of segment j's last step from the accepted forward pass (copies are not made). */
  public Moments end(int j) {
    return ends[j];
  }

  /** The one log line's account of the repairs, or null when none were needed. */
  public String describeRepairs() {
    if (rounds == 0) return null;
    List<Long> repaired = repairedCuts();
    List<Long> cuts = repaired.size() > 8 ? repaired.subList(0, 8) : repaired;
    return String.format(Locale.ROOT, "the scanned prefixes differed from the segments' own sequential filters by more "
        + "than 1e-13 at %d of %d cuts (first steps %s%s); there each segment started from the previous segment's own "
        + "sequential filter instead (%d more round%s of segment filters)", repaired.size(), before.length - 1, cuts,
        repaired.size() > cuts.size() ? ", ..." : "", rounds, rounds == 1 ? "" : "s");
  }

  /** The model's prior (μ0, Σ0), bound on a one-step trajectory with nothing observed. */
  public static Moments priorOf(StateSpaceModel model) {
    int m = model.obsDim();
    int p = model.inputDim();
    double[] obs = new double[m];
    Arrays.fill(obs, Double.NaN);
    StepParameters params = model.bind(new Trajectory("prior", new double[] {0.0}, obs, m, p == 0 ? null : new double[p], p));
    double[] mean = new double[model.stateDim()];
    double[] cov = new double[model.stateDim() * model.stateDim()];
    params.initial(mean, cov);
    return new Moments(mean, cov);
  }

  /**
   * The moments after segment j from {@code from}, the moments before it (null: the first segment, whose
   * element carries the prior), by the combine; null when its element failed or the result is not finite.
   */
  private Moments scanned(int j, Moments from) {
    double[] element = elements.get(j);
    if (element == null) return null;
    FilterOperator op = new FilterOperator(n);
    double[] acc;
    if (from == null) {
      acc = element;
    } else {
      acc = new double[op.width()];
      System.arraycopy(from.mean(), 0, acc, op.offsetB(), n);
      System.arraycopy(from.cov(), 0, acc, op.offsetC(), n * n);
      op.combine(acc, 0, element, 0, acc, 0, op.newWorkspace());
    }
    Moments out = new Moments(Arrays.copyOfRange(acc, op.offsetB(), op.offsetB() + n),
        Arrays.copyOfRange(acc, op.offsetC(), op.offsetC() + n * n));
    return finite(out) ? out : null;
  }

  /** The root mean square of each mean component over the segments' finite ends: the means' floors. */
  private double[] meanScales() {
    double[] scales = new double[n];
    int count = 0;
    for (Moments e : ends) {
      if (e == null) continue;
      count++;
      for (int i = 0; i < n; i++) scales[i] += e.mean()[i] * e.mean()[i];
    }
    for (int i = 0; i < n; i++) scales[i] = Math.sqrt(scales[i] / Math.max(1, count));
    return scales;
  }

  /**
   * The worst per-element difference of a prefix from the previous segment's sequential end, |a − b| /
   * max(|b|, s): for a mean component s is its root mean square over the segments' ends (as {@link
   * FilterConsistency}); for a covariance entry (i, k) s = √(P_ii P_kk) of this end (Cauchy–Schwarz), never
   * another cut's scale, so that one huge covariance after a time gap does not loosen every other cut. NaN
   * and infinities never pass.
   */
  static double residual(Moments prefix, Moments end, double[] meanScales) {
    int n = meanScales.length;
    double worst = 0.0;
    for (int i = 0; i < n; i++) worst = worse(worst, prefix.mean()[i], end.mean()[i], meanScales[i]);
    double[] p = end.cov();
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < n; k++) {
        worst = worse(worst, prefix.cov()[i * n + k], p[i * n + k], Math.sqrt(Math.abs(p[i * n + i] * p[k * n + k])));
      }
    }
    return worst;
  }

  private static double worse(double worst, double a, double b, double scale) {
    if (a == b) return worst;
    double r = Math.abs(a - b) / Math.max(Math.abs(b), scale);
    if (!(r >= 0.0 && r < Double.POSITIVE_INFINITY)) return Double.POSITIVE_INFINITY;
    return Math.max(worst, r);
  }

  private void requirePending(int j) {
    if (!pending[j]) throw new IllegalStateException("segment " + j + " of '" + id + "' was not to run");
  }

  private static boolean same(Moments a, Moments b) {
    return Arrays.equals(a.mean(), b.mean()) && Arrays.equals(a.cov(), b.cov());
  }

  private static boolean finite(Moments m) {
    if (m == null) return false;
    for (double v : m.mean()) if (!Double.isFinite(v)) return false;
    for (double v : m.cov()) if (!Double.isFinite(v)) return false;
    return true;
  }
}
