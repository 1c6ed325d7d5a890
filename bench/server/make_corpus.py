#!/usr/bin/env python3
"""Writes a sample archive corpus and extracts for the server load check.

make_corpus.py OUT_DIR [DOCS]: OUT_DIR/docs/doc-NNNN.txt (DOCS documents of
about 10 kB of plain sentences, deterministic) and OUT_DIR/quotes.txt (one
extract a line: verbatim passages, passages with a changed word, and
splices of two passages of one document).
"""
import os
import random
import sys

WORDS = ("river bridge harvest people nation freedom speech winter economy border peace "
         "soldier thanks promise shelter market price wage rent bread fuel pension loan farm "
         "workshop patience storm crisis neighbour council budget school hospital road railway "
         "harbour factory worker teacher doctor election court law minister report committee "
         "inquiry evidence witness record archive letter treaty summit alliance").split()


def sentence(rng):
    n = rng.randint(8, 22)
    words = [rng.choice(WORDS) for _ in range(n)]
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def main():
    out = sys.argv[1]
    docs = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    rng = random.Random(20261129)
    os.makedirs(os.path.join(out, "docs"), exist_ok=True)
    texts = []
    for i in range(docs):
        paragraphs = []
        for _ in range(rng.randint(6, 10)):
            paragraphs.append(" ".join(sentence(rng) for _ in range(rng.randint(4, 8))))
        text = f"Document {i} of the sample archive.\n\n" + "\n\n".join(paragraphs) + "\n"
        texts.append(text)
        with open(os.path.join(out, "docs", f"doc-{i:04d}.txt"), "w") as f:
            f.write(text)
    with open(os.path.join(out, "quotes.txt"), "w") as f:
        for q in range(300):
            words = rng.choice(texts).split()
            start = rng.randrange(10, len(words) - 200)
            kind = q % 3
            if kind == 0:
                quote = words[start:start + rng.randint(15, 40)]
            elif kind == 1:
                quote = words[start:start + 30]
                quote[12] = "nothing"
            else:
                quote = words[start:start + 15] + ["..."] + words[start + 150:start + 165]
            f.write(" ".join(quote).replace('"', "") + "\n")


if __name__ == "__main__":
    main()
