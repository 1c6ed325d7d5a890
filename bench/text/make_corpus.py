#!/usr/bin/env python3
"""Builds a larger quote-tracing corpus: a copy of CORPUS plus generated prose.

usage: make_corpus.py CORPUS_DIR OUT_DIR [--mb 100] [--seed 1]

OUT_DIR/ holds CORPUS_DIR's files under the same relative paths (so the original
queries and their expected spans still apply) and OUT_DIR/generated/*.txt: prose made
by a word-level Markov chain (order 1) trained on CORPUS_DIR's text, until OUT_DIR holds
about --mb megabytes. Order-1 text shares no long word runs with its training text, so
it adds realistic distractors (same vocabulary, common phrases) without creating new
true sources for the queries.
"""
import argparse, os, random, re, shutil, sys
from collections import defaultdict


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('corpus')
    ap.add_argument('out')
    ap.add_argument('--mb', type=float, default=100.0)
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    total = 0
    follow = defaultdict(list)
    for root, _, files in os.walk(a.corpus):
        for f in sorted(files):
            src = os.path.join(root, f)
            rel = os.path.relpath(src, a.corpus)
            dst = os.path.join(a.out, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(src, dst)
            total += os.path.getsize(dst)
            text = open(src, encoding='utf-8', errors='replace').read()
            if sum(ord(c) > 0x2ff for c in text) > len(text) // 10:
                continue  # train on Latin-script text only: a small non-Latin vocabulary
                          # would make the chain repeat real runs of it
            text = re.sub(r'<[^>]*>', ' ', text)
            words = text.split()
            for x, y in zip(words, words[1:]):
                follow[x].append(y)
    keys = list(follow)
    os.makedirs(os.path.join(a.out, 'generated'), exist_ok=True)
    n = 0
    target = int(a.mb * 1e6)
    while total < target:
        out = []
        size = 0
        w = rng.choice(keys)
        while size < 256 * 1024:
            out.append(w)
            size += len(w) + 1
            nxt = follow.get(w)
            w = rng.choice(nxt) if nxt else rng.choice(keys)
        data = ' '.join(out).encode('utf-8')
        with open(os.path.join(a.out, 'generated', 'prose_%05d.txt' % n), 'wb') as f:
            f.write(data)
        total += len(data)
        n += 1
    print('%s: %.1f MB (%d generated files)' % (a.out, total / 1e6, n))


if __name__ == '__main__':
    sys.exit(main())
