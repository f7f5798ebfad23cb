package io.statespace.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.inference.batched.BatchedEngine;
import io.statespace.inference.parallel.ParallelEngine;
import io.statespace.inference.sequential.SequentialEngine;
import org.junit.jupiter.api.Test;

/** What each --engine does with a trajectory of a given length, and that the log line says so. */
class EngineChoiceTest {
  @Test
  void autoBatchesShortTrajectoriesAndRunsLongOnesInTheScalarLaneUnlessManyThreadsAreSpare() {
    try (EngineChoice.Selector one = EngineChoice.AUTO.selector(1); EngineChoice.Selector eight = EngineChoice.AUTO.selector(8)) {
      assertTrue(one.batches(100));
      assertFalse(one.batches(EngineChoice.AUTO_BATCH_MAX_STEPS));
      assertInstanceOf(BatchedEngine.class, one.blockEngine());
      assertInstanceOf(BatchedEngine.class, one.engineFor(EngineChoice.AUTO_PARALLEL_MIN_STEPS));
      assertInstanceOf(ParallelEngine.class, eight.engineFor(EngineChoice.AUTO_PARALLEL_MIN_STEPS));
      assertInstanceOf(BatchedEngine.class, eight.engineFor(EngineChoice.AUTO_PARALLEL_MIN_STEPS - 1));
      assertTrue(one.lean(EngineChoice.LEAN_MIN_STEPS));
      assertFalse(one.lean(EngineChoice.LEAN_MIN_STEPS - 1));
      assertTrue(one.describe().startsWith("auto: batched"), one.describe());
      assertTrue(one.describe().contains("no parallel-in-time scan"), one.describe());
      assertTrue(eight.describe().contains("parallel-in-time on 8 threads"), eight.describe());
    }
  }

  @Test
  void namedEnginesAreUsedAsNamed() {
    try (EngineChoice.Selector batched = EngineChoice.BATCHED.selector(1);
        EngineChoice.Selector sequential = EngineChoice.SEQUENTIAL.selector(1);
        EngineChoice.Selector parallel = EngineChoice.PARALLEL.selector(2)) {
      assertTrue(batched.batches(EngineChoice.BLOCK_MAX_ROWS));
      assertFalse(batched.batches(EngineChoice.BLOCK_MAX_ROWS + 1));
      assertInstanceOf(BatchedEngine.class, batched.engineFor(EngineChoice.BLOCK_MAX_ROWS + 1));
      assertFalse(sequential.batches(10));
      assertInstanceOf(SequentialEngine.class, sequential.engineFor(10));
      assertTrue(sequential.lean(EngineChoice.LEAN_MIN_STEPS));
      assertFalse(parallel.batches(10));
      assertFalse(parallel.lean(EngineChoice.LEAN_MIN_STEPS));
      assertInstanceOf(ParallelEngine.class, parallel.engineFor(10));
      assertTrue(batched.describe().contains("--engine batched"), batched.describe());
    }
  }

  @Test
  void parsesNamesAndListsThemOnAMistake() {
    assertEquals(EngineChoice.BATCHED, EngineChoice.parse(" Batched "));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EngineChoice.parse("fast"));
    assertTrue(e.getMessage().contains("sequential, parallel, batched or auto"), e.getMessage());
  }
}
