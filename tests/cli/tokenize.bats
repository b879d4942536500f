#!/usr/bin/env bats
# crible-tokenize: the token stream on real French text (offsets, elisions,
# clitics, types, sentences), its options, and the bad inputs every stage
# must survive (invalid UTF-8, NUL bytes, a 50 MB line, empty documents and
# input, a stream cut in the middle of a record, broken YAML).
load common
bats_require_minimum_version 1.5.0

T() { printf '%s' "$BATS_TEST_TMPDIR/$1"; }

# Checks a token stream on stdin: every FORM is exactly the bytes
# [START, END) of its field's string in `# crible.doc`, ids count from 1,
# NORM and TYPE are never empty.  Prints "docs sentences tokens".
check_stream() {
    python3 -c '
import json, sys
docs = sents = toks = 0
doc = field = None
cols = None
for line in sys.stdin.read().split("\n"):
    if line.startswith("# global.columns = "):
        cols = line[19:].split(" ")
        assert cols[:6] == ["ID", "FORM", "CRIBLE:START", "CRIBLE:END", "CRIBLE:NORM", "CRIBLE:TYPE"], cols
    elif line.startswith("# crible.doc = "):
        doc = json.loads(line[15:]); docs += 1
    elif line.startswith("# crible.field = "):
        field = line[17:]
    elif line.startswith("# sent_id = "):
        sents += 1; expect = 1
        assert line[12:].startswith(doc["id"] + "/" + field + "/"), line
    elif line and not line.startswith("#"):
        c = line.split("\t")
        assert len(c) == len(cols), line
        assert int(c[0]) == expect, line; expect += 1
        raw = doc[field].encode("utf-8")
        s, e = int(c[2]), int(c[3])
        assert raw[s:e].decode("utf-8") == c[1], (line, raw[s:e])
        assert c[4] != "_" and c[5] in ("word","number","punct","symbol","emoji","url","email","hashtag","mention"), line
        toks += 1
print(docs, sents, toks)
'
}

doc() { jq -cn --arg id "$1" --arg text "$2" '{id: $id, text: $text}'; }

@test "--help on stdout, --version, exit 0" {
    run --separate-stderr crible-tokenize --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"crible-tokenize"* && "$output" == *"CRIBLE:NORM"* && "$output" == *"--conllu"* ]]
    [ -z "$stderr" ]
    run crible-tokenize --version
    [ "$status" -eq 0 ]
    [[ "$output" == "crible-tokenize (crible) "* ]]
}

@test "an unknown option is a usage error, exit 2" {
    run -2 --separate-stderr crible-tokenize --bogus
    [ -z "$output" ]
    [[ "$stderr" == *"unknown option '--bogus'"* && "$stderr" == *"Try 'crible-tokenize --help'"* ]]
}

@test "writing to /dev/full fails with exit 5" {
    run -5 bash -c "$(declare -f doc); doc a 'Un film.' | crible-tokenize > /dev/full"
    [[ "$output" == *"cannot write to standard output"* ]]
}

@test "a missing input file is an I/O error naming it, exit 5" {
    run -5 --separate-stderr crible-tokenize nulle-part.jsonl
    [[ "$stderr" == "crible-tokenize: cannot open 'nulle-part.jsonl': No such file or directory" ]]
}

@test "broken YAML and a misspelt key are config errors with line and column, exit 3" {
    printf 'tokenize:\n  fields: [title, text\n' > "$(T broken.yaml)"
    run -3 --separate-stderr crible-tokenize -c "$(T broken.yaml)" /dev/null
    [ -z "$output" ]
    [[ "$stderr" =~ broken\.yaml:[0-9]+:[0-9]+: ]]
    printf 'tokenize:\n  fold_acents: true\n' > "$(T typo.yaml)"
    run -3 --separate-stderr crible-tokenize -c "$(T typo.yaml)" /dev/null
    [[ "$stderr" == *"typo.yaml:2:3: unknown key 'fold_acents'"*"did you mean 'fold_accents'"* ]]
    printf 'tokenize:\n  normalization: nfd\n' > "$(T choice.yaml)"
    run -3 --separate-stderr crible-tokenize -c "$(T choice.yaml)" /dev/null
    [[ "$stderr" == *"choice.yaml:2:"* ]]
}

