package io.statespace.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.statespace.data.Trajectory;
import io.statespace.family.Families;
import io.statespace.inference.Outputs;
import io.statespace.inference.sequential.SequentialEngine;
import io.statespace.model.StateSpaceModel;
import io.statespace.model.StepParameters;
import io.statespace.model.spec.ModelSpec;
import io.statespace.testing.RandomModels;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The prediction loss against its definition ({@link LossFunction}): Σ (H_t m_{t|t−1} + e_t − y_t)² over
 * the observed components of every step, divided by their number, with m_{t|t−1} from the SEQUENTIAL
 * engine run on the observations the filter is meant to see: all of them (plain), the dropped steps
 * removed (dropout), or the dropped steps' observed components replaced by their own prediction, one step
 * after the other (feedback). The evaluator (the adjoint filter's forward pass) must give the same value.
 */
class PredictionLossDefinitionTest {
  private static final long EPOCH = 3L;
  private static final double RATE = 0.3;

  static Stream<Arguments> cases() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (boolean partlyMissing : new boolean[] {false, true}) {
      for (String variant : List.of("plain", "dropout", "feedback")) b.add(Arguments.of(variant, partlyMissing));
    }
    return b.build();
  }

  private static LossFunction loss(Parameterization param, String variant) {
    switch (variant) {
      case "plain":
        return LossFunction.prediction(param, 0.0, 11L, false);
      case "dropout":
        return LossFunction.prediction(param, RATE, 11L, false);
      default:
        return LossFunction.prediction(param, RATE, 11L, true);
    }
  }

  @ParameterizedTest(name = "{0}, partly missing {1}")
  @MethodSource("cases")
  void lossEqualsItsDefinitionOnTheSequentialEnginesPredictions(String variant, boolean partlyMissing) {
    StateSpaceModel generator = RandomModels.linear(new SplittableRandom(31), 3, 2, 1);
    Parameterization param = Families.parameterization(generator, ModelSpec.parameterNames(generator));
    SplittableRandom rng = new SplittableRandom(32);
    RandomModels.DataShape shape = new RandomModels.DataShape();
    shape.missingStepFraction = partlyMissing ? 0.15 : 0.0;
    shape.partialFraction = partlyMissing ? 0.2 : 0.0;
    List<Trajectory> data = new ArrayList<>();
    for (int i = 0; i < 6; i++) data.add(RandomModels.trajectory(rng, generator, "traj-" + i, 40, shape));
    if (partlyMissing) {
      assertTrue(data.stream().anyMatch(PredictionLossDefinitionTest::hasPartlyMissingStep),
          "the data must have steps with only some components missing");
    }

    double[] theta = GradientCheckTest.perturbed(param, 33);
    LossFunction lossFunction = loss(param, variant);
    LossAccumulator acc = new LocalObjective(lossFunction, data).accumulate(theta, EPOCH);
    assertEquals(0, acc.failures(), acc.firstFailure());

    StateSpaceModel model = param.model(theta);
    double sum = 0.0;
    long count = 0;
    int dropped = 0;
    for (Trajectory t : data) {
      double[] seen = seenByTheFilter(model, t, lossFunction);
      for (int k = 0; k < t.length(); k++) dropped += Double.compare(seen[k * t.obsDim()], t.observations()[k * t.obsDim()]) != 0 ? 1 : 0;
      double[] predicted = predictions(model, withObservations(t, seen));
      for (int i = 0; i < predicted.length; i++) {
        double y = t.observations()[i];
        if (Double.isNaN(y)) continue;
        sum += (predicted[i] - y) * (predicted[i] - y);
        count++;
      }
    }
    if (!variant.equals("plain")) assertTrue(dropped > 0, "no step was dropped: the case checks nothing");
    double expected = sum / count;
    assertEquals(count, acc.components(), "the loss must be divided by the number of observed components");
    System.out.printf("prediction loss %-8s partly missing %-5s: evaluator %.17g, definition %.17g%n", variant,
        partlyMissing, acc.loss(), expected);
    assertEquals(expected, acc.loss(), 1e-12 * expected, variant + ": evaluator against the definition");
  }

  private static boolean hasPartlyMissingStep(Trajectory t) {
    int m = t.obsDim();
    for (int k = 0; k < t.length(); k++) {
      int missing = 0;
      for (int i = 0; i < m; i++) missing += Double.isNaN(t.observations()[k * m + i]) ? 1 : 0;
      if (missing > 0 && missing < m) return true;
    }
    return false;
  }

  /** The observations the filter sees under this loss's dropout (epoch {@link #EPOCH}). */
  private static double[] seenByTheFilter(StateSpaceModel model, Trajectory t, LossFunction loss) {
    int m = t.obsDim();
    double[] seen = t.observations().clone();
    DropoutMask mask = loss.dropout();
    long key = mask.key(t.id());
    for (int k = 0; k < t.length(); k++) {
      if (!mask.dropped(key, k, EPOCH)) continue;
      if (loss.feedback()) {
        // y_O := ŷ_k, predicted from the observations seen before step k (which include earlier feedback).
        double[] predicted = predictions(model, withObservations(t, seen));
        for (int i = 0; i < m; i++) {
          if (!Double.isNaN(seen[k * m + i])) seen[k * m + i] = predicted[k * m + i];
        }
      } else {
        for (int i = 0; i < m; i++) seen[k * m + i] = Double.NaN;
      }
    }
    return seen;
  }

  private static Trajectory withObservations(Trajectory t, double[] observations) {
    return new Trajectory(t.id(), t.times(), observations, t.obsDim(), t.inputs(), t.inputDim());
  }

  /** H_t m_{t|t−1} + e_t for every step, from the sequential engine's predicted means. */
  private static double[] predictions(StateSpaceModel model, Trajectory t) {
    int n = model.stateDim();
    int m = t.obsDim();
    double[] means = new SequentialEngine().filter(model, t, Outputs.of(true, false)).predictedMeans();
    StepParameters params = model.bind(t);
    double[] h = new double[m * n];
    double[] e = new double[m];
    double[] r = new double[m * m];
    double[] out = new double[t.length() * m];
    for (int k = 0; k < t.length(); k++) {
      params.emissions(k, h, e, r);
      for (int i = 0; i < m; i++) {
        double s = e[i];
        for (int j = 0; j < n; j++) s += h[i * n + j] * means[k * n + j];
        out[k * m + i] = s;
      }
    }
    return out;
  }
}
