#!/usr/bin/env python3
"""A reference labeller in plain Python with `re`: what an analyst would
script. It reads offerscan's own rule set (`offerscan patterns --json`),
normalises text with unicodedata (NFKC, case folding, accents), evaluates
each rule's all/any/none conditions with `re` (proximity is not checked),
sums the weights and applies the thresholds. It is the speed baseline of the
benchmark, not a second implementation to trust.

    offerscan patterns --json > rules.json
    python3 bench/ref_labeller.py rules.json < corpus.jsonl > labels.jsonl
"""
import json
import re
import sys
import unicodedata

# Python's re has no \p{..}: the closest classes.
PCRE_TO_RE = [
    (r"[\p{L}\p{N}]", r"[^\W_]"),
    (r"\p{L}", r"[^\W\d_]"),
    (r"\p{N}", r"\d"),
]


def translate(regex):
    for a, b in PCRE_TO_RE:
        regex = regex.replace(a, b)
    return regex


def normalise(text):
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return unicodedata.normalize("NFKC", text)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        ruleset = json.load(f)
    rules, skipped = [], 0
    for r in ruleset["rules"]:
        try:
            pats = {name: re.compile(translate(rx), re.I) for name, rx in r["patterns"].items()}
        except re.error:
            skipped += 1
            continue
        rules.append((r, pats))
    thresholds = ruleset["thresholds"]
    for line in sys.stdin:
        rec = json.loads(line)
        text = normalise(rec.get("text", ""))
        scores = dict.fromkeys(thresholds, 0.0)
        fired = []
        for r, pats in rules:
            hit = {name: bool(p.search(text)) for name, p in pats.items()}
            positive = r["all"] + r["any"] + [n for pair in r["near"] for n in pair[:2]]
            ok = all(hit[n] for n in r["all"]) and (not r["any"] or any(hit[n] for n in r["any"]))
            ok = ok and not any(hit[n] for n in r["none"])
            if not positive:
                ok = any(v for n, v in hit.items() if n not in r["none"]) and ok
            if ok:
                fired.append(r["id"])
                for label in r["labels"]:
                    scores[label] += r["weight"]
        labels = [l for l, s in scores.items() if s >= thresholds[l]]
        print(json.dumps({"id": rec.get("id"), "labels": labels, "rules": fired}, ensure_ascii=False))
    if skipped:
        print("ref_labeller: %d rules not expressible in Python re were skipped" % skipped, file=sys.stderr)


if __name__ == "__main__":
    main()