@test "the token stream: header, document, fields, sentences, offsets" {
    run --separate-stderr bash -c 'echo "{\"id\":\"rev-1\",\"title\":\"Déçu\",\"rating\":2,\"text\":\"Pas bon du tout. L’enfer, dit-il !\"}" | crible-tokenize'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "# global.columns = ID FORM CRIBLE:START CRIBLE:END CRIBLE:NORM CRIBLE:TYPE" ]
    [ "${lines[1]}" = "# crible.version = 1" ]
    [ "${lines[2]}" = '# crible.tokenize = {"fold_accents":false,"fold_case":true,"normalization":"nfc","split_clitics":true,"split_elisions":true}' ]
    [ "${lines[3]}" = "# newdoc id = rev-1" ]
    [[ "${lines[4]}" == '# crible.doc = {"id":"rev-1","title":"Déçu","rating":2,'* ]]
    [ "${lines[5]}" = "# crible.field = title" ]
    [ "${lines[6]}" = "# sent_id = rev-1/title/1" ]
    [ "${lines[8]}" = $'1\tDéçu\t0\t6\tdéçu\tword' ]
    [[ "$output" == *$'# sent_id = rev-1/text/2\n# text = L’enfer, dit-il !\n1\tL’\t17\t21\tl\'\tword\n2\tenfer\t21\t26\tenfer\tword\n3\t,\t26\t27\t,\tpunct\n4\tdit\t28\t31\tdit\tword\n5\t-il\t31\t34\t-il\tword\n6\t!\t35\t36\t!\tpunct'* ]]
    [ "${lines[-1]}" = "# crible.end = 1" ]
}

@test "real reviews: every FORM is the bytes at its offsets, in 500 documents" {
    need_shared "$DATA/reviews/reviews.jsonl"
    head -500 "$DATA/reviews/reviews.jsonl" | crible-tokenize > "$(T rev.conllu)"
    run check_stream < "$(T rev.conllu)"
    [ "$status" -eq 0 ]
    read -r docs sents toks <<< "$output"
    # one check a line: bats does not fail on the first of 'a && b' (the
    # bounds were 2,000 sentences and 50,000 tokens, never checked: the 500
    # reviews make 1,380 sentences and 31,301 tokens)
    [ "$docs" -eq 500 ]
    [ "$sents" -gt 1300 ]
    [ "$toks" -gt 30000 ]
    # the types a review holds
    for ty in word number punct emoji; do
        grep -q $'\t'"$ty"'$' "$(T rev.conllu)"
    done
}

@test "the seed article: elisions, clitics, guillemets, sentences" {
    need_shared
    jq -Rsc '{id: "seed", title: "Je peux te dire un secret ?", text: .}' "$SEED" | crible-tokenize > "$(T seed.conllu)"
    run check_stream < "$(T seed.conllu)"
    [ "$status" -eq 0 ]
    read -r docs sents toks <<< "$output"
    [ "$docs" -eq 1 ]
    [ "$sents" -gt 20 ]
    [ "$toks" -gt 350 ]
    # no token keeps an elision glued to its word, no token holds a space but numbers
    ! cut -f2 "$(T seed.conllu)" | grep -Eiq "^(l|d|qu|j|n|s|c)['’][[:alpha:]]" || false   # '!' alone cannot fail a bats test
    run bash -c "grep -v '^#' '$(T seed.conllu)' | awk -F'\t' '\$2 ~ / / && \$6 != \"number\"'"
    [ -z "$output" ]
    grep -q $'\t«\t' "$(T seed.conllu)"
}

