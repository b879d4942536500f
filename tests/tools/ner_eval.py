#!/usr/bin/env python3
"""ner_eval.py - crible's NER evaluation tool (test tool, not installed).

  ner_eval.py stream SET FILE...   gold files -> a crible token stream on stdout
  ner_eval.py score [--types T,..] [FILE]   stream with GOLD and CRIBLE:NER -> P/R/F1
  ner_eval.py split STREAM FIRST SECOND     the first half of the sentences of
                                  STREAM into FIRST, the rest into SECOND
  ner_eval.py errors [--types T,..] [--top N] [FILE]   error analysis: the
                                  most frequent false positives and false
                                  negatives per type, each with its count, as
                                  "kind TYPE text" (kind: boundary = the same
                                  type overlapping, type = the same span with
                                  another type, spurious, missed)

`stream` turns a gold set into what crible-entities reads (conllu.h):
  ID FORM CRIBLE:START CRIBLE:END CRIBLE:NORM CRIBLE:TYPE GOLD
keeping the gold tokenization.  FORM is the gold token; offsets come from the
tokens joined by one space (HIPE: no space where MISC says NoSpaceAfter);
NORM is Python's str.casefold() with ’ → ' (what ICU case folding gives on
this data); TYPE is number (digits), word (any letter or digit) or punct.
SET says how to read and map each set (DATA.md):
  7romans     `TOKEN TAG`, one file a document.  Elisions are split there
              (`d` + `'`); they are re-joined into one token `d'` as crible's
              tokenizer and UD do; the joined token takes the label of `d`.
              Labels PER LOC ORG kept, MISC -> O.
  wikineural  `INDEX<TAB>TOKEN<TAB>TAG`; each sentence its own document.
              PER LOC ORG kept, MISC -> O.
  hipe        HIPE TSV; NE-COARSE-LIT: pers->PER, loc->LOC, org->ORG,
              prod, time -> O; documents from `# hipe2022:document_id`,
              sentences end at EndOfSentence; elisions re-joined as for
              7romans.
MISC has no crible equivalent (crible's PLATFORM and WORK are narrower), so
gold MISC becomes O and crible's PLATFORM/WORK are left out of the score:
scoring is over PER, LOC, ORG (--types changes it).

`score` is the conlleval definition: an entity is a maximal span B-X I-X*
(an I-X after anything but X opens a span, as conlleval does); a predicted
entity is correct when type and both boundaries equal a gold entity.
P = correct/predicted, R = correct/gold, F1 = 2PR/(P+R), per type and
micro-averaged over the scored types.  --json prints the figures as JSON.
"""
import json
import sys


def kind(tok):
    if tok.isdigit():
        return "number"
    if any(c.isalnum() for c in tok):
        return "word"
    return "punct"


class Writer:
    def __init__(self, out):
        self.out = out
        out.write("# global.columns = ID FORM CRIBLE:START CRIBLE:END CRIBLE:NORM "
                  "CRIBLE:TYPE GOLD\n# crible.version = 1\n")
        self.ndoc = 0

    def end(self):
        """The stream's end mark: without it the next stage knows it was cut."""
        self.out.write("# crible.end = %d\n\n" % self.ndoc)

    def doc(self, name):
        self.ndoc += 1
        self.out.write("# newdoc id = %s\n" % name)
        self.pos = 0

    def sentence(self, toks, labels, spaces=None):
        """toks: forms; labels: BIO; spaces[i]: a space after token i."""
        if not toks:
            return
        w = self.out
        for i, (t, l) in enumerate(zip(toks, labels)):
            t = t.replace("\t", " ")
            start = self.pos
            end = start + len(t.encode("utf-8"))
            self.pos = end + (1 if spaces is None or spaces[i] else 0)
            norm = t.casefold().replace("\u2019", "'")
            w.write("%d\t%s\t%d\t%d\t%s\t%s\t%s\n" % (i + 1, t, start, end, norm or "_",
                                                      kind(t), l))
        w.write("\n")
        self.pos += 1


def keep(label, mapping):
    if label == "O" or "-" not in label:
        return "O"
    bio, typ = label.split("-", 1)
    typ = mapping.get(typ, typ)
    return "O" if typ is None else "%s-%s" % (bio, typ)


def join_elisions(toks, labels, spaces=None):
    """`d` `'` -> `d'` (the label of `d`), as crible-tokenize and UD write it."""
    out_t, out_l, out_s, i = [], [], [], 0
    while i < len(toks):
        if (i + 1 < len(toks) and toks[i + 1] in ("'", "\u2019") and toks[i].isalpha()
                and len(toks[i]) <= 7):
            out_t.append(toks[i] + toks[i + 1])
            out_l.append(labels[i])
            out_s.append(spaces[i + 1] if spaces else True)
            if labels[i + 1].startswith("B-"):
                sys.stderr.write("ner_eval: warning: an entity starts at an apostrophe\n")
            i += 2
        else:
            out_t.append(toks[i])
            out_l.append(labels[i])
            out_s.append(spaces[i] if spaces else True)
            i += 1
    return (out_t, out_l, out_s) if spaces is not None else (out_t, out_l)


