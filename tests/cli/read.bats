#!/usr/bin/env bats
# crible-read: every input format on real French text, folder walking and
# order, stdin, and the bad inputs every stage must survive (invalid UTF-8,
# NUL bytes, BOM, CRLF, a 50 MB line, empty input, a record cut in the
# middle, broken YAML).
load common
bats_require_minimum_version 1.5.0

T() { printf '%s' "$BATS_TEST_TMPDIR/$1"; }
NB=$'\xc2\xa0'   # U+00A0 NO-BREAK SPACE, as French typography puts before ; : ! ? and inside « »

# jq on a document stream, one result a line
field() { jq -r "$1"; }

# --- the command line ------------------------------------------------------

@test "--help names the formats on stdout, --version, exit 0" {
    run --separate-stderr crible-read --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"crible-read"* && "$output" == *"jsonl"* && "$output" == *"csv"* ]]
    [ -z "$stderr" ]
    run crible-read --version
    [ "$status" -eq 0 ]
    [[ "$output" == "crible-read (crible) "* ]]
}

@test "an unknown option or format is a usage error, exit 2" {
    run -2 --separate-stderr crible-read --frmat=csv corpus/
    [ -z "$output" ]
    [[ "$stderr" == *"unknown option '--frmat=csv'"* && "$stderr" == *"Try 'crible-read --help'"* ]]
    run -2 --separate-stderr crible-read --format=docx corpus/
    [[ "$stderr" == *"unknown format 'docx'"* ]]
}

@test "writing to /dev/full fails with exit 5" {
    run -5 bash -c 'crible-read corpus/ > /dev/full'
    [[ "$output" == *"cannot write to standard output"* ]]
}

@test "--progress reports documents and MB on stderr, stdout unchanged" {
    run --separate-stderr crible-read --progress corpus/
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"crible-read: 20 documents, "*" MB"* ]]
    [ "$(printf '%s\n' "$output" | md5sum)" = "$(crible-read corpus/ | md5sum)" ]
}

@test "a missing file is an I/O error naming it, exit 5" {
    run -5 --separate-stderr crible-read corpus/nulle-part.txt
    [[ "$stderr" == "crible-read: cannot open 'corpus/nulle-part.txt': No such file or directory" ]]
}

@test "broken YAML is reported with file, line and column, exit 3" {
    printf 'read:\n  format: [text\n' > "$(T broken.yaml)"
    run -3 --separate-stderr crible-read -c "$(T broken.yaml)" corpus/
    [ -z "$output" ]
    [[ "$stderr" =~ broken\.yaml:[0-9]+:[0-9]+: ]]
}

@test "a misspelt key and a bad regular expression are config errors with line:column" {
    printf 'read:\n  invalid_utf:  replace\n' > "$(T typo.yaml)"
    run -3 --separate-stderr crible-read -c "$(T typo.yaml)" corpus/
    [[ "$stderr" == *"typo.yaml:2:3: unknown key 'invalid_utf'"*"did you mean 'invalid_utf8'"* ]]
    printf 'read:\n  boilerplate:\n    patterns:\n      - "(?m)^Partager (sur"\n' > "$(T regex.yaml)"
    run -3 --separate-stderr crible-read -c "$(T regex.yaml)" corpus/
    [[ "$stderr" == *"regex.yaml:4:9: invalid regular expression"*"U_REGEX_MISMATCHED_PAREN"* ]]
    printf 'read:\n  invalid_utf8: ignore\n' > "$(T choice.yaml)"
    run -3 crible-read -c "$(T choice.yaml)" corpus/
}

# --- folders ----------------------------------------------------------------