@test "French tokens: elisions, clitics, compounds, numbers, emoji, URLs, tags" {
    doc t "L'avion d’Air France ? Royaume-Uni, peut-être, a-t-il dit-il. Noté 4/5 et 3,5 pour 1 000 vues 👍🏽 👨‍👩‍👧 🇫🇷 sur https://www.netflix.com/fr/, #JePeuxTeDireUnSecret @netflixfr contact@crible.fr aujourd'hui" > "$(T in.jsonl)"
    run -0 bash -c "crible-tokenize '$(T in.jsonl)' | grep -v '^#' | cut -f2,6 | tr '\t\n' '/ '"
    [[ "$output" == "L'/word avion/word d’/word Air/word France/word ?/punct  Royaume-Uni/word ,/punct peut-être/word ,/punct a/word -t-il/word dit/word -il/word ./punct  Noté/word 4/5/number et/word 3,5/number pour/word 1 000/number vues/word 👍🏽/emoji 👨‍👩‍👧/emoji 🇫🇷/emoji sur/word https://www.netflix.com/fr//url ,/punct #JePeuxTeDireUnSecret/hashtag @netflixfr/mention contact@crible.fr/email aujourd'hui/word  "* ]]
}

@test "fold_accents and nfkc from the config change NORM only" {
    printf 'tokenize:\n  fold_accents: true\n  normalization: nfkc\n' > "$(T fold.yaml)"
    doc a "Déçu par l’ÉTÉ ﬁlm" | crible-tokenize -c "$(T fold.yaml)" > "$(T out)"
    run bash -c "grep -v '^#' '$(T out)' | cut -f2,5 | tr '\t\n' '/ '"
    [[ "$output" == "Déçu/decu par/par l’/l' ÉTÉ/ete ﬁlm/film "* ]]
}

@test "fields from the config: only the listed members, in that order" {
    printf 'tokenize:\n  fields: [summary, title]\n' > "$(T f.yaml)"
    echo '{"id":"x","title":"Titre","summary":"Résumé.","text":"Corps."}' | crible-tokenize -c "$(T f.yaml)" > "$(T out)"
    run grep '^# crible.field' "$(T out)"
    [ "${lines[0]}" = "# crible.field = summary" ]
    [ "${lines[1]}" = "# crible.field = title" ]
    [ "${#lines[@]}" -eq 2 ]
    ! grep -q 'Corps' <(grep -v '^# crible.doc' "$(T out)") || false
}

@test "--conllu writes plain 10-column CoNLL-U with SpaceAfter=No" {
    run -0 bash -c "$(declare -f doc); doc a 'Pas bon, dit-il.' | crible-tokenize --conllu"
    [ "${lines[0]}" = "# newdoc id = a" ]
    [[ "$output" != *"global.columns"* && "$output" != *"crible.doc"* ]]
    [[ "$output" == *$'2\tbon\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n3\t,\t_'* ]]
    [[ "$output" == *$'4\tdit\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No'* ]]
}

@test "empty documents keep their place; empty input gives an empty stream" {
    printf '%s\n' '{"id":"a","text":""}' '{"id":"b","text":"  \n "}' '{"id":"c","text":"Bon."}' > "$(T e.jsonl)"
    run -0 crible-tokenize "$(T e.jsonl)"
    [[ "$output" == *$'# newdoc id = a\n# crible.doc = {"id":"a","text":""}\n\n# newdoc id = b'* ]]
    [ "${lines[-1]}" = "# crible.end = 3" ]
    run -0 crible-tokenize < /dev/null
    [ "${lines[-1]}" = "# crible.end = 0" ]
}

@test "invalid UTF-8 and NUL bytes are data errors naming the line, exit 4" {
    printf '{"id":"a","text":"bon"}\n{"id":"b","text":"caf\xe9"}\n' > "$(T bad.jsonl)"
    run -4 --separate-stderr crible-tokenize "$(T bad.jsonl)"
    [[ "$stderr" == *"bad.jsonl:2: invalid UTF-8"* ]]
    printf '{"id":"a","text":"bo\x00n"}\n' > "$(T nul.jsonl)"
    run -4 --separate-stderr crible-tokenize "$(T nul.jsonl)"
    [[ "$stderr" == *"nul.jsonl:1: NUL byte"* ]]
    # the stream written so far has no end mark: the next stage knows
    run -4 --separate-stderr crible-tokenize "$(T bad.jsonl)"
    [[ "$output" != *"crible.end"* ]]
}

