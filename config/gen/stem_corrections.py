#!/usr/bin/env python3
"""Builds config/stem-corrections-fr.tsv, crible's French stem correction table
(format: stages/lib/stem_corrections.h), from Grammalecte's French lexicon as
Debian ships it (package hunspell-fr-comprehensive: /usr/share/hunspell/fr.dic
and fr.aff, MPL 2.0) and crible's own Snowball 3 French stemmer.

    python3 config/gen/stem_corrections.py --stem-words BUILD/tests/stem_words \
        [--dic /usr/share/hunspell/fr.dic] [--aff /usr/share/hunspell/fr.aff] \
        [-o config/stem-corrections-fr.tsv] [--report]

No UD treebank is read: the table is built from the lexicon alone (plus the
short hand-checked list FAMILIES below), and tests/eval/stem_ud.sh measures it
on the UD dev sets, which it has never seen.

How the table is made:
 1. Every lower-case lemma of fr.dic (proper nouns, first names and surnames
    are left out) is expanded with the suffix rules of fr.aff into its
    inflected forms (the elision prefixes l' d' qu'... are not applied: the
    tokenizer splits them).  A lemma's family is the union of the forms of
    every dic entry spelt like it (adjective and noun "mauve" are one).
    Ligatures are spelt out (œ -> oe, æ -> ae), as the stemmer does.
 2. Under-stemming: a family's key is the Snowball stem of its lemma; each
    form whose own stem differs gets the key ("nulle" -> "nul", "jeux" ->
    "jeu", "sommes" -> "être").  A form that several families claim with
    different keys (suis: être and suivre) is left to Snowball.
 3. Over-stemming: families whose keys coincide are split when their
    lemmas are not derived one from the other.  Two lemmas are related when,
    accents aside, one is the other's root (the lemma less an inflectional
    ending: -er -ir -re -oir -e -s -x) followed by nothing, an inflectional
    ending or a French derivational suffix (-ment, -ation, -eur, -ité, -al,
    -ique, ... see DERIVATIONAL).  In each group of families with one key,
    the largest connected set of related lemmas keeps the key; each other
    set gets its shortest lemma as its own key (mauvais/mauve: "mauvais"
    keeps "mauv"... whichever set has more forms keeps it).
 4. FAMILIES, a short hand-checked list of derivational and irregular
    families Snowball cannot join (déçu/décevant/déception, œil/yeux), gets
    one key each.
 5. Accent-less spellings ("decue", "abandonnee") of lexicon forms are
    entered with the key of the accented form when every accented form that
    folds to them agrees and the spelling is not itself a lexicon form.
 Only forms whose key differs from their plain Snowball stem are written.
"""
import argparse
import collections
import re
import subprocess
import sys
import unicodedata

DERIVATIONAL = """
ment ement amment emment issement ation ition ution ication ion tion sion age
ance ence ant ante ants antes ent ente eur euse eurs euses rice trice ateur
atrice ité eté able ible isme iste ique al ale aux el elle if ive ier ière et
ette ure ude esse eux oire oir iser ifier er ir re é ée u ue it ite issant
isseur ien ienne eau erie té on ie ique iquement ablement abilité ibilité
ivité ivement
""".split()
INFLECTIONAL = ["oir", "er", "ir", "re", "e", "s", "x"]

# Hand-checked families (step 4), "KEY: LEMMA LEMMA...": every form of these
# lemmas' families (and the lemmas themselves) gets KEY.  Derivational and
# irregular families Snowball cannot join, and the false friends the issue
# names that morphology alone cannot part (généreux/générique share the
# root of générer).  Chosen from French, not from the evaluation data.
FAMILIES = [
    "décev: décevoir déçu déception décevant",
    "harcel: harceler harcèlement harceleur cyberharcèlement cyberharceler cyberharceleur",
    "oeil: oeil yeux",
    "ciel: ciel cieux",
    "aïeul: aïeul aïeux",
    "mauvais: mauvais",
    "généreux: généreux généreusement générosité",
    "génie: génie génial génialement génialité",
]

