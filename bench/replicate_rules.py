#!/usr/bin/env python3
"""Makes a copy of a rule set with every rule and lexicon replicated N times.

Copy k of lexicon `boat` is `boat_rK`, whose terms are the originals with a
suffix that does not occur in real text on every word ("boat" -> "boatqk",
"invitation letter" -> "invitationqk letterqk"), so the replicated set is
N times larger to compile and to prefilter, but labels the same records
(almost: a rule with no lexicon, such as a year pattern, fires in every copy,
so its weight counts N times): a fair test of how cost grows with the number
of rules. (With the suffix on the
last word only, the copies of a multi-word term kept its first words, and a
text with "invitation" was a candidate for every copy of every rule with
"invitation letter": N times the work on the records that mention it, which a
rule set with N times the vocabulary would not cause.)

    python3 bench/replicate_rules.py rules/ 16 /tmp/rules-x16
"""
import copy
import os
import re
import shutil
import sys

import yaml


def suffix(k):
    """Two bytes for copies 1 to 25 ("qb", "qp"): a longer suffix made the
    copies' largest units (document verbs with document nouns, near PCRE2's
    size limit in the real set) too large to compile."""
    return "q" + chr(ord("a") + k) if k < 26 else "qx" + "".join(chr(ord("a") + int(d)) for d in str(k))


def add_suffix(term, sfx):
    """The suffix goes on every word, inside a trailing '*' wildcard:
    "tekne*" -> "tekneqb*", "big boat" -> "bigqb boatqb"."""
    def one(word):
        return word[:-1] + sfx + "*" if word.endswith("*") and len(word) > 1 else word + sfx
    return " ".join(one(w) for w in term.split(" ") if w) if term.strip() else term + sfx


def main():
    src, n, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if os.path.exists(dst):
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    if n <= 1:
        return
    for root, _, files in os.walk(dst):
        for name in files:
            if not name.endswith(".yaml"):
                continue
            path = os.path.join(root, name)
            with open(path, encoding="utf-8") as f:
                doc = yaml.safe_load(f)
            if not isinstance(doc, dict):
                continue
            if "lexicons" in doc:
                lex = doc["lexicons"]
                for lname in list(lex):
                    for k in range(1, n):
                        c = copy.deepcopy(lex[lname])
                        for lang, terms in c.get("terms", {}).items():
                            c["terms"][lang] = [add_suffix(str(t), suffix(k)) for t in terms]
                        lex["%s_r%d" % (lname, k)] = c
            elif "rules" in doc:
                out = []
                for rule in doc["rules"]:
                    out.append(rule)
                    for k in range(1, n):
                        c = copy.deepcopy(rule)
                        c["id"] = "%s.r%d" % (rule["id"], k)
                        c["patterns"] = {p: re.sub(r"\{([a-z_][a-z0-9_]*)\}", r"{\1_r%d}" % k, v)
                                         for p, v in rule["patterns"].items()}
                        c.pop("examples", None)
                        out.append(c)
                doc["rules"] = out
            else:
                continue
            with open(path, "w", encoding="utf-8") as f:
                yaml.safe_dump(doc, f, allow_unicode=True, sort_keys=False)


if __name__ == "__main__":
    main()
