package io.statespace.inference.parallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.StateSpaceModel;
import io.statespace.testing.RandomModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The driver's forward check and repairs ({@link SegmentChain}, docs/ARCHITECTURE.md §7.5) on a random model
 * cut in three segments, with pass 2 run here: a prefix that lost precision is replaced by the previous
 * segment's sequential end and only the segment after it is filtered again; a failure is a refusal only from
 * an accepted prefix (the cap on rounds, which needs more than {@link SegmentChain#MAX_ROUNDS} segments, is
 * SegmentedSmootherTest's).
 */
class SegmentChainTest {
  private final SplittableRandom rng = new SplittableRandom(3);
  private final StateSpaceModel model = RandomModels.linear(rng, 3, 2, 0);
  private final Trajectory tr = RandomModels.trajectory(rng, model, "chain", 300, new RandomModels.DataShape());
  private final SegmentPasses passes = new SegmentPasses(model);
  private final List<SegmentWindow> windows = List.of(SegmentWindow.of(tr, 0, 100), SegmentWindow.of(tr, 100, 200),
      SegmentWindow.of(tr, 200, 300));
  private final long[] starts = {0, 100, 200};

  private List<double[]> elements() {
    List<double[]> out = new ArrayList<>();
    for (SegmentWindow w : windows) out.add(passes.filterElement(w));
    return out;
  }

  private SegmentChain chain(List<double[]> elements) {
    return new SegmentChain(3, tr.id(), starts, elements, SegmentChain.priorOf(model));
  }

  /** Runs pass 2 on the chain's segments to run. */
  private void runPass2(SegmentChain chain) {
    for (int j : chain.toRun()) chain.result(j, passes.filter(windows.get(j), chain.before(j)).end());
  }

  @Test
  void aPrefixThatLostPrecisionIsReplacedByTheSequentialEnd() {
    List<double[]> elements = elements();
    FilterOperator op = new FilterOperator(3);
    elements.get(1)[op.offsetC() + 4] *= 1 + 1e-9;
    SegmentChain chain = chain(elements);
    assertEquals(List.of(0, 1, 2), chain.toRun());
    runPass2(chain);
    assertFalse(chain.advance(), "the prefix of the third segment differs from the second's end by 1e-9");
    assertEquals(List.of(2), chain.toRun(), "only the segment whose prefix was repaired is filtered again");
    Moments end1 = passes.filter(windows.get(1), chain.before(1)).end();
    assertArrayEquals(end1.mean(), chain.before(2).mean(), "the repaired prefix is the second segment's sequential end");
    assertArrayEquals(end1.cov(), chain.before(2).cov());
    runPass2(chain);
    assertTrue(chain.advance());
    assertNull(chain.refusal());
    assertEquals(List.of(200L), chain.repairedCuts());
    assertEquals(1, chain.repairRounds());
    assertTrue(chain.worstScanned() > 1e-10 && chain.worstScanned() < 1e-8, "the scan's residual " + chain.worstScanned());
    Posterior sequential = new SequentialEngine().filter(model, tr, Outputs.MOMENTS);
    assertArrayEquals(Arrays.copyOfRange(sequential.filteredMeans(), 199 * 3, 200 * 3), chain.before(2).mean(), 1e-12);
    assertTrue(chain.describeRepairs().startsWith("the scanned prefixes differed from the segments' own sequential filters by more than 1e-13 at 1 of 2 cuts (first steps "
        + "[200]); there each segment started from the previous segment's own sequential filter instead (1 more round of "
        + "segment filters)"), chain.describeRepairs());
  }

  @Test
  void aWellConditionedScanNeedsNoRepair() {
    SegmentChain chain = chain(elements());
    runPass2(chain);
    assertTrue(chain.advance());
    assertNull(chain.refusal());
    assertEquals(List.of(), chain.repairedCuts());
    assertNull(chain.describeRepairs());
    assertTrue(chain.worstAccepted() < 1e-15, "well-conditioned residual " + chain.worstAccepted());
    assertEquals(chain.worstAccepted(), chain.worstScanned());
  }

  /** A segment that fails from an accepted prefix refuses the trajectory with its own message. */
  @Test
  void aFailureFromAnAcceptedPrefixIsARefusal() {
    SegmentChain chain = chain(elements());
    chain.result(0, passes.filter(windows.get(0), null).end());
    chain.failed(1, "trajectory 'chain', step 130: boom");
    chain.result(2, passes.filter(windows.get(2), chain.before(2)).end());
    assertTrue(chain.advance());
    assertEquals("trajectory 'chain', step 130: boom", chain.refusal());
  }

  /** A segment that fails from a prefix that is then repaired is only filtered again. */
  @Test
  void aFailureFromARepairedPrefixIsRetried() {
    List<double[]> elements = elements();
    FilterOperator op = new FilterOperator(3);
    elements.get(0)[op.offsetB()] += 1e-3;
    SegmentChain chain = chain(elements);
    chain.result(0, passes.filter(windows.get(0), null).end());
    chain.failed(1, "trajectory 'chain', step 130: boom from a wrong start");
    chain.result(2, passes.filter(windows.get(2), chain.before(2)).end());
    assertFalse(chain.advance());
    assertNull(chain.refusal());
    assertTrue(chain.toRun().contains(1), "the failed segment runs again from its repaired prefix: " + chain.toRun());
    do {
      runPass2(chain);
    } while (!chain.advance());
    assertNull(chain.refusal());
    assertEquals(100L, chain.repairedCuts().get(0));
  }
}
