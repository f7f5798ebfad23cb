package io.statespace.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.not;

import io.statespace.inference.InferenceException;
import io.statespace.inference.parallel.Moments;
import io.statespace.inference.parallel.SegmentChain;
import io.statespace.inference.parallel.SegmentScan;
import io.statespace.model.DiffusePrior;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.spec.Columns;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code smooth} job's path for trajectories longer than {@code --segment-steps} (docs/ARCHITECTURE.md
 * §7.5): their valid rows are range-partitioned on (key, time) into about one partition per segment; a
 * count pass ({@link SegmentStats}) fixes each segment's place; pass 1 reduces each segment to its filtering
 * element, the driver scans them into the filtered moments before each segment and broadcasts them; pass 2
 * filters each segment from them and reduces it to its smoothing element; the driver checks each prefix
 * against the previous segment's sequential end and repairs those that lost precision (time gaps of 10^6 s),
 * running pass 2 again on the segments concerned only ({@link SegmentChain}), then scans the smoothing
 * elements backwards; pass 3 ({@link #rows}) emits the rows. A trajectory whose segments still fail (a
 * segment's filter fails from an accepted prefix, or the repairs run out of rounds) is logged and left to
 * the one-task path, which smooths it as it does every other trajectory.
 */
final class SegmentedSmoothing implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentedSmoothing.class);

  private final StateSpaceModel model;
  private final Columns columns;
  private final Dataset<Row> cached;
  private final JavaRDD<Row> rows;
  private final Set<String> segmented;
  private final List<Broadcast<?>> broadcasts;
  private final Broadcast<Map<String, SegmentSpan>> spans;
  private final Broadcast<Map<String, Moments>> before;
  private final Broadcast<Map<String, Moments>> after;
  private final Broadcast<Map<String, Double>> logLikelihoods;
  private final long threshold;

  private SegmentedSmoothing(StateSpaceModel model, Columns columns, Dataset<Row> cached, JavaRDD<Row> rows,
      Set<String> segmented,
      List<Broadcast<?>> broadcasts, Broadcast<Map<String, SegmentSpan>> spans, Broadcast<Map<String, Moments>> before,
      Broadcast<Map<String, Moments>> after, Broadcast<Map<String, Double>> logLikelihoods, long threshold) {
    this.model = model;
    this.columns = columns;
    this.cached = cached;
    this.rows = rows;
    this.segmented = segmented;
    this.broadcasts = broadcasts;
    this.spans = spans;
    this.before = before;
    this.after = after;
    this.logLikelihoods = logLikelihoods;
    this.threshold = threshold;
  }

  /**
   * Finds the trajectories longer than the threshold among {@code source}'s rows and runs passes 1 and 2 on
   * them (two Spark jobs, plus the count and statistics jobs, plus one job over the partitions concerned per
   * round of repairs). When the input has no more rows than the
   * threshold, no trajectory can be longer and nothing runs.
   */
  static SegmentedSmoothing prepare(SparkSession spark, InputSource source, Columns columns, StateSpaceModel model,
      SegmentSteps option, long rowsIn) {
    long threshold = option.resolve(spark, model.stateDim(), model.obsDim(), model.inputDim());
    LOG.info("smooth: segment steps {}: a trajectory longer than that is smoothed in segments across tasks",
        option.describe(threshold));
    if (DiffusePrior.isDiffuse(model)) {
      LOG.info("smooth: the model's initial state is diffuse (initial.diffuse) and the segmented path has no exact diffuse"
          + " filter: every trajectory is smoothed in one task");
      return new SegmentedSmoothing(model, columns, null, null, Set.of(), new ArrayList<>(), null, null, null, null,
          threshold);
    }
    SegmentRows found = SegmentRows.find(spark, source, columns, threshold, rowsIn, "smooth");
    List<Broadcast<?>> broadcasts = new ArrayList<>();
    if (found == null) {
      return new SegmentedSmoothing(model, columns, null, null, Set.of(), broadcasts, null, null, null, null, threshold);
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Dataset<Row> cached = found.cached();
    JavaRDD<Row> rows = found.rows();
    try {
      Map<String, SegmentSpan> spanMap = found.spans();
      Set<String> failed = new LinkedHashSet<>();
      Broadcast<Map<String, SegmentSpan>> spans = jsc.broadcast(spanMap);
      broadcasts.add(spans);

      spark.sparkContext().setJobDescription("smooth: segment filtering elements");
      List<SegmentTasks.Element> elements = rows.mapPartitionsWithIndex(new SegmentTasks.Elements(model, columns, spans),
          false).collect();
      Map<String, SegmentTasks.Element> elementsById = byId(elements);
      Moments guess = SegmentChain.priorOf(model);
      Map<String, List<SegmentSpan>> trajectories = SegmentRows.byTrajectory(spanMap);
      Map<String, SegmentChain> chains = new LinkedHashMap<>();
      for (Map.Entry<String, List<SegmentSpan>> t : trajectories.entrySet()) {
        List<double[]> list = new ArrayList<>();
        for (SegmentSpan span : t.getValue()) {
          SegmentTasks.Element e = elementsById.get(span.id());
          list.add(e == null ? null : e.element());
        }
        chains.put(t.getKey(), new SegmentChain(model.stateDim(), t.getKey(), starts(t.getValue()), list, guess));
      }
      Map<String, SegmentTasks.Forward> forwardsById = new HashMap<>();
      Map<String, Moments> beforeMap = new HashMap<>();
      Map<String, Moments> afterMap = new HashMap<>();
      Map<String, Double> logLik = new HashMap<>();
      for (int round = 0; !chains.isEmpty(); round++) {
        Map<String, SegmentSpan> toRun = new HashMap<>();
        Map<String, Moments> from = new HashMap<>();
        for (Map.Entry<String, SegmentChain> c : chains.entrySet()) {
          List<SegmentSpan> list = trajectories.get(c.getKey());
          for (int j : c.getValue().toRun()) {
            toRun.put(list.get(j).id(), list.get(j));
            if (c.getValue().before(j) != null) from.put(list.get(j).id(), c.getValue().before(j));
          }
        }
        Broadcast<Map<String, SegmentSpan>> runSpans = jsc.broadcast(toRun);
        Broadcast<Map<String, Moments>> runFrom = jsc.broadcast(from);
        broadcasts.add(runSpans);
        broadcasts.add(runFrom);
        SegmentTasks.Forwards pass2 = new SegmentTasks.Forwards(model, columns, runSpans, runFrom);
        List<SegmentTasks.Forward> forwards;
        if (round == 0) {
          spark.sparkContext().setJobDescription("smooth: segment filters and smoothing elements");
          forwards = rows.mapPartitionsWithIndex(pass2, false).collect();
        } else {
          spark.sparkContext().setJobDescription("smooth: segment filters again where the scan lost precision (round "
              + round + ")");
          TreeSet<Integer> partitions = new TreeSet<>();
          for (SegmentSpan span : toRun.values()) partitions.add(span.partition());
          forwards = SegmentTasks.onPartitions(rows, partitions, pass2).collect();
        }
        Map<String, SegmentTasks.Forward> byId = byId(forwards);
        forwardsById.putAll(byId);
        for (Iterator<Map.Entry<String, SegmentChain>> it = chains.entrySet().iterator(); it.hasNext(); ) {
          Map.Entry<String, SegmentChain> c = it.next();
          String key = c.getKey();
          SegmentChain chain = c.getValue();
          List<SegmentSpan> list = trajectories.get(key);
          for (int j : chain.toRun()) chain.collect(j, list.get(j).id(), byId.get(list.get(j).id()));
          if (!chain.advance()) continue;
          it.remove();
          String failure = chain.refusal();
          if (failure == null) {
            try {
              failure = accept(model.stateDim(), key, list, chain, forwardsById, beforeMap, afterMap, logLik);
            } catch (InferenceException e) {
              failure = e.getMessage();
            }
          }
          if (failure != null) refuse(key, failure, failed);
        }
      }
      Map<String, SegmentSpan> finalMap = without(spanMap, failed);
      Broadcast<Map<String, SegmentSpan>> finalSpans = jsc.broadcast(finalMap);
      Broadcast<Map<String, Moments>> before = jsc.broadcast(beforeMap);
      Broadcast<Map<String, Moments>> afterB = jsc.broadcast(afterMap);
      Broadcast<Map<String, Double>> logLikB = jsc.broadcast(logLik);
      broadcasts.add(finalSpans);
      broadcasts.add(before);
      broadcasts.add(afterB);
      broadcasts.add(logLikB);
      Set<String> done = new LinkedHashSet<>(trajectories.keySet());
      done.removeAll(failed);
      LOG.info("smooth: {} trajectories smoothed in segments, {} left to one task each", done.size(), failed.size());
      return new SegmentedSmoothing(model, columns, cached, rows, done, broadcasts, finalSpans, before, afterB, logLikB, threshold);
    } catch (RuntimeException e) {
      cached.unpersist(false);
      for (Broadcast<?> b : broadcasts) b.destroy();
      throw e;
    } finally {
      spark.sparkContext().setJobDescription(null);
    }
  }

  /** The segmented trajectories' keys (after any refusal). */
  Set<String> segmentedKeys() {
    return segmented;
  }

  /**
   * The condition on parsed rows that keeps a row on the one-task path: rejected rows (null key) and rows of
   * every trajectory not smoothed in segments.
   */
  Column oneTask() {
    Column key = col(ParsedRows.KEY);
    if (segmented.isEmpty()) return functions.lit(true);
    return key.isNull().or(not(key.isin(segmented.toArray())));
  }

  /**
   * Pass 3: the segmented trajectories' union rows (states, summaries, and quarantined duplicate times), with
   * the state arrays of {@code choice}; only summary and quarantine rows when {@code states} is false.
   */
  JavaRDD<InternalRow> rows(JavaSparkContext jsc, OutputChoice choice, DataType idType, DataType timeType, boolean states) {
    if (segmented.isEmpty()) return jsc.emptyRDD();
    return rows.mapPartitionsWithIndex(new SegmentTasks.Rows(model, columns, spans, before, after, logLikelihoods,
        choice, idType, timeType, states), false);
  }

  long threshold() {
    return threshold;
  }

  /** Drops the cached rows and the broadcasts; call after the outputs are written. */
  @Override
  public void close() {
    if (cached != null) cached.unpersist(false);
    for (Broadcast<?> b : broadcasts) b.destroy();
  }

  private static void refuse(String key, String failure, Set<String> failed) {
    LOG.warn("smooth: trajectory '{}' cannot be smoothed in segments ({}); it is smoothed in one task instead", key, failure);
    failed.add(key);
  }

  /**
   * An accepted chain's moments into the maps pass 3 reads: the prefixes, the smoothed moments after each
   * segment (the backward scan of the latest pass 2's smoothing elements) and the summed log-likelihood; one
   * INFO line when prefixes were repaired. Returns why the trajectory is refused, or null.
   */
  private static String accept(int n, String key, List<SegmentSpan> list, SegmentChain chain,
      Map<String, SegmentTasks.Forward> forwards, Map<String, Moments> beforeMap, Map<String, Moments> afterMap,
      Map<String, Double> logLik) {
    List<double[]> smootherElements = new ArrayList<>();
    String failure = collect(forwards, list, smootherElements);
    if (failure != null) return failure;
    Moments[] a = SegmentScan.smoothedAfter(n, smootherElements, key, starts(list));
    double sum = 0.0;
    for (int j = 0; j < list.size(); j++) {
      String id = list.get(j).id();
      sum += forwards.get(id).logLikelihood();
      if (chain.before(j) != null) beforeMap.put(id, chain.before(j));
      if (a[j] != null) afterMap.put(id, a[j]);
    }
    logLik.put(key, sum);
    String repairs = chain.describeRepairs();
    if (repairs != null) LOG.info("smooth: trajectory '{}': {}", key, repairs);
    return null;
  }

  private static Map<String, SegmentSpan> without(Map<String, SegmentSpan> spans, Set<String> failed) {
    Map<String, SegmentSpan> out = new LinkedHashMap<>();
    for (Map.Entry<String, SegmentSpan> e : spans.entrySet()) if (!failed.contains(e.getValue().key())) out.put(e.getKey(), e.getValue());
    return out;
  }

  private static long[] starts(List<SegmentSpan> list) {
    long[] s = new long[list.size()];
    for (int j = 0; j < s.length; j++) s[j] = list.get(j).start();
    return s;
  }

  /**
   * The results of one trajectory's segments in order into {@code out}; returns the first failure, or a
   * message when a segment's result is missing (a bug, but named rather than hidden).
   */
  private static String collect(Map<String, ? extends SegmentTasks.Result> byId, List<SegmentSpan> spans,
      List<double[]> out) {
    for (SegmentSpan s : spans) {
      SegmentTasks.Result r = byId.get(s.id());
      if (r == null) return "segment " + s.id() + " returned no result";
      if (r.failure() != null) return r.failure();
      out.add(r.element());
    }
    return null;
  }

  private static <R extends SegmentTasks.Result> Map<String, R> byId(List<R> results) {
    Map<String, R> out = new HashMap<>();
    for (R r : results) out.put(r.segment(), r);
    return out;
  }
}
