#!/usr/bin/env python3
"""index_diff.py: the same documents, however indexed, answer the same.

Builds one set of documents (reviews and press articles, as crible-read
writes them) several ways and runs one battery of queries on each build,
comparing every answer with the first build's:

  one        crible-index --analyze --entities (one segment, default memory)
  piped      crible-tokenize | crible-stem | crible-entities | crible-index
  seg64k     --memory 64K with 'index: merge_factor: 100' (many segments)
  seg512k    --memory 512K with the default merge policy
  incr       the documents in 4 runs: some re-added (replaced by id), some
             deleted then re-added in the last run; compared before and
             after 'crible-index merge' (incr, incr-merged)
  shards     the documents split into 3 indexes searched together
             (crible-query S1 S2 S3 QUERY), and 'crible-index merge -o ALL
             S1 S2 S3' (shards-merged)

For each query: the ids and scores of all hits in the order given
(scores rounded to 4 decimals; equal scores come by id, query_topk.c),
--count, the facets (--facets: values as shown and counts), one page
(-n 5 --offset 5: its ids and scores), and the snippets and highlights
(--json) of the first hits.  'crible-index check' runs on every build.

Usage: index_diff.py [--bin DIR] [--reviews N] [--press N] [--quick]
                     [--work DIR] [--keep]
  --bin DIR     the crible programs (default: build-difftest-rel/bin, else
                build-rel/bin beside this file's repository)
  --reviews N   the first N reviews (default all 12,488)
  --press N     the first N press articles (default 2,000)
  --quick       fewer builds' variants (no seg512k, no piped) and queries
  --compare A B no builds: the queries on indexes A and B
  --query Q     only this query (repeatable)
Data: ../shared/data/reviews/reviews.jsonl and press/orangesum.jsonl.zst
(read with crible-read); exit 77 with a message when absent.
Exit 0 when every build answers every query the same, 1 on a difference
(each printed), 2 on a failure to build.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# (query, facets or None): every query runs on every build.
QUERIES = [
    ("roman", "person,rating,source"),
    ("film acteur", None),
    ("roman OR film", "item_type"),
    ("film -navet", None),
    ("film NOT ennuyeux", None),
    ("(livre OR roman) histoire", None),
    ('"très bon"', None),
    ('"pas mal"', None),
    ('"le personnel est"', None),
    ("film NEAR/3 acteur", None),
    ("chambre NEAR/2 propre", None),
    ("histoire NEAR/s personnage", None),
    ("chambre NEAR/s propre", None),
    ("réalis*", None),
    ("pers*", "rating"),
    ("acteru~", None),
    ("hotle~2", None),
    ("=victimes", None),
    ("=romans", None),
    ("=homme", None),
    # forms met under two stems (the English reviews': "lang" below)
    ("=temps", None),
    ("=premier roman", "rating"),
    ("=mais OR =depuis", None),
    ("=encore NEAR/3 =temps", None),
    ("=entre -film", None),
    ("heros", None),
    ("cinema", None),
    ("ecrivain", None),
    ("hôtel", "rating"),
    ("title:amour", None),
    ('item_title:"le horla"', None),
    ("item_title:1984", None),
    ("source:allocine.fr", "rating"),
    ("item_type:book", "item_creator"),
    ("source:tripadvisor.fr chambre", None),
    ('person:"emmanuel macron"', None),
    ("person:macron", None),
    ("platform:netflix", "person"),
    ("rating>=4 film", None),
    ("rating<3 hôtel", None),
    ("rating>=2 rating<=3", None),
    ("rating:5", None),
    ("date:2020..2021", "source"),
    ("date:2019", None),
    ("date>=2020-07-01 gouvernement", None),
    ("gouvernement ministre", "person"),
    ('"crise sanitaire"', None),
    ("covid OR coronavirus", "date"),
    ("police NEAR/s manifestation", None),
    ("élection* -municipales", None),
    ("president", None),
    ("title:macron", None),
]
QUICK_QUERIES = [q for i, q in enumerate(QUERIES)
                 if i % 2 == 0 or "NEAR" in q[0] or q[0].startswith("=")]


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          **kw)


class Builder:
    def __init__(self, bindir, work, env):
        self.bin = bindir
        self.work = work
        self.env = env
        self.cfg = os.path.join(work, "factor100.yaml")
        with open(self.cfg, "w") as f:
            f.write("index:\n  merge_factor: 100\n")

    def prog(self, name):
        return os.path.join(self.bin, "crible-" + name)

    def index(self, out, docs, *opts):
        r = run([self.prog("index"), "-q", "--analyze", "--entities", *opts,
                 "-o", out, "-"], input=docs, env=self.env)
        if r.returncode != 0:
            raise RuntimeError("crible-index %s -o %s: exit %d: %s" % (
                " ".join(opts), out, r.returncode, r.stderr.decode()[-500:]))

    def cmd(self, *args):
        r = run([self.prog("index"), *args], env=self.env)
        if r.returncode != 0:
            raise RuntimeError("crible-index %s: exit %d: %s" % (
                " ".join(args), r.returncode, r.stderr.decode()[-500:]))
        return r.stdout.decode()

    def piped(self, out, docs):
        stages = [[self.prog("tokenize")], [self.prog("stem")],
                  [self.prog("entities")],
                  [self.prog("index"), "-q", "-o", out, "-"]]
        procs = []
        prev = None
        for i, argv in enumerate(stages):
            p = subprocess.Popen(argv, stdin=subprocess.PIPE if i == 0 else prev,
                                 stdout=subprocess.PIPE if i < 3 else
                                 subprocess.DEVNULL, env=self.env)
            if prev is not None:
                prev.close()
            prev = p.stdout
            procs.append(p)
        procs[0].stdin.write(docs)
        procs[0].stdin.close()
        for p, argv in zip(procs, stages):
            if p.wait() != 0:
                raise RuntimeError("%s: exit %d" % (argv[0], p.returncode))


def build_all(b, docs, quick):
    """Returns [(name, [index dirs])]: each entry a way to search."""
    w = b.work
    lines = docs.splitlines(keepends=True)
    alldocs = b"".join(lines)
    builds = []
    one = os.path.join(w, "one")
    b.index(one, alldocs)
    builds.append(("one", [one]))
    if not quick:
        p = os.path.join(w, "piped")
        b.piped(p, alldocs)
        builds.append(("piped", [p]))
    s = os.path.join(w, "seg64k")
    b.index(s, alldocs, "-m", "64K", "-c", b.cfg)
    builds.append(("seg64k", [s]))
    if not quick:
        s = os.path.join(w, "seg512k")
        b.index(s, alldocs, "-m", "512K")
        builds.append(("seg512k", [s]))
    # incremental: 4 runs; run 2 re-adds 1 document in 7 of run 1 (the
    # same text: a replacement), some of runs 1-2 are deleted after run 3
    # and re-added in run 4
    rnd = random.Random(4)
    n = len(lines)
    cuts = [0, n // 4, n // 2, 3 * n // 4, n]
    parts = [lines[cuts[i]:cuts[i + 1]] for i in range(4)]
    readd = [ln for ln in parts[0] if rnd.random() < 1 / 7]
    again = [ln for ln in parts[0] + parts[1] if rnd.random() < 1 / 11]
    inc = os.path.join(w, "incr")
    b.index(inc, b"".join(parts[0]), "-m", "256K")
    b.index(inc, b"".join(parts[1] + readd), "-m", "256K")
    b.index(inc, b"".join(parts[2]), "-m", "256K")
    ids = [json.loads(ln)["id"] for ln in again]
    for i in range(0, len(ids), 200):
        b.cmd("delete", "-o", inc, *ids[i:i + 200])
    b.index(inc, b"".join(again + parts[3]), "-m", "256K")
    builds.append(("incr", [inc]))
    incm = os.path.join(w, "incr-merged")
    shutil.copytree(inc, incm)
    b.cmd("merge", "-o", incm)
    builds.append(("incr-merged", [incm]))
    # shards: every third document (ids interleaved across shards)
    shards = []
    for k in range(3):
        sk = os.path.join(w, "shard%d" % k)
        b.index(sk, b"".join(lines[k::3]), "-m", "1M")
        shards.append(sk)
    builds.append(("shards", shards))
    allx = os.path.join(w, "shards-merged")
    b.cmd("merge", "-o", allx, *shards)
    builds.append(("shards-merged", [allx]))
    return builds


def q4(x):
    return "%.4f" % x


class Querier:
    def __init__(self, bindir, env):
        self.q = os.path.join(bindir, "crible-query")
        self.env = env

    def json_lines(self, ixs, query, *opts):
        r = run([self.q, "--json", *opts, *ixs, query], env=self.env)
        if r.returncode not in (0, 1):
            return {"error": "exit %d: %s" % (r.returncode,
                                              r.stderr.decode().strip()[-300:])}
        out = [json.loads(ln) for ln in r.stdout.decode().splitlines() if ln]
        return out

    def answer(self, ixs, query, facets):
        """Everything compared for one query on one build."""
        a = {}
        hits = self.json_lines(ixs, query, "-n", "1000000", "--no-snippet")
        if isinstance(hits, dict):
            return hits
        a["hits"] = [(h["id"], q4(h["score"])) for h in hits if "id" in h]
        r = run([self.q, "--count", *ixs, query], env=self.env)
        a["count"] = r.stdout.decode().strip()
        page = self.json_lines(ixs, query, "-n", "5", "--offset", "5",
                               "--no-snippet")
        if isinstance(page, dict):
            return page
        a["page"] = [(h["id"], q4(h["score"])) for h in page if "id" in h]
        top = self.json_lines(ixs, query, "-n", "5")
        if isinstance(top, dict):
            return top
        a["snippets"] = {h["id"]: (h.get("snippet"), h.get("highlights"),
                                   h.get("matches")) for h in top if "id" in h}
        if facets:
            fl = self.json_lines(ixs, query, "-n", "0", "--facets", facets)
            if isinstance(fl, dict):
                return fl
            a["facets"] = [(f["facet"], f.get("distinct"),
                            sorted((-v["count"], v["value"])
                                   for v in f["values"]))
                           for f in fl if "facet" in f]
        return a


def compare(name, ref, got):
    """Lines describing how got differs from ref ([] if the same)."""
    out = []
    if "error" in ref or "error" in got:
        if ref.get("error") != got.get("error"):
            out.append("error: one=%s %s=%s" % (ref.get("error"), name,
                                                 got.get("error")))
        return out
    if ref["hits"] != got["hits"]:
        rd, gd = dict(ref["hits"]), dict(got["hits"])
        only_r = sorted(set(rd) - set(gd))
        only_g = sorted(set(gd) - set(rd))
        diff = sorted(i for i in set(rd) & set(gd) if rd[i] != gd[i])
        at = next((k for k, (r, g) in enumerate(zip(ref["hits"], got["hits"]))
                   if r != g), None)
        out.append("hits: %d vs %d; only in one: %s; only in %s: %s; "
                   "scores differ: %s; first in another place: %s" % (
                       len(rd), len(gd), only_r[:5], name, only_g[:5],
                       ["%s %s/%s" % (i, rd[i], gd[i]) for i in diff[:5]],
                       None if at is None else "#%d %s/%s" % (
                           at, ref["hits"][at], got["hits"][at])))
    for k in ("count", "page", "facets"):
        if ref.get(k) != got.get(k):
            out.append("%s: one=%s %s=%s" % (k, str(ref.get(k))[:300], name,
                                             str(got.get(k))[:300]))
    common = set(ref["snippets"]) & set(got["snippets"])
    for i in sorted(common):
        if ref["snippets"][i] != got["snippets"][i]:
            out.append("snippet of %s: one=%s %s=%s" % (
                i, str(ref["snippets"][i])[:200], name,
                str(got["snippets"][i])[:200]))
    return out


def load_docs(bindir, env, nrev, npress):
    data = os.environ.get("CRIBLE_SHARED",
                          os.path.join(os.path.dirname(REPO), "shared"))
    rev = os.path.join(data, "data", "reviews", "reviews.jsonl")
    press = os.path.join(data, "data", "press", "orangesum.jsonl.zst")
    if not os.path.exists(rev):
        print("index_diff: %s absent: skipped" % rev)
        sys.exit(77)
    r = run([os.path.join(bindir, "crible-read"), rev], env=env)
    if r.returncode != 0:
        raise RuntimeError("crible-read %s: exit %d" % (rev, r.returncode))
    docs = r.stdout.splitlines(keepends=True)
    if nrev is not None:
        docs = docs[:nrev]
    if npress and os.path.exists(press) and shutil.which("zstdcat"):
        z = subprocess.Popen(["zstdcat", press], stdout=subprocess.PIPE)
        head = []
        for ln in z.stdout:
            head.append(ln)
            if len(head) >= npress:
                break
        z.stdout.close()
        z.wait()
        r = run([os.path.join(bindir, "crible-read"), "-"],
                input=b"".join(head), env=env)
        if r.returncode != 0:
            raise RuntimeError("crible-read %s: exit %d" % (press, r.returncode))
        docs += r.stdout.splitlines(keepends=True)
    elif npress:
        print("index_diff: %s absent: reviews only" % press)
    # interleave the two sources so every segment and shard holds both
    rnd = random.Random(6)
    rnd.shuffle(docs)
    # 1 review in 20 said to be English ("lang": crible-stem follows it with
    # the English stemmer): its forms get other stems than in the French
    # ones ("magnifique": magnif / magnifiqu), so a normal form is met under
    # two stems, in one segment or in two, as in real use
    rnd = random.Random(8)
    for i, ln in enumerate(docs):
        if rnd.random() < 1 / 20:
            d = json.loads(ln)
            if "lang" not in d:
                d["lang"] = "en"
                docs[i] = (json.dumps(d, ensure_ascii=False) + "\n").encode()
    return b"".join(docs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin")
    ap.add_argument("--reviews", type=int)
    ap.add_argument("--press", type=int, default=2000)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--work")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--query", action="append",
                    help="run only this query (repeatable)")
    ap.add_argument("--compare", nargs=2, metavar="INDEX",
                    help="no builds: the queries on these two indexes")
    args = ap.parse_args()
    bindir = args.bin
    if not bindir:
        for d in ("build-difftest-rel", "build-rel", "build"):
            if os.path.exists(os.path.join(REPO, d, "bin", "crible-index")):
                bindir = os.path.join(REPO, d, "bin")
                break
    env = dict(os.environ)
    env.setdefault("CRIBLE_DATA", os.path.join(REPO, "config"))
    work = args.work or tempfile.mkdtemp(prefix="index_diff.")
    os.makedirs(work, exist_ok=True)
    try:
        b = Builder(bindir, work, env)
        if args.compare:
            docs = b""
            builds = [(d, [d]) for d in args.compare]
        else:
            docs = load_docs(bindir, env, args.reviews, args.press)
            try:
                builds = build_all(b, docs, args.quick)
            except RuntimeError as e:
                print("index_diff: build failed: %s" % e)
                return 2
        bad = 0
        for name, ixs in builds:
            if name == "shards":
                continue
            r = run([b.prog("index"), "check", ixs[0]], env=env)
            if r.returncode != 0:
                print("DIFF check %s: exit %d: %s" % (
                    name, r.returncode, r.stderr.decode().strip()[-300:]))
                bad += 1
        for sk in [] if args.compare else \
                builds[[n for n, _ in builds].index("shards")][1]:
            r = run([b.prog("index"), "check", sk], env=env)
            if r.returncode != 0:
                print("DIFF check %s: exit %d" % (sk, r.returncode))
                bad += 1
        qr = Querier(bindir, env)
        queries = QUICK_QUERIES if args.quick else QUERIES
        if args.query:
            queries = [(q, None) for q in args.query]
        nhits = 0
        for query, facets in queries:
            ref = qr.answer(builds[0][1], query, facets)
            nhits += len(ref.get("hits", []))
            for name, ixs in builds[1:]:
                got = qr.answer(ixs, query, facets)
                for line in compare(name, ref, got):
                    print("DIFF %r %s/%s: %s" % (query, builds[0][0], name, line))
                    bad += 1
        print("index_diff: %d documents, %d builds (%s), %d queries "
              "(%d hits on one), %d differences" % (
                  docs.count(b"\n"), len(builds),
                  " ".join(n for n, _ in builds), len(queries), nhits, bad))
        return 1 if bad else 0
    finally:
        if not args.keep and not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
