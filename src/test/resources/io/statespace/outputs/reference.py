"""Reference values for OutputsStatsmodelsTest (smooth --outputs predicted,smoothed_obs,diagnostics).

Run with statsmodels 0.13.5:  /usr/bin/python3 reference.py   (writes the *.csv inputs, *.json models and
*-expected.json next to this script). Three cases, each one or two trajectories:
  linear  : n=2, p=2, one input (b + B u, d + D u), correlated Q and R, fully and partly missing steps;
  cv      : constant-velocity 2-D, dt from irregular times (F_t, Q_t per step), missing steps;
  level   : local level, missing steps; and level-full, complete, where the Ljung-Box equals
            test_serial_correlation('ljungbox') at statsmodels' default lag.
Per step: predicted_state(_cov), forecasts, forecasts_error_cov, forecasts_error, standardized_forecasts_error
(statsmodels' Cholesky whitening of the observed block), smoothed_forecasts, smoothed_forecasts_error_cov
(H P_{t|T} H' + R) and H P_{t|T} H' (state only). ljungbox-expected.json: acorr_ljungbox on short series (the default lag's edge cases).
Per trajectory: observed components, the mean NIS over steps with
an observed component, and per component acorr_ljungbox(e_i[observed], lags=None) at its last lag; the reported
test is the component with the smallest p-value.
"""
import json
import os

import numpy as np
from statsmodels.stats.diagnostic import acorr_ljungbox
from statsmodels.tsa.statespace.kalman_smoother import KalmanSmoother

HERE = os.path.dirname(os.path.abspath(__file__))


