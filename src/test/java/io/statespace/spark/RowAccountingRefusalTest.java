package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The guard {@link SmoothJob} runs before it commits: rows in = state rows written + rows quarantined, and the
 * states pass counted the trajectories and quarantined rows that the summary and quarantine rows read back
 * hold. A run that fails either is refused with one line saying why.
 */
class RowAccountingRefusalTest {
  private static SmoothReport report(long in, long out, long quarantined, long trajectories) {
    return new SmoothReport(in, out, quarantined, trajectories, Map.of(), "test", Map.of(), Map.of(), 1.0, "out", 1);
  }

  @Test
  void aBalancedRunWhosePassesAgreeIsAccepted() {
    SmoothJob.refuseUnlessBalanced(report(10, 7, 3, 2), 2, 3);
  }

  @Test
  void anUnbalancedRunIsRefused() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> SmoothJob.refuseUnlessBalanced(report(10, 6, 3, 2), 2, 3));
    assertTrue(e.getMessage().startsWith("row accounting failed, output not committed: rows in: 10 = rows out: 6"),
        e.getMessage());
  }

  @Test
  void passesThatDisagreeAreRefusedEvenWhenTheCountsBalance() {
    IllegalStateException trajectories = assertThrows(IllegalStateException.class,
        () -> SmoothJob.refuseUnlessBalanced(report(10, 7, 3, 2), 3, 3));
    assertEquals("row accounting failed, output not committed: the states pass and the summary and quarantine rows "
        + "disagree (states pass: 3 trajectories, 3 rows quarantined; summary and quarantine rows: 2 and 3)",
        trajectories.getMessage());
    IllegalStateException quarantine = assertThrows(IllegalStateException.class,
        () -> SmoothJob.refuseUnlessBalanced(report(10, 7, 3, 2), 2, 4));
    assertTrue(quarantine.getMessage().contains("states pass: 2 trajectories, 4 rows quarantined"),
        quarantine.getMessage());
  }
}
