package io.statespace.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.bench.peers.CommonsMathPeer;
import io.statespace.bench.peers.HipparchusPeer;
import io.statespace.data.Trajectory;
import io.statespace.inference.Outputs;
import io.statespace.inference.Posterior;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.testing.Differences;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bench compares like with like: on the bench model, Hipparchus's smoothed means and Commons Math's
 * filtered means equal our sequential engine's (1e-9 relative), and the peers load by name.
 */
class PeersAgreeTest {
  private final BenchModel bench = new BenchModel();
  private final List<Trajectory> data = bench.simulate(3, 60, 11);

  @Test
  void hipparchusSmootherComputesWhatWeCompute() {
    for (Trajectory tr : data) {
      Posterior ours = new SequentialEngine().smooth(bench.model(), tr, Outputs.MOMENTS);
      double diff = Differences.relative(HipparchusPeer.smoothedMeans(bench, tr), ours.smoothedMeans());
      assertTrue(diff < 1e-9, tr.id() + ": " + diff);
    }
  }

  @Test
  void commonsMathFilterComputesWhatWeCompute() {
    for (Trajectory tr : data) {
      Posterior ours = new SequentialEngine().filter(bench.model(), tr, Outputs.MOMENTS);
      double diff = Differences.relative(CommonsMathPeer.filteredMeans(bench, tr, false), ours.filteredMeans());
      assertTrue(diff < 1e-9, tr.id() + ": " + diff);
    }
  }

  @Test
  void peersLoadByNameAndTheirChecksumsMatchOurs() {
    List<String> missing = new ArrayList<>();
    List<Peer> peers = Peers.load(missing);
    assertEquals(List.of(), missing);
    assertEquals(2, peers.size());
    double ours = 0.0;
    for (Trajectory tr : data) {
      Posterior p = new SequentialEngine().smooth(bench.model(), tr, Outputs.MOMENTS);
      ours += p.smoothedMeans()[(p.length() - 1) * p.stateDim()];
    }
    for (Peer peer : peers) {
      assertEquals(ours, peer.run(bench, data), 1e-9 * Math.abs(ours), peer.name());
    }
    assertTrue(Peers.charts() != null, "XChart writer on the test classpath");
  }
}
