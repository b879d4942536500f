#!/usr/bin/env python3
"""Writes a crible token stream (stages/lib/conllu.h) of N French documents
for crible-index tests, without the analysis stages: the stem is a toy (a
final "s" dropped), every third document names "Kevin Anderson" (B-PER).

  index_stream.py N [--prefix ID] [--cut] [--no-end]
    --cut     the stream stops in the middle of the last document's block
    --no-end  no `# crible.end` mark (a writer that died between blocks)
"""
import json
import sys

WORDS = ["Les", "victimes", "parlent", "pas", "bon", "du", "tout", "Netflix",
         "série", "bonne", "film", "films", "harcèlement", "réseaux", "sociaux"]


def main():
    args = sys.argv[1:]
    n = int(args[0])
    prefix = args[args.index("--prefix") + 1] if "--prefix" in args else "d"
    out = sys.stdout
    out.write("# global.columns = ID FORM CRIBLE:START CRIBLE:END CRIBLE:NORM CRIBLE:TYPE "
              "CRIBLE:STEM CRIBLE:STOP CRIBLE:NER CRIBLE:ENTITY\n# crible.version = 1\n")
    for i in range(n):
        toks = [WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(3 + i % 5)]
        if i % 3 == 0:
            toks = ["Kevin", "Anderson"] + toks
        text = " ".join(toks) + "."
        doc = {"id": "%s%d" % (prefix, i), "text": text, "rating": i % 5 + 0.5 * (i % 2),
               "date": "20%02d-%02d-1%d" % (10 + i % 12, 1 + i % 9, i % 10),
               "source": "src%d" % (i % 3)}
        out.write("# newdoc id = %s%d\n# crible.doc = %s\n# crible.field = text\n"
                  "# sent_id = %s%d/text/1\n" % (prefix, i, json.dumps(doc, ensure_ascii=False), prefix, i))
        off = 0
        lines = []
        for k, t in enumerate(toks + ["."]):
            if t == ".":
                off -= 1
            a, e = off, off + len(t.encode())
            norm = t.lower()
            stem = norm[:-1] if norm.endswith("s") and len(norm) > 3 else norm
            ner = "B-PER" if (i % 3 == 0 and k == 0) else ("I-PER" if (i % 3 == 0 and k == 1) else "O")
            ent = "Kevin Anderson" if ner == "B-PER" else "_"
            lines.append("%d\t%s\t%d\t%d\t%s\t%s\t%s\t0\t%s\t%s\n" % (
                k + 1, t, a, e, norm, "punct" if t == "." else "word",
                "_" if t == "." else stem, ner, ent))
            off = e + 1
        if "--cut" in args and i == n - 1:
            out.write("".join(lines[:2]))
            out.write(lines[2][:3])
            return
        out.write("".join(lines) + "\n")
    if "--no-end" not in args:
        out.write("# crible.end = %d\n" % n)


main()
