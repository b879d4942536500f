#!/usr/bin/env python3
"""tests/bench/mkcorpus.py - the ~300 MB French benchmark corpus of
crible-query's issue: the press, the reviews and the novels in one JSON Lines
file, one document a line, for tests/bench/query.sh (and any peers/run).

  python3 tests/bench/mkcorpus.py [--shared DIR] [--chunk BYTES] OUT.jsonl

  --shared DIR   ../shared (default: $CRIBLE_SHARED or ../shared beside the repo)
  --chunk BYTES  target size of a novel's document (default 10000)
  --parts LIST   which parts, comma separated (default press,reviews,novels)

What goes in, in this order (each part skipped with a message when absent):
  press    data/press/orangesum.jsonl.zst, as is (32,187 articles)
  reviews  data/reviews/reviews.jsonl, as is (12,488 reviews)
  novels   data/prose/eltec-fra.jsonl.zst and eltec-fra-ext1.jsonl.zst
           (455 novels, ~238 MB): a novel's `text` has one paragraph a line;
           consecutive paragraphs are gathered into a document until it
           holds at least BYTES bytes of UTF-8 (a paragraph is never cut; the
           last document of a novel may be shorter).  A chapter is not a
           usable unit: headings are bare paragraphs ("I", "UNE VEILLÉE.")
           that cannot be told apart from one-line dialogue.
           Each document: {"id": "FRA00101-0007" (novel id, 1-based part
           number), "title": "Mon Village" (the novel's), "author",
           "date" (the reference year), "source": the collection,
           "text": its paragraphs joined by "\n"}.
Prints the number of documents and MB of text of each part on stderr.
"""
import argparse, json, os, subprocess, sys

def lines(path):
    if path.endswith(".zst"):
        p = subprocess.Popen(["zstd", "-dc", path], stdout=subprocess.PIPE)
        yield from p.stdout
        if p.wait() != 0:
            sys.exit(f"mkcorpus: zstd failed on {path}")
    else:
        with open(path, "rb") as f:
            yield from f

def copy_part(out, path):
    n = size = 0
    for raw in lines(path):
        if raw.strip():
            out.write(raw if raw.endswith(b"\n") else raw + b"\n")
            n += 1
            size += len(raw)
    return n, size

def novel_docs(novel, chunk):
    paras = [p for p in novel.get("text", "").split("\n") if p.strip()]
    part, cur, cur_bytes = 0, [], 0
    for p in paras:
        cur.append(p)
        cur_bytes += len(p.encode("utf-8")) + 1
        if cur_bytes >= chunk:
            part += 1
            yield part, cur
            cur, cur_bytes = [], 0
    if cur:
        yield part + 1, cur

def novels_part(out, paths, chunk):
    n = size = 0
    for path in paths:
        for raw in lines(path):
            if not raw.strip():
                continue
            novel = json.loads(raw)
            for part, paras in novel_docs(novel, chunk):
                doc = {"id": "%s-%04d" % (novel["id"], part),
                       "title": novel.get("title", ""),
                       "author": novel.get("author", ""),
                       "date": novel.get("reference_year", ""),
                       "source": novel.get("collection", ""),
                       "text": "\n".join(paras)}
                line = (json.dumps(doc, ensure_ascii=False) + "\n").encode("utf-8")
                out.write(line)
                n += 1
                size += len(line)
    return n, size

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--shared", default=os.environ.get("CRIBLE_SHARED",
                    os.path.join(here, "..", "..", "..", "shared")))
    ap.add_argument("--chunk", type=int, default=10000)
    ap.add_argument("--parts", default="press,reviews,novels")
    ap.add_argument("out")
    a = ap.parse_args()
    data = os.path.join(a.shared, "data")
    parts = a.parts.split(",")
    with open(a.out, "wb") as out:
        for part in parts:
            if part == "press":
                paths = [os.path.join(data, "press", "orangesum.jsonl.zst")]
            elif part == "reviews":
                paths = [os.path.join(data, "reviews", "reviews.jsonl")]
            elif part == "novels":
                paths = [os.path.join(data, "prose", f) for f in
                         ("eltec-fra.jsonl.zst", "eltec-fra-ext1.jsonl.zst")]
            else:
                sys.exit(f"mkcorpus: unknown part '{part}' (press, reviews, novels)")
            missing = [p for p in paths if not os.path.exists(p)]
            if missing:
                print(f"mkcorpus: {part} skipped: {missing[0]} absent", file=sys.stderr)
                continue
            if part == "novels":
                n, size = novels_part(out, paths, a.chunk)
            else:
                n = size = 0
                for p in paths:
                    pn, ps = copy_part(out, p)
                    n += pn
                    size += ps
            print(f"mkcorpus: {part}: {n} documents, {size / 1e6:.1f} MB JSONL",
                  file=sys.stderr)

if __name__ == "__main__":
    main()
