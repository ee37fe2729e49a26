#!/usr/bin/env python3
"""The book's numpy code as a peer-benchmark contender, in float32, on numpy's OpenBLAS.

    python3 bench/peers/numpy_peer.py --work <name> [--threads n] [--quick] [--json]

The net is the book's common/multi_layer_net.py (Affine → ReLU per hidden layer, He init, SoftmaxWithLoss; the
weight-decay terms as written, with λ = 0) and common/optimizer.py's Adam, with every array in float32 (the book's
code is float64 as written). The workloads, their names, shapes, data and timing copy bench/peers/common.mjs; like
the JS contenders, the script prints exactly one line `@@RESULT {json}` on stdout with --json.

--threads n sets OPENBLAS_NUM_THREADS (and OMP_/MKL_NUM_THREADS) before numpy is imported: the BLAS thread count.
"""
import json
import os
import sys
import time
import traceback

# ---- arguments (before numpy: the BLAS reads its thread count when it is loaded) -------------------------------

WORKS = ['gemm', 'train-4x100', 'train-2x1024', 'infer-4x100', 'infer-2x1024', 'epoch', 'scale-width', 'scale-batch']
SUPPORTED = ['gemm', 'train-4x100', 'train-2x1024', 'infer-4x100', 'infer-2x1024']


def parse_args(argv):
    def get(name, default=None):
        return argv[argv.index(name) + 1] if name in argv and argv.index(name) + 1 < len(argv) else default

    work = get('--work')
    if work not in WORKS:
        raise ValueError(f"--work must be one of {', '.join(WORKS)}; got {work}")
    return {
        'work': work,
        'threads': int(get('--threads', '1')),
        'quick': '--quick' in argv,
        'json': '--json' in argv,
    }


try:
    ARGS = parse_args(sys.argv[1:])
    ARGS_ERROR = None
except Exception as e:  # reported as a result line below, once `report` exists
    ARGS, ARGS_ERROR = None, e

THREADS = ARGS['threads'] if ARGS else 1
for var in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[var] = str(THREADS)

import numpy as np  # noqa: E402

CONTENDER = 'numpy-f32' + (f'-{THREADS}t' if THREADS > 1 else '')
F32 = np.float32

# ---- constants: copied from common.mjs ---------------------------------------------------------------------------

NETS = {
    '4x100': {'name': '784-100x4-10', 'hidden': [100, 100, 100, 100], 'batch': 128},
    '2x1024': {'name': '784-1024x2-10', 'hidden': [1024, 1024], 'batch': 256},
}
INPUT, CLASSES = 784, 10
INFER_BATCH = 1000
POOL = 2048
GEMM_SHAPES = [
    [128, 784, 100],
    [128, 100, 100],
    [784, 128, 100],
    [128, 100, 784],
    [128, 100, 10],
    [512, 512, 512],
    [1024, 1024, 1024],
]
GEMM_VARIANTS = [['A·B', False, False], ['Aᵀ·B', True, False], ['A·Bᵀ', False, True], ['Aᵀ·Bᵀ', True, True]]


def gemm_key(M, K, N, variant):
    return f'{M}×{K}×{N} {variant}'


def budgets(quick):
    if quick:
        return {'gemm': 0.05, 'train': 0.2, 'infer': 0.2, 'scale': 0.1, 'minSamples': 2}
    return {'gemm': 0.3, 'train': 2, 'infer': 1.5, 'scale': 1, 'minSamples': 5}


# ---- timing: common.mjs's timeCall (for a non-wasm contender) ---------------------------------------------------

