"""PyTorch side of benchmarks/nn_forward_backward.sh: the same models and step as Shoal's
benchmarkForwardBackward (zero_grad, forward in train mode, cross-entropy mean, backward, SGD lr 0.01),
one thread. Arguments: [repeats [model [batch]]]. Prints `torch <model> <batch> <samples/s median> <samples/s best>` lines."""
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
only_model = sys.argv[2] if len(sys.argv) > 2 else None
only_batch = int(sys.argv[3]) if len(sys.argv) > 3 else None


def mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def cnn():  # the Keras seed CNN, 693,962 parameters
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(),
                         nn.Linear(5408, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))


def cnn3():  # 93,322 parameters
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(64, 64, 3), nn.ReLU(), nn.Flatten(), nn.Linear(576, 64), nn.ReLU(), nn.Linear(64, 10))


models = [("mlp", mlp, (784,), 16384), ("cnn", cnn, (1, 28, 28), 4096), ("cnn3", cnn3, (1, 28, 28), 2048)]
for name, make, shape, samples_per_run in models:
    if only_model and name != only_model:
        continue
    for batch in (32, 64, 256):
        if only_batch and batch != only_batch:
            continue
        model = make().train()
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        x = torch.rand((batch,) + shape)
        t = torch.randint(0, 10, (batch,))

        def step():
            opt.zero_grad()
            loss = F.cross_entropy(model(x), t)
            loss.backward()
            opt.step()

        step(); step()
        iterations = max(4, samples_per_run // batch)
        rates = []
        for _ in range(repeats):
            start = time.perf_counter()
            for _ in range(iterations):
                step()
            rates.append(batch * iterations / (time.perf_counter() - start))
        rates.sort()
        print(f"torch {name} {batch} {rates[len(rates) // 2]} {rates[-1]}", flush=True)
