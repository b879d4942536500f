#!/usr/bin/env bats
# crible-stem: CRIBLE:STEM and CRIBLE:STOP on real French, the corrections,
# languages, the stem: section, --conllu, pass-through of foreign columns
# and comments, and the bad inputs every stage must survive (invalid UTF-8,
# NUL bytes, a 50 MB line, empty documents and input, a cut stream, broken
# YAML, a full disk).
load common
bats_require_minimum_version 1.5.0

T() { printf '%s' "$BATS_TEST_TMPDIR/$1"; }
doc() { jq -cn --arg id "$1" --arg text "$2" '{id: $id, text: $text}'; }

# FORM STEM STOP of every token line (columns found by name).
fss() {
    awk -F'\t' '/^# global.columns = /{ split(substr($0, 20), c, " ");
                  for (i in c) col[c[i]] = i; next }
                /^#/ || $0 == "" { next }
                { print $col["FORM"] "\t" $col["CRIBLE:STEM"] "\t" $col["CRIBLE:STOP"] }'
}

@test "--help on stdout, --version, exit 0; a bad option is exit 2" {
    run --separate-stderr crible-stem --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"CRIBLE:STEM"* && "$output" == *"CRIBLE:STOP"* && "$output" == *"--conllu"* ]]
    [ -z "$stderr" ]
    run crible-stem --version
    [[ "$output" == "crible-stem (crible) "* ]]
    run -2 --separate-stderr crible-stem --bogus
    [ -z "$output" ]
    [[ "$stderr" == *"unknown option '--bogus'"* && "$stderr" == *"Try 'crible-stem --help'"* ]]
}

@test "stems and flags a review: meaning words kept, corrections applied" {
    doc r1 "Pas bon du tout. Une œuvre nulle, des jeux très longs : déçue, decue, mauvaise série !" \
        | crible-tokenize | crible-stem > "$(T out)"
    head -1 "$(T out)" | grep -q 'CRIBLE:TYPE CRIBLE:STEM CRIBLE:STOP$'
    grep -q '^# crible.stem = {"algorithm":"french","corrections":true' "$(T out)"
    fss < "$(T out)" > "$(T fss)"
    grep -qx $'Pas\tpas\t0' "$(T fss)"       # negation is not a stop word
    grep -qx $'bon\tbon\t0' "$(T fss)"
    grep -qx $'du\tdu\t1' "$(T fss)"
    grep -qx $'très\ttres\t0' "$(T fss)"
    grep -qx $'œuvre\toeuvr\t0' "$(T fss)"   # œ spelt oe: oeuvre finds it
    grep -qx $'nulle\tnul\t0' "$(T fss)"     # libstemmer 2.2: null
    grep -qx $'jeux\tjeu\t0' "$(T fss)"      # libstemmer 2.2: jeux
    grep -qx $'longs\tlong\t0' "$(T fss)"
    grep -qx $'déçue\tdécev\t0' "$(T fss)"
    grep -qx $'decue\tdécev\t0' "$(T fss)"   # accent-less spelling, same term
    grep -qx $'mauvaise\tmauvais\t0' "$(T fss)"   # libstemmer 2.2: mauv, like mauve
    grep -qx $',\t_\t0' "$(T fss)"
    grep -qx $'!\t_\t0' "$(T fss)"
}

@test "numbers, hashtags, mentions, URLs, emoji are searchable as written" {
    doc r2 "Note 3,5 sur 5 😍 #JePeuxTeDireUnSecret @netflixfr https://www.netflix.com/fr" \
        | crible-tokenize | crible-stem | fss > "$(T fss)"
    grep -qx $'3,5\t3,5\t0' "$(T fss)"
    grep -qx $'😍\t😍\t0' "$(T fss)"
    grep -qx $'#JePeuxTeDireUnSecret\t#jepeuxtedireunsecret\t0' "$(T fss)"
    grep -qx $'@netflixfr\t@netflixfr\t0' "$(T fss)"
    grep -qx $'https://www.netflix.com/fr\thttps://www.netflix.com/fr\t0' "$(T fss)"
}