def stream_7romans(w, files):
    mapping = {"MISC": None}
    for f in files:
        w.doc(f.rsplit("/", 1)[-1].rsplit(".", 1)[0])
        toks, labels = [], []
        with open(f, encoding="utf-8") as fh:
            for line in fh:
                parts = line.rstrip("\n").split(" ")
                if len(parts) < 2 or not parts[0]:
                    w.sentence(*join_elisions(toks, labels))
                    toks, labels = [], []
                    continue
                toks.append(" ".join(parts[:-1]))
                labels.append(keep(parts[-1], mapping))
        w.sentence(*join_elisions(toks, labels))


def stream_wikineural(w, files):
    mapping = {"MISC": None}
    n = 0
    for f in files:
        toks, labels = [], []
        with open(f, encoding="utf-8") as fh:
            for line in list(fh) + [""]:
                parts = line.rstrip("\n").split("\t")
                if len(parts) < 3:
                    if toks:
                        n += 1
                        w.doc("wikineural-%d" % n)
                        w.sentence(toks, labels)
                    toks, labels = [], []
                    continue
                toks.append(parts[1])
                labels.append(keep(parts[2], mapping))


def stream_hipe(w, files):
    mapping = {"pers": "PER", "loc": "LOC", "org": "ORG", "prod": None, "time": None}
    for f in files:
        toks, labels, spaces = [], [], []
        with open(f, encoding="utf-8") as fh:
            for line in fh:
                line = line.rstrip("\n")
                if line.startswith("# hipe2022:document_id"):
                    w.sentence(*join_elisions(toks, labels, spaces))
                    toks, labels, spaces = [], [], []
                    w.doc(line.split("=", 1)[1].strip())
                    continue
                if not line or line.startswith("#") or line.startswith("TOKEN\t"):
                    continue
                p = line.split("\t")
                toks.append(p[0])
                labels.append(keep(p[1], mapping))
                spaces.append("NoSpaceAfter" not in p[-1])
                if "EndOfSentence" in p[-1]:
                    w.sentence(*join_elisions(toks, labels, spaces))
                    toks, labels, spaces = [], [], []
        w.sentence(*join_elisions(toks, labels, spaces))


def spans(labels):
    """conlleval chunks: set of (start, end, type)."""
    out, start, typ = set(), None, None
    for i, l in enumerate(labels + ["O"]):
        bio, t = (l.split("-", 1) + [None])[:2] if l != "O" else ("O", None)
        if start is not None and (bio != "I" or t != typ):
            out.add((start, i, typ))
            start = None
        if bio == "B" or (bio == "I" and start is None):
            start, typ = i, t
    return out


def read_sentences(fh):
    """(forms, gold, pred) per sentence of a stream with GOLD and CRIBLE:NER."""
    gi = pi = fi = None
    forms, gold, pred = [], [], []
    for line in fh:
        line = line.rstrip("\n")
        if line.startswith("# global.columns ="):
            cols = line.split("=", 1)[1].split()
            gi, pi, fi = cols.index("GOLD"), cols.index("CRIBLE:NER"), cols.index("FORM")
            continue
        if line.startswith("#"):
            continue
        if not line:
            if gold:
                yield forms, gold, pred
            forms, gold, pred = [], [], []
            continue
        c = line.split("\t")
        forms.append(c[fi])
        gold.append(c[gi])
        pred.append(c[pi])
    if gold:
        yield forms, gold, pred


def errors(args):
    types, top, files, i = ["PER", "LOC", "ORG"], 40, [], 0
    while i < len(args):
        if args[i] == "--types":
            types = args[i + 1].split(",")
            i += 2
        elif args[i] == "--top":
            top = int(args[i + 1])
            i += 2
        else:
            files.append(args[i])
            i += 1
    fh = open(files[0], encoding="utf-8") if files and files[0] != "-" else sys.stdin
    counts = {}
    for forms, gold, pred in read_sentences(fh):
        g = {s for s in spans(gold) if s[2] in types}
        p = {s for s in spans(pred) if s[2] in types}
        text = lambda s: " ".join(forms[s[0]:s[1]])
        for s in p - g:
            same = [x for x in g if x[:2] == s[:2]]
            over = [x for x in g if x[2] == s[2] and x[0] < s[1] and s[0] < x[1]]
            if same:
                key = ("type", s[2], "%s (gold %s)" % (text(s), same[0][2]))
            elif over:
                key = ("boundary", s[2], "%s (gold %s)" % (text(s), text(over[0])))
            else:
                key = ("spurious", s[2], text(s))
            counts[key] = counts.get(key, 0) + 1
        for s in g - p:
            if any(x[:2] == s[:2] for x in p) or any(
                    x[2] == s[2] and x[0] < s[1] and s[0] < x[1] for x in p):
                continue   # counted above from the prediction's side
            key = ("missed", s[2], text(s))
            counts[key] = counts.get(key, 0) + 1
    totals = {}
    for (k, t, _), c in counts.items():
        totals[(k, t)] = totals.get((k, t), 0) + c
    for (k, t), c in sorted(totals.items(), key=lambda x: -x[1]):
        print("== %s %s: %d" % (k, t, c))
        rows = sorted(((c2, x) for (k2, t2, x), c2 in counts.items() if (k2, t2) == (k, t)),
                      key=lambda r: -r[0])
        for c2, x in rows[:top]:
            print("%6d  %s" % (c2, x))


