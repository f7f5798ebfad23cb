package io.statespace.model.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.statespace.family.Families;
import io.statespace.model.ConstantVelocityModel;
import io.statespace.model.StateSpaceModel;
import io.statespace.testing.RandomModels;
import io.statespace.testing.TrendModels;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Every name a model file may list in {@code fit.free} (the validator's list, which the fitting code shares)
 * builds a parameterisation on its own.
 */
class FitNamesTest {
  @Test
  void validatorAndParameterisationsAgree() {
    double[] eye4 = new double[16];
    for (int i = 0; i < 4; i++) eye4[i * 5] = 1.0;
    List<StateSpaceModel> models = List.of(
        RandomModels.linear(new SplittableRandom(1), 3, 2, 0),
        RandomModels.linear(new SplittableRandom(2), 2, 2, 2),
        new ConstantVelocityModel(2, 0.1, ConstantVelocityModel.Noise.CONTINUOUS, 1.0, new double[] {0.5, 0.5},
            new double[4], eye4),
        new ConstantVelocityModel(2, Double.NaN, ConstantVelocityModel.Noise.PIECEWISE, 1.0, new double[] {0.5, 0.5},
            new double[4], eye4),
        TrendModels.model(0.5, 0.3, 0.1, 0.7),
        TrendModels.model(Double.NaN, 0.3, 0.1, 0.7));
    for (StateSpaceModel model : models) {
      for (String name : ModelSpec.parameterNames(model)) {
        assertEquals(List.of(name), Families.parameterization(model, List.of(name)).free());
      }
    }
  }
}