@test "each document is stemmed in its own language; an unknown one falls back to French" {
    { jq -cn '{id: "en", lang: "en-GB", text: "The dogs were running."}'
      jq -cn '{id: "tl", lang: "klingon", text: "Les victimes."}'
      jq -cn '{id: "fr", lang: "fr", text: "Les victimes."}'; } \
        | crible-tokenize > "$(T in)"
    run --separate-stderr crible-stem "$(T in)"
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"document 'tl': unknown language 'klingon': stemmed as french"* ]]
    echo "$output" | fss > "$(T fss)"
    grep -qx $'running\trun\t0' "$(T fss)"
    grep -qx $'dogs\tdog\t0' "$(T fss)"
    [ "$(grep -c $'^victimes\tvictim\t0$' "$(T fss)")" -eq 2 ]
}

@test "a token met again gets the cells of its document's language and of its type" {
    # crible-stem keeps each "NORM TYPE" it made cells for, per language:
    # the same word in another language, or under another type, is not
    # given the cells made before
    { jq -cn '{id: "f1", lang: "fr", text: "Running chats."}'
      jq -cn '{id: "e1", lang: "en", text: "Running chats."}'
      jq -cn '{id: "f2", lang: "fr", text: "Running chats, chats."}'; } \
        | crible-tokenize > "$(T in)"
    crible-stem "$(T in)" | fss > "$(T fss)"
    [ "$(grep -c $'^Running\trun\t0$' "$(T fss)")" -eq 1 ]     # English only
    [ "$(grep -c $'^Running\t' "$(T fss)")" -eq 3 ]
    [ "$(grep -c $'^chats\tchat\t0$' "$(T fss)")" -eq 4 ]
    # the second "chats" of f2 made a symbol: no term; then NORM and TYPE
    # apart (a column between them): the same cells as side by side
    awk -F'\t' 'BEGIN{OFS="\t"} /^# newdoc id = f2/ {f2 = 1} f2 && $2 == "chats" && ++n == 2 {$6 = "symbol"} {print}' \
        "$(T in)" > "$(T sym)"
    crible-stem "$(T sym)" | fss > "$(T fss2)"
    [ "$(grep -c $'^chats\t_\t0$' "$(T fss2)")" -eq 1 ]
    [ "$(grep -c $'^chats\tchat\t0$' "$(T fss2)")" -eq 3 ]
    awk -F'\t' 'BEGIN{OFS="\t"} /^# global.columns/ {sub(/CRIBLE:NORM/, "CRIBLE:NORM X:MID"); print; next}
                /^#/ || $0 == "" {print; next} {$5 = $5 "\tm"; print}' "$(T sym)" > "$(T apart)"
    crible-stem "$(T apart)" | fss | cmp - "$(T fss2)"
}

@test "unknown columns and comments pass through unchanged" {
    doc r3 "Les séries sont nulles." | crible-tokenize \
        | awk -F'\t' 'BEGIN{OFS="\t"} /^# global.columns/ {print $0 " X:LEN"; next}
                      /^# sent_id/ {print "# my.note = hello"} /^#/ || $0=="" {print; next}
                      {print $0, length($2)}' > "$(T in)"
    crible-stem "$(T in)" > "$(T out)"
    head -1 "$(T out)" | grep -qx '# global.columns = ID FORM CRIBLE:START CRIBLE:END CRIBLE:NORM CRIBLE:TYPE X:LEN CRIBLE:STEM CRIBLE:STOP'
    grep -qx '# my.note = hello' "$(T out)"
    grep -qP '^2\tséries\t4\t11\tséries\tword\t7\tser\t0$' "$(T out)"
    tail -2 "$(T out)" | grep -qx '# crible.end = 1'
}

@test "a stream without CRIBLE:NORM says to run crible-tokenize first (exit 4)" {
    printf '1\tLes\tle\tDET\t_\t_\t2\tdet\t_\t_\n\n' > "$(T ud)"
    run -4 --separate-stderr crible-stem "$(T ud)"
    [[ "$stderr" == *"no column CRIBLE:NORM"* && "$stderr" == *"run crible-tokenize first"* ]]
    [ -z "$output" ]
}

