#!/usr/bin/env python3
"""Over- and under-stemming of a stemmer measured on UD treebanks, whose LEMMA
column is the truth (Paice's method, "An evaluation method for stemming
algorithms", SIGIR 1994, on word-form types).

    stem_ud_score.py --stem-words BUILD/tests/stem_words FILE.conllu... \
        [--system NAME=FLAGS ...]

What is counted, for each treebank file:
  - the items are the distinct (form, lemma) pairs of its syntactic words
    (integer ID lines; multi-word token ranges such as "du" are skipped, their
    words "de" "le" are kept), UPOS not PUNCT, SYM, NUM or X, form containing a
    letter; form and lemma lower-cased (Python str.lower) with ’ -> ', and the
    lemma's ligatures spelt out (the treebanks lemmatize "soeur" as "soeur"
    and "sœur" as "sœur": one word);
  - a system maps each form to a term (the form's stem key);
  - GDMT, desired merge total: pairs of items with the same lemma;
    GUMT, unachieved merge total (UNDER-stemming): those of them whose forms
    get different terms;
  - GDNT, desired non-merge total: pairs of items with different lemmas;
    GWMT, wrongly merged total (OVER-stemming): those of them whose forms get
    the same term;
  - UI = GUMT / GDMT and OI = GWMT / GDNT (Paice's under- and over-stemming
    indexes).  Both counts are lower-is-better.  A form with two lemmas in the
    treebank ("est": être / est) is always an over-stemming pair for every
    system: that floor is the same for all.

Systems are runs of the stem_words tool (tests/tools/stem_words.c):
  default: libstemmer-2.2=--libstemmer --raw (Debian's libstemmer alone),
           snowball-3=--raw (crible's Snowball 3 French alone),
           crible=(no flags: the default, corrections on),
           crible-fold=--fold (corrections and accent folding)
Output: one line per treebank and system, then a TOTAL line per system over
all files together (items pooled across files, pairs counted once).
"""
import argparse
import collections
import os
import subprocess
import sys

SKIP_UPOS = {"PUNCT", "SYM", "NUM", "X"}
DEFAULT_SYSTEMS = [
    ("libstemmer-2.2", ["--libstemmer", "--raw"]),
    ("snowball-3", ["--raw"]),
    ("crible", []),
    ("crible-fold", ["--fold"]),
]


def read_items(path):
    items = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line or line[0] == "#" or line == "\n":
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 4 or not cols[0].isdigit():
                continue
            form, lemma, upos = cols[1], cols[2], cols[3]
            if upos in SKIP_UPOS or not any(c.isalpha() for c in form):
                continue
            form = form.lower().replace("\u2019", "'")
            lemma = lemma.lower().replace("\u2019", "'").replace("œ", "oe").replace("æ", "ae")
            items.add((form, lemma))
    return items


def terms_for(tool, flags, forms):
    forms = sorted(forms)
    out = subprocess.run([tool] + flags, input="\n".join(forms) + "\n",
                         capture_output=True, text=True, check=True).stdout.split("\n")
    return dict(zip(forms, out))


def pairs(n):
    return n * (n - 1) // 2


def score(items, term):
    by_lemma = collections.defaultdict(list)
    for form, lemma in items:
        by_lemma[lemma].append(term[form])
    gdmt = sum(pairs(len(v)) for v in by_lemma.values())
    # pairs with the same lemma and the same term, subtracted from GDMT
    same_both = sum(pairs(c) for v in by_lemma.values() for c in collections.Counter(v).values())
    gumt = gdmt - same_both
    by_term = collections.Counter(term[form] for form, _ in items)
    same_term = sum(pairs(c) for c in by_term.values())
    gwmt = same_term - same_both
    gdnt = pairs(len(items)) - gdmt
    return dict(items=len(items), gdmt=gdmt, gumt=gumt, gdnt=gdnt, gwmt=gwmt,
                ui=gumt / gdmt if gdmt else 0.0, oi=gwmt / gdnt if gdnt else 0.0)


def main():
    ap = argparse.ArgumentParser(description="over/under-stemming on UD treebanks")
    ap.add_argument("--stem-words", required=True)
    ap.add_argument("--system", action="append", default=[],
                    help="NAME=FLAGS (flags of stem_words, space separated)")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    systems = DEFAULT_SYSTEMS
    if args.system:
        systems = [(s.split("=", 1)[0], s.split("=", 1)[1].split()) for s in args.system]
    per_file = [(os.path.basename(p), read_items(p)) for p in args.files]
    allitems = set().union(*(i for _, i in per_file))
    forms = {f for f, _ in allitems}
    terms = {name: terms_for(args.stem_words, flags, forms) for name, flags in systems}
    print(f"{'treebank':32} {'system':16} {'items':>6} {'under(GUMT)':>12} {'over(GWMT)':>11} "
          f"{'UI':>8} {'OI':>10}")
    for name, items in per_file + [("TOTAL", allitems)]:
        for sname, _ in systems:
            s = score(items, terms[sname])
            print(f"{name:32} {sname:16} {s['items']:6d} {s['gumt']:12d} {s['gwmt']:11d} "
                  f"{s['ui']:8.4f} {s['oi']:10.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
