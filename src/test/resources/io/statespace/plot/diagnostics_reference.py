"""Reference values for the innovation diagnostics of `plot --diagnostics` (InnovationDiagnosticsTest).

Writes diagnostics_reference.json next to this file. Run with /usr/bin/python3 (statsmodels 0.13, scipy,
numpy); the tests read the stored JSON, Python is not needed at test time.

The series: statsmodels' standardised one-step forecast errors of the Nile local level (sigma2_eps = 15099,
sigma2_eta = 1469.1, known initial state N(1000, 1e7)), with the years listed in MISSING set to NaN before
filtering (so the filter skips them, as `smooth` does) -- the values `smooth --outputs predicted` writes as
`standardized_innovation`. A second trajectory (the last 40 years of a second filter run on the flows divided
by 2) gives the pooled case.

- acf: statsmodels.tsa.stattools.acf(x, nlags=10, missing="conservative", adjusted=False, fft=False)
  (mean and products over the observed values, pairs with a NaN skipped, denominator the observed count).
- pooled acf: computed here directly: pooled mean, lag products only within a trajectory, denominator the
  sum of squares over every observed value.
- qq: scipy.stats.norm.ppf(i / (n + 1)), i = 1..n (statsmodels ProbPlot's default plotting positions, a = 0),
  against the sorted values.
- histogram: numpy.histogram(x, bins=10, density=True) (matplotlib's default ax.hist bins).
- kde: scipy.stats.gaussian_kde(x) (Scott's rule) at 9 points of [-3.92, 3.92].
"""
import json
import os

import numpy as np
from scipy import stats
from statsmodels.tsa.stattools import acf
from statsmodels.tsa.statespace.structural import UnobservedComponents

HERE = os.path.dirname(os.path.abspath(__file__))
NILE = os.path.join(HERE, "..", "data", "nile.csv")
MISSING = [1880, 1881, 1905, 1931, 1950]


def standardized(years, flows):
    y = np.array(flows, dtype=float)
    for k, year in enumerate(years):
        if year in MISSING:
            y[k] = np.nan
    model = UnobservedComponents(y, level="local level")
    model.ssm.initialize_known(np.array([1000.0]), np.array([[1e7]]))
    model.ssm.loglikelihood_burn = 0
    res = model.filter([15099.0, 1469.1])
    e = np.array(res.filter_results.standardized_forecasts_error[0])
    e[np.isnan(y)] = np.nan  # statsmodels writes 0 at a missing step; the output column holds null there
    return e


def pooled_acf(series, lags):
    values = np.concatenate([s[~np.isnan(s)] for s in series])
    mean = values.mean()
    denom = ((values - mean) ** 2).sum()
    out = []
    for k in range(lags + 1):
        total = 0.0
        for s in series:
            d = s - mean
            for t in range(len(s) - k):
                if not np.isnan(d[t]) and not np.isnan(d[t + k]):
                    total += d[t] * d[t + k]
        out.append(total / denom)
    return out


rows = np.loadtxt(NILE, delimiter=",", skiprows=1)
years = [int(v) for v in rows[:, 0]]
flows = list(rows[:, 1])
first = standardized(years, flows)
second = standardized(years[60:], [f / 2 for f in flows[60:]])
observed = first[~np.isnan(first)]
pooled_values = np.concatenate([observed, second[~np.isnan(second)]])
grid = list(np.linspace(-3.92, 3.92, 9))
counts, edges = np.histogram(observed, bins=10, density=True)
srt = np.sort(observed)
n = len(srt)


def nan_to_none(v):
    return [None if np.isnan(x) else float(x) for x in v]


out = {
    "years": years,
    "first": nan_to_none(first),
    "second_years": years[60:],
    "second": nan_to_none(second),
    "lags": 10,
    "acf": [float(v) for v in acf(first, nlags=10, missing="conservative", adjusted=False, fft=False)],
    "pooled_acf": pooled_acf([first, second], 10),
    "pooled_count": int(len(pooled_values)),
    "qq_theoretical": [float(v) for v in stats.norm.ppf(np.arange(1, n + 1) / (n + 1))],
    "qq_sample": [float(v) for v in srt],
    "hist_edges": [float(v) for v in edges],
    "hist_density": [float(v) for v in counts],
    "kde_at": [float(v) for v in grid],
    "kde": [float(v) for v in stats.gaussian_kde(observed)(grid)],
}
with open(os.path.join(HERE, "diagnostics_reference.json"), "w") as f:
    json.dump(out, f, indent=1)
print("acf", out["acf"][:4], "pooled", out["pooled_acf"][:3], "n", n)