@test "--conllu projects to 10-column CoNLL-U with the stem as LEMMA" {
    doc r4 "Des œuvres décevantes." | crible-tokenize | crible-stem --conllu > "$(T out)"
    ! grep -q '^# global.columns' "$(T out)" || false   # '!' alone cannot fail a bats test
    awk -F'\t' '!/^#/ && NF { if (NF != 10) exit 1 }' "$(T out)"
    grep -qP '^2\tœuvres\toeuvr\t' "$(T out)"
    grep -qP '^3\tdécevantes\tdécev\t' "$(T out)"
}

@test "the stem: section: protected words, overrides, stop words, corrections off" {
    cat > "$(T c.yaml)" <<'EOF'
stem:
  protected: [Netflix, Disney+]
  overrides:
    séries: série
  stopwords: [le, la, les]
EOF
    doc r5 "Les séries de Netflix et de Disney+ sont nulles." | crible-tokenize > "$(T in)"
    crible-stem -c "$(T c.yaml)" "$(T in)" | fss > "$(T fss)"
    grep -qx $'Netflix\tnetflix\t0' "$(T fss)"
    grep -qx $'séries\tsérie\t0' "$(T fss)"
    grep -qx $'Les\tle\t1' "$(T fss)"
    grep -qx $'de\tde\t0' "$(T fss)"          # the list replaced the default one
    printf 'stem:\n  corrections: false\n' > "$(T off.yaml)"
    crible-stem -c "$(T off.yaml)" "$(T in)" | fss | grep -qx $'nulles\tnull\t0'
}

@test "broken YAML and bad keys are config errors with line and column (exit 3)" {
    printf 'stem:\n  protected: [Netflix\n' > "$(T bad.yaml)"
    run -3 --separate-stderr crible-stem -c "$(T bad.yaml)" /dev/null
    [[ "$stderr" == *"bad.yaml:"*":"* ]]
    printf 'stem:\n  stopword: x.txt\n' > "$(T typo.yaml)"
    run -3 --separate-stderr crible-stem -c "$(T typo.yaml)" /dev/null
    [[ "$stderr" == *"typo.yaml:2:3: unknown key 'stopword'"*"did you mean 'stopwords'"* ]]
    printf 'stem:\n  algorithm: klingon\n' > "$(T algo.yaml)"
    run -3 --separate-stderr crible-stem -c "$(T algo.yaml)" /dev/null
    [[ "$stderr" == *"algo.yaml:2:14: unknown stemming algorithm 'klingon'"* ]]
    run -3 --separate-stderr crible-stem -c "$(T nowhere.yaml)" /dev/null
}

@test "empty input, empty documents" {
    run --separate-stderr crible-stem < /dev/null
    # one check a line: bats does not fail on the first of 'a && b'
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    { doc e1 ""; doc e2 "Bon."; doc e3 "   "; } | crible-tokenize | crible-stem > "$(T out)"
    [ "$(grep -c '^# newdoc id' "$(T out)")" -eq 3 ]
    grep -qx '# crible.end = 3' "$(T out)"
}

@test "invalid UTF-8, NUL bytes, a cut stream are bad input (exit 4)" {
    doc r6 "Très déçu par la fin." | crible-tokenize > "$(T good)"
    sed 's/déçu/d\xe9\xe7u/' "$(T good)" > "$(T latin1)"
    run -4 --separate-stderr crible-stem "$(T latin1)"
    [[ "$stderr" == *"latin1:"* ]]
    sed 's/déçu/dé\x00çu/' "$(T good)" > "$(T nul)"
    run -4 --separate-stderr crible-stem "$(T nul)"
    head -c 300 "$(T good)" > "$(T cut)"          # in the middle of a record
    run -4 --separate-stderr crible-stem "$(T cut)"
    grep -v '^# crible.end' "$(T good)" > "$(T noend)"   # whole blocks, no end mark
    run -4 --separate-stderr crible-stem "$(T noend)"
    [[ "$stderr" == *"cut short"* ]]
}

