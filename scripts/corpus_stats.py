#!/usr/bin/env python3
"""Counts the gold corpus per split, language and label, and checks that
every record has the shape ANNOTATION.md requires. Prints a Markdown table
(the one in corpus/README.md). Exits 1 on a malformed record.

    python3 scripts/corpus_stats.py corpus/
"""
import collections
import json
import os
import sys

LABELS = ("crossing_offer", "document_offer", "route_advice")


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "corpus"
    counts = collections.defaultdict(collections.Counter)
    ids, bad = set(), 0
    for split in ("dev", "test"):
        d = os.path.join(root, split)
        for name in sorted(os.listdir(d)):
            if not name.endswith(".jsonl"):
                continue
            for n, line in enumerate(open(os.path.join(d, name), encoding="utf-8"), 1):
                where = "%s/%s:%d" % (split, name, n)
                try:
                    r = json.loads(line)
                    assert all(k in r for k in ("id", "lang", "text", "labels", "routes", "prices")), "missing key"
                    assert r["id"] not in ids, "duplicate id"
                    assert all(l in LABELS for l in r["labels"]), "unknown label"
                except (AssertionError, ValueError) as e:
                    print("%s: %s" % (where, e), file=sys.stderr)
                    bad += 1
                    continue
                ids.add(r["id"])
                lang = r["lang"] + ("-latn" if r.get("script") == "latn" else "")
                c = counts[(lang, split)]
                c["records"] += 1
                c["none"] += not r["labels"]
                for l in r["labels"]:
                    c[l] += 1
                c["routes"] += len(r["routes"])
                c["prices"] += len(r["prices"])
    print("| language | split | records | crossing_offer | document_offer | route_advice | no label | routes | prices |")
    print("|---|---|---|---|---|---|---|---|---|")
    total = collections.Counter()
    for (lang, split), c in sorted(counts.items()):
        total.update(c)
        print("| %s | %s | %d | %d | %d | %d | %d | %d | %d |" % (lang, split, c["records"], c["crossing_offer"],
              c["document_offer"], c["route_advice"], c["none"], c["routes"], c["prices"]))
    print("| **all** | | %d | %d | %d | %d | %d | %d | %d |" % (total["records"], total["crossing_offer"],
          total["document_offer"], total["route_advice"], total["none"], total["routes"], total["prices"]))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
