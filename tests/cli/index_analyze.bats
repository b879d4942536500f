#!/usr/bin/env bats
# crible-index --analyze: documents in, analysed in-process by the library
# chain of crible-tokenize | crible-stem.  The index must be the one the
# piped chain builds from the same documents: the same segment and
# MANIFEST bytes, hence the same stats, dump and query answers (shown too,
# so that a failure says what differs).  Also: settings from the
# configuration, threads, bad documents, empty input, a full disk.  With
# --entities, the chain is read | tokenize | stem | entities | index.
bats_require_minimum_version 1.5.0
load common

setup() {
    T=$BATS_TEST_TMPDIR
}

# Builds $2/piped and $2/fused from the documents $1 (extra options: $3...).
both() {
    local docs=$1 out=$2
    shift 2
    crible-tokenize "$@" "$docs" | crible-stem "$@" | crible-index -q "$@" -o "$out/piped"
    crible-index -q --analyze "$@" -o "$out/fused" "$docs"
}

# The same with the entity tagger: $1 documents, $2 output, $3... options.
both_entities() {
    local docs=$1 out=$2
    shift 2
    crible-tokenize "$@" "$docs" | crible-stem "$@" | crible-entities "$@" | crible-index -q "$@" -o "$out/piped"
    crible-index -q --analyze --entities "$@" -o "$out/fused" "$docs"
}

# The entity fields and their documents (stats lines "field\tperson\t...").
entity_fields() {
    crible-index stats "$1" | awk -F'\t' '$1=="field" && $2 ~ /^(person|place|org|platform|work|dish)$/ {print $2, $4}'
}

# The same answers, then the same bytes.
same_index() {
    local a=$1 b=$2
    diff <(crible-index stats --top 50 "$a") <(crible-index stats --top 50 "$b")
    for t in netflix harcel réseau série l\'; do
        diff <(crible-index dump "$a" --term "$t") <(crible-index dump "$b" --term "$t")
    done
    diff <(crible-index dump "$a" --prefix s) <(crible-index dump "$b" --prefix s)
    for q in 'réseaux sociaux' '"la série"' 'harcèlement NEAR/s victimes' 'netflix OR disney'; do
        diff <(crible-query --tsv "$a" "$q") <(crible-query --tsv "$b" "$q")
    done
    cmp "$a/MANIFEST" "$b/MANIFEST"
    for f in "$a"/seg-*; do cmp "$f" "$b/$(basename "$f")"; done
}

