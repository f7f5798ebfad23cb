"""Reference forecasts for ForecastJobTest: statsmodels 0.13.5 get_forecast(H) for two fixed models.

Run with /usr/bin/python3 (python3-statsmodels); it writes forecast_reference.json next to itself, which the
test reads (Python is not needed at test time). Conventions are the project's (dynamax's): x_0 ~ N(mean, cov)
is the state of the FIRST observation, which is statsmodels' initialize_known(mean, cov). NaN is missing.

1. local level on the Nile flows (data/nile.csv, 1871-1970) with some years missing: level_std 38.3,
   measurement_std 122.9, initial N(1000, 1e7); H = 12.
2. 2-D constant velocity with a fixed dt = 0.5 (state [px, py, vx, vy], positions observed), continuous
   white-noise acceleration q = 0.7: Q = q [[dt^3/3, dt^2/2], [dt^2/2, dt]] per axis, measurement stds
   (0.4, 0.6); 30 simulated steps with whole and partial missing steps; H = 8.
"""
import json
import os

import numpy as np
from statsmodels.tsa.statespace.mlemodel import MLEModel
from statsmodels.tsa.statespace.structural import UnobservedComponents

HERE = os.path.dirname(os.path.abspath(__file__))


def nile():
    rows = np.genfromtxt(os.path.join(HERE, "..", "data", "nile.csv"), delimiter=",", skip_header=1)
    years = rows[:, 0].astype(int)
    flow = rows[:, 1].copy()
    for year in (1880, 1881, 1882, 1913, 1950, 1970):
        flow[years == year] = np.nan  # 1970 is the last year: the forecast starts after a missing step
    level_std, measurement_std, h = 38.3, 122.9, 12
    model = UnobservedComponents(flow, level="local level")
    model.ssm.initialize_known(np.array([1000.0]), np.array([[1e7]]))
    model.ssm.loglikelihood_burn = 0
    params = [measurement_std ** 2, level_std ** 2]
    result = model.smooth(params)
    forecast = result.get_forecast(h)
    return {
        "years": years.tolist(),
        "flow": [None if np.isnan(v) else float(v) for v in flow],
        "level_std": level_std, "measurement_std": measurement_std, "mean": [1000.0], "cov": [[1e7]],
        "steps": h,
        "loglik": float(model.loglike(params)),
        "forecast_mean": [[float(v)] for v in np.asarray(forecast.predicted_mean)],
        "forecast_cov": [[[float(v)]] for v in np.asarray(forecast.var_pred_mean)],
    }


class Fixed(MLEModel):
    """A model whose matrices are all fixed: no parameters."""

    def __init__(self, endog, k_states):
        super().__init__(endog, k_states=k_states)

    @property
    def param_names(self):
        return []

    @property
    def start_params(self):
        return np.array([])


def constant_velocity():
    dt, q, std, h, steps = 0.5, 0.7, np.array([0.4, 0.6]), 8, 30
    f1 = np.array([[1.0, dt], [0.0, 1.0]])
    q1 = q * np.array([[dt ** 3 / 3, dt ** 2 / 2], [dt ** 2 / 2, dt]])
    F = np.zeros((4, 4))
    Q = np.zeros((4, 4))
    for axis in range(2):
        idx = [axis, 2 + axis]
        F[np.ix_(idx, idx)] = f1
        Q[np.ix_(idx, idx)] = q1
    H = np.zeros((2, 4))
    H[0, 0] = H[1, 1] = 1.0
    R = np.diag(std ** 2)
    mean = np.array([1.0, -2.0, 0.5, 0.3])
    cov = np.diag([1.0, 1.0, 0.5, 0.5])
    rng = np.random.default_rng(7)
    x = rng.multivariate_normal(mean, cov)
    ys = []
    for t in range(steps):
        ys.append(H @ x + rng.normal(size=2) * std)
        x = F @ x + rng.multivariate_normal(np.zeros(4), Q)
    y = np.array(ys)
    y[[4, 5, 17], :] = np.nan  # whole steps missing
    y[9, 0] = np.nan  # partly missing steps
    y[22, 1] = np.nan
    y[29, 0] = np.nan  # the last step is partly missing
    model = Fixed(y, 4)
    model.ssm["transition"] = F
    model.ssm["selection"] = np.eye(4)
    model.ssm["state_cov"] = Q
    model.ssm["design"] = H
    model.ssm["obs_cov"] = R
    model.ssm.initialize_known(mean, cov)
    result = model.smooth([])
    forecast = result.get_forecast(h)
    return {
        "t": [round(0.5 * t, 10) for t in range(steps)],
        "x": [None if np.isnan(v) else float(v) for v in y[:, 0]],
        "y": [None if np.isnan(v) else float(v) for v in y[:, 1]],
        "dt": dt, "q": q, "measurement_std": std.tolist(), "mean": mean.tolist(), "cov": cov.tolist(),
        "steps": h,
        "loglik": float(result.llf),
        "forecast_mean": np.asarray(forecast.predicted_mean).tolist(),
        "forecast_cov": np.asarray(forecast.var_pred_mean).tolist(),
    }


def main():
    out = {"local_level_nile": nile(), "constant_velocity": constant_velocity()}
    with open(os.path.join(HERE, "forecast_reference.json"), "w") as f:
        json.dump(out, f)
        f.write("\n")


if __name__ == "__main__":
    main()