@test "corpus/: every document once, ids relative to the folder, sorted by bytes" {
    run --separate-stderr crible-read corpus/
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [ "$(printf '%s\n' "$output" | wc -l)" -ge 15 ]
    ids=$(printf '%s\n' "$output" | field .id)
    [ "$(printf '%s\n' "$ids" | sort -u | wc -l)" -eq "$(printf '%s\n' "$ids" | wc -l)" ]
    # files in byte order of their paths; records of a file in file order
    files=$(printf '%s\n' "$output" | field 'select(.format) | .id')
    [ "$files" = "$(printf '%s\n' "$files" | LC_ALL=C sort)" ]
    printf '%s\n' "$ids" | grep -qx 'series/true-crime-l-ombre-du-lac.txt'
    printf '%s\n' "$ids" | grep -qx 'avis-0001'
    printf '%s\n' "$ids" | grep -qx 'resto-bdx-04'
    # the same bytes on a second run
    [ "$(crible-read corpus/ | md5sum)" = "$(printf '%s\n' "$output" | md5sum)" ]
}

@test "folders are walked recursively in byte order; hidden names and unknown extensions skipped" {
    d=$(T tree)
    mkdir -p "$d/b/z" "$d/.git" "$d/a"
    echo "Critique de « Dune » sur Canal+." > "$d/b/z/dune.txt"
    echo "Écrit à Paris." > "$d/a/été.txt"
    echo "Zut." > "$d/B.txt"
    echo "secret" > "$d/.git/config.txt"
    echo "caché" > "$d/.brouillon.txt"
    printf '\x89PNG\r\n' > "$d/a/image.png"
    ln -s .. "$d/b/boucle"    # a link back up: walked once, no endless loop
    run --separate-stderr crible-read "$d/"
    [ "$status" -eq 0 ]
    [ "$(printf '%s\n' "$output" | field .id | tr '\n' ' ')" = "B.txt a/été.txt b/z/dune.txt " ]
    [ "$(printf '%s\n' "$output" | head -1 | field .source)" = "$d/B.txt" ]
    # hidden: true walks them
    printf 'read:\n  hidden: true\n' > "$(T hidden.yaml)"
    run crible-read -c "$(T hidden.yaml)" "$d"
    [[ "$output" == *'"id":".brouillon.txt"'* && "$output" == *'"id":".git/config.txt"'* ]]
    # a file named on the command line is read whatever its extension
    printf 'Une note sans extension.\n' > "$d/NOTES"
    run crible-read "$d/NOTES"
    [ "$(printf '%s\n' "$output" | field .text)" = "Une note sans extension." ]
}

# --- formats ----------------------------------------------------------------

@test "plain text: the whole file, exact, NBSP and typographic apostrophes kept" {
    f=corpus/series/true-crime-l-ombre-du-lac.txt
    run crible-read "$f"
    [ "$status" -eq 0 ]
    [ "$(printf '%s\n' "$output" | field .id)" = "$f" ]
    [ "$(printf '%s\n' "$output" | field .format)" = text ]
    [ "$(printf '%s\n' "$output" | field .source)" = "$f" ]
    # the text is the file, byte for byte
    diff <(printf '%s\n' "$output" | jq -j .text) "$f"
    [[ "$output" == *"L’Ombre du lac${NB}»${NB}: sur Netflix"* ]]
    [[ "$output" == *"n’a-t-il vérifié"* ]]
}

@test "plain text: title_from_first_line moves the first line to the title" {
    printf 'read:\n  title_from_first_line: true\n' > "$(T title.yaml)"
    run crible-read -c "$(T title.yaml)" corpus/livres/les-nuits-de-saint-malo.txt
    [ "$(printf '%s\n' "$output" | field .title)" = "«${NB}Les Nuits de Saint-Malo${NB}», de Claire Le Goff${NB}: un premier roman noir qui sent le sel et la poudre" ]
    [[ "$(printf '%s\n' "$output" | field .text)" == "Il y a des premiers romans"* ]]
}

