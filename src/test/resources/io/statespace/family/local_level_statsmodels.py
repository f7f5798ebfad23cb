"""Reference log-likelihood and smoothed levels of a fixed local-level model (LocalLevelFamilyTest).

statsmodels UnobservedComponents, level='local level': level[t+1] = level[t] + eta, y[t] = level[t] + eps,
with a KNOWN initial state (statsmodels' default is diffuse, which would drop the first step's term). NaN is
a missing observation. Run with /usr/bin/python3 (python3-statsmodels) and paste the printed values into the
test.
"""
import numpy as np
from statsmodels.tsa.statespace.structural import UnobservedComponents

Y = [1.2, 0.7, 1.9, 2.4, np.nan, 3.1, 4.0, 3.6, 5.2, 5.9, 6.1, 7.4]
LEVEL_STD, MEASUREMENT_STD = 0.4, 0.6
MEAN = np.array([0.5])
COV = np.array([[2.0]])

model = UnobservedComponents(np.array(Y), level="local level")
model.ssm.initialize_known(MEAN, COV)
model.ssm.loglikelihood_burn = 0  # UnobservedComponents burns k_states steps for its default diffuse init
params = [MEASUREMENT_STD ** 2, LEVEL_STD ** 2]  # sigma2.irregular, sigma2.level
assert list(model.param_names) == ["sigma2.irregular", "sigma2.level"], model.param_names
result = model.smooth(params)
assert model.loglikelihood_burn == 0
print("loglike %.17g" % model.loglike(params))
print("smoothed level %s" % ", ".join("%.17g" % v for v in result.smoothed_state[0]))
print("smoothed level var %s" % ", ".join("%.17g" % v for v in result.smoothed_state_cov[0, 0]))
