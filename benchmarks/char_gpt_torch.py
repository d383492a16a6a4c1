"""The PyTorch reference for issue 13: nanoGPT's character GPT on the same data, model, optimizer
and schedule as configs/char-gpt.yaml (or gpt-10m.yaml), written for this benchmark.

    python3 benchmarks/char_gpt_torch.py speed  MODEL THREADS|ddp STEPS     # tokens/s and peak RSS
    python3 benchmarks/char_gpt_torch.py quality MODEL STEPS EVAL_EVERY      # validation curve

MODEL is char-gpt or gpt-10m. Data: every file of /usr/share/games/fortunes but the .dat index
files and the .u8 links, in sorted name order, concatenated; characters sorted; the first 90 %
trains, the rest validates. Training windows are random starts (torch.randint, seed 1337);
validation is the mean loss over the first EVAL consecutive windows of the validation part, as
Shoal's data.text.eval_windows. Prints one line per result, parsed by benchmarks/char_gpt.sh:
    torch-speed MODEL SETUP TOKENS_PER_S PEAK_RSS_MIB
    torch-eval MODEL STEP LOSS
"""
import math
import os
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

MODELS = {
    # layers, heads, width, block, batch, eval windows
    "char-gpt": (4, 4, 128, 128, 16, 320),
    "gpt-10m": (6, 6, 384, 256, 8, 160),
}
CORPUS = "/usr/share/games/fortunes"


def load_corpus():
    names = sorted(n for n in os.listdir(CORPUS)
                   if not n.endswith(".dat") and not os.path.islink(os.path.join(CORPUS, n)) and not n.startswith("."))
    text = "".join(open(os.path.join(CORPUS, n), encoding="utf-8").read() for n in names)
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([index[c] for c in text], dtype=torch.long)
    cut = int(len(data) * 0.9)
    return data[:cut], data[cut:], len(chars)


