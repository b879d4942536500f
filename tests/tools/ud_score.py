#!/usr/bin/env python3
"""ud_score.py - Tokens F1 and Sentences F1 of a system CoNLL-U file against
a gold one, with the definitions of the CoNLL 2018 shared task's scorer
(conll18_ud_eval.py), written again here:

- The text is the concatenation of the token FORMs with every character of
  Unicode category Zs removed ("1 000" is "1000"); it must be the same in
  both files, else the files do not describe the same text (an error).
- A token is a line whose ID is a range (a multi-word token, "3-4 du") or a
  single word not inside a range; its span is [start, end) in that text.
- A sentence's span runs from its first token's start to its last token's
  end.  Empty sentences are ignored.
- Precision = correct / system, recall = correct / gold, F1 = 2PR/(P+R),
  where a system span is correct when a gold span has exactly the same
  start and end (spans_score of conll18_ud_eval.py).

usage: ud_score.py GOLD.conllu SYSTEM.conllu [--json]
prints   Tokens     P R F1
         Sentences  P R F1     (percentages, two decimals)
"""
import json
import sys
import unicodedata


class UDError(Exception):
    pass


def load(path):
    chars = []
    tokens = []
    sentences = []
    sent_start = None
    skip_until = 0
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line:
                if sent_start is not None and tokens and tokens[-1][1] > sent_start:
                    sentences.append((sent_start, tokens[-1][1]))
                sent_start = None
                skip_until = 0
                continue
            if line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != 10:
                raise UDError(f"{path}:{lineno}: {len(cols)} columns instead of 10")
            tid = cols[0]
            if "." in tid:
                continue  # empty node
            if "-" in tid:
                a, b = tid.split("-")
                skip_until = int(b)
            else:
                if int(tid) <= skip_until:
                    continue  # a word inside a multi-word token
            form = "".join(c for c in cols[1] if unicodedata.category(c) != "Zs")
            if not form:
                raise UDError(f"{path}:{lineno}: empty FORM")
            start = len(chars)
            chars.extend(form)
            tokens.append((start, len(chars)))
            if sent_start is None:
                sent_start = start
    if sent_start is not None and tokens:
        sentences.append((sent_start, tokens[-1][1]))
    return "".join(chars), tokens, sentences


def spans_score(gold, system):
    correct = gi = si = 0
    while gi < len(gold) and si < len(system):
        if system[si][0] < gold[gi][0]:
            si += 1
        elif gold[gi][0] < system[si][0]:
            gi += 1
        else:
            correct += gold[gi][1] == system[si][1]
            gi += 1
            si += 1
    p = correct / len(system) if system else 0.0
    r = correct / len(gold) if gold else 0.0
    f1 = 2 * correct / (len(gold) + len(system)) if gold or system else 0.0
    return {"gold": len(gold), "system": len(system), "correct": correct,
            "precision": 100 * p, "recall": 100 * r, "f1": 100 * f1}


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[-3], file=sys.stderr)
        return 2
    gchars, gtok, gsent = load(argv[1])
    schars, stok, ssent = load(argv[2])
    if gchars != schars:
        i = next((k for k in range(min(len(gchars), len(schars))) if gchars[k] != schars[k]),
                 min(len(gchars), len(schars)))
        raise UDError("the concatenation of tokens differs at character %d: gold '%s' system '%s'"
                      % (i, gchars[i:i + 20], schars[i:i + 20]))
    res = {"tokens": spans_score(gtok, stok), "sentences": spans_score(gsent, ssent)}
    if "--json" in argv:
        print(json.dumps(res))
    else:
        for name in ("tokens", "sentences"):
            r = res[name]
            print("%-10s P %6.2f  R %6.2f  F1 %6.2f" % (name.capitalize(), r["precision"],
                                                      r["recall"], r["f1"]))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except UDError as e:
        print("ud_score.py: " + str(e), file=sys.stderr)
        sys.exit(1)