@test "index --analyze: the same index as read | tokenize | stem | index on corpus/" {
    crible-read "$CRIBLE_SRC/corpus" > "$T/docs.jsonl"
    both "$T/docs.jsonl" "$T"
    same_index "$T/piped" "$T/fused"
    run crible-index dump "$T/fused" --term netflix
    [ "${#lines[@]}" -gt 2 ]
    # the stored document with its tokens' offsets
    id=$(head -1 "$T/docs.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    diff <(crible-index dump "$T/piped" --doc "$id") <(crible-index dump "$T/fused" --doc "$id")
    crible-index check "$T/fused"
}

@test "index --analyze: the same index on the reviews, with 2 threads and small segments" {
    need_shared "$DATA/reviews/reviews.jsonl"
    head -3000 "$DATA/reviews/reviews.jsonl" > "$T/docs.jsonl"
    crible-tokenize "$T/docs.jsonl" | crible-stem | crible-index -q --memory 2M -o "$T/piped"
    crible-index -q --analyze --threads 2 --memory 2M -o "$T/fused" "$T/docs.jsonl"
    same_index "$T/piped" "$T/fused"
}

@test "index --analyze: the configuration's tokenize: and stem: sections, as the stages read them" {
    crible-read "$CRIBLE_SRC/corpus" > "$T/docs.jsonl"
    cat > "$T/c.yaml" <<'EOF'
tokenize:
  fold_accents: true
  fields: [text]
stem:
  protected: [Netflix]
  stopwords: [le, la, les]
index:
  memory: 64M
EOF
    both "$T/docs.jsonl" "$T" -c "$T/c.yaml"
    same_index "$T/piped" "$T/fused"
    run crible-index stats "$T/fused"
    [[ "$output" == *'"fold_accents":true'* ]]
    [[ "$output" != *$'field\ttitle\ttext'* ]]
    # the key in the configuration does what the option does
    printf 'index:\n  analyze: true\n  analyze_threads: 2\n' > "$T/a.yaml"
    crible-index -q -c "$T/a.yaml" -o "$T/cfg" "$T/docs.jsonl"
    crible-tokenize "$T/docs.jsonl" | crible-stem | crible-index -q -o "$T/ref"
    same_index "$T/ref" "$T/cfg"
}

@test "index --analyze: a stem cache of 40 words (emptied again and again, words renumbered mid-sentence) = the piped chain" {
    # --analyze reuses what a word gave by the stem bank's word numbers:
    # they must not outlive a cache emptied in the middle of a batch
    need_shared "$DATA/reviews/reviews.jsonl"
    head -400 "$DATA/reviews/reviews.jsonl" > "$T/docs.jsonl"
    printf 'stem:\n  cache: 40\n' > "$T/c.yaml"
    both "$T/docs.jsonl" "$T" -c "$T/c.yaml"
    same_index "$T/piped" "$T/fused"
    crible-tokenize "$T/docs.jsonl" | crible-stem | crible-index -q -o "$T/ref"
    same_index "$T/ref" "$T/fused"
}

@test "index --analyze: a bad line ends the reading there; the documents before it are committed" {
    printf '%s\n' '{"id":"a","text":"Le harcèlement en ligne."}' '{"id":"b","text":"Les réseaux sociaux."}' \
        '{"id":"c","text":"cassé' '{"id":"d","text":"Jamais lu."}' > "$T/bad.jsonl"
    run --separate-stderr crible-index -q --analyze -o "$T/idx" "$T/bad.jsonl"
    [ "$status" -eq 4 ]
    [[ "$stderr" == *"bad.jsonl:3"* ]] || { echo "$stderr"; false; }
    [ "$(crible-index stats "$T/idx" | awk -F'\t' '$1=="documents"{print $2}')" = 2 ]
    crible-index check "$T/idx"
    # invalid UTF-8 in a text: named by line
    printf '{"id":"x","text":"bon"}\n{"id":"y","text":"caf\xe9"}\n' > "$T/utf.jsonl"
    run --separate-stderr crible-index -q --analyze -o "$T/idx2" "$T/utf.jsonl"
    [ "$status" -eq 4 ]
    [[ "$stderr" == *"utf.jsonl:2"* ]] || { echo "$stderr"; false; }
}

@test "index --analyze: empty input, empty documents, a document analysed otherwise is refused" {
    : > "$T/empty.jsonl"
    crible-index -q --analyze -o "$T/idx" "$T/empty.jsonl"
    printf '%s\n' '{"id":"e","text":""}' '{"id":"f","text":"Un avis."}' > "$T/d.jsonl"
    crible-index -q --analyze -o "$T/idx" "$T/d.jsonl"
    [ "$(crible-index stats "$T/idx" | awk -F'\t' '$1=="documents"{print $2}')" = 2 ]
    # the same index, later documents analysed with other settings
    printf 'tokenize:\n  fold_accents: true\n' > "$T/c.yaml"
    run --separate-stderr crible-index -q --analyze -c "$T/c.yaml" -o "$T/idx" "$T/d.jsonl"
    [ "$status" -eq 4 ]
    [[ "$stderr" == *"other 'tokenize' settings"* ]]
    run --separate-stderr crible-index --analyze --threads 0 -o "$T/idx3" "$T/d.jsonl"
    [ "$status" -eq 2 ]
}

@test "index: a full tmpfs is a clear error, exit 5, and the previous index is intact" {
    command -v unshare >/dev/null || skip "unshare absent"
    unshare -rm true 2>/dev/null || skip "no user and mount namespaces here"
    crible-read "$CRIBLE_SRC/corpus" > "$T/docs.jsonl"
    # many documents: more than a 256 KiB file system holds once indexed
    python3 - "$T/docs.jsonl" > "$T/many.jsonl" <<'EOF'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
for i in range(60):
    for d in docs:
        d = dict(d, id="%s-%d" % (d["id"], i), text=d["text"] + " n%d" % i)
        print(json.dumps(d, ensure_ascii=False))
EOF
    cat > "$T/full.sh" <<EOF
set -u
mount -t tmpfs -o size=256k tmpfs "$T/mnt" || exit 99
crible-index -q --analyze -o "$T/mnt/idx" "$T/docs.jsonl" || exit 98
cp "$T/mnt/idx/MANIFEST" "$T/before"
crible-index --analyze -o "$T/mnt/idx" "$T/many.jsonl" 2> "$T/err"
echo \$? > "$T/status"
cmp "$T/mnt/idx/MANIFEST" "$T/before" || exit 97
crible-index check "$T/mnt/idx" > "$T/check" 2>&1 || exit 96
crible-index stats "$T/mnt/idx" | awk -F'\t' '\$1=="documents"{print \$2}' > "$T/ndocs"
crible-query --count "$T/mnt/idx" 'réseaux sociaux' > "$T/count" || exit 95
df -k "$T/mnt" | tail -1 > "$T/df"
EOF
    mkdir -p "$T/mnt"
    run unshare -rm sh "$T/full.sh"
    [ "$status" -ne 99 ] || skip "tmpfs cannot be mounted here"
    [ "$status" -eq 0 ] || { cat "$T/err" "$T/check" 2>/dev/null; echo "status $status"; false; }
    [ "$(cat "$T/status")" -eq 5 ]
    grep -q "No space left on device" "$T/err" || { cat "$T/err"; false; }
    [ "$(cat "$T/ndocs")" = 20 ]
    [ "$(cat "$T/count")" -gt 0 ]
}

@test "index --analyze: a 20 MB one-line document from standard input" {
    python3 -c "
import json
print(json.dumps({'id': 'big', 'text': 'Le harcèlement en ligne touche les adolescents. ' * 420000}, ensure_ascii=False))" > "$T/big.jsonl"
    run --separate-stderr bash -c "crible-index --analyze -o '$T/idx' - < '$T/big.jsonl'"
    [ "$status" -eq 0 ] || { echo "$stderr"; false; }
    [[ "$stderr" == *"1 documents, 3360000 tokens"* ]]
    run crible-index stats "$T/idx"
    [[ "$output" == *$'field\ttext\ttext\tdocs 1\t'*'tokens 3360000'* ]]
    crible-index check "$T/idx"
}

@test "index --analyze: the same index for another language, an unknown one, escapes, arrays and objects" {
    printf '%s\n' '{"id":"e1","lang":"en","title":"Running shoes","text":"The runners were running quickly."}' \
        '{"id":"e2","lang":"xx","text":"Les coureurs couraient vite."}' \
        '{"id":"e3","text":"Les coureurs couraient vite. 3,5 M€ #déçu https://ex.fr/a?b=c"}' \
        '{"id":"e5","text":"tab\there and \u00e9t\u00e9 escaped","tags":["a","b"],"meta":{"x":"y"}}' > "$T/d.jsonl"
    both "$T/d.jsonl" "$T"
    same_index "$T/piped" "$T/fused"
    run crible-index dump "$T/fused" --term run
    [[ "$output" == *e1* ]]
}

@test "index --analyze --entities: the same index as read | tokenize | stem | entities | index on corpus/" {
    c="$CRIBLE_SRC/config/crible.yaml"
    crible-read -c "$c" "$CRIBLE_SRC/corpus" > "$T/docs.jsonl"
    both_entities "$T/docs.jsonl" "$T" -c "$c"
    same_index "$T/piped" "$T/fused"
    # entities were tagged: Netflix is a platform, and the facets agree
    run entity_fields "$T/fused"
    [[ "$output" == *"platform docs"* ]] || { echo "$output"; false; }
    [[ "$output" == *"person docs"* ]] || { echo "$output"; false; }
    diff <(crible-query --tsv --facets platform,person "$T/piped" 'streaming') \
         <(crible-query --tsv --facets platform,person "$T/fused" 'streaming')
    run crible-index stats "$T/fused"
    [[ "$output" == *'CRIBLE:STOP CRIBLE:NER CRIBLE:ENTITY"'* ]]
    # without --entities, no entity field (the documents have a "platform"
    # member of their own): the index of read | tokenize | stem | index
    crible-index -q --analyze -c "$c" -o "$T/plain" "$T/docs.jsonl"
    run entity_fields "$T/plain"
    [[ "$output" != *person* && "$output" != *place* ]] || { echo "$output"; false; }
    # the key in the configuration does what the option does
    printf 'entities:\n  rules: true\nindex:\n  analyze: true\n  analyze_entities: true\n' > "$T/a.yaml"
    crible-index -q -c "$T/a.yaml" -o "$T/cfg" "$T/docs.jsonl"
    same_index "$T/fused" "$T/cfg"
}

@test "index --analyze --entities: the same index on 2,000 reviews (metadata names), 2 threads, small segments" {
    need_shared "$DATA/reviews/reviews.jsonl"
    c="$CRIBLE_SRC/config/reviews-jsonl.yaml"
    head -2000 "$DATA/reviews/reviews.jsonl" | crible-read -c "$c" - > "$T/docs.jsonl"
    both_entities "$T/docs.jsonl" "$T" -c "$c"
    same_index "$T/piped" "$T/fused"
    crible-tokenize -c "$c" "$T/docs.jsonl" | crible-stem -c "$c" | crible-entities -c "$c" |
        crible-index -q -c "$c" --memory 2M -o "$T/small"
    crible-index -q --analyze --entities -c "$c" --threads 3 --memory 2M -o "$T/three" "$T/docs.jsonl"
    same_index "$T/small" "$T/three"
    # the reviewed work's title, from the metadata, is a work of its reviews
    run entity_fields "$T/fused"
    [[ "$output" == *"work docs"* ]] || { echo "$output"; false; }
}

@test "index --analyze --entities: the configuration's entities: section (custom type, names, metadata, rules off)" {
    printf '%s\n' '{"id":"r1","item_title":"Le Festin","text":"Le bœuf bourguignon du restaurant Le Festin était parfait, dit Kevin Anderson à Lyon."}' \
        '{"id":"r2","item_title":"Le Festin","text":"Anderson y retournera pour le bourguignon."}' \
        '{"id":"r3","text":"Rien à signaler, Marie Curie est passée."}' > "$T/d.jsonl"
    cat > "$T/c.yaml" <<'EOF'
entities:
  types: [DISH]
  names:
    - {type: DISH, value: bœuf bourguignon, aliases: [bourguignon]}
  metadata:
    item_title: ORG
EOF
    both_entities "$T/d.jsonl" "$T" -c "$T/c.yaml"
    same_index "$T/piped" "$T/fused"
    run entity_fields "$T/fused"
    [[ "$output" == *"dish docs 2"* ]] || { echo "$output"; false; }
    [[ "$output" == *"org docs"* ]] || { echo "$output"; false; }
    printf 'entities:\n  rules: false\n' > "$T/n.yaml"
    mkdir -p "$T/n"
    both_entities "$T/d.jsonl" "$T/n" -c "$T/n.yaml"
    same_index "$T/n/piped" "$T/n/fused"
}

@test "index --entities: only with --analyze; a broken entities: section is a config error" {
    printf '{"id":"a","text":"Un avis."}\n' > "$T/d.jsonl"
    run --separate-stderr crible-index -q --entities -o "$T/idx" "$T/d.jsonl"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"--analyze"* ]]
    printf 'entities:\n  gazetteers: [absent.tsv]\n' > "$T/c.yaml"
    run --separate-stderr crible-index -q --analyze --entities -c "$T/c.yaml" -o "$T/idx" "$T/d.jsonl"
    [ "$status" -eq 3 ] || { echo "$status $stderr"; false; }
    [[ "$stderr" == *"absent.tsv"* ]]
    printf 'entities:\n  rulez: true\n' > "$T/t.yaml"
    run --separate-stderr crible-index -q --analyze --entities -c "$T/t.yaml" -o "$T/idx" "$T/d.jsonl"
    [ "$status" -eq 3 ]
    [[ "$stderr" == *"rulez"* ]]
}