@test "a fault deep in a long stream is named at its line; CRLF lines read as LF" {
    # 3,000 documents (2.6 MB of tokens: the reader's input buffer read
    # many times), then one line broken past the first megabyte
    seq 3000 | awk '{ printf "{\"id\":\"d%d\",\"text\":\"Très déçu par la fin, mais l%cété reste beau.\"}\n", $1, 39 }' |
        crible-tokenize > "$(T good)"
    crible-stem "$(T good)" > "$(T want)"
    local n
    n=$(awk 'NR > 20000 && /^3\t/ { print NR; exit }' "$(T good)")
    awk -v n="$n" 'NR == n { sub(/\t/, " ") } { print }' "$(T good)" > "$(T cells)"
    run -4 --separate-stderr crible-stem "$(T cells)"
    [[ "$stderr" == *"cells:$n: 5 cells on a token line where the stream has 6 columns"* ]]
    n=$((n - 1))   # "2	déçu	..."
    sed "${n}s/déçu/d\xe9\xe7u/" "$(T good)" > "$(T latin1)"
    run -4 --separate-stderr crible-stem "$(T latin1)"
    [[ "$stderr" == *"latin1:$n: invalid UTF-8 at byte 4 of the line"* ]]
    # the blocks before the fault were written: the next stage names it cut
    run bash -c "crible-stem '$(T cells)' 2>/dev/null | grep -c '^# newdoc id'"
    [ "$output" -gt 1000 ]
    sed 's/$/\r/' "$(T good)" > "$(T crlf)"
    crible-stem "$(T crlf)" | cmp - "$(T want)"
}

@test "a non-blocking standard output (a pipe another program set O_NONBLOCK) is waited for, not an error" {
    seq 2000 | awk '{ printf "{\"id\":\"d%d\",\"text\":\"Très déçu par la fin, mais l%cété reste beau.\"}\n", $1, 39 }' |
        crible-tokenize > "$(T good)"
    crible-stem "$(T good)" > "$(T want)"
    [ "$(wc -c < "$(T want)")" -gt 300000 ]   # more than a pipe holds
    python3 - "$(T good)" "$(T got)" <<'EOF'
import fcntl, os, subprocess, sys, time
r, w = os.pipe()
fcntl.fcntl(w, fcntl.F_SETFL, fcntl.fcntl(w, fcntl.F_GETFL) | os.O_NONBLOCK)
p = subprocess.Popen(["crible-stem", sys.argv[1]], stdout=w)
os.close(w)
time.sleep(0.5)          # the pipe fills: write(2) says EAGAIN
with open(sys.argv[2], "wb") as out:
    while True:
        d = os.read(r, 65536)
        if not d:
            break
        out.write(d)
        time.sleep(0.002)
sys.exit(p.wait())
EOF
    cmp "$(T got)" "$(T want)"
}

@test "a non-blocking standard input (a pipe another program set O_NONBLOCK) is waited for, not a read error" {
    seq 2000 | awk '{ printf "{\"id\":\"d%d\",\"text\":\"Très déçu par la fin, mais l%cété reste beau.\"}\n", $1, 39 }' |
        crible-tokenize > "$(T good)"
    crible-stem "$(T good)" > "$(T want)"
    python3 - "$(T good)" "$(T got)" <<'EOF'
import fcntl, os, subprocess, sys, threading, time
r, w = os.pipe()
fcntl.fcntl(r, fcntl.F_SETFL, fcntl.fcntl(r, fcntl.F_GETFL) | os.O_NONBLOCK)
with open(sys.argv[2], "wb") as out:
    p = subprocess.Popen(["crible-stem"], stdin=r, stdout=out)
os.close(r)
data = open(sys.argv[1], "rb").read()
for i in range(0, len(data), 8192):   # slower than the reader: read(2) says EAGAIN
    os.write(w, data[i:i + 8192])
    time.sleep(0.002)
os.close(w)
sys.exit(p.wait())
EOF
    cmp "$(T got)" "$(T want)"
}

@test "a carriage return inside a line (a cell, a comment) is bad input named at its line (exit 4), not an internal error" {
    doc r7 "Très déçu par la fin." | crible-tokenize > "$(T good)"
    local n
    n=$(awk '/^3\t/ { print NR; exit }' "$(T good)")   # "3	par	...	par	word"
    awk -v n="$n" 'NR == n { gsub(/\tpar\t/, "\tp\rar\t") } { print }' "$(T good)" > "$(T cr)"
    grep -q $'\tp\rar\tword$' "$(T cr)"
    run -4 --separate-stderr crible-stem "$(T cr)"
    [[ "$stderr" == "crible-stem: $(T cr):$n: a carriage return at byte 4 of the line"* ]]
    n=$(grep -n '^# text = ' "$(T good)" | cut -d: -f1)
    sed "${n}s/déçu/d\ré/" "$(T good)" > "$(T crc)"
    run -4 --separate-stderr crible-stem "$(T crc)"
    [[ "$stderr" == "crible-stem: $(T crc):$n: a carriage return at byte 17 of the line"* ]]
}