@test "Markdown: read as text, title from the first level-1 heading" {
    f=corpus/films/la-promesse-de-juillet-disney.md
    run crible-read "$f"
    [ "$(printf '%s\n' "$output" | field .format)" = markdown ]
    [ "$(printf '%s\n' "$output" | field .title)" = "La Promesse de juillet : une comédie familiale plus fine qu'il n'y paraît" ]
    diff <(printf '%s\n' "$output" | jq -j .text) "$f"
    printf 'Les Heures sombres\n==================\n\nUn polar marseillais.\n' > "$(T setext.md)"
    run crible-read "$(T setext.md)"
    [ "$(printf '%s\n' "$output" | field .title)" = "Les Heures sombres" ]
}

@test "HTML: text content, entities decoded, script/style/nav/form dropped, metadata" {
    run crible-read corpus/articles/derriere-l-ecran-cyberharcelement.html
    [ "$status" -eq 0 ]
    doc=$output
    text=$(printf '%s\n' "$doc" | field .text)
    [ "$(printf '%s\n' "$doc" | field .title)" = "« Derrière l’écran » : le cyberharcèlement des streameuses raconté sans fard – Le Crible Culture" ]
    [ "$(printf '%s\n' "$doc" | field .url)" = "https://culture.crible-exemple.fr/series/derriere-l-ecran-cyberharcelement" ]
    [ "$(printf '%s\n' "$doc" | field .date)" = 2024-02-07 ]
    [ "$(printf '%s\n' "$doc" | field .lang)" = fr ]
    [ "$(printf '%s\n' "$doc" | field .format)" = html ]
    # entities: &eacute; &rsquo; &laquo;&nbsp; &amp; &oelig;
    [[ "$text" == *"«${NB}J’ai compris que la frontière entre l’écran et ma vie n’existait plus${NB}»"* ]]
    [[ "$text" == *"Note${NB}: 4/5 & coup de cœur de la rédaction."* ]]
    # no script, style, menu, aside, form, footer
    [[ "$text" != *"dataLayer"* && "$text" != *"font-family"* && "$text" != *"Accueil"* ]]
    [[ "$text" != *"À lire aussi"* && "$text" != *"Votre adresse e-mail"* && "$text" != *"Mentions légales"* ]]
    # paragraphs are separated by a blank line, inline markup joins words
    [[ "$text" == *"de faux comptes créés pour nuire."$'\n\n'"Le premier épisode suit Manon, 24${NB}ans"* ]]
    [[ "$text" == *"sous le pseudo @ManonJoueAussi. Tout commence"* ]]
}

@test "HTML: title from <h1> when there is no <title>; og:url and <time> as fallbacks" {
    printf '<html><head><meta property="og:url" content="https://ex.fr/a"></head><body><script>var x = "<p>non</p>";</script><h1>Le &laquo;&nbsp;Bureau&nbsp;&raquo;</h1><p>Sortie le <time datetime="2023-11-05T20:00">5 novembre</time>.<br>Sur Canal&#43;.</p></body></html>' > "$(T h1.html)"
    run crible-read "$(T h1.html)"
    [ "$(printf '%s\n' "$output" | field .title)" = "Le «${NB}Bureau${NB}»" ]
    [ "$(printf '%s\n' "$output" | field .url)" = "https://ex.fr/a" ]
    [ "$(printf '%s\n' "$output" | field .date)" = "2023-11-05" ]
    [ "$(printf '%s\n' "$output" | field .text)" = "Le «${NB}Bureau${NB}»"$'\n\n'"Sortie le 5 novembre."$'\n'"Sur Canal+." ]
}

@test "HTML nested 200,000 deep is refused quickly; 3,000 deep is read" {
    python3 -c 'print("<html><body>" + "<div>" * 200000 + "fond" + "</div>" * 200000)' > "$(T deep.html)"
    run -4 --separate-stderr timeout 20 crible-read "$(T deep.html)"
    [[ "$stderr" == *"deep.html: elements nested more than 5000 deep at byte offset"* ]]
    python3 -c 'print("<html><body>" + "<b><i>" * 1500 + "tout au fond" + "</i></b>" * 1500 + "<p>un<p>deux" * 10000)' > "$(T deep.html)"
    run timeout 20 crible-read "$(T deep.html)"
    [ "$status" -eq 0 ]
    [[ "$(printf '%s\n' "$output" | field .text)" == "tout au fond"$'\n\n'"un"$'\n\n'"deux"* ]]
}

