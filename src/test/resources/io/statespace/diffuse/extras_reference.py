"""Reference values for DiffuseJobsTest.extrasAndForecastsOfADiffuseModel: the Nile local level with an exact diffuse
initial level at sigma2_eps = 15099, sigma2_eta = 1469.1 (statsmodels 0.13.5): standardized forecast errors,
statsmodels' Ljung-Box of test_serial_correlation (which leaves out the diffuse period), the mean squared
standardized error after the diffuse period, and get_forecast(5). Run: /usr/bin/python3 extras_reference.py"""
import json
import numpy as np
import statsmodels.api as sm
from statsmodels.datasets import nile

y = nile.load_pandas().data["volume"].to_numpy(dtype=float)
mod = sm.tsa.UnobservedComponents(y, "llevel", use_exact_diffuse=True)
res = mod.smooth([15099.0, 1469.1])
e = res.filter_results.standardized_forecasts_error[0]
d = res.filter_results.nobs_diffuse
lb = res.test_serial_correlation("ljungbox", lags=None)
fc = res.get_forecast(5)
out = {
    "y": y.tolist(),
    "nobs_diffuse": int(d),
    "standardized_innovation": e.tolist(),
    "mean_nis_after_diffuse": float(np.mean(e[d:] ** 2)),
    "ljung_box": float(lb[0, 0, -1]),
    "ljung_box_pvalue": float(lb[0, 1, -1]),
    "ljung_box_lag": int(lb.shape[2]),
    "forecast_mean": fc.predicted_mean.tolist(),
    "forecast_var": fc.var_pred_mean.tolist(),
}
with open("extras_reference.json", "w") as f:
    json.dump(out, f, indent=1)
print(d, out["ljung_box"], out["ljung_box_pvalue"], out["ljung_box_lag"], out["mean_nis_after_diffuse"], e[:3], out["forecast_mean"][:2], out["forecast_var"][:2])