class Block(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.ln_1 = nn.LayerNorm(width, bias=False) if "bias" in nn.LayerNorm.__init__.__code__.co_varnames else nn.LayerNorm(width)
        self.c_attn = nn.Linear(width, 3 * width, bias=False)
        self.attn_proj = nn.Linear(width, width, bias=False)
        self.ln_2 = nn.LayerNorm(width, bias=False) if "bias" in nn.LayerNorm.__init__.__code__.co_varnames else nn.LayerNorm(width)
        self.c_fc = nn.Linear(width, 4 * width, bias=False)
        self.mlp_proj = nn.Linear(4 * width, width, bias=False)
        if self.ln_1.bias is not None:  # PyTorch 1.13's LayerNorm always has a bias: hold it at 0
            for ln in (self.ln_1, self.ln_2):
                ln.bias.requires_grad_(False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
        q, k, v = (t.view(B, T, self.heads, C // self.heads).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(k.size(-1))
        mask = torch.ones(T, T, dtype=torch.bool).tril()
        att = att.masked_fill(~mask, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        x = x + self.attn_proj(y)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x))))


class GPT(nn.Module):
    def __init__(self, vocab, layers, heads, width, block):
        super().__init__()
        self.wte = nn.Embedding(vocab, width)
        self.wpe = nn.Embedding(block, width)
        self.blocks = nn.ModuleList(Block(width, heads) for _ in range(layers))
        self.ln_f = nn.LayerNorm(width)
        self.ln_f.bias.requires_grad_(False)
        self.lm_head = nn.Linear(width, vocab, bias=False)
        self.lm_head.weight = self.wte.weight  # tied
        for name, p in self.named_parameters():
            if p.dim() >= 2:
                std = 0.02 / math.sqrt(2 * layers) if name.endswith("proj.weight") else 0.02
                nn.init.normal_(p, 0.0, std)
            elif name.endswith("bias"):
                nn.init.zeros_(p)

    def forward(self, idx, targets):
        T = idx.size(1)
        x = self.wte(idx) + self.wpe(torch.arange(T))
        for b in self.blocks:
            x = b(x)
        logits = self.lm_head(self.ln_f(x))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def make(model_name, vocab):
    layers, heads, width, block, batch, evals = MODELS[model_name]
    torch.manual_seed(1337)
    model = GPT(vocab, layers, heads, width, block)
    decay = [p for p in model.parameters() if p.requires_grad and p.dim() >= 2]
    other = [p for p in model.parameters() if p.requires_grad and p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": other, "weight_decay": 0.0}],
                            lr=1e-3, betas=(0.9, 0.99), eps=1e-8)
    return model, opt, block, batch, evals


def lr_at(step, total=2000, warmup=100, lr=1e-3, min_lr=1e-4):
    if step < warmup:
        return lr * (step + 1) / warmup
    ratio = min(1.0, (step - warmup) / (total - warmup))
    return min_lr + (lr - min_lr) * 0.5 * (1 + math.cos(math.pi * ratio))


def batch_of(data, block, batch, gen):
    starts = torch.randint(len(data) - block, (batch,), generator=gen)
    x = torch.stack([data[s:s + block] for s in starts])
    y = torch.stack([data[s + 1:s + 1 + block] for s in starts])
    return x, y


@torch.no_grad()
def evaluate(model, val, block, windows):
    model.eval()
    total = 0.0
    for w0 in range(0, windows, 16):
        ws = range(w0, min(w0 + 16, windows))
        x = torch.stack([val[w * block:(w + 1) * block] for w in ws])
        y = torch.stack([val[w * block + 1:(w + 1) * block + 1] for w in ws])
        total += model(x, y).item() * len(ws)
    model.train()
    return total / windows


def train_step(model, opt, x, y, step, ddp=None):
    for g in opt.param_groups:
        g["lr"] = lr_at(step)
    loss = model(x, y)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    return loss.item()


def speed(model_name, setup, steps):
    train, val, vocab = load_corpus()
    if setup == "ddp":
        import torch.multiprocessing as mp
        mp.spawn(ddp_worker, args=(model_name, steps), nprocs=2, join=True)
        return
    torch.set_num_threads(int(setup))
    model, opt, block, batch, _ = make(model_name, vocab)
    gen = torch.Generator().manual_seed(1337)
    warm = 3
    for s in range(warm + steps):
        if s == warm:
            start = time.perf_counter()
        x, y = batch_of(train, block, batch, gen)
        train_step(model, opt, x, y, s)
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"torch-speed {model_name} {setup}-thread {steps * batch * block / seconds:.0f} {rss:.0f}", flush=True)


def ddp_worker(rank, model_name, steps):
    import torch.distributed as dist
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", "29517")
    dist.init_process_group("gloo", rank=rank, world_size=2)
    torch.set_num_threads(1)
    train, val, vocab = load_corpus()
    model, opt, block, batch, _ = make(model_name, vocab)
    ddp = torch.nn.parallel.DistributedDataParallel(model)
    gen = torch.Generator().manual_seed(1337 + rank)
    warm = 3
    for s in range(warm + steps):
        if s == warm:
            dist.barrier()
            start = time.perf_counter()
        x, y = batch_of(train, block, batch // 2, gen)
        train_step(ddp, opt, x, y, s)
    dist.barrier()
    seconds = time.perf_counter() - start
    rss = torch.tensor([resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024])
    dist.all_reduce(rss, op=dist.ReduceOp.MAX)
    if rank == 0:
        print(f"torch-speed {model_name} ddp-2x1 {steps * batch * block / seconds:.0f} {rss.item():.0f}", flush=True)
    dist.destroy_process_group()


def quality(model_name, steps, every):
    torch.set_num_threads(2)
    train, val, vocab = load_corpus()
    model, opt, block, batch, windows = make(model_name, vocab)
    gen = torch.Generator().manual_seed(1337)
    for s in range(steps):
        x, y = batch_of(train, block, batch, gen)
        train_step(model, opt, x, y, s)
        if (s + 1) % every == 0:
            print(f"torch-eval {model_name} {s + 1} {evaluate(model, val, block, windows):.4f}", flush=True)


if __name__ == "__main__":
    mode, model_name = sys.argv[1], sys.argv[2]
    if mode == "speed":
        speed(model_name, sys.argv[3], int(sys.argv[4]))
    else:
        quality(model_name, int(sys.argv[3]), int(sys.argv[4]))
