#!/usr/bin/env bats
# crible-index on token streams the analysis stages do not write but a
# user's script may: a field that comes back after another one, a bad
# field name in one document, a document without `# crible.doc`, "_" for
# a stem or a normal form, byte offsets written "+7" or with leading
# zeros.  What the index thread is handed from the read-ahead thread (a
# block's tokens at once, each document's stored record and metadata
# values: index_stream.c) must give what the writer makes token by token.
bats_require_minimum_version 1.5.0
load common

setup() {
    T=$BATS_TEST_TMPDIR
}

# same_segments A B MIN: A and B hold the same segment files, byte for
# byte, at least MIN of them
same_segments() {
    local n=0 s
    for s in "$1"/seg-*; do
        cmp "$s" "$2/${s##*/}"
        n=$((n + 1))
    done
    [ "$n" -ge "$3" ]
    [ "$n" = "$(ls "$2" | grep -c '^seg-')" ]
}

# the stream: documents a (title, text, then title again), b (a hidden
# field name: refused, its next block skipped with it), c (no crible.doc;
# odd offsets), d (after a bad one)
write_stream() {
    local tab=$'\t'
    {
        printf '# global.columns = ID FORM CRIBLE:START CRIBLE:END CRIBLE:NORM CRIBLE:TYPE CRIBLE:STEM CRIBLE:STOP\n'
        printf '# crible.version = 1\n'
        printf '# newdoc id = a\n'
        printf '# crible.doc = {"id":"a","title":"Grève générale. Encore","text":"Les cheminots manifestent.","source":"Le Monde"}\n'
        printf '# crible.field = title\n'
        printf '1\tGrève\t0\t6\tgrève\tword\tgrev\t0\n2\tgénérale\t7\t17\tgénérale\tword\tgéneral\t0\n3\t.\t17\t18\t.\tpunct\t_\t0\n\n'
        printf '# crible.field = text\n'
        printf '1\tLes\t0\t3\tles\tword\tle\t1\n2\tcheminots\t4\t13\tcheminots\tword\tcheminot\t0\n'
        printf '3\tmanifestent\t14\t25\tmanifestent\tword\tmanifest\t0\n4\t.\t25\t26\t_\tpunct\t_\t0\n\n'
        printf '# crible.field = title\n1\tEncore\t19\t25\t_\tword\tencor\t0\n\n'
        printf '# newdoc id = b\n# crible.doc = {"id":"b","text":"Grève."}\n# crible.field = _hidden\n'
        printf '1\tGrève\t0\t6\tgrève\tword\tgrev\t0\n\n'
        printf '# crible.field = text\n1\tencore\t7\t13\tencore\tword\tencor\t0\n\n'
        printf '# newdoc id = c\n1\tGrève\t0\t6\tgrève\tword\tgrev\t0\n2\tencore\t+7\t000000000013\tencore\tword\tencor\t0\n\n'
        printf '# newdoc id = d\n# crible.doc = {"id":"d","text":"Encore grève","lang":"fr"}\n'
        printf '1\tEncore\t0\t6\tencore\tword\tencor\t0\n2\tgrève\t7\t13\tgrève\tword\tgrev\t0\n\n'
        printf '# crible.end = 4\n\n'
    } > "$1"
}

@test "index_stream: fields that come back, a bad field, no crible.doc, odd cells" {
    write_stream "$T/s.conllu"
    run --separate-stderr crible-index -o "$T/idx" "$T/s.conllu"
    [ "$status" -eq 4 ]
    [[ "$stderr" == *"s.conllu:"*"document 'b': bad field name '_hidden'"* ]]
    [[ "$stderr" == *"3 documents"* ]]
    crible-index check "$T/idx"
    # a's title: its two sentences, apart, in one field; the stored
    # offsets give back each surface word
    run crible-index dump "$T/idx" --doc a
    [ "$status" -eq 0 ]
    [[ "$output" == *$'field\ttitle\ttokens 4\tsentences 2\tlength 4\n  0\t0-6\tGrève\n  1\t7-17\tgénérale\n  2\t17-18\t.\n  3\t19-25\tEncore\n'* ]]
    [[ "$output" == *$'field\ttext\ttokens 4\tsentences 1\tlength 4\n  0\t0-3\tLes\n'* ]]
    # its metadata value, made on the read-ahead thread
    run crible-index stats "$T/idx"
    [[ "$output" == *$'top\tsource\tle monde\t1'* ]]
    [[ "$output" == *$'top\ttitle\tencor\t1'* ]]
    # "_" as a normal form is the stem: encor is exact in a's title
    run crible-index dump "$T/idx" --field title.exact --term encor
    [[ "$output" == *$'\n0\ta\ttf 1\t3'* ]]
    run crible-index dump "$T/idx" --term encor
    [[ "$output" == *$'\tc\ttf 1\t1'* ]]
    [[ "$output" != *$'\tb\t'* ]]
    # c: no crible.doc (its JSON is its id); "+7" and 000000000013 read
    run crible-index dump "$T/idx" --doc c
    [[ "$output" == *$'json\t{"id":"c"}'* ]]
    [[ "$output" == *$'tokens 2'* ]]
    run crible-index dump "$T/idx" --term grev
    [[ "${lines[0]}" == $'term\tgrev\tdf 2\t'* ]]
    [[ "$output" == *$'\tc\ttf 1\t0'* ]]
    [[ "$output" == *$'\td\ttf 1\t1'* ]]
}

