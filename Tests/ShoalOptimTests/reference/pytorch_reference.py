#!/usr/bin/python3
"""Reference trajectories for Tests/ShoalOptimTests/PyTorchReferenceTests.swift.

Run once with Debian's python3-torch 1.13:  /usr/bin/python3 pytorch_reference.py
and paste the printed Swift constants into the test. The tests do not need torch at run time.

Problem: two tensors on a diagonal quadratic f(w) = sum(0.5 * a * w^2), gradient g = a * w
(computed in float32, exactly as the Swift test does).
  "layers.0.weight" (4 values): weight decay `wd`, L1 `l1` (L1 added to the gradient by hand,
                                  g += l1 * sign(w); PyTorch's optimizers have no L1 option)
  "layers.0.bias"   (2 values): no weight decay, no L1, learning rate x `bias_lr_scale`
"""
import torch

torch.set_printoptions(precision=10)
A_WEIGHT = [1.0, 0.5, 2.0, 3.0]
W0_WEIGHT = [1.0, -2.0, 0.5, 0.0]
A_BIAS = [1.5, 0.25]
W0_BIAS = [-1.0, 4.0]
STEPS = 5

CASES = [
    # name, constructor, base lr, kwargs, wd (weights), l1 (weights), bias lr scale
    ("sgd", torch.optim.SGD, 0.1, {}, 0.1, 0.01, 1.0),
    ("momentum", torch.optim.SGD, 0.1, {"momentum": 0.9}, 0.1, 0.0, 1.0),
    ("nesterov", torch.optim.SGD, 0.1, {"momentum": 0.9, "nesterov": True}, 0.1, 0.01, 1.0),
    ("adam", torch.optim.Adam, 0.05, {}, 0.1, 0.0, 1.0),
    ("adamw", torch.optim.AdamW, 0.05, {"betas": (0.8, 0.99), "eps": 1e-6}, 0.1, 0.0, 2.0),
]

for name, ctor, lr, kwargs, wd, l1, bias_scale in CASES:
    weight = torch.tensor(W0_WEIGHT, dtype=torch.float32, requires_grad=True)
    bias = torch.tensor(W0_BIAS, dtype=torch.float32, requires_grad=True)
    a_w = torch.tensor(A_WEIGHT, dtype=torch.float32)
    a_b = torch.tensor(A_BIAS, dtype=torch.float32)
    opt = ctor([
        {"params": [weight], "weight_decay": wd, "lr": lr},
        {"params": [bias], "weight_decay": 0.0, "lr": lr * bias_scale},
    ], lr=lr, **kwargs)
    print(f"    // {name}: lr {lr}, {kwargs}, weight_decay {wd}, l1 {l1} (weights), bias lr x{bias_scale}")
    print(f"    static let {name}: [[Float]] = [")
    for _ in range(STEPS):
        with torch.no_grad():
            weight.grad = a_w * weight.detach() + l1 * torch.sign(weight.detach())
            bias.grad = a_b * bias.detach()
        opt.step()
        values = torch.cat([weight.detach(), bias.detach()]).tolist()
        print("        [" + ", ".join(repr(v) for v in values) + "],")
    print("    ]")