@test "a stream cut in the middle of a record is an error, exit 4" {
    printf '{"id":"a","text":"Bon film."}\n{"id":"b","text":"Mauv' > "$(T cut.jsonl)"
    run -4 --separate-stderr crible-tokenize "$(T cut.jsonl)"
    [[ "$stderr" == *"cut.jsonl:2:"*"cut"* ]]
    run -4 crible-tokenize < "$(T cut.jsonl)"
}

@test "unknown document members are carried along in crible.doc" {
    echo '{"id":"z","text":"Top.","aspects":{"prix":"Positive"},"rating":4.5,"_x":[1,2]}' | crible-tokenize > "$(T out)"
    grep -qF '# crible.doc = {"id":"z","text":"Top.","aspects":{"prix":"Positive"},"rating":4.5,"_x":[1,2]}' "$(T out)"
}

@test "a 50 MB one-line document is tokenized whole, offsets right to the end" {
    python3 -c '
import json
unit = "Le film m’a plu, dit-il : 4/5 ! "
n = 50_000_000 // len(unit.encode())
print(json.dumps({"id": "big", "text": unit * n}, ensure_ascii=False))' > "$(T big.jsonl)"
    [ "$(stat -c %s "$(T big.jsonl)")" -gt 50000000 ]
    run -0 bash -c "crible-tokenize '$(T big.jsonl)' | tail -n 4 | head -n 2"
    size=$(python3 -c 'import json,sys; print(len(json.loads(open(sys.argv[1]).read())["text"].encode()))' "$(T big.jsonl)")
    [[ "${lines[0]}" == *$'\t!\t'"$((size - 2))"$'\t'"$((size - 1))"$'\t!\tpunct' ]]
}

# Runs the command $3... with its standard input a pipe another program
# made non-blocking (O_NONBLOCK), fed the file $1 4 KiB at a time, more
# slowly than the command reads (its reads say EAGAIN, lines arrive cut in
# two); its standard output to the file $2.  Exits with the command's status.
nonblocking_input() {
    python3 - "$@" <<'PY'
import fcntl, os, subprocess, sys, time
src, dst, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
r, w = os.pipe()
fcntl.fcntl(r, fcntl.F_SETFL, fcntl.fcntl(r, fcntl.F_GETFL) | os.O_NONBLOCK)
with open(dst, "wb") as out:
    p = subprocess.Popen(cmd, stdin=r, stdout=out)
os.close(r)
data = open(src, "rb").read()
for i in range(0, len(data), 4096):
    os.write(w, data[i:i + 4096])
    time.sleep(0.001)
os.close(w)
sys.exit(p.wait())
PY
}

@test "a non-blocking standard input (a pipe another program set O_NONBLOCK) is waited for, lines cut by EAGAIN kept whole" {
    need_shared "$DATA/reviews/reviews.jsonl"
    head -300 "$DATA/reviews/reviews.jsonl" > "$(T docs.jsonl)"
    [ "$(wc -c < "$(T docs.jsonl)")" -gt 100000 ]   # many 4 KiB writes, lines cut
    crible-tokenize "$(T docs.jsonl)" > "$(T want)"
    nonblocking_input "$(T docs.jsonl)" "$(T got)" crible-tokenize
    cmp "$(T got)" "$(T want)"
    # the document reader crible-index --analyze shares
    crible-index -q --analyze -o "$(T want.ix)" "$(T docs.jsonl)"
    nonblocking_input "$(T docs.jsonl)" "$(T log)" crible-index -q --analyze -o "$(T got.ix)" -
    cmp "$(T got.ix)/MANIFEST" "$(T want.ix)/MANIFEST"
    for f in "$(T want.ix)"/seg-*; do cmp "$f" "$(T got.ix)/$(basename "$f")"; done
    [ -n "$(ls "$(T got.ix)"/seg-*)" ]
}
