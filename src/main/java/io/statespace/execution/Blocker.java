package io.statespace.execution;

import java.util.ArrayList;
import java.util.List;

/**
 * Buffers a stream of trajectories into blocks of at most {@link #MAX_TRAJECTORIES} trajectories and
 * {@link #MAX_STEPS} steps (a single longer trajectory makes a block of its own), so that the memory of a
 * block stays bounded: the one blocking rule of {@code smooth}'s engine stage and {@code fit}'s cached
 * blocks. Not thread-safe; one per partition.
 *
 * @param <T> what is buffered (a trajectory, or a trajectory with its row keys)
 */
public final class Blocker<T> {
  /** A block holds at most this many trajectories ... */
  public static final int MAX_TRAJECTORIES = 4096;
  /** ... and at most this many steps (rows), unless one trajectory alone is longer. */
  public static final int MAX_STEPS = 1 << 20;

  private List<T> block = new ArrayList<>();
  private long steps;

  /**
   * Adds an item of {@code length} steps and returns the blocks this closes, oldest first (none, or the block
   * it would have overflowed, and/or the block it filled).
   */
  public List<List<T>> add(T item, int length) {
    List<List<T>> closed = new ArrayList<>(2);
    if (!block.isEmpty() && steps + length > MAX_STEPS) closed.add(take());
    block.add(item);
    steps += length;
    if (block.size() >= MAX_TRAJECTORIES || steps >= MAX_STEPS) closed.add(take());
    return closed;
  }

  /** The partly filled block at the end of the stream, or null when there is none. */
  public List<T> flush() {
    return block.isEmpty() ? null : take();
  }

  private List<T> take() {
    List<T> out = block;
    block = new ArrayList<>();
    steps = 0;
    return out;
  }
}
