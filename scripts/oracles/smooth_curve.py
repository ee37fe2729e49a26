# Writes test/fixtures/smooth-curve.json: loss-curve smoothing as the book's figures do it (an 11-point Kaiser
# window, beta 2, normalised to sum 1, over the series with its ends mirrored: 10 points before the start without
# x[0], 10 after the end with x[-1]; convolved 'valid', 5 dropped at each end), computed with numpy's np.kaiser and
# np.convolve, for test/plot/smooth.test.ts. Uses numpy only. Run from the repo root:
#   python3 scripts/oracles/smooth_curve.py
import json
import numpy as np

W = 11
w = np.kaiser(W, 2)
w = w / w.sum()

def smooth(x):
    x = np.asarray(x, dtype=np.float64)
    s = np.concatenate([x[W - 1:0:-1], x, x[-1:-W:-1]])
    y = np.convolve(w, s, mode='valid')
    return y[5:len(y) - 5]

rs = np.random.RandomState(7)
cases = []
for n in (11, 12, 25, 300):
    x = np.exp(-np.arange(n) / 60.0) * 2.3 + 0.3 * rs.random_sample(n)
    cases.append({'x': x.tolist(), 'y': smooth(x).tolist()})
cases.append({'x': [0.0] * 5 + [1.0] + [0.0] * 15, 'y': smooth([0.0] * 5 + [1.0] + [0.0] * 15).tolist()})  # an impulse
fixture = {
    'source': 'scripts/oracles/smooth_curve.py (numpy ' + np.__version__ + ')',
    'window': w.tolist(),
    'cases': cases,
}
with open('test/fixtures/smooth-curve.json', 'w') as f:
    json.dump(fixture, f)
    f.write('\n')
