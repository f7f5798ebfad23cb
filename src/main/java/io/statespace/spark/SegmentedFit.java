package io.statespace.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.not;

import io.statespace.inference.InferenceException;
import io.statespace.inference.parallel.Moments;
import io.statespace.inference.parallel.SegmentChain;
import io.statespace.inference.parallel.SegmentPasses;
import io.statespace.inference.parallel.SegmentScan;
import io.statespace.learn.EmStatistics;
import io.statespace.learn.Evaluation;
import io.statespace.learn.ExpectationStep;
import io.statespace.learn.LinearParameterization;
import io.statespace.learn.LossAccumulator;
import io.statespace.learn.LossFunction;
import io.statespace.learn.Objective;
import io.statespace.learn.Parameterization;
import io.statespace.learn.SegmentTerms;
import io.statespace.learn.StandardErrors;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.Columns;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * The {@code fit} job's path for trajectories longer than {@code --segment-steps} (docs/ARCHITECTURE.md §7.5):
 * their segments ({@link SegmentRows}) are cached once as windows ({@link SegmentTasks.Piece}); each evaluation
 * at θ runs the segmented smoother's passes 1 and 2 with the driver's scans and check, then pass 3 adds each
 * segment's local terms ({@link SegmentTerms}: its share of the negative log-likelihood and of the
 * Fisher-identity gradient, or of EM's statistics), three Spark jobs per evaluation. The fit's objective and
 * E-step are the one-task ones plus these sums ({@link #objective}, {@link #expectation}). Prefixes that lost
 * precision are repaired as in {@code smooth} ({@link io.statespace.inference.parallel.SegmentChain}: pass 2
 * again on the segments concerned) at every evaluation but the first; a trajectory whose segments fail, or
 * need repairs, at the starting point is left to the one-task path (one WARN line).
 */
final class SegmentedFit implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentedFit.class);

  private final JavaSparkContext jsc;
  private final Parameterization param;
  private final SegmentRows found;
  private final JavaRDD<SegmentTasks.Piece> cache;
  private final JavaRDD<SegmentTasks.Piece> pieces;
  private final JavaRDD<FitItem> duplicates;
  private final Map<String, List<SegmentSpan>> trajectories;
  private final long rowsUsed;
  /**
   * True at the starting point: a trajectory whose scan lost precision there ({@link #SCAN_LOST_PRECISION}) is
   * refused (fitted in one task, as before the repairs existed), because the one-task fit is the reference and its adjoint evaluates
   * such a track with other arithmetic (a loss 1e-6 relative away at gaps of 10^4 s) or quarantines it (10^6
   * s). At later evaluations repairs are accepted: the loss is then the sequential engine's, not +∞.
   */
  private final boolean refuseRepaired;
  /**
   * A scan this far from the segments' ends at the starting point lost precision (the bound the forward check
   * had before the repairs, which refused such a trajectory): only then does the starting point refuse. The
   * scan's ordinary rounding (up to 5.5e-11 on the tracking model over 2^16 steps) is repaired and kept.
   */
  private static final double SCAN_LOST_PRECISION = 1e-6;

  /**
   * @param cache the cached segments (released by {@link #close}); @param pieces those of the trajectories
   *     evaluated in segments; @param refuseRepaired whether a trajectory whose prefixes needed repairs fails
   */
  private SegmentedFit(JavaSparkContext jsc, Parameterization param, SegmentRows found, JavaRDD<SegmentTasks.Piece> cache,
      JavaRDD<SegmentTasks.Piece> pieces, JavaRDD<FitItem> duplicates, Map<String, List<SegmentSpan>> trajectories,
      boolean refuseRepaired) {
    this.refuseRepaired = refuseRepaired;
    this.jsc = jsc;
    this.param = param;
    this.found = found;
    this.cache = cache;
    this.pieces = pieces;
    this.duplicates = duplicates;
    this.trajectories = trajectories;
    long used = 0;
    for (List<SegmentSpan> l : trajectories.values()) for (SegmentSpan s : l) used += s.length();
    this.rowsUsed = used;
  }

  /**
   * Finds the trajectories longer than the threshold, caches their segments and evaluates them at the
   * starting point {@code theta0}; those that fail there stay on the one-task path.
   *
   * @param loss the fit's loss (only the negative log-likelihood is evaluated in segments)
   * @param em true when the fit runs EM (the statistics are then needed, not the loss)
   */
  static SegmentedFit prepare(SparkSession spark, InputSource source, Columns columns, Parameterization param,
      LossFunction loss, boolean em, double[] theta0, SegmentSteps option, long rowsIn) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    if (!em && !SegmentTerms.supports(loss)) {
      LOG.info("fit: --loss {} is not evaluated in segments; every trajectory is fitted in one task", loss.kind().key());
      return none(jsc, param);
    }
    StateSpaceModel model = param.model(theta0);
    if (io.statespace.model.DiffusePrior.isDiffuse(model)) {
      LOG.info("fit: the model's initial state is diffuse (initial.diffuse), which the segments do not evaluate; every"
          + " trajectory is fitted in one task");
      return none(jsc, param);
    }
    long threshold = option.resolve(spark, model.stateDim(), model.obsDim(), model.inputDim());
    LOG.info("fit: segment steps {}: a trajectory longer than that is evaluated in segments across tasks",
        option.describe(threshold));
    SegmentRows found = SegmentRows.find(spark, source, columns, threshold, rowsIn, "fit");
    if (found == null) return none(jsc, param);
    JavaRDD<SegmentTasks.Piece> pieces = null;
    try {
      Broadcast<Map<String, SegmentSpan>> spans = jsc.broadcast(found.spans());
      jsc.setJobDescription("fit: cache the segments of the long trajectories");
      pieces = found.rows().mapPartitionsWithIndex(new SegmentTasks.Pieces(model, columns, spans), false)
          .persist(StorageLevel.MEMORY_AND_DISK());
      pieces.count();
      SegmentedFit all = new SegmentedFit(jsc, param, found, pieces, pieces, null, SegmentRows.byTrajectory(found.spans()),
          true);
      jsc.setJobDescription("fit: the long trajectories at the starting point");
      Map<String, String> failed = em ? all.failures(all.statistics(theta0)) : all.failures(all.losses(loss, theta0, 0L));
      Set<String> kept = new LinkedHashSet<>(all.trajectories.keySet());
      for (Map.Entry<String, String> f : failed.entrySet()) {
        LOG.warn("fit: trajectory '{}' cannot be evaluated in segments at the starting point ({}); it is fitted in one task "
            + "instead", f.getKey(), f.getValue());
        kept.remove(f.getKey());
      }
      Map<String, List<SegmentSpan>> keptSpans = new TreeMap<>(all.trajectories);
      keptSpans.keySet().retainAll(kept);
      Map<String, SegmentSpan> keptById = new HashMap<>();
      for (List<SegmentSpan> l : keptSpans.values()) for (SegmentSpan s : l) keptById.put(s.id(), s);
      JavaRDD<SegmentTasks.Piece> keptPieces = pieces.filter(p -> keptById.containsKey(p.segment()));
      JavaRDD<FitItem> keptDuplicates = found.rows().mapPartitionsWithIndex(new SegmentTasks.Duplicates(model, columns,
          jsc.broadcast(keptById)), false);
      LOG.info("fit: {} trajectories evaluated in segments, {} left to one task each", kept.size(), failed.size());
      return new SegmentedFit(jsc, param, found, pieces, keptPieces, keptDuplicates, keptSpans, false);
    } catch (RuntimeException e) {
      if (pieces != null) pieces.unpersist(false);
      found.close();
      throw e;
    } finally {
      jsc.setJobDescription(null);
    }
  }

  private static SegmentedFit none(JavaSparkContext jsc, Parameterization param) {
    return new SegmentedFit(jsc, param, null, null, null, null, Map.of(), false);
  }

  /**
   * The condition on parsed rows that keeps a row on the one-task path: rejected rows and every trajectory
   * not evaluated in segments.
   */
  Column oneTask() {
    if (trajectories.isEmpty()) return functions.lit(true);
    Column key = col(ParsedRows.KEY);
    return key.isNull().or(not(key.isin(trajectories.keySet().toArray())));
  }

  /** The fit's items plus the segmented trajectories' quarantined rows (rows sharing a time). */
  JavaRDD<FitItem> withQuarantine(JavaRDD<FitItem> items) {
    return duplicates == null ? items : items.union(duplicates);
  }

  /** Rows the segmented trajectories use. */
  long rowsUsed() {
    return rowsUsed;
  }

  /** Trajectories evaluated in segments. */
  long trajectories() {
    return trajectories.size();
  }

  /**
   * The last evaluation's trajectories by engine: the one-task ones and, when any, the trajectories evaluated
   * in segments (every evaluation evaluates all of them) under {@link SegmentTerms#ENGINE}.
   */
  Map<String, Long> engines(Map<String, Long> oneTask) {
    if (trajectories.isEmpty()) return oneTask;
    Map<String, Long> out = new java.util.LinkedHashMap<>(oneTask);
    out.put(SegmentTerms.ENGINE, (long) trajectories.size());
    return out;
  }

  /** The one-task objective plus the segmented trajectories' loss and gradient. */
  Objective objective(DistributedObjective oneTask, LossFunction loss) {
    if (trajectories.isEmpty()) return oneTask;
    return new Combined(oneTask, loss);
  }

  /** The one-task accumulator at {@code theta} merged with the segmented trajectories' (loss, gradient, components). */
  LossAccumulator accumulate(DistributedObjective oneTask, LossFunction loss, double[] theta) {
    LossAccumulator total = oneTask.accumulate(theta, 0L);
    if (!trajectories.isEmpty()) {
      for (LossAccumulator a : losses(loss, theta, 0L).values()) total.merge(a);
    }
    return total;
  }

  /** The one-task E-step plus the segmented trajectories' statistics. */
  ExpectationStep expectation(ExpectationStep oneTask) {
    if (trajectories.isEmpty() || oneTask == null) return oneTask;
    return theta -> {
      EmStatistics stats = oneTask.expectation(theta);
      for (EmStatistics s : statistics(theta).values()) stats.merge(s);
      return stats;
    };
  }

  /** The negative log-likelihood and gradient at θ of each segmented trajectory. */
  Map<String, LossAccumulator> losses(LossFunction loss, double[] theta, long epoch) {
    Scan scan = scan(theta);
    try {
      Broadcast<LossFunction> lossB = jsc.broadcast(loss);
      Broadcast<double[]> at = jsc.broadcast(theta.clone());
      Broadcast<Map<String, Moments>> before = scan.before;
      Broadcast<Map<String, Moments>> after = scan.after;
      Set<String> active = scan.active();
      try {
        jsc.setJobDescription("fit: segment terms (loss and gradient)");
        List<Tuple2<String, LossAccumulator>> parts = pieces.filter(p -> active.contains(p.key())).mapPartitions(it -> {
          SegmentTerms terms = SegmentTerms.ofLoss(lossB.value(), at.value());
          Map<String, LossAccumulator> byKey = new HashMap<>();
          while (it.hasNext()) {
            SegmentTasks.Piece p = it.next();
            LossAccumulator acc = byKey.computeIfAbsent(p.key(), k -> lossB.value().zero());
            try {
              terms.addLoss(terms.passes().filter(p.window(), before.value().get(p.segment())), after.value().get(p.segment()),
                  acc);
            } catch (InferenceException e) {
              acc.addSegmentFailure(e.getMessage(), p.window().first());
            }
          }
          List<Tuple2<String, LossAccumulator>> out = new ArrayList<>();
          byKey.forEach((k, v) -> out.add(new Tuple2<>(k, v)));
          return out.iterator();
        }).collect();
        Map<String, LossAccumulator> out = new TreeMap<>();
        for (Tuple2<String, LossAccumulator> t : parts) out.merge(t._1(), t._2(), LossAccumulator::merge);
        for (Map.Entry<String, String> f : scan.failures.entrySet()) {
          LossAccumulator acc = loss.zero();
          acc.addSegmentFailure(f.getValue(), true);
          out.put(f.getKey(), acc);
        }
        return out;
      } finally {
        lossB.destroy();
        at.destroy();
      }
    } finally {
      scan.destroy();
    }
  }

  /** EM's statistics at θ of each segmented trajectory. */
  Map<String, EmStatistics> statistics(double[] theta) {
    Scan scan = scan(theta);
    try {
      Broadcast<LinearParameterization> paramB = jsc.broadcast((LinearParameterization) param);
      Broadcast<double[]> at = jsc.broadcast(theta.clone());
      Broadcast<Map<String, Moments>> before = scan.before;
      Broadcast<Map<String, Moments>> after = scan.after;
      Set<String> active = scan.active();
      try {
        jsc.setJobDescription("fit: segment terms (EM statistics)");
        List<Tuple2<String, EmStatistics>> parts = pieces.filter(p -> active.contains(p.key())).mapPartitions(it -> {
          SegmentTerms terms = SegmentTerms.ofExpectation(paramB.value(), at.value());
          Map<String, EmStatistics> byKey = new HashMap<>();
          while (it.hasNext()) {
            SegmentTasks.Piece p = it.next();
            EmStatistics stats = byKey.computeIfAbsent(p.key(), k -> EmStatistics.zero(paramB.value()));
            try {
              terms.addStatistics(terms.passes().filter(p.window(), before.value().get(p.segment())),
                  after.value().get(p.segment()), stats);
            } catch (InferenceException e) {
              SegmentTerms.fail(stats, e.getMessage());
            }
          }
          List<Tuple2<String, EmStatistics>> out = new ArrayList<>();
          byKey.forEach((k, v) -> out.add(new Tuple2<>(k, v)));
          return out.iterator();
        }).collect();
        Map<String, EmStatistics> out = new TreeMap<>();
        for (Tuple2<String, EmStatistics> t : parts) out.merge(t._1(), t._2(), EmStatistics::merge);
        for (Map.Entry<String, String> f : scan.failures.entrySet()) {
          EmStatistics stats = EmStatistics.zero((LinearParameterization) param);
          SegmentTerms.fail(stats, f.getValue());
          out.put(f.getKey(), stats);
        }
        return out;
      } finally {
        paramB.destroy();
        at.destroy();
      }
    } finally {
      scan.destroy();
    }
  }

  /** The trajectories among {@code results} that failed, with the first failure of each. */
  private static Map<String, String> failures(Map<String, ?> results) {
    Map<String, String> out = new TreeMap<>();
    for (Map.Entry<String, ?> e : results.entrySet()) {
      Object v = e.getValue();
      if (v instanceof LossAccumulator a && a.failures() > 0) out.put(e.getKey(), a.firstFailure());
      if (v instanceof EmStatistics s && s.failures() > 0) out.put(e.getKey(), s.firstFailure());
    }
    return out;
  }

  /** Passes 1 and 2 at θ with the driver's scans and check: the moments before and after each segment. */
  private Scan scan(double[] theta) {
    Broadcast<Parameterization> paramB = jsc.broadcast(param);
    Broadcast<double[]> at = jsc.broadcast(theta.clone());
    Map<String, String> failures = new TreeMap<>();
    try {
      int n = param.model(theta).stateDim();
      jsc.setJobDescription("fit: segment filtering elements");
      Map<String, Result> elements = byId(pieces.map(p -> {
        try {
          return new Result(p.segment(), new SegmentPasses(paramB.value().model(at.value())).filterElement(p.window()), null,
              0.0, null);
        } catch (InferenceException e) {
          return new Result(p.segment(), null, null, 0.0, e.getMessage());
        }
      }).collect());
      Moments guess = SegmentChain.priorOf(param.model(theta));
      Map<String, SegmentChain> chains = new TreeMap<>();
      for (Map.Entry<String, List<SegmentSpan>> t : trajectories.entrySet()) {
        List<double[]> els = new ArrayList<>();
        for (SegmentSpan s : t.getValue()) {
          Result r = elements.get(s.id());
          els.add(r == null || r.failure() != null ? null : r.element());
        }
        chains.put(t.getKey(), new SegmentChain(n, t.getKey(), starts(t.getValue()), els, guess));
      }
      Map<String, Result> forwards = new HashMap<>();
      Map<String, Moments> beforeMap = new HashMap<>();
      Map<String, Moments> afterMap = new HashMap<>();
      for (int round = 0; !chains.isEmpty(); round++) {
        Map<String, Moments> from = new HashMap<>();
        Set<String> toRun = new HashSet<>();
        for (Map.Entry<String, SegmentChain> c : chains.entrySet()) {
          List<SegmentSpan> list = trajectories.get(c.getKey());
          for (int j : c.getValue().toRun()) {
            toRun.add(list.get(j).id());
            if (c.getValue().before(j) != null) from.put(list.get(j).id(), c.getValue().before(j));
          }
        }
        Broadcast<Map<String, Moments>> before = jsc.broadcast(from);
        Broadcast<Set<String>> run = jsc.broadcast(toRun);
        try {
          jsc.setJobDescription(round == 0 ? "fit: segment filters and smoothing elements"
              : "fit: segment filters again where the scan lost precision (round " + round + ")");
          forwards.putAll(byId(pieces.filter(p -> run.value().contains(p.segment())).map(p -> {
            try {
              SegmentPasses passes = new SegmentPasses(paramB.value().model(at.value()));
              SegmentPasses.Forward f = passes.filter(p.window(), before.value().get(p.segment()));
              return new Result(p.segment(), passes.smootherElement(f), f.end(), f.logLikelihood(), null);
            } catch (InferenceException e) {
              return new Result(p.segment(), null, null, 0.0, e.getMessage());
            }
          }).collect()));
        } finally {
          before.destroy();
          run.destroy();
        }
        for (Iterator<Map.Entry<String, SegmentChain>> it = chains.entrySet().iterator(); it.hasNext(); ) {
          Map.Entry<String, SegmentChain> c = it.next();
          SegmentChain chain = c.getValue();
          List<SegmentSpan> list = trajectories.get(c.getKey());
          for (int j : chain.toRun()) chain.collect(j, list.get(j).id(), forwards.get(list.get(j).id()));
          if (!chain.advance()) continue;
          it.remove();
          if (chain.refusal() != null) {
            failures.put(c.getKey(), chain.refusal());
            continue;
          }
          try {
            List<double[]> els = new ArrayList<>();
            for (SegmentSpan s : list) els.add(forwards.get(s.id()).element(s));
            Moments[] a = SegmentScan.smoothedAfter(n, els, c.getKey(), starts(list));
            for (int j = 0; j < a.length; j++) {
              if (chain.before(j) != null) beforeMap.put(list.get(j).id(), chain.before(j));
              if (a[j] != null) afterMap.put(list.get(j).id(), a[j]);
            }
            String repairs = chain.describeRepairs();
            if (repairs != null && refuseRepaired && chain.worstScanned() > SCAN_LOST_PRECISION) {
              failures.put(c.getKey(), repairs + "; the one-task fit is the reference for such a trajectory");
            }
          } catch (InferenceException e) {
            failures.put(c.getKey(), e.getMessage());
          }
        }
      }
      return new Scan(jsc.broadcast(beforeMap), jsc.broadcast(afterMap), failures, trajectories.keySet());
    } finally {
      paramB.destroy();
      at.destroy();
    }
  }

  private static long[] starts(List<SegmentSpan> list) {
    long[] s = new long[list.size()];
    for (int j = 0; j < s.length; j++) s[j] = list.get(j).start();
    return s;
  }

  private static Map<String, Result> byId(List<Result> results) {
    Map<String, Result> out = new HashMap<>();
    for (Result r : results) out.put(r.segment(), r);
    return out;
  }

  /** Releases the cached segments. */
  @Override
  public void close() {
    if (found == null) return;
    cache.unpersist(false);
    found.close();
  }

  /** A segment's element (pass 1, or pass 2's smoothing element with the filter's end and log-likelihood), or its failure. */
  private record Result(String segment, double[] element, Moments end, double logLikelihood, String failure)
      implements Serializable, SegmentChain.Outcome {
    double[] element(SegmentSpan span) {
      if (failure != null) throw new InferenceException(span.key(), (int) span.start(), failure);
      return element;
    }
  }

  /** The moments before and after each segment at one θ, and the trajectories that failed. */
  private static final class Scan {
    final Broadcast<Map<String, Moments>> before;
    final Broadcast<Map<String, Moments>> after;
    final Map<String, String> failures;
    final Set<String> all;

    Scan(Broadcast<Map<String, Moments>> before, Broadcast<Map<String, Moments>> after, Map<String, String> failures,
        Set<String> all) {
      this.before = before;
      this.after = after;
      this.failures = failures;
      this.all = all;
    }

    Set<String> active() {
      Set<String> out = new LinkedHashSet<>(all);
      out.removeAll(failures.keySet());
      return out;
    }

    void destroy() {
      before.destroy();
      after.destroy();
    }
  }

  /** The one-task objective plus the segmented trajectories' terms, for the optimiser and the standard errors. */
  private final class Combined implements Objective, StandardErrors.ScoredPoints {
    private final DistributedObjective oneTask;
    private final LossFunction loss;

    Combined(DistributedObjective oneTask, LossFunction loss) {
      this.oneTask = oneTask;
      this.loss = loss;
    }

    @Override
    public Evaluation evaluate(double[] theta) {
      return evaluate(theta, 0L);
    }

    @Override
    public Evaluation evaluate(double[] theta, long epoch) {
      LossAccumulator total = oneTask.accumulate(theta, epoch);
      for (LossAccumulator a : losses(loss, theta, epoch).values()) total.merge(a);
      return total.evaluation();
    }

    @Override
    public Evaluation[] evaluateAll(double[][] thetas) {
      return withSegments(oneTask.evaluateAll(thetas), thetas);
    }

    /**
     * As {@link #evaluateAll(double[][])}, plus Σ_i s_i s_iᵀ at {@code thetas[scored]}: the one-task trajectories'
     * from the treeAggregate, each segmented trajectory's from its gradient summed over its segments.
     */
    @Override
    public StandardErrors.Scored evaluateAll(double[][] thetas, int scored) {
      StandardErrors.Scored one = oneTask.evaluateAll(thetas, scored);
      double[][] outer = new double[one.scoreOuterProducts().length][];
      for (int i = 0; i < outer.length; i++) outer[i] = one.scoreOuterProducts()[i].clone();
      for (LossAccumulator a : losses(loss, thetas[scored], 0L).values()) {
        double[] g = a.gradient();
        for (int i = 0; i < g.length; i++) {
          for (int j = 0; j < g.length; j++) outer[i][j] += g[i] * g[j];
        }
      }
      return new StandardErrors.Scored(withSegments(one.evaluations(), thetas), outer);
    }

    private Evaluation[] withSegments(Evaluation[] out, double[][] thetas) {
      for (int i = 0; i < out.length; i++) {
        LossAccumulator seg = loss.zero();
        for (LossAccumulator a : losses(loss, thetas[i], 0L).values()) seg.merge(a);
        double[] g = out[i].gradient().clone();
        double[] s = seg.gradient();
        for (int k = 0; k < g.length; k++) g[k] += s[k];
        out[i] = new Evaluation(out[i].loss() + seg.loss(), g);
      }
      return out;
    }
  }
}