@test "index --analyze: a buffer flushed in the middle of a batch (--memory 300K) gives the index of the piped chain, and the answers of one segment" {
    crible-read "$CRIBLE_SRC/corpus" > "$T/docs.jsonl"
    crible-tokenize "$T/docs.jsonl" | crible-stem | crible-index -q --memory 300K -o "$T/piped"
    crible-index -q --analyze --memory 300K -o "$T/fused" "$T/docs.jsonl"
    crible-index -q --analyze -o "$T/one" "$T/docs.jsonl"
    # several segments from one batch of documents (the corpus's 24 KB of
    # text: a batch takes up to 64 KiB)
    [ "$(ls "$T/fused" | grep -c '^seg-.*\.cri$')" -gt 2 ]
    same_index "$T/piped" "$T/fused"
    for q in 'réseaux sociaux' '"la série"' 'netflix OR disney' 'série'; do
        diff <(crible-query --tsv "$T/one" "$q") <(crible-query --tsv "$T/fused" "$q")
    done
    crible-index check "$T/fused"
}

@test "index --analyze: nested metadata objects and arrays (read by the fast path) are indexed as the piped chain indexes them" {
    printf '%s\n' '{"id":"n1","text":"Très bon accueil.","aspects":{"prix":"NE","cadre":"Très Bien","note":4},"tags":["Été",3,true,null,{"a":"b"}]}' \
        '{"id":"n2","text":"Accueil froid.","aspects":{"prix":"4","service":"2"},"aspects2":{"x":"1","x":"2"}}' > "$T/d.jsonl"
    both "$T/d.jsonl" "$T"
    same_index "$T/piped" "$T/fused"
    run crible-index dump "$T/fused" --field aspects.prix --term ne
    [[ "$output" == *n1* ]]
    run crible-index dump "$T/fused" --field aspects.cadre --term 'très bien'
    [[ "$output" == *n1* ]]
    run crible-index dump "$T/fused" --field aspects2.x --term 2
    [[ "$output" == *n2* ]]
    run crible-index dump "$T/fused" --field tags --term été
    [[ "$output" == *n1* ]]
}