def run(y, mu0, sig0, F, c, Q, H, e, R):
    """y: T x p (NaN missing); F, Q: n x n x T; c: n x T; H: p x n; e: p x T; R: p x p."""
    T, p = y.shape
    n = mu0.shape[0]
    ks = KalmanSmoother(k_endog=p, k_states=n, k_posdef=n)
    ks.bind(np.ascontiguousarray(y))
    ks['design'] = H
    ks['obs_intercept'] = e
    ks['obs_cov'] = R
    ks['transition'] = F
    ks['state_intercept'] = c
    ks['selection'] = np.eye(n)
    ks['state_cov'] = Q
    ks.initialize_known(mu0, sig0)
    r = ks.smooth()
    steps = []
    for t in range(T):
        Ps = r.smoothed_state_cov[:, :, t]
        steps.append({
            'predicted_mean': r.predicted_state[:, t].tolist(),
            'predicted_cov': r.predicted_state_cov[:, :, t].ravel().tolist(),
            'predicted_obs_mean': r.forecasts[:, t].tolist(),
            'predicted_obs_cov': r.forecasts_error_cov[:, :, t].ravel().tolist(),
            'innovation': [None if np.isnan(v) else v for v in r.forecasts_error[:, t]],
            'standardized_innovation': [None if np.isnan(y[t, i]) else r.standardized_forecasts_error[i, t]
                                        for i in range(p)],
            'smoothed_obs_mean': r.smoothed_forecasts[:, t].tolist(),
            'smoothed_obs_std': np.sqrt(np.diag(H @ Ps @ H.T)).tolist(),
            'smoothed_obs_predictive_std': np.sqrt(np.diag(r.smoothed_forecasts_error_cov[:, :, t])).tolist(),
        })
    # the innovation covariance over all p components, also where a component is missing
    for t in range(T):
        S = H @ r.predicted_state_cov[:, :, t] @ H.T + R
        assert np.allclose(S, r.forecasts_error_cov[:, :, t], rtol=1e-12, atol=1e-12), t
    obs = ~np.isnan(y)
    nis = [np.nansum(r.standardized_forecasts_error[obs[t], t] ** 2) for t in range(T) if obs[t].any()]
    best = None
    for i in range(p):
        x = r.standardized_forecasts_error[i, obs[:, i]]
        if len(x) // 5 < 1:
            continue
        q, pv = acorr_ljungbox(x, lags=None, return_df=False)
        cand = (float(pv[-1]), float(q[-1]), int(min(10, len(x) // 5)))
        if best is None or cand[0] < best[0]:
            best = cand
    summary = {
        'observed': int(obs.sum()),
        'mean_nis': float(np.mean(nis)) if nis else None,
        'ljung_box': None if best is None else best[1],
        'ljung_box_pvalue': None if best is None else best[0],
        'ljung_box_lag': None if best is None else best[2],
        'loglik': float(r.llf),
    }
    return steps, summary, r


def write(case, model, columns, trajectories):
    """trajectories: list of (id, times, y, u or None, steps, summary)."""
    with open(os.path.join(HERE, case + '.json'), 'w') as f:
        json.dump(model, f, indent=1)
    with open(os.path.join(HERE, case + '.csv'), 'w') as f:
        f.write(','.join(columns) + '\n')
        for tid, times, y, u, _, _ in trajectories:
            for t in range(len(times)):
                cells = [tid, repr(float(times[t]))]
                cells += ['' if np.isnan(v) else repr(float(v)) for v in y[t]]
                if u is not None:
                    cells += [repr(float(v)) for v in u[t]]
                f.write(','.join(cells) + '\n')
    expected = {tid: {'steps': steps, 'summary': summary} for tid, _, _, _, steps, summary in trajectories}
    with open(os.path.join(HERE, case + '-expected.json'), 'w') as f:
        json.dump(expected, f)


def linear_case():
    rng = np.random.default_rng(15)
    n, p = 2, 2
    F = np.array([[0.9, 0.2], [-0.1, 0.8]])
    b = np.array([0.1, -0.2])
    B = np.array([[0.5], [1.0]])
    Q = np.array([[0.3, 0.05], [0.05, 0.2]])
    H = np.array([[1.0, 0.0], [0.5, 1.0]])
    d = np.array([0.3, -0.1])
    D = np.array([[0.2], [0.0]])
    R = np.array([[0.5, 0.1], [0.1, 0.4]])
    mu0 = np.array([1.0, -1.0])
    sig0 = np.array([[2.0, 0.3], [0.3, 1.0]])
    model = {'family': 'linear', 'state_dim': n, 'obs_dim': p,
             'columns': {'id': 'id', 'time': 't', 'observations': ['y0', 'y1'], 'inputs': ['u']},
             'initial': {'mean': mu0.tolist(), 'cov': sig0.tolist()},
             'dynamics': {'weights': F.tolist(), 'bias': b.tolist(), 'cov': Q.tolist(), 'input_weights': B.tolist()},
             'emissions': {'weights': H.tolist(), 'bias': d.tolist(), 'cov': R.tolist(), 'input_weights': D.tolist()}}
    trajectories = []
    for tid, T in (('lin-a', 60), ('lin-b', 23)):
        u = rng.normal(size=(T, 1))
        x = rng.multivariate_normal(mu0, sig0)
        y = np.zeros((T, p))
        for t in range(T):
            y[t] = H @ x + d + D @ u[t] + rng.multivariate_normal(np.zeros(p), R)
            x = F @ x + b + B @ u[t] + rng.multivariate_normal(np.zeros(n), Q)
        for t in range(T):
            r = rng.random()
            if r < 0.1:
                y[t, :] = np.nan
            elif r < 0.25:
                y[t, rng.integers(p)] = np.nan
        Fs = np.repeat(F[:, :, None], T, axis=2)
        Qs = np.repeat(Q[:, :, None], T, axis=2)
        c = (b[:, None] + B @ u.T)
        e = (d[:, None] + D @ u.T)
        steps, summary, _ = run(y, mu0, sig0, Fs, c, Qs, H, e, R)
        trajectories.append((tid, np.arange(T, dtype=float), y, u, steps, summary))
    write('linear', model, ['id', 't', 'y0', 'y1', 'u'], trajectories)


def cv_case():
    rng = np.random.default_rng(151)
    q, std = 0.5, np.array([0.4, 0.7])
    mu0 = np.array([0.0, 1.0, 1.0, -0.5])
    sig0 = np.diag([1.0, 1.0, 0.5, 0.5])
    model = {'family': 'constant-velocity', 'spatial_dims': 2, 'noise': 'continuous', 'q': q,
             'measurement_std': std.tolist(),
             'columns': {'id': 'id', 'time': 't', 'observations': ['x', 'y']},
             'initial': {'mean': mu0.tolist(), 'cov': sig0.tolist()}}
    T = 50
    times = np.concatenate([[0.0], np.cumsum(rng.uniform(0.05, 0.6, size=T - 1))])
    Fs = np.zeros((4, 4, T))
    Qs = np.zeros((4, 4, T))
    for t in range(T):
        dt = times[t + 1] - times[t] if t + 1 < T else 0.0
        F = np.eye(4)
        F[0, 2] = F[1, 3] = dt
        Qt = np.zeros((4, 4))
        for a in range(2):
            Qt[a, a] = q * dt ** 3 / 3
            Qt[a, a + 2] = Qt[a + 2, a] = q * dt ** 2 / 2
            Qt[a + 2, a + 2] = q * dt
        Fs[:, :, t], Qs[:, :, t] = F, Qt
    H = np.hstack([np.eye(2), np.zeros((2, 2))])
    R = np.diag(std ** 2)
    x = rng.multivariate_normal(mu0, sig0)
    y = np.zeros((T, 2))
    for t in range(T):
        y[t] = H @ x + rng.normal(size=2) * std
        x = Fs[:, :, t] @ x + rng.multivariate_normal(np.zeros(4), Qs[:, :, t] + 1e-300 * np.eye(4))
    y[[5, 6, 20], :] = np.nan
    y[[11, 30, 31], 1] = np.nan
    y[[40], 0] = np.nan
    steps, summary, _ = run(y, mu0, sig0, Fs, np.zeros((4, T)), Qs, H, np.zeros((2, T)), R)
    write('cv', model, ['id', 't', 'x', 'y'], [('cv-1', times, y, None, steps, summary)])


def level_cases():
    rng = np.random.default_rng(1871)
    level_std, meas_std = 38.3, 122.9
    mu0, sig0 = np.array([1000.0]), np.array([[1e4]])
    for case, T, missing in (('level', 100, True), ('level-full', 100, False)):
        model = {'family': 'local-level', 'level_std': level_std, 'measurement_std': meas_std,
                 'columns': {'id': 'id', 'time': 'year', 'observations': ['flow']},
                 'initial': {'mean': mu0.tolist(), 'cov': sig0.tolist()}}
        lvl = 1000.0
        y = np.zeros((T, 1))
        for t in range(T):
            y[t, 0] = lvl + meas_std * rng.normal()
            lvl += level_std * rng.normal()
        if missing:
            y[[3, 4, 5, 40, 41, 77], 0] = np.nan
        Fs = np.ones((1, 1, T))
        Qs = np.full((1, 1, T), level_std ** 2)
        steps, summary, r = run(y, mu0, sig0, Fs, np.zeros((1, T)), Qs, np.eye(1), np.zeros((1, T)),
                                np.array([[meas_std ** 2]]))
        if not missing:
            # the documented equality: statsmodels' own serial-correlation test at its default lag
            from statsmodels.tsa.statespace.mlemodel import MLEResults
            lb = MLEResults.test_serial_correlation(_results_like(r, T), 'ljungbox')
            assert abs(lb[0, 0, -1] - summary['ljung_box']) < 1e-12 * lb[0, 0, -1], (lb, summary)
            assert abs(lb[0, 1, -1] - summary['ljung_box_pvalue']) < 1e-12, (lb, summary)
        write(case, model, ['id', 'year', 'flow'],
              [('nile', np.arange(1871, 1871 + T, dtype=float), y, None, steps, summary)])


def _results_like(r, T):
    """The attributes test_serial_correlation reads from an MLEResults, taken from the smoother's results."""
    class Like:
        pass
    like = Like()
    like.standardized_forecasts_error = r.standardized_forecasts_error
    like.filter_results = r
    like.loglikelihood_burn = 0
    like.nobs_diffuse = 0
    like.nobs = T
    like.model = Like()
    like.model.k_endog = 1
    like.df_model = 0
    like.k_diffuse_states = 0
    return like


def ljungbox_edges():
    """acorr_ljungbox at its default lag on short series: 5 values (lag 1), 9 (lag 1), 10 (lag 2), 60 (lag 10)."""
    rng = np.random.default_rng(5)
    out = []
    for count in (5, 9, 10, 60):
        x = rng.normal(size=count) + 0.5 * np.arange(count) / count
        q, pv = acorr_ljungbox(x, lags=None, return_df=False)
        out.append({'x': x.tolist(), 'ljung_box': float(q[-1]), 'pvalue': float(pv[-1]), 'lag': len(q)})
    with open(os.path.join(HERE, 'ljungbox-expected.json'), 'w') as f:
        json.dump(out, f)


if __name__ == '__main__':
    ljungbox_edges()
    linear_case()
    cv_case()
    level_cases()
