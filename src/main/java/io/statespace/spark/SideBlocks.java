package io.statespace.spark;

import java.util.Iterator;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.TaskKilledException;
import org.apache.spark.storage.BlockManager;
import org.apache.spark.storage.RDDBlockId;
import org.apache.spark.storage.StorageLevel;
import scala.jdk.javaapi.CollectionConverters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.reflect.ClassTag;

/**
 * Stores one partition's rows as the cached block of a persisted RDD, from a task of another RDD's job, so that
 * a later job reading that RDD finds the block (here, or on another executor: the block is reported to the
 * driver) and does not compute it; a block that is missing when read (never stored, evicted, or lost with its
 * executor) is computed by the RDD itself, as for any cached RDD.
 *
 * <p>The calls it makes are Spark's {@code private[spark]} API (public in the bytecode, so callable from Java;
 * checked against Spark 4.1.3): {@code BlockManager.putIterator}, {@code getStatus}, {@code isRDDBlockVisible} and
 * {@code BlockManagerMaster.updateRDDBlockTaskInfo}, used as {@code BlockManager.getOrElseUpdateRDDBlock} uses
 * them when a task caches a block itself. This class is the only place that calls them.
 */
final class SideBlocks {
  private static final Logger LOG = LoggerFactory.getLogger(SideBlocks.class);

  private SideBlocks() {}

  /**
   * Stores {@code rows} as block {@code partition} of RDD {@code rddId} in this executor's block manager, unless
   * the block is already here (another attempt of the task on this executor, or the RDD computed it first: an
   * RDD's block never holds two copies of a partition). With Spark's cache visibility tracking on
   * ({@code spark.rdd.cache.visibilityTracking.enabled}), the block is tied to this task attempt and becomes
   * visible only if the attempt succeeds, as a block the task had cached itself.
   *
   * @param level the RDD's storage level; @param tag its element class tag (they choose the serializer)
   * @return false when the block manager could not store the block (full disk, a decommissioning executor: the
   *     RDD then computes it when read; a failure to keep rows never fails the task)
   */
  static boolean put(int rddId, int partition, Iterator<?> rows, StorageLevel level, ClassTag<?> tag) {
    BlockManager blocks = SparkEnv.get().blockManager();
    RDDBlockId id = new RDDBlockId(rddId, partition);
    if (blocks.getStatus(id).isDefined()) return true;
    @SuppressWarnings("unchecked")
    scala.collection.Iterator<Object> values = (scala.collection.Iterator<Object>) CollectionConverters.asScala(rows);
    @SuppressWarnings("unchecked")
    ClassTag<Object> elements = (ClassTag<Object>) tag;
    try {
      if (!blocks.putIterator(id, values, level, true, elements)) return false;
      TaskContext task = TaskContext.get();
      if (task != null && !blocks.isRDDBlockVisible(id)) blocks.master().updateRDDBlockTaskInfo(id, task.taskAttemptId());
      return true;
    } catch (TaskKilledException e) {
      throw e;
    } catch (Exception e) {
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      LOG.warn("smooth: block {} not stored ({}); its rows are recomputed when read", id, e.toString());
      return false;
    }
  }
}