def time_call(fn, budget=1, min_samples=5, warmup=3, max_seconds=None):
    """Median seconds per call of fn: a first call longer than `budget` is the sample; otherwise up to `warmup`
    warm-up calls while under budget, then samples (calls grouped to span >= 2 ms) until `budget` seconds and
    `min_samples` samples, stopping at `max_seconds` regardless."""
    if max_seconds is None:
        max_seconds = 4 * budget
    now = time.perf_counter

    def timed():
        t0 = now()
        fn()
        return now() - t0

    w0 = now()
    first = timed()
    if first > budget:
        return {'seconds': first, 'samples': 1, 'calls': 1}
    last = first
    i = 1
    while i < warmup and now() - w0 < budget:
        last = timed()
        i += 1
    group = max(1, int(np.ceil(0.002 / max(last, 1e-7))))
    samples = []
    start = now()
    calls = 0
    while True:
        s0 = now()
        for _ in range(group):
            fn()
        samples.append((now() - s0) / group)
        calls += group
        elapsed = now() - start
        if (len(samples) >= min_samples and elapsed >= budget) or elapsed >= max_seconds or len(samples) >= 5000:
            break
    samples.sort()
    return {'seconds': samples[len(samples) >> 1], 'samples': len(samples), 'calls': calls}


# ---- data: the same numbers as common.mjs (its LCG, vectorized by jumping ahead) --------------------------------

LCG_A, LCG_C, MASK = 1664525, 1013904223, 0xFFFFFFFF


def lcg_jump(n):
    """Coefficients (A_i, C_i), i = 1..n, with s_i = A_i·s_0 + C_i (mod 2^32)."""
    a = np.empty(n, np.uint64)
    c = np.empty(n, np.uint64)
    ai, ci = 1, 0
    for i in range(n):
        ai, ci = (ai * LCG_A) & MASK, (ci * LCG_A + LCG_C) & MASK
        a[i], c[i] = ai, ci
    return a, c


class Lcg:
    """The states s_1, s_2, … of `s = imul(s, 1664525) + 1013904223 | 0` from `seed`, as uint32 in uint64."""

    def __init__(self, seed, chunk):
        self.s = seed & MASK
        self.a, self.c = lcg_jump(chunk)

    def next(self, n=None):
        a, c = (self.a, self.c) if n is None else (self.a[:n], self.c[:n])
        out = (a * np.uint64(self.s) + c) & np.uint64(MASK)
        self.s = int(out[-1])
        return out


def random_fill(n, seed):
    """common.mjs randomFill: n values uniform in [-1, 1) as float32."""
    chunk = 4096
    g = Lcg(seed, chunk)
    out = np.empty(n, np.float64)
    for i in range(0, n, chunk):
        m = min(chunk, n - i)
        out[i:i + m] = g.next(m)
    return (((out.astype(np.uint64) >> np.uint64(8)).astype(np.float64) / 16777216) * 2 - 1).astype(F32)


def random_pool(rows=POOL):
    """common.mjs randomPool: rows × 784 values uniform in [0, 1) (float32), labels i mod 10."""
    x = random_fill(rows * INPUT, 3).astype(np.float64)
    x = (0.5 * (x + 1)).astype(F32).reshape(rows, INPUT)
    t = (np.arange(rows) % CLASSES).astype(np.int64)
    return x, t


def batch_indices(rows, batch, seed=7):
    """common.mjs batchIndices: the same minibatch index sequence as every contender."""
    g = Lcg(seed, batch)
    return lambda: (g.next() % np.uint64(rows)).astype(np.intp)


# ---- the book's layers, net and Adam, in float32 ----------------------------------------------------------------

def softmax(x):
    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        return dout


class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.original_x_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        self.x = x
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx.reshape(*self.original_x_shape)


class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        if self.t.size == self.y.size:
            dx = (self.y - self.t) / batch_size
        else:
            dx = self.y.copy()
            dx[np.arange(batch_size), self.t] -= 1
            dx = dx / batch_size
        return dx