@test "JSON Lines: the default mapping passes documents through, metadata kept" {
    run crible-read corpus/avis/avis-lecteurs.jsonl
    [ "$status" -eq 0 ]
    [ "$(printf '%s\n' "$output" | wc -l)" -eq 7 ]
    [ "$(printf '%s\n' "$output" | head -1 | jq -c '[.id, .title, .rating, .date, .source]')" = '["avis-0001","Glaçant et nécessaire",4.5,"2024-03-16","forum-series.example"]' ]
    # every member survives, values unchanged
    diff <(jq -cS . corpus/avis/avis-lecteurs.jsonl) <(printf '%s\n' "$output" | jq -cS .)
}

@test "JSON Lines: field mapping renames id, title and text; the rest is metadata" {
    printf 'read:\n  fields:\n    id: ref\n    title: item_title\n    text: [heading, body]\n' > "$(T map.yaml)"
    printf '%s\n' \
      '{"ref": 17, "item_title": "Dune", "heading": "Un choc.", "body": "Villeneuve signe un grand film.", "rating": 4.5}' \
      '{"item_title": "Alien", "body": "Culte\r\nabsolu.", "date": "1979-09-12"}' > "$(T m.jsonl)"
    run crible-read -c "$(T map.yaml)" "$(T m.jsonl)"
    [ "$status" -eq 0 ]
    [ "$(printf '%s\n' "$output" | sed -n 1p)" = '{"id":"17","title":"Dune","text":"Un choc.\n\nVilleneuve signe un grand film.","rating":4.5}' ]
    # no id field: FILE:LINE (the file's id); CRLF inside the text becomes LF
    [ "$(printf '%s\n' "$output" | sed -n 2p)" = '{"id":"'"$(T m.jsonl)"':2","title":"Alien","text":"Culte\nabsolu.","date":"1979-09-12"}' ]
}

@test "JSON Lines: lines the fast path is unsure of go through jansson" {
    printf '%s\n' '{"\u0069d": "x", "text": "\u00e9t\u00e9"}' '{"id": "y", "text": "a", "title": 1984}' > "$(T unsure.jsonl)"
    run bash -c "crible-read '$(T unsure.jsonl)' | jq -c ."
    [ "$output" = '{"id":"x","text":"été"}'$'\n''{"id":"y","title":"1984","text":"a"}' ]
    printf '%s\n' '{"id": "z", "text": "a", "n": 123456789012345678901234567890}' > "$(T big.jsonl)"
    run -4 --separate-stderr crible-read "$(T big.jsonl)"
    [[ "$stderr" == *"big.jsonl:1: invalid JSON at column"* ]]
    printf '%s\n' '{"id": "z", "text": "a\u0000b"}' > "$(T nul.jsonl)"
    run -4 crible-read "$(T nul.jsonl)"
}

@test "JSON Lines: a line cut in the middle of a record is an error naming the line" {
    { head -3 corpus/avis/avis-lecteurs.jsonl; sed -n 4p corpus/avis/avis-lecteurs.jsonl | head -c 150; } > "$(T cut.jsonl)"
    run -4 --separate-stderr crible-read "$(T cut.jsonl)"
    [ "$(printf '%s\n' "$output" | wc -l)" -eq 3 ]
    [[ "$stderr" == *"cut.jsonl:4: the last line is cut in the middle of a record: invalid JSON"* ]]
    printf '{"id": "a", "text": "ok"}\n[1, 2]\n' > "$(T array.jsonl)"
    run -4 --separate-stderr crible-read "$(T array.jsonl)"
    [[ "$stderr" == *"array.jsonl:2: a record must be a JSON object"* ]]
    printf '{"id": "a", "texte": "oups"}\n' > "$(T notext.jsonl)"
    run -4 --separate-stderr crible-read "$(T notext.jsonl)"
    [[ "$stderr" == *"notext.jsonl:1: no member 'text'"* ]]
}

