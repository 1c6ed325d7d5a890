#!/usr/bin/env python3
"""The media set's queries that one kind of evidence can trace.

usage: evidence_subset.py video|audio QUERIES.jsonl OUT.jsonl

Picture only can trace a clip only where its picture comes from the archive:
video queries, less those whose picture is a still laid over archived sound
(still_audiogram). Sound only can trace a clip only where its sound comes
from the archive: every query less those whose sound was replaced
(audio_replaced). Negatives (no archived material) are kept in both, so a
false match still counts. Writes the kept lines of QUERIES.jsonl to OUT.jsonl
and prints how many were kept.
"""
import json
import sys

FOREIGN = {"video": "still_audiogram", "audio": "audio_replaced"}


def traceable(query, evidence):
    if query.get("structure") == "negative":
        return evidence == "audio" or query.get("kind") == "video"
    if evidence == "video" and query.get("kind") != "video":
        return False
    return FOREIGN[evidence] not in query.get("transforms", [])


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in FOREIGN:
        print(__doc__.split("\n")[2], file=sys.stderr)
        sys.exit(2)
    evidence, src, dst = sys.argv[1:]
    kept = 0
    with open(src) as f, open(dst, "w") as out:
        for line in f:
            if line.strip() and traceable(json.loads(line), evidence):
                out.write(line)
                kept += 1
    print(kept)


if __name__ == "__main__":
    main()