class MultiLayerNet:
    """common/multi_layer_net.py with activation 'relu', weight_init_std 'he' (sqrt(2/n_in)), in float32."""

    def __init__(self, input_size, hidden_size_list, output_size, weight_decay_lambda=0, seed=1):
        self.hidden_layer_num = len(hidden_size_list)
        self.weight_decay_lambda = weight_decay_lambda
        self.params = {}
        rng = np.random.RandomState(seed)
        sizes = [input_size] + hidden_size_list + [output_size]
        for idx in range(1, len(sizes)):
            scale = np.sqrt(2.0 / sizes[idx - 1])
            self.params['W' + str(idx)] = (scale * rng.randn(sizes[idx - 1], sizes[idx])).astype(F32)
            self.params['b' + str(idx)] = np.zeros(sizes[idx], F32)
        self.layers = {}
        for idx in range(1, self.hidden_layer_num + 1):
            self.layers['Affine' + str(idx)] = Affine(self.params['W' + str(idx)], self.params['b' + str(idx)])
            self.layers['Activation_function' + str(idx)] = Relu()
        idx = self.hidden_layer_num + 1
        self.layers['Affine' + str(idx)] = Affine(self.params['W' + str(idx)], self.params['b' + str(idx)])
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        y = self.predict(x)
        weight_decay = 0
        # The book computes the L2 term even at lambda = 0 (~5% of a 4x100 step); zerodl skips it then, and so does
        # this port, so that the comparison is of the same work.
        if self.weight_decay_lambda != 0:
            for idx in range(1, self.hidden_layer_num + 2):
                W = self.params['W' + str(idx)]
                weight_decay += 0.5 * self.weight_decay_lambda * np.sum(W ** 2)
        return self.last_layer.forward(y, t) + weight_decay

    def gradient(self, x, t):
        self.loss(x, t)
        dout = 1
        dout = self.last_layer.backward(dout)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        grads = {}
        for idx in range(1, self.hidden_layer_num + 2):
            a = self.layers['Affine' + str(idx)]
            grads['W' + str(idx)] = a.dW + self.weight_decay_lambda * a.W if self.weight_decay_lambda != 0 else a.dW
            grads['b' + str(idx)] = a.db
        return grads


class Adam:
    """common/optimizer.py's Adam; lr_t is cast to float32 (np.sqrt of a Python float is an np.float64, which
    would make every update temporary float64)."""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.iter = 0
        self.m = None
        self.v = None

    def update(self, params, grads):
        if self.m is None:
            self.m, self.v = {}, {}
            for key, val in params.items():
                self.m[key] = np.zeros_like(val)
                self.v[key] = np.zeros_like(val)
        self.iter += 1
        lr_t = F32(self.lr * np.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter))
        for key in params.keys():
            self.m[key] += (1 - self.beta1) * (grads[key] - self.m[key])
            self.v[key] += (1 - self.beta2) * (grads[key] ** 2 - self.v[key])
            params[key] -= lr_t * self.m[key] / (np.sqrt(self.v[key]) + 1e-7)


# ---- notes ------------------------------------------------------------------------------------------------------

def blas_notes():
    notes = {'numpy': np.__version__, 'python': sys.version.split()[0], 'threads': THREADS}
    try:
        blas = np.show_config(mode='dicts')['Build Dependencies']['blas']
        notes['blas'] = f"{blas.get('name')} {blas.get('version')}"
    except Exception:
        pass
    try:  # the thread count and kernel OpenBLAS actually uses (numpy's bundled scipy-openblas)
        import ctypes
        import glob
        libs = glob.glob(os.path.join(os.path.dirname(np.__file__), '..', 'numpy.libs', '*openblas*'))
        if libs:
            lib = ctypes.CDLL(libs[0])
            notes['blasThreads'] = lib.scipy_openblas_get_num_threads64_()
            lib.scipy_openblas_get_corename64_.restype = ctypes.c_char_p
            notes['blasCore'] = lib.scipy_openblas_get_corename64_().decode()
    except Exception:
        pass
    return notes