@test "a 50 MB line passes through, memory bounded" {
    python3 - "$(T big)" <<'EOF'
import json, sys
text = ("Une série nulle, vraiment décevante. " * 1400000)[:50_000_000]
word = "é" * 2000
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("# global.columns = ID FORM CRIBLE:START CRIBLE:END CRIBLE:NORM CRIBLE:TYPE\n")
    f.write("# crible.version = 1\n# newdoc id = big\n")
    f.write("# crible.doc = " + json.dumps({"id": "big", "text": text}, ensure_ascii=False) + "\n")
    f.write("# crible.field = text\n# sent_id = big/text/1\n")
    f.write("1\tUne\t0\t3\tune\tword\n2\tsérie\t4\t10\tsérie\tword\n")
    f.write(f"3\t{word}\t11\t4011\t{word}\tword\n\n# crible.end = 1\n\n")
EOF
    run --separate-stderr bash -c "crible-stem '$(T big)' | wc -c"
    [ "$status" -eq 0 ]
    [ "$output" -gt 50000000 ]
}

@test "two inputs make one stream; inputs with other columns are refused" {
    doc a "Les jeux." | crible-tokenize > "$(T a)"
    doc b "Les séries." | crible-tokenize > "$(T b)"
    crible-stem "$(T a)" "$(T b)" > "$(T out)"
    [ "$(grep -c '^# global.columns' "$(T out)")" -eq 1 ]
    grep -qx '# crible.end = 2' "$(T out)"
    crible-stem "$(T a)" > "$(T stemmed)"
    run -4 --separate-stderr crible-stem "$(T a)" "$(T stemmed)"
}

@test "stemming twice is refused (the stage ran twice)" {
    doc a "Les jeux." | crible-tokenize | crible-stem > "$(T once)"
    run --separate-stderr crible-stem "$(T once)"
    [ "$status" -ne 0 ]
    [[ "$stderr" == *"CRIBLE:STEM"* ]]
}

@test "writing to a full disk fails with exit 5" {
    doc a "Les jeux." | crible-tokenize > "$(T in)"
    run -5 --separate-stderr bash -c "crible-stem '$(T in)' > /dev/full"
    [[ "$stderr" == *"cannot write"* ]]
}

@test "the seed article: harcèlement and its family share a term" {
    need_shared
    jq -Rsc '{id: "seed", text: .}' "$SEED" | crible-tokenize | crible-stem | fss > "$(T fss)"
    [ "$(wc -l < "$(T fss)")" -gt 300 ]
    ! awk -F'\t' '$3 != "0" && $3 != "1"' "$(T fss)" | grep -q . || false
    # every word of the harcèlement family in the article gets one term
    [ "$(awk -F'\t' 'tolower($1) ~ /harc[eè]l/ {print $2}' "$(T fss)" | sort -u | wc -l)" -le 1 ]
}

@test "real reviews: 500 reviews stemmed, stop words flagged but kept" {
    need_shared "$DATA/reviews/reviews.jsonl"
    head -500 "$DATA/reviews/reviews.jsonl" | crible-tokenize | crible-stem > "$(T out)"
    fss < "$(T out)" > "$(T fss)"
    local total stops pas
    total=$(wc -l < "$(T fss)")
    stops=$(awk -F'\t' '$3 == 1' "$(T fss)" | wc -l)
    pas=$(awk -F'\t' 'tolower($1) == "pas" && $3 == 0' "$(T fss)" | wc -l)
    [ "$total" -gt 20000 ]
    [ "$stops" -gt $((total / 10)) ]
    [ "$stops" -lt $((total / 2)) ]
    [ "$pas" -gt 50 ]
    grep -qx '# crible.end = 500' "$(T out)"
}