@test "CSV: header, quoted line breaks and doubled quotes (RFC 4180), numbers" {
    run crible-read corpus/avis/restaurants-bordeaux.csv
    [ "$status" -eq 0 ]
    [ "$(printf '%s\n' "$output" | wc -l)" -eq 4 ]
    first=$(printf '%s\n' "$output" | head -1)
    [ "$(printf '%s\n' "$first" | jq -c '[.id, .title, .item_title, .city, .rating, .date]')" = '["resto-bdx-01","Une adresse à garder pour soi","Chez Margaux","Bordeaux",4.5,"2024-02-14"]' ]
    [[ "$(printf '%s\n' "$first" | field .text)" == *'Bastien Roux, vient saluer chaque table : "on cuisine ce que le marché des Capucins nous donne", nous dit-il.'$'\n\n''Carte des vins'* ]]
    [ "$(printf '%s\n' "$output" | sed -n 4p | field .item_title)" = "La Table d'Anaïs" ]
}

@test "CSV with CRLF, a BOM, no id column; TSV; a ragged record and a cut record fail" {
    printf '\xef\xbb\xbftitle;text;note\r\nLe Bureau;"Très bien ;\r\nvraiment.";4\r\n\r\nDune;"Un ""choc"".";007\r\n' > "$(T semi.csv)"
    printf 'read:\n  csv_delimiter: ";"\n' > "$(T semi.yaml)"
    run crible-read -c "$(T semi.yaml)" "$(T semi.csv)"
    [ "$status" -eq 0 ]
    [ "$(printf '%s\n' "$output" | sed -n 1p)" = '{"id":"'"$(T semi.csv)"':2","title":"Le Bureau","text":"Très bien ;\nvraiment.","note":4}' ]
    [ "$(printf '%s\n' "$output" | sed -n 2p)" = '{"id":"'"$(T semi.csv)"':5","title":"Dune","text":"Un \"choc\".","note":"007"}' ]
    printf 'id\ttext\tville\nr1\tCuisine généreuse, service au top 👍🏽\tLyon\n' > "$(T a.tsv)"
    run crible-read "$(T a.tsv)"
    [ "$output" = '{"id":"r1","text":"Cuisine généreuse, service au top 👍🏽","ville":"Lyon"}' ]
    printf 'id,text\nr1,bon,trop\n' > "$(T ragged.csv)"
    run -4 --separate-stderr crible-read "$(T ragged.csv)"
    [[ "$stderr" == *"ragged.csv:2: the record has 3 fields, the header has 2"* ]]
    printf 'id,text\nr1,"Un avis\ncoupé en plein' > "$(T cut.csv)"
    run -4 --separate-stderr crible-read "$(T cut.csv)"
    [[ "$stderr" == *"cut.csv:2: the input ends inside a quoted field"* ]]
    printf 'id,text\nr1,un "bon" resto\n' > "$(T quote.csv)"
    run -4 --separate-stderr crible-read "$(T quote.csv)"
    [[ "$stderr" == *"quote.csv:2: "* ]]
}

# --- stdin ------------------------------------------------------------------

@test "'-' and no argument read stdin; the format is sniffed from the content" {
    run bash -c 'printf "Très bon film, 4/5 !\n" | crible-read -'
    [ "$output" = '{"id":"stdin","text":"Très bon film, 4/5 !\n","source":"<stdin>","format":"text"}' ]
    run bash -c 'crible-read < corpus/avis/avis-lecteurs.jsonl | wc -l'
    [ "$output" -eq 7 ]
    run bash -c 'crible-read < corpus/articles/derriere-l-ecran-cyberharcelement.html | jq -r .date'
    [ "$output" = 2024-02-07 ]
    run bash -c 'crible-read --format=csv - < corpus/avis/restaurants-bordeaux.csv | jq -r .id | head -1'
    [ "$output" = resto-bdx-01 ]
    printf '{"text": "sans id"}\n' > "$(T noid.jsonl)"
    run bash -c "crible-read < '$(T noid.jsonl)'"
    [ "$output" = '{"id":"stdin:1","text":"sans id"}' ]
}