# ---- the workloads ----------------------------------------------------------------------------------------------

def run_work(args):
    b = budgets(args['quick'])
    work = args['work']
    metrics = {}
    notes = blas_notes()
    if work == 'gemm':
        for M, K, N in GEMM_SHAPES:
            big = M * N * K > 1e8
            if args['quick'] and M * N * K > 512 ** 3:
                notes['skipped'] = f'{M}×{K}×{N} (not run with --quick)'
                continue
            for v, ta, tb in GEMM_VARIANTS:
                # Operands stored as the JS contenders store them (A is K×M when transposed, B N×K), used through .T.
                a = random_fill(M * K, 1).reshape((K, M) if ta else (M, K))
                bb = random_fill(K * N, 2).reshape((N, K) if tb else (K, N))
                opa, opb = (a.T if ta else a), (bb.T if tb else bb)
                c = np.empty((M, N), F32)
                t = time_call(lambda: np.matmul(opa, opb, out=c), budget=2 * b['gemm'] if big else b['gemm'],
                              min_samples=b['minSamples'], max_seconds=3 if big else 1.5)
                metrics[gemm_key(M, K, N, v)] = 2 * M * N * K / t['seconds'] / 1e9
        assert c.dtype == F32
        return {'metrics': metrics, 'notes': notes}
    x, t = random_pool()
    if work.startswith('train-'):
        spec = NETS[work[6:]]
        net = MultiLayerNet(INPUT, spec['hidden'], CLASSES)
        opt = Adam(lr=0.001)
        nxt = batch_indices(POOL, spec['batch'])

        def step():
            idx = nxt()
            x_batch, t_batch = x[idx], t[idx]
            grads = net.gradient(x_batch, t_batch)
            opt.update(net.params, grads)

        r = time_call(step, budget=b['train'], min_samples=b['minSamples'], warmup=3, max_seconds=3 * b['train'])
        for k, p in net.params.items():  # no silent upcast anywhere
            assert p.dtype == F32 and opt.m[k].dtype == F32 and opt.v[k].dtype == F32, k
        loss = net.loss(x[:INFER_BATCH], t[:INFER_BATCH])
        assert np.isfinite(loss)
        metrics[f"train {spec['name']} b{spec['batch']}"] = spec['batch'] / r['seconds']
        notes.update(samples=r['samples'], steps=opt.iter, loss=float(loss))
        return {'metrics': metrics, 'notes': notes}
    if work.startswith('infer-'):
        spec = NETS[work[6:]]
        net = MultiLayerNet(INPUT, spec['hidden'], CLASSES)
        xi = x[:INFER_BATCH]
        assert net.predict(xi).dtype == F32
        r = time_call(lambda: net.predict(xi), budget=b['infer'], min_samples=b['minSamples'],
                      max_seconds=3 * b['infer'])
        metrics[f"infer {spec['name']} b{INFER_BATCH}"] = INFER_BATCH / r['seconds']
        notes['samples'] = r['samples']
        return {'metrics': metrics, 'notes': notes}
    raise ValueError(f'{work} is not a workload of this contender (it runs {", ".join(SUPPORTED)})')


def main():
    as_json = '--json' in sys.argv
    work = ARGS['work'] if ARGS else None
    try:
        if ARGS_ERROR:
            raise ARGS_ERROR
        result = run_work(ARGS)
        out = {'contender': CONTENDER, 'work': work, 'quick': ARGS['quick'], 'python': sys.version.split()[0], **result}
        if as_json:
            print('@@RESULT ' + json.dumps(out), flush=True)
        else:
            for k, v in out['metrics'].items():
                print(f'{k}: {v:.4g}')
            print(out['notes'])
        return 0
    except Exception:
        err = traceback.format_exc()
        if as_json:
            print('@@RESULT ' + json.dumps({'contender': CONTENDER, 'work': work, 'error': err}), flush=True)
        else:
            print(err, file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
