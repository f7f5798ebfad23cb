package io.statespace.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.api.java.JavaRDD;

/**
 * The fit job's counts of its cached items, in one Spark job (formerly three: a reduceByKey of the quarantine
 * reasons, a collect of every block's size, a distinct count of the trajectories left out): trajectories and
 * rows in blocks, quarantined rows by reason, and the trajectories that cannot be evaluated at the starting
 * point ("id (reason)": their number and the first {@link FitReport#LISTED_IDS} in order). Each partition
 * counts its own; partitions merge by sums. The left-out ids of different partitions are distinct because the
 * assembly shuffle puts all rows of an id into one partition, so their counts add up exactly.
 */
final class FitAccounting implements Serializable {
  private static final long serialVersionUID = 1L;

  long trajectories;
  long rowsUsed;
  long rowsQuarantined;
  final Map<String, Long> byReason = new HashMap<>();
  long leftOutCount;
  final TreeSet<String> leftOutFirst = new TreeSet<>();

  /** The counts of all items: one job over the (cached) items. */
  static FitAccounting of(JavaRDD<FitItem> items) {
    return items.mapPartitions(FitAccounting::partition).reduce(FitAccounting::merge);
  }

  private static Iterator<FitAccounting> partition(Iterator<FitItem> items) {
    String inference = RejectReason.INFERENCE_FAILED.code();
    String nonfinite = RejectReason.NONFINITE_LOSS.code();
    FitAccounting a = new FitAccounting();
    Set<String> leftOut = new HashSet<>();
    while (items.hasNext()) {
      FitItem i = items.next();
      if (i.isBlock()) {
        a.trajectories += i.block.trajectories.length;
        a.rowsUsed += i.block.steps();
        continue;
      }
      String reason = i.rejected[2];
      a.byReason.merge(reason, 1L, Long::sum);
      a.rowsQuarantined++;
      if (reason.equals(inference) || reason.equals(nonfinite)) leftOut.add(i.rejected[0] + " (" + reason + ")");
    }
    a.leftOutCount = leftOut.size();
    for (String id : leftOut) a.keepFirst(id);
    return List.of(a).iterator();
  }

  private void keepFirst(String id) {
    leftOutFirst.add(id);
    if (leftOutFirst.size() > FitReport.LISTED_IDS) leftOutFirst.pollLast();
  }

  private static FitAccounting merge(FitAccounting a, FitAccounting b) {
    FitAccounting m = new FitAccounting();
    m.trajectories = a.trajectories + b.trajectories;
    m.rowsUsed = a.rowsUsed + b.rowsUsed;
    m.rowsQuarantined = a.rowsQuarantined + b.rowsQuarantined;
    m.byReason.putAll(a.byReason);
    b.byReason.forEach((k, v) -> m.byReason.merge(k, v, Long::sum));
    m.leftOutCount = a.leftOutCount + b.leftOutCount;
    for (String id : a.leftOutFirst) m.keepFirst(id);
    for (String id : b.leftOutFirst) m.keepFirst(id);
    return m;
  }

  /** The first left-out ids, in order. */
  List<String> leftOutListed() {
    return new ArrayList<>(leftOutFirst);
  }
}