# --- bad bytes --------------------------------------------------------------

@test "invalid UTF-8 is an error naming the file, line and byte offset, exit 4" {
    printf 'Un film très réussi.\nUne fin d\xe9cevante.\n' > "$(T latin1.txt)"
    run -4 --separate-stderr crible-read "$(T latin1.txt)"
    [ -z "$output" ]
    [[ "$stderr" == "crible-read: $(T latin1.txt):2: invalid UTF-8 (byte 0xE9) at byte offset 32"* ]]
    # in JSON Lines too, with the offset in the file
    printf '{"id":"a","text":"ok"}\n{"id":"b","text":"caf\xc3"}\n' > "$(T bad.jsonl)"
    run -4 --separate-stderr crible-read "$(T bad.jsonl)"
    [[ "$stderr" == *"bad.jsonl:2: invalid UTF-8 (byte 0xC3) at byte offset 44"* ]]
    # overlong forms and surrogates are invalid too
    printf 'a\xc0\xafb' > "$(T overlong.txt)"
    run -4 crible-read "$(T overlong.txt)"
    printf 'a\xed\xa0\x80b' > "$(T surrogate.txt)"
    run -4 crible-read "$(T surrogate.txt)"
}

@test "invalid_utf8: replace puts U+FFFD for each bad sequence and counts them" {
    printf 'Une fin d\xe9cevante, caf\xc3 et \xf0\x9f\x98 fin.\n' > "$(T latin1.txt)"
    printf 'read:\n  invalid_utf8: replace\n' > "$(T replace.yaml)"
    run --separate-stderr crible-read -c "$(T replace.yaml)" "$(T latin1.txt)"
    [ "$status" -eq 0 ]
    [ "$(printf '%s\n' "$output" | field .text)" = "Une fin d�cevante, caf� et � fin." ]
    [ "$(printf '%s\n' "$output" | field ._invalid_utf8)" = 3 ]
    [[ "$stderr" == *"warning: $(T latin1.txt): replaced 3 invalid UTF-8 sequences with U+FFFD"* ]]
    # the same from the command line, in a CSV
    printf 'id,text\nc1,tr\xe8s bon\n' > "$(T bad.csv)"
    run --separate-stderr crible-read --replace-invalid "$(T bad.csv)"
    [ "$(printf '%s\n' "$output" | jq -c '[.text, ._invalid_utf8]' 2>/dev/null | head -1)" = '["tr�s bon",1]' ]
}

@test "NUL bytes are an error with their offset, or replaced" {
    printf 'Avant\0après\n' > "$(T nul.txt)"
    run -4 --separate-stderr crible-read "$(T nul.txt)"
    [[ "$stderr" == *"nul.txt:1: NUL byte at byte offset 5"* ]]
    run --separate-stderr crible-read --replace-invalid "$(T nul.txt)"
    [ "$(printf '%s\n' "$output" | field .text)" = "Avant�après" ]
    printf '{"id":"a","text":"x\\u0000y"}\n' > "$(T nul.jsonl)"
    run -4 crible-read "$(T nul.jsonl)"
}

@test "a UTF-8 BOM is stripped in every format; a UTF-16 BOM is an error" {
    printf '\xef\xbb\xbfÀ voir sur Disney+.\n' > "$(T bom.txt)"
    run crible-read "$(T bom.txt)"
    [ "$(printf '%s\n' "$output" | field .text)" = "À voir sur Disney+." ]
    printf '\xef\xbb\xbf{"id":"x","text":"Ça marche."}\n' > "$(T bom.jsonl)"
    run crible-read "$(T bom.jsonl)"
    [ "$output" = '{"id":"x","text":"Ça marche."}' ]
    printf '\xef\xbb\xbfid,text\nr,bien\n' > "$(T bom.csv)"
    run crible-read "$(T bom.csv)"
    [ "$output" = '{"id":"r","text":"bien"}' ]
    printf '\xff\xfeA\0' > "$(T utf16.txt)"
    run -4 --separate-stderr crible-read "$(T utf16.txt)"
    [[ "$stderr" == *"UTF-16"*"iconv"* ]]
}

