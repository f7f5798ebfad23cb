package io.statespace.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one blocking rule: every item exactly once, in order, no block over the limits unless one item alone is. */
class BlockerTest {
  @Test
  void blocksCloseAtTheTrajectoryLimit() {
    Blocker<Integer> blocker = new Blocker<>();
    List<List<Integer>> blocks = new ArrayList<>();
    for (int i = 0; i < Blocker.MAX_TRAJECTORIES + 5; i++) blocks.addAll(blocker.add(i, 10));
    assertEquals(1, blocks.size());
    assertEquals(Blocker.MAX_TRAJECTORIES, blocks.get(0).size());
    List<Integer> last = blocker.flush();
    assertEquals(List.of(4096, 4097, 4098, 4099, 4100), last);
    assertNull(blocker.flush());
  }

  @Test
  void blocksNeverExceedTheStepLimitUnlessOneTrajectoryAloneDoes() {
    Blocker<String> blocker = new Blocker<>();
    int third = Blocker.MAX_STEPS / 3;
    List<List<String>> closed = new ArrayList<>();
    closed.addAll(blocker.add("a", third));
    closed.addAll(blocker.add("b", third));
    assertTrue(closed.isEmpty());
    closed.addAll(blocker.add("c", 2 * third));
    assertEquals(List.of(List.of("a", "b")), closed, "c would overflow the block: a and b close first");
    closed.clear();
    closed.addAll(blocker.add("huge", Blocker.MAX_STEPS + 7));
    assertEquals(List.of(List.of("c"), List.of("huge")), closed, "a too-long item is a block of its own");
    closed.clear();
    closed.addAll(blocker.add("exact", Blocker.MAX_STEPS));
    assertEquals(List.of(List.of("exact")), closed);
    assertNull(blocker.flush());
  }
}