@test "index_stream: the same index, the documents a block at a time or all at once" {
    # the reader hands blocks to the index thread in a ring: a stream whose
    # blocks are many short ones gives the same index as one made of the
    # same documents with one block each (same tokens, same sentences)
    python3 - "$T/many.conllu" "$T/one.conllu" <<'EOF'
import json, sys
head = ("# global.columns = ID FORM CRIBLE:START CRIBLE:END CRIBLE:NORM CRIBLE:TYPE CRIBLE:STEM CRIBLE:STOP\n"
        "# crible.version = 1\n")
words = ["grève", "cheminots", "réforme", "retraites", "manifestation", "syndicats"]
many, one = open(sys.argv[1], "w"), open(sys.argv[2], "w")
for f in (many, one):
    f.write(head)
for d in range(400):
    toks = [words[(d + k) % len(words)] for k in range(1 + d % 37)]
    text = " ".join(toks)
    doc = json.dumps({"id": "n%d" % d, "text": text, "rating": d % 5}, ensure_ascii=False)
    rows, off = [], 0
    for k, t in enumerate(toks):
        n = len(t.encode())
        rows.append("%d\t%s\t%d\t%d\t%s\tword\t%s\t0\n" % (k + 1, t, off, off + n, t, t[:5]))
        off += n + 1
    for f, per in ((many, 3), (one, len(rows))):
        f.write("# newdoc id = n%d\n# crible.doc = %s\n# crible.field = text\n" % (d, doc))
        for s in range(0, len(rows), per):
            f.write("".join(rows[s:s + per]) + "\n")
for f in (many, one):
    f.write("# crible.end = 400\n\n")
EOF
    crible-index -q -o "$T/many" "$T/many.conllu"
    crible-index -q -o "$T/one" "$T/one.conllu"
    [ "$(crible-index stats "$T/many" | awk -F'\t' '$1=="documents"{print $2}')" = 400 ]
    run crible-index dump "$T/many" --doc n36
    [[ "$output" == *$'tokens 37\tsentences 13'* ]]
    run crible-index dump "$T/one" --doc n36
    [[ "$output" == *$'tokens 37\tsentences 1'* ]]
    # the same terms, postings and stored offsets, sentences apart
    for t in grève retra synd; do
        diff <(crible-index dump "$T/many" --term "$t") <(crible-index dump "$T/one" --term "$t")
    done
    diff <(crible-index dump "$T/many" --doc n399 | grep -v sentences) \
         <(crible-index dump "$T/one" --doc n399 | grep -v sentences)
}

@test "index_stream: a document followed whole gives the index of one given a block at a time" {
    # a document with a `# crible.doc` (and an id) comes to the index
    # thread whole, its terms numbered on the read-ahead thread (the
    # interner's 65,536 lasting terms, then each document's own); one
    # without comes a block at a time, its stems and norms as strings.
    # {"id":"X"} is the JSON the writer makes for a document without one:
    # both streams must give the same segment bytes, over more distinct
    # terms than there are lasting ones, fields that come back, stems
    # and norms "_", terms past CRIBLE_TERM_MAX (255 bytes) cut at a
    # character, and several segments (the buffer flushed: the lasting
    # terms' resolutions forgotten)
    python3 "$CRIBLE_SRC/tests/tools/stream_whole_blocks.py" "$T/whole.conllu" "$T/blocks.conllu" \
        --seed 7 --docs 2500 --words cut
    run --separate-stderr crible-index -m 2M -o "$T/whole" "$T/whole.conllu"
    [ "$status" -eq 0 ]
    [[ "$stderr" =~ \(([0-9]+)\ segments\ written ]]
    [ "${BASH_REMATCH[1]}" -ge 5 ]
    crible-index -q -m 2M -o "$T/blocks" "$T/blocks.conllu"
    crible-index check "$T/whole"
    same_segments "$T/blocks" "$T/whole" 1
    [ "$(crible-index stats "$T/whole" | awk -F'\t' '$1=="documents"{print $2}')" = 2500 ]
}

@test "index_stream: documents followed whole and given by blocks, mixed in one stream, give the same index" {
    # half the documents have a `# crible.doc` (followed whole, their terms
    # numbered by the interner), half not (a block at a time), in one
    # stream; some are refused half-way (a bad field name), some are empty,
    # and long distinct terms fill the interner's lasting pool before its
    # 65,536 terms: the segments must be those of the stream without any
    # `# crible.doc`, flush after flush
    python3 "$CRIBLE_SRC/tests/tools/stream_whole_blocks.py" "$T/mixed.conllu" "$T/blocks.conllu" \
        --seed 11 --docs 1500 --words pool --whole 0.5 --bad 0.03 --empty 0.03
    printf 'index:\n  merge_factor: 100\n' > "$T/nomerge.yaml"
    run --separate-stderr crible-index -c "$T/nomerge.yaml" -m 2M -o "$T/mixed" "$T/mixed.conllu"
    [ "$status" -eq 4 ]   # the documents with a bad field
    [[ "$stderr" == *"mixed.conllu:"*"bad field name '_bad'"* ]]
    [[ "$stderr" =~ \(([0-9]+)\ segments\ written ]]
    [ "${BASH_REMATCH[1]}" -ge 5 ]
    run -4 crible-index -q -c "$T/nomerge.yaml" -m 2M -o "$T/blocks" "$T/blocks.conllu"
    same_segments "$T/blocks" "$T/mixed" 5
    docs=$(crible-index stats "$T/mixed" | awk -F'\t' '$1=="documents"{print $2}')
    [ "$docs" -gt 1400 ]
    [ "$docs" -lt 1500 ]
}