def fold_ligatures(s):
    return s.replace("œ", "oe").replace("æ", "ae").replace("Œ", "OE").replace("Æ", "AE")


def fold_accents(s):
    s = unicodedata.normalize("NFD", fold_ligatures(s))
    return unicodedata.normalize("NFC", "".join(c for c in s if unicodedata.category(c) != "Mn"))


def parse_aff(path):
    """SFX rules: flag -> [(strip, add, compiled condition)]."""
    rules = collections.defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.split()
            if len(p) < 5 or p[0] != "SFX":
                continue
            flag, strip, add, cond = p[1], p[2], p[3], p[4]
            strip = "" if strip == "0" else strip
            add = add.split("/")[0]
            add = "" if add == "0" else add
            rules[flag].append((strip, add, re.compile("(?:" + cond + ")$")))
    return rules


def expand(word, flags, rules, needaffix):
    forms = set() if needaffix else {word}
    for fl in flags:
        for strip, add, cond in rules.get(fl, ()):
            if word.endswith(strip) and cond.search(word):
                forms.add(word[: len(word) - len(strip)] + add)
    return forms


def parse_dic(path, rules):
    """lemma -> set of forms (lower-case common words only)."""
    families = collections.defaultdict(set)
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            head, _, morph = line.partition(" ")
            if re.search(r"po:(npr|prn|patr)\b", morph):
                continue
            word, _, flagstr = head.partition("/")
            if not word or word != word.lower() or not re.search(r"[a-zà-ÿœæ]", word):
                continue
            flags = [flagstr[i:i + 2] for i in range(0, len(flagstr), 2)]
            needaffix = "()" in flags
            lemma = fold_ligatures(word)
            for form in expand(word, flags, rules, needaffix):
                if form == form.lower():
                    families[lemma].add(fold_ligatures(form))
            if not needaffix:
                families[lemma].add(lemma)
    return families


def stem_all(tool, words):
    words = sorted(words)
    out = subprocess.run([tool, "--raw"], input="\n".join(words) + "\n",
                         capture_output=True, text=True, check=True).stdout.split("\n")
    return dict(zip(words, out))


SUFFIXES = sorted(set(DERIVATIONAL) | set(INFLECTIONAL), key=len, reverse=True)


def roots(lemma):
    """The lemma, accents aside, and what is left of it without one
    derivational or inflectional suffix (at least 3 letters left), with the
    usual French alternations undone (abandonn- -> abandon, abdiqu- ->
    abdic, généreus- from généreux, abrasiv- from abrasif, sorti from sortir)."""
    a = fold_accents(lemma)
    out = {a}
    for suf in SUFFIXES:
        if a.endswith(suf) and len(a) - len(suf) >= 3:
            out.add(a[: len(a) - len(suf)])
    if a.endswith("ir"):
        out.add(a[:-1])
    if a.endswith("eux"):
        out.add(a[:-1] + "s")
    if a.endswith("if"):
        out.add(a[:-1] + "v")
    more = set()
    for r in out:
        if len(r) >= 4 and r[-1] == r[-2] and r[-1] not in "aeiouy":
            more.add(r[:-1])
        if r.endswith("qu"):
            more.add(r[:-2] + "c")
        if r.endswith("y"):
            more.add(r[:-1] + "i")
    return out | more


def related(a, b):
    return bool(roots(a) & roots(b))


