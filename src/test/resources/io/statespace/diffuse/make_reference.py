"""Reference values for the exact diffuse filter and smoother tests (DiffuseStatsmodelsTest).

Run with statsmodels 0.13.5:  /usr/bin/python3 make_reference.py  (writes reference.json next to it).
Every case uses statsmodels' exact diffuse initialisation (univariate treatment in the diffuse period).
"""
import json
import numpy as np
import statsmodels.api as sm
from statsmodels.tsa.statespace.mlemodel import MLEModel
from statsmodels.tsa.statespace.initialization import Initialization


def fixed_model(y, F, Q, H, R, init):
    mod = MLEModel(y, k_states=F.shape[0])
    mod.ssm['transition'] = F
    mod.ssm['selection'] = np.eye(F.shape[0])
    mod.ssm['state_cov'] = Q
    mod.ssm['design'] = H
    mod.ssm['obs_cov'] = R
    mod.ssm.initialize(init)
    return mod


def record(name, y, res, extra):
    out = dict(extra)
    out['name'] = name
    out['y'] = [[None if np.isnan(v) else float(v) for v in row] for row in np.atleast_2d(y.T).T]
    out['loglik'] = float(res.llf)
    out['nobs_diffuse'] = int(res.nobs_diffuse)
    out['smoothed_mean'] = res.smoothed_state.T.tolist()
    out['smoothed_cov'] = [res.smoothed_state_cov[:, :, t].ravel().tolist() for t in range(len(y))]
    out['filtered_mean'] = res.filter_results.filtered_state.T.tolist()
    out['filtered_cov'] = [res.filter_results.filtered_state_cov[:, :, t].ravel().tolist() for t in range(len(y))]
    return out


cases = []

# 1. Nile, local level at statsmodels' MLE, all years and with a few missing years.
nile = sm.datasets.nile.load_pandas().data['volume'].values.astype(float)
for name, y in [('nile', nile.copy()), ('nile_missing', nile.copy())]:
    if name == 'nile_missing':
        y[[1, 20, 21, 22, 60, 99]] = np.nan
    mod = sm.tsa.UnobservedComponents(y, 'llevel', use_exact_diffuse=True)
    res = mod.smooth([15099.0, 1469.1])
    cases.append(record(name, y.reshape(-1, 1), res,
                        {'model': {'family': 'local-level', 'measurement_var': 15099.0, 'level_var': 1469.1}}))

# 2. Two-dimensional constant velocity, positions and velocities diffuse, dt = 0.5, continuous noise q = 0.8,
#    measurement std (1.5, 0.7); a partly missing step and a fully missing step inside the diffuse period.
rng = np.random.default_rng(7)
dt, q = 0.5, 0.8
F1 = np.array([[1, dt], [0, 1]])
Q1 = q * np.array([[dt ** 3 / 3, dt ** 2 / 2], [dt ** 2 / 2, dt]])
F = np.zeros((4, 4)); Q = np.zeros((4, 4))
for ax in range(2):
    idx = [ax, 2 + ax]
    F[np.ix_(idx, idx)] = F1
    Q[np.ix_(idx, idx)] = Q1
H = np.zeros((2, 4)); H[0, 0] = 1; H[1, 1] = 1
std = np.array([1.5, 0.7])
R = np.diag(std ** 2)
T = 40
x = np.array([0.0, 1.0, 2.0, -1.0]); ys = []
for t in range(T):
    ys.append(H @ x + std * rng.standard_normal(2))
    x = F @ x + rng.multivariate_normal(np.zeros(4), Q)
y = np.array(ys)
y[1, 0] = np.nan          # partly missing in the diffuse period
y[2, :] = np.nan          # fully missing in the diffuse period
y[17, 1] = np.nan
y[25, :] = np.nan
init = Initialization(4, 'diffuse')
res = fixed_model(y, F, Q, H, R, init).smooth([])
cases.append(record('cv_diffuse', y, res, {'model': {'family': 'constant-velocity', 'dt': dt, 'q': q,
                                                        'measurement_std': std.tolist()}}))

# 3. Partly diffuse: the same model with positions diffuse and velocities known N((1, -1), [[0.5, 0.1], [0.1, 0.3]]).
init = Initialization(4)
init.set((0, 2), 'diffuse')
init.set((2, 4), 'known', constant=np.array([1.0, -1.0]), stationary_cov=np.array([[0.5, 0.1], [0.1, 0.3]]))
res = fixed_model(y, F, Q, H, R, init).smooth([])
cases.append(record('cv_partly_diffuse', y, res, {'model': {'family': 'constant-velocity', 'dt': dt, 'q': q,
                                                               'measurement_std': std.tolist(),
                                                               'diffuse': [0, 1], 'mean': [1.0, -1.0],
                                                               'cov': [[0.5, 0.1], [0.1, 0.3]]}}))

# 4. Local level fit on Nile with the exact diffuse initialisation (statsmodels' MLE). The default fit stops
#    early (llf -633.46464 at 15067.6 / 1484.8); converged tightly it reaches Durbin & Koopman's 15099 / 1469.1.
fit = sm.tsa.UnobservedComponents(nile, 'llevel', use_exact_diffuse=True).fit(
    method='bfgs', gtol=1e-10, maxiter=2000, disp=False)
mle = {'name': 'nile_mle', 'measurement_var': float(fit.params[0]), 'level_var': float(fit.params[1]),
       'loglik': float(fit.llf)}

with open('reference.json', 'w') as fh:
    json.dump({'cases': cases, 'mle': mle}, fh)
for c in cases:
    print(c['name'], c['loglik'], c['nobs_diffuse'])
print(mle)
