# Writes test/fixtures/numpy-random.json: draws of numpy's legacy RandomState (what np.random.seed + np.random.*
# give) in a fixed order per seed, for test/rng/numpy-random.test.ts; and the book's MNIST pixel scaling
# float32(p) / 255 for p = 0…255, for test/data/mnist-scale.test.ts. Uses numpy only. Run from the repo root:
#   python3 scripts/oracles/numpy_random.py
import json
import numpy as np

def draws(seed):
    rs = np.random.RandomState(seed)
    out = {'seed': seed, 'numpy': np.__version__}
    # raw MT19937 outputs: 1300 cross two regenerations of the 624-word state
    out['uint32'] = [int(v) for v in rs.randint(0, 2**32, size=1300, dtype=np.uint64)]
    out['random_sample'] = rs.random_sample(5).tolist()
    out['randn_3x3'] = rs.randn(3, 3).ravel().tolist()          # 9 draws: one Gaussian stays cached
    out['uniform'] = [float(rs.uniform(-8, -4)), float(rs.uniform(-6, -2))]  # does not touch the cache
    out['randn_4'] = rs.randn(4).tolist()                       # the first is the cached one
    out['choice_60000_128'] = rs.choice(60000, 128).tolist()
    out['choice_300_100'] = rs.choice(300, 100).tolist()
    out['randint_5_17'] = rs.randint(5, 17, size=20).tolist()
    out['permutation_500'] = rs.permutation(500).tolist()
    a = np.arange(10)
    rs.shuffle(a)
    out['shuffle_10'] = a.tolist()
    out['rand_2x3'] = rs.rand(2, 3).ravel().tolist()
    out['randn_1'] = rs.randn(1).tolist()                       # odd again: leaves a cached value ...
    rs.seed(seed)
    out['reseed_randn_2'] = rs.randn(2).tolist()                # ... which seed() drops
    return out

# the book's very first draws: np.random.seed(0); W1 = np.random.randn(784, 100)
np.random.seed(0)
w1 = np.random.randn(784, 100)
book = {'W1_first_10': w1.ravel()[:10].tolist(), 'W1_last_10': w1.ravel()[-10:].tolist(), 'W1_sum': float(w1.sum())}

# the book's load_mnist(normalize=True): uint8 pixels → float32, then /= 255.0 (in float32); as bit patterns
px = np.arange(256, dtype=np.uint8).astype(np.float32)
px /= 255.0
mnist_scale = px.view(np.uint32).tolist()

fixture = {
    'source': 'scripts/oracles/numpy_random.py (numpy ' + np.__version__ + ', legacy RandomState)',
    'seeds': [draws(s) for s in (0, 1, 12345, 2**32 - 1)],
    'book_seed0': book,
    'mnist_scale_bits': mnist_scale,
}
with open('test/fixtures/numpy-random.json', 'w') as f:
    json.dump(fixture, f)
    f.write('\n')