def components(lemmas):
    lemmas = sorted(lemmas)
    parent = {l: l for l in lemmas}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x
    for i, a in enumerate(lemmas):
        for b in lemmas[i + 1:]:
            if related(a, b):
                parent[find(a)] = find(b)
    groups = collections.defaultdict(list)
    for l in lemmas:
        groups[find(l)].append(l)
    return list(groups.values())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--stem-words", required=True, help="tests/tools/stem_words built")
    ap.add_argument("--dic", default="/usr/share/hunspell/fr.dic")
    ap.add_argument("--aff", default="/usr/share/hunspell/fr.aff")
    ap.add_argument("-o", "--output", default="config/stem-corrections-fr.tsv")
    ap.add_argument("--report", action="store_true", help="print what was split and merged")
    ap.add_argument("--split", choices=["unrelated", "lemmas"], default="lemmas",
                    help="over-stemming: part only lemmas unrelated by morphology, or give "
                         "every lexicon lemma its own key (a light stemmer; default)")
    args = ap.parse_args()

    rules = parse_aff(args.aff)
    families = parse_dic(args.dic, rules)
    fam_words = [e.partition(":")[2].split() for e in FAMILIES]
    allforms = set()
    for forms in families.values():
        allforms |= forms
    for ws in fam_words:
        allforms |= {fold_ligatures(w) for w in ws}
    allforms |= set(families)
    folded_aliases = {fold_accents(f) for f in allforms} - allforms
    stem = stem_all(args.stem_words, allforms | folded_aliases)

    # step 2: family keys and the forms they claim
    key = {lemma: stem[lemma] for lemma in families}
    # step 3: split unrelated families sharing a key
    by_key = collections.defaultdict(list)
    for lemma in families:
        by_key[key[lemma]].append(lemma)
    all_stems = set(stem.values())
    splits = []
    for k, lemmas in by_key.items():
        lemmas = [l for l in lemmas if "-" not in l and " " not in l]
        if len(lemmas) < 2:
            continue
        comps = components(lemmas) if args.split == "unrelated" else [[l] for l in lemmas]
        if len(comps) < 2:
            continue
        comps.sort(key=lambda c: (k not in c, -sum(len(families[l]) for l in c), min(c)))
        for comp in comps[1:]:
            new = min(comp, key=lambda l: (len(l), l))
            if new == k or new in all_stems:
                continue            # would collide with another word's stem
            for l in comp:
                key[l] = new
            splits.append((k, comps[0], comp, new))

    claims = collections.defaultdict(set)
    for lemma, forms in families.items():
        for f in forms:
            claims[f].add(key[lemma])
    final = {}
    for f, keys in claims.items():
        if len(keys) == 1:
            final[f] = next(iter(keys))
        elif stem[f] in keys:
            final[f] = stem[f]
    # step 4: hand-checked families override
    for entry in FAMILIES:
        k, _, ws = entry.partition(":")
        for w in ws.split():
            w = fold_ligatures(w)
            for f in families.get(w, set()) | {w}:
                final[f] = k
    # step 5: accent-less aliases
    alias_keys = collections.defaultdict(set)
    for f in allforms:
        a = fold_accents(f)
        if a != f and a in folded_aliases:
            alias_keys[a].add(final.get(f, stem[f]))
    for a, keys in alias_keys.items():
        if len(keys) == 1:
            final[a] = next(iter(keys))

    entries = sorted(((f.encode("utf-8"), k) for f, k in final.items()
                      if k != stem[f] and "\t" not in f and "\n" not in f),
                     key=lambda e: e[0])
    with open(args.output, "w", encoding="utf-8", newline="\n") as out:
        out.write("# crible stem corrections 1\n")
        out.write("# Generated by config/gen/stem_corrections.py from Grammalecte's French lexicon\n")
        out.write("# (Debian hunspell-fr-comprehensive, fr.dic/fr.aff, MPL 2.0). Do not edit by hand:\n")
        out.write("# change the generator and run it again. FORM<TAB>KEY, sorted by FORM in byte order.\n")
        for f, k in entries:
            out.write(f.decode("utf-8") + "\t" + k + "\n")
    print(f"{len(families)} lemmas, {len(allforms)} forms, {len(splits)} splits, "
          f"{len(entries)} entries -> {args.output}", file=sys.stderr)
    if args.report:
        for k, kept, comp, new in sorted(splits):
            print(f"split {k}: kept {' '.join(sorted(kept)[:6])} | {' '.join(sorted(comp)[:6])} -> {new}")


if __name__ == "__main__":
    main()