@test "CRLF and lone CR become LF" {
    printf 'Premier paragraphe.\r\n\r\nSecond\rparagraphe.\r\n' > "$(T crlf.txt)"
    run crible-read "$(T crlf.txt)"
    [ "$(printf '%s\n' "$output" | jq -c .text)" = '"Premier paragraphe.\n\nSecond\nparagraphe.\n"' ]
    printf '{"id":"a","text":"ok"}\r\n{"id":"b","text":"bien"}\r\n' > "$(T crlf.jsonl)"
    run crible-read "$(T crlf.jsonl)"
    [ "$output" = '{"id":"a","text":"ok"}'$'\n''{"id":"b","text":"bien"}' ]
    # a CR written as an escape in JSON is a CR too: \r, \u000d, \u000D, \r\n
    printf '%s\n' '{"id":"a","text":"un\u000ddeux"}' '{"id":"b","text":"un\u000Ddeux"}' \
        '{"id":"c","text":"un\rdeux"}' '{"id":"d","text":"un\r\ndeux"}' > "$(T cr.jsonl)"
    run crible-read "$(T cr.jsonl)"
    [ "$status" -eq 0 ]
    [ "$(printf '%s\n' "$output" | jq -r .text | tr '\n' '|')" = 'un|deux|un|deux|un|deux|un|deux|' ]
}

@test "empty file: one empty document; empty input: no output, exit 0" {
    : > "$(T vide.txt)"
    run crible-read "$(T vide.txt)"
    [ "$status" -eq 0 ]
    [ "$output" = '{"id":"'"$(T vide.txt)"'","text":"","source":"'"$(T vide.txt)"'","format":"text"}' ]
    for fmt in auto text html jsonl csv; do
        run --separate-stderr bash -c "crible-read --format=$fmt < /dev/null"
        [ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ]
    done
    run bash -c 'printf "" | crible-read -'
    [ "$status" -eq 0 ] && [ -z "$output" ]
    printf '{"id":"e","text":"","rating":1}\n{"id":"f","text":null}\n' > "$(T emptytext.jsonl)"
    run bash -c "crible-read '$(T emptytext.jsonl)' | jq -c ."
    [ "$output" = '{"id":"e","text":"","rating":1}'$'\n''{"id":"f","text":""}' ]
    printf '\n\n  \n' > "$(T blank.jsonl)"
    run crible-read "$(T blank.jsonl)"
    [ "$status" -eq 0 ] && [ -z "$output" ]
    printf 'id,text\n' > "$(T header.csv)"
    run crible-read "$(T header.csv)"
    [ "$status" -eq 0 ] && [ -z "$output" ]
    mkdir "$(T vide)"
    run crible-read "$(T vide)"
    [ "$status" -eq 0 ] && [ -z "$output" ]
}

@test "a 50 MB one-line document is read whole (text and JSON Lines)" {
    python3 -c 'import sys; sys.stdout.write("Très long avis sur Netflix, 4/5. " * 1500000)' > "$(T long.txt)"
    size=$(stat -c %s "$(T long.txt)")
    [ "$size" -gt 50000000 ]
    run bash -c "crible-read '$(T long.txt)' | jq -j .text | wc -c"
    [ "$output" -eq "$size" ]
    python3 -c 'import json; print(json.dumps({"id": "long", "text": "Très long avis. " * 3200000}, ensure_ascii=False))' > "$(T long.jsonl)"
    run bash -c "crible-read '$(T long.jsonl)' | jq -r .text | wc -c"
    [ "$output" -eq $((17 * 3200000 + 1)) ]
    printf 'read:\n  max_size: 1M\n' > "$(T small.yaml)"
    run -4 --separate-stderr crible-read -c "$(T small.yaml)" "$(T long.jsonl)"
    [[ "$stderr" == *"longer than max_size"* ]]
}

