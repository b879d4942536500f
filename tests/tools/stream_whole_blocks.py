#!/usr/bin/env python3
"""Writes two token streams (stages/lib/conllu.h) of the same random
documents for crible-index's read-ahead tests (tests/cli/index_stream.bats):
WHOLE, where a share of the documents has a `# crible.doc` (so the
read-ahead thread follows them whole and numbers their terms with the
interner), and BLOCKS, where none has (each comes a block at a time). Both
must give the same segment bytes. Documents have 1 to 5 blocks of 0 to 30
tokens, in fields "", "text", "title", "résumé"; stems and norms are
sometimes "_", norms sometimes upper case.

  stream_whole_blocks.py WHOLE BLOCKS --seed S --docs N --words MODEL
                         [--whole P] [--bad P] [--empty P]
    --words cut    short words, some 241-281 bytes (cut at 255 by the index)
    --words pool   a fifth of them distinct words of 100-200 letters (they
                   fill the interner's lasting pool before its 65,536 terms)
    --whole P      share of the documents with a `# crible.doc` (default 1)
    --bad P        share with a bad field name "_bad" half-way (refused)
    --empty P      share with no block at all (an empty document)
Random draws are made only for the options in use, so a seed gives the same
streams whatever options are left at their defaults.
"""
import argparse
import random

HEAD = ("# global.columns = ID FORM CRIBLE:START CRIBLE:END CRIBLE:NORM CRIBLE:TYPE CRIBLE:STEM CRIBLE:STOP\n"
        "# crible.version = 1\n")
COMMON = ["grève", "cheminots", "réforme", "retraites", "manifestation", "syndicats", "été", "élève"]
LETTERS = "abcdeéèfgilmnoprstuç"


def word_cut(rnd):
    r = rnd.random()
    if r < 0.6:
        return rnd.choice(COMMON)
    if r < 0.995:   # about 90,000 distinct words over 2,500 documents
        return "".join(rnd.choice(LETTERS) for _ in range(rnd.randint(3, 11)))
    return "é" * rnd.randint(120, 140) + "x"   # 241 to 281 bytes


def word_pool(rnd):
    if rnd.random() < 0.2:   # about 3 MB of distinct long terms over 1,500 documents
        return "".join(rnd.choice(LETTERS) for _ in range(rnd.randint(100, 200)))
    if rnd.random() < 0.6:
        return rnd.choice(COMMON)
    return "".join(rnd.choice(LETTERS) for _ in range(rnd.randint(3, 11)))


def stem_of(rnd, w, model):
    if rnd.random() < 0.05:
        return "_"
    if model == "cut" or len(w) < 100 or rnd.random() < 0.5:
        return w[:6]
    return w


def document(rnd, d, a, word):
    out = [["# newdoc id = w%d\n" % d], ["# newdoc id = w%d\n" % d]]
    if a.whole >= 1 or rnd.random() < a.whole:
        out[0].append('# crible.doc = {"id":"w%d"}\n' % d)
    bad = a.bad > 0 and rnd.random() < a.bad
    nb = 0 if a.empty > 0 and rnd.random() < a.empty else rnd.randint(1, 5)
    for b in range(nb):
        field = rnd.choice(["", "", "text", "title", "résumé"])
        if bad and b == nb // 2:
            field = "_bad"
        rows = []
        for k in range(rnd.randint(0, 30)):
            w = word(rnd)
            stem = stem_of(rnd, w, a.words)
            norm = rnd.choice(["_", w, w, w.upper()])
            rows.append("%d\t%s\t%d\t%d\t%s\tword\t%s\t0\n" % (k + 1, w, 3 * k, 3 * k + 2, norm, stem))
        block = ("# crible.field = %s\n" % field if field else "") + "".join(rows) + "\n"
        if not rows and not field and b:
            continue
        for o in out:
            o.append(block)
    if nb == 0:   # an empty document: its comments alone
        for o in out:
            o.append("\n")
    return "".join(out[0]), "".join(out[1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("whole_path", metavar="WHOLE")
    p.add_argument("blocks_path", metavar="BLOCKS")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--docs", type=int, required=True)
    p.add_argument("--words", choices=["cut", "pool"], required=True)
    p.add_argument("--whole", type=float, default=1.0)
    p.add_argument("--bad", type=float, default=0.0)
    p.add_argument("--empty", type=float, default=0.0)
    a = p.parse_args()
    rnd = random.Random(a.seed)
    word = word_cut if a.words == "cut" else word_pool
    with open(a.whole_path, "w") as whole, open(a.blocks_path, "w") as blocks:
        for f in (whole, blocks):
            f.write(HEAD)
        for d in range(a.docs):
            w, b = document(rnd, d, a, word)
            whole.write(w)
            blocks.write(b)
        for f in (whole, blocks):
            f.write("# crible.end = %d\n\n" % a.docs)


if __name__ == "__main__":
    main()
