#!/usr/bin/env python3
"""Scores a picture-tracing run: score.py QUERIES.jsonl RESULTS.jsonl [--json OUT]

Per kind (gen.py's), a query is right when the report's best answer is its truth:
  frame, frame_exif   the best picture match is the video (`video`), at the
                      frame's time within 0.5 s (`exact`: within 0.1 s, about a frame or two;
                      `static`: right, or the truth is within 0.5 s of one of the
                      other moments a static shot is reported at)
  picture             the best picture match is the archived photograph
  quote_en, quote_fa, scan, quote_exif
                      the text trace's best source is the document and its first
                      segment's bytes overlap the quoted bytes with IoU >= 0.5
                      (`doc`: the document alone)
  negative            right when nothing is found (neither picture nor text); the
                      false-match rate is the share of negatives with any match
Also per kind: wall seconds per query (mean, median, 95th percentile) of the
whole `uncut trace` process (decoding, hashing, OCR, lookup).
"""
import argparse
import json
import os
import statistics


def base(p):
    return os.path.basename(p or "")


def iou(a0, a1, b0, b1):
    inter = max(0, min(a1, b1) - max(a0, b0))
    union = max(a1, b1) - min(a0, b0)
    return inter / union if union > 0 else 0.0


def judge(q, r):
    """(right, partial) for one query: partial is `exact` for frames, `doc` for quotes."""
    kind, truth = q["kind"], q["truth"]
    pics, texts = r.get("picture") or [], r.get("text") or []
    if kind == "negative":
        return not pics and not texts, None
    if kind in ("frame", "frame_exif"):
        if not pics or base(pics[0]["name"]) != base(truth["source"]) or pics[0]["start"] is None:
            return False, (False, False, False)
        off = abs(pics[0]["start"] - truth["time_s"])
        static = off <= 0.5 or any(abs(t - truth["time_s"]) <= 0.5 for t in pics[0].get("also_at") or [])
        return off <= 0.5, (off <= 0.1, static, True)
    if kind == "picture":
        return bool(pics) and base(pics[0]["name"]) == base(truth["source"]), None
    if not texts or base(texts[0]["name"]) != base(truth["source"]):
        return False, False
    t = texts[0]
    ok = t["start"] is not None and iou(t["start"], t["end"], truth["start"], truth["end"]) >= 0.5
    return ok, True


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))] if xs else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("queries")
    ap.add_argument("results")
    ap.add_argument("--json")
    a = ap.parse_args()
    with open(a.queries, encoding="utf-8") as f:
        queries = {q["id"]: q for q in map(json.loads, filter(str.strip, f))}
    with open(a.results, encoding="utf-8") as f:
        results = {r["id"]: r for r in map(json.loads, filter(str.strip, f))}
    kinds = {}
    misses = []
    for qid, q in queries.items():
        r = results.get(qid, {})
        right, partial = judge(q, r)
        k = kinds.setdefault(q["kind"], {"n": 0, "right": 0, "partial": 0, "seconds": [],
                                         "errors": 0, "transforms": {}})
        k["n"] += 1
        k["right"] += right
        if isinstance(partial, tuple):
            k["partial"] += partial[0]
            k["static"] = k.get("static", 0) + partial[1]
            k["video"] = k.get("video", 0) + partial[2]
        else:
            k["partial"] += bool(partial)
        k["errors"] += "error" in r or r == {}
        if "seconds" in r:
            k["seconds"].append(r["seconds"])
        t = k["transforms"].setdefault(q["transform"], [0, 0])
        t[0] += 1
        t[1] += right
        if not right:
            misses.append((q, r))
    partial_name = {"frame": "exact", "frame_exif": "exact", "quote_en": "doc", "quote_fa": "doc",
                    "scan": "doc", "quote_exif": "doc"}
    print(f"{'kind':<11} {'n':>4} {'right':>7} {'':>32} {'s/query mean':>13} {'p50':>6} {'p95':>6}")
    report = {}
    for name in sorted(kinds):
        k = kinds[name]
        label = "false matches" if name == "negative" else ""
        acc = k["right"] / k["n"]
        extra = ""
        if name in partial_name:
            extra = f"{partial_name[name]} {k['partial'] / k['n']:.0%}"
            if "static" in k:
                extra = (f"video {k['video'] / k['n']:.0%} " + extra +
                         f" static {k['static'] / k['n']:.0%}")
        if name == "negative":
            extra = f"false {1 - acc:.0%}"
        secs = k["seconds"]
        print(f"{name:<11} {k['n']:>4} {acc:>7.1%} {extra:>32} "
              f"{statistics.mean(secs) if secs else 0:>13.2f} {pct(secs, 0.5):>6.2f} "
              f"{pct(secs, 0.95):>6.2f}" + (f"  errors {k['errors']}" if k["errors"] else ""))
        report[name] = {"n": k["n"], "right": k["right"], "accuracy": round(acc, 4),
                        "partial": k["partial"], "seconds_mean": statistics.mean(secs) if secs else 0,
                        "seconds_p50": pct(secs, 0.5), "seconds_p95": pct(secs, 0.95),
                        "transforms": k["transforms"], "label": label}
    print("\nper transform (right/n):")
    for name in sorted(kinds):
        cells = ", ".join(f"{t} {v[1]}/{v[0]}" for t, v in sorted(kinds[name]["transforms"].items()))
        print(f"  {name}: {cells}")
    if misses:
        print("\nmisses:")
        for q, r in misses:
            got = (r.get("picture") or [{}])[0], (r.get("text") or [{}])[0]
            print(f"  {q['id']} {q['kind']}/{q['transform']} {q['file']}: truth {q['truth']}; "
                  f"picture {got[0].get('name')}@{got[0].get('start')} d={got[0].get('distance')}; "
                  f"text {got[1].get('name')} {got[1].get('start')}-{got[1].get('end')}"
                  + (f"; error {r['error']}" if "error" in r else ""))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(report, f, indent=2)


if __name__ == "__main__":
    main()