# --- boilerplate --------------------------------------------------------------

@test "boilerplate: default French web patterns cut the comment form and captcha when enabled" {
    printf 'Des vies changées à jamais.\n\nCredit photos (c) Netflix.\n\nLaisser un commentaire\n\nVotre adresse e-mail ne sera pas publiée. Les champs obligatoires sont indiqués avec *\n\nRésoudre : *\n28 ⁄ 4 =\n' > "$(T web.txt)"
    run crible-read "$(T web.txt)"
    [[ "$(printf '%s\n' "$output" | field .text)" == *"Résoudre"* ]]   # off by default
    printf 'read:\n  boilerplate:\n    defaults: true\n' > "$(T bp.yaml)"
    run crible-read -c "$(T bp.yaml)" "$(T web.txt)"
    [ "$(printf '%s\n' "$output" | jq -c .text)" = '"Des vies changées à jamais.\n\nCredit photos (c) Netflix."' ]
    # in HTML the share line and the comment heading go too
    run crible-read -c "$(T bp.yaml)" corpus/articles/derriere-l-ecran-cyberharcelement.html
    [[ "$(printf '%s\n' "$output" | jq -c .text)" == *'coup de cœur de la rédaction."' ]]
}

@test "boilerplate: patterns from the config are ICU regular expressions" {
    printf 'read:\n  boilerplate:\n    patterns:\n      - "(?m)^Credit photos? .*$"\n      - "\\\\s*Disponible sur \\\\p{Lu}\\\\w+\\\\."\n' > "$(T own.yaml)"
    printf 'Une série marquante. Disponible sur Netflix.\n\nCredit photos (c) Netflix.\n' > "$(T own.txt)"
    run crible-read -c "$(T own.yaml)" "$(T own.txt)"
    [ "$(printf '%s\n' "$output" | jq -c .text)" = '"Une série marquante."' ]
}

# --- the shared data ------------------------------------------------------------

@test "the seed article: read whole, then without its comment form and captcha" {
    need_shared
    run crible-read "$SEED"
    [ "$(printf '%s\n' "$output" | field .text)" = "$(cat "$SEED")" ]
    printf 'read:\n  title_from_first_line: true\n  boilerplate:\n    defaults: true\n' > "$(T seed.yaml)"
    run crible-read -c "$(T seed.yaml)" "$SEED"
    [ "$(printf '%s\n' "$output" | field .title)" = "«${NB}Je peux te dire un secret ?${NB}»: plongée dans l’enfer du cyberharcèlement" ]
    text=$(printf '%s\n' "$output" | field .text)
    [[ "$text" == "Netflix dévoile ce mercredi"* ]]
    [[ "$text" == *"Disponible sur Netflix."$'\n\n'"Credit photos (c) Netflix." ]]
    [[ "$text" != *"Laisser un commentaire"* && "$text" != *"Résoudre"* && "$text" != *"28 ⁄ 4"* ]]
}

@test "the reviews file with a mapping: every review, title from item_title" {
    f="$DATA/reviews/reviews.jsonl"
    need_shared "$f"
    printf 'read:\n  fields:\n    id: id\n    title: item_title\n    text: text\n' > "$(T reviews.yaml)"
    run bash -c "crible-read -c '$(T reviews.yaml)' '$f' > '$(T out.jsonl)'"
    [ "$status" -eq 0 ]
    [ "$(wc -l < "$(T out.jsonl)")" -eq "$(grep -c . "$f")" ]
    [ "$(head -1 "$(T out.jsonl)" | jq -r '.id + " | " + .title')" = "$(head -1 "$f" | jq -r '.id + " | " + .item_title')" ]
    # metadata kept, item_title moved
    head -1 "$(T out.jsonl)" | jq -e 'has("source") and has("rating") and (has("item_title") | not)'
}