def score(args):
    types = ["PER", "LOC", "ORG"]
    as_json = False
    files = []
    i = 0
    while i < len(args):
        if args[i] == "--types":
            types = args[i + 1].split(",")
            i += 2
        elif args[i] == "--json":
            as_json = True
            i += 1
        else:
            files.append(args[i])
            i += 1
    fh = open(files[0], encoding="utf-8") if files and files[0] != "-" else sys.stdin
    cols = None
    counts = {t: [0, 0, 0] for t in types}  # correct, predicted, gold
    gold, pred, sent_base = [], [], 0

    def flush():
        g = {s for s in spans(gold) if s[2] in counts}
        p = {s for s in spans(pred) if s[2] in counts}
        for s in g:
            counts[s[2]][2] += 1
        for s in p:
            counts[s[2]][1] += 1
            if s in g:
                counts[s[2]][0] += 1

    for line in fh:
        line = line.rstrip("\n")
        if line.startswith("# global.columns ="):
            cols = line.split("=", 1)[1].split()
            gi, pi = cols.index("GOLD"), cols.index("CRIBLE:NER")
            continue
        if line.startswith("#"):
            continue
        if not line:
            flush()
            gold, pred = [], []
            continue
        c = line.split("\t")
        gold.append(c[gi])
        pred.append(c[pi])
    flush()
    res = {}
    tc = tp = tg = 0
    for t in types:
        c, p, g = counts[t]
        tc, tp, tg = tc + c, tp + p, tg + g
        res[t] = prf(c, p, g)
    res["micro"] = prf(tc, tp, tg)
    if as_json:
        print(json.dumps(res))
    else:
        print("%-8s %7s %7s %7s %7s %7s" % ("type", "P", "R", "F1", "gold", "pred"))
        for t in types + ["micro"]:
            r = res[t]
            print("%-8s %7.4f %7.4f %7.4f %7d %7d" % (t, r["p"], r["r"], r["f1"], r["gold"],
                                                     r["pred"]))
    return res


def split(src, first, second):
    """Halves a stream by blocks; both halves get the header and the
    newdoc line that opens the block they start with."""
    with open(src, encoding="utf-8") as f:
        lines = f.read().split("\n")
    head = [l for l in lines[:2] if l.startswith("# global.columns") or
            l.startswith("# crible.version")]
    blocks, cur = [], []
    for l in lines[len(head):]:
        if l == "":
            if cur:
                blocks.append(cur)
            cur = []
        else:
            cur.append(l)
    if cur:
        blocks.append(cur)
    blocks = [b for b in blocks if not b[0].startswith("# crible.end")]
    h = len(blocks) // 2
    doc = None
    for name, part in ((first, blocks[:h]), (second, blocks[h:])):
        with open(name, "w", encoding="utf-8") as out:
            out.write("\n".join(head) + "\n")
            for i, b in enumerate(part):
                if i == 0 and doc and not b[0].startswith("# newdoc"):
                    out.write(doc + "\n")
                for l in b:
                    if l.startswith("# newdoc"):
                        doc = l
                out.write("\n".join(b) + "\n\n")
            out.write("# crible.end = %d\n\n" % sum(
                1 for b in part for l in b if l.startswith("# newdoc")))


def prf(c, p, g):
    P = c / p if p else 0.0
    R = c / g if g else 0.0
    F = 2 * P * R / (P + R) if P + R else 0.0
    return {"p": P, "r": R, "f1": F, "correct": c, "pred": p, "gold": g}


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0
    if sys.argv[1] == "stream":
        w = Writer(sys.stdout)
        {"7romans": stream_7romans, "wikineural": stream_wikineural,
         "hipe": stream_hipe}[sys.argv[2]](w, sys.argv[3:])
        w.end()
        return 0
    if sys.argv[1] == "split":
        split(*sys.argv[2:5])
        return 0
    if sys.argv[1] == "score":
        score(sys.argv[2:])
        return 0
    if sys.argv[1] == "errors":
        errors(sys.argv[2:])
        return 0
    sys.stderr.write("ner_eval: unknown command %s\n" % sys.argv[1])
    return 2


if __name__ == "__main__":
    sys.exit(main())
