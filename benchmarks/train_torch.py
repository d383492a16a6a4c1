"""PyTorch side of benchmarks/train_throughput.sh: the same model, global batch and optimizer as
a Shoal config, trained on Fashion-MNIST from the same Debian files, in one process or with DDP
(gloo) over several processes on this machine. Prints one line: samples/s.

    /usr/bin/python3 benchmarks/train_torch.py --model mlp --ranks 1 --threads 1 --steps 300
"""
import argparse, gzip, os, struct, sys, time

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn

DATA = "/usr/share/datasets/fashion-mnist"


def load_images():
    with gzip.open(os.path.join(DATA, "train-images-idx3-ubyte.gz")) as f:
        _, n, h, w = struct.unpack(">IIII", f.read(16))
        x = np.frombuffer(f.read(), dtype=np.uint8).reshape(n, 1, h, w).astype(np.float32) / 255
    with gzip.open(os.path.join(DATA, "train-labels-idx1-ubyte.gz")) as f:
        f.read(8)
        y = np.frombuffer(f.read(), dtype=np.uint8).astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


def make_model(kind):
    if kind == "mlp":  # configs/fashion-mlp.yaml
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    # configs/fashion-cnn.yaml
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(),
                         nn.Linear(5408, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))


def train(rank, args, result):
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.ranks > 1:
        os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
        os.environ.setdefault("MASTER_PORT", "29533")
        dist.init_process_group("gloo", rank=rank, world_size=args.ranks)
    x, y = load_images()
    model = make_model(args.model)
    if args.ranks > 1:
        model = nn.parallel.DistributedDataParallel(model)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    local = args.batch // args.ranks
    g = torch.Generator().manual_seed(1)
    perm = torch.randperm(x.shape[0], generator=g)
    def step(s):
        idx = perm[(s * args.batch + rank * local) % (x.shape[0] - args.batch):][:local]
        opt.zero_grad()
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
    for s in range(20):
        step(s)
    if args.ranks > 1:
        dist.barrier()
    start = time.perf_counter()
    for s in range(args.steps):
        step(s)
    if args.ranks > 1:
        dist.barrier()
    elapsed = time.perf_counter() - start
    if rank == 0:
        result.put(args.steps * args.batch / elapsed)
    if args.ranks > 1:
        dist.destroy_process_group()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", choices=["mlp", "cnn"], default="mlp")
    p.add_argument("--ranks", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--steps", type=int, default=300)
    args = p.parse_args()
    ctx = mp.get_context("spawn")
    result = ctx.Queue()
    if args.ranks == 1:
        train(0, args, result)
    else:
        mp.spawn(train, args=(args, result), nprocs=args.ranks)
    print(f"{result.get():.0f}")


if __name__ == "__main__":
    main()
