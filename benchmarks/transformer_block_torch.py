"""PyTorch side of benchmarks/transformer_block.sh: forward and backward of the same pre-LayerNorm
Transformer block as `shoal bench block` (nanoGPT's Block: causal self-attention written out as
matmuls, a 4x GELU MLP), from a fixed output gradient, one thread.
Arguments: C T heads batch runs steps. Prints `torch <C> <T> <ms median> <ms best>`."""
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
C, T, H, B, runs, steps = (int(a) for a in sys.argv[1:7])


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.qkv = nn.Linear(C, 3 * C)
        self.proj = nn.Linear(C, C)
        self.register_buffer("mask", torch.tril(torch.ones(T, T)).view(1, 1, T, T))

    def forward(self, x):
        q, k, v = self.qkv(x).split(C, dim=2)
        q, k, v = (t.view(B, T, H, C // H).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(C // H))
        att = F.softmax(att.masked_fill(self.mask == 0, float("-inf")), dim=-1)
        return self.proj((att @ v).transpose(1, 2).contiguous().view(B, T, C))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.attn, self.ln2 = nn.LayerNorm(C), Attention(), nn.LayerNorm(C)
        self.mlp = nn.Sequential(nn.Linear(C, 4 * C), nn.GELU(), nn.Linear(4 * C, C))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


block = Block()
x = (torch.rand(B, T, C) - 0.5).requires_grad_()
dy = torch.rand(B, T, C) - 0.5


def step():
    block.zero_grad(set_to_none=False)
    x.grad = None
    block(x).backward(dy)


step(); step()
times = []
for _ in range(runs):
    start = time.perf_counter()
    for _ in range(steps):
        step()
    times.append((time.perf_counter() - start) / steps)
times.sort()
print(f"torch {C} {T} {times[len(times) // 2] * 1e3} {times[0] * 1e3}")
