#!/usr/bin/env bats
# crible-entities: named entities over the token stream.
bats_require_minimum_version 1.5.0
load common

# A token stream from whitespace-separated tokens, one sentence a line of
# stdin (offsets as if joined by one space; NORM case-folded; TYPE guessed):
# the tests do not depend on crible-tokenize, except those marked "pipe".
mkstream() {
    python3 -c '
import sys
print("# global.columns = ID FORM CRIBLE:START CRIBLE:END CRIBLE:NORM CRIBLE:TYPE")
print("# crible.version = 1")
print("# newdoc id = t1")
pos = 0
for line in sys.stdin:
    toks = line.split()
    for i, t in enumerate(toks):
        kind = "number" if t.isdigit() else "word" if any(c.isalnum() for c in t) else "punct"
        n = len(t.encode())
        print("%d\t%s\t%d\t%d\t%s\t%s" % (i + 1, t, pos, pos + n, t.casefold(), kind))
        pos += n + 1
    print()
print("# crible.end = 1")
print()
'
}

# The NER tag and value columns of the token FORM (first occurrence).
ner_of() { awk -F'\t' -v f="$1" '$2 == f { print $7 "|" $8; exit }'; }

@test "entities: --help and --version" {
    run crible-entities --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"CRIBLE:NER"* ]]
    run crible-entities --version
    [ "$status" -eq 0 ]
    run crible-entities train --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"--gold"* ]]
}

@test "entities: a bad option is a usage error" {
    run -2 crible-entities --bogus
    [[ "$output" == *"Try 'crible-entities --help'"* ]]
}

@test "entities: people, platform with its canonical value, place" {
    out=$(printf '%s\n' "Le réalisateur Christopher Nolan tourne à Londres pour Disney + avec M. Dupont ." | mkstream | crible-entities)
    [ "$(echo "$out" | ner_of Christopher)" = "B-PER|Christopher Nolan" ]
    [ "$(echo "$out" | ner_of Nolan)" = "I-PER|_" ]
    [ "$(echo "$out" | ner_of Londres)" = "B-LOC|Londres" ]
    [ "$(echo "$out" | ner_of Disney)" = "B-PLATFORM|Disney+" ]
    [ "$(echo "$out" | ner_of +)" = "I-PLATFORM|_" ]
    [ "$(echo "$out" | ner_of M.)" = "B-PER|Dupont" ]
    [ "$(echo "$out" | ner_of tourne)" = "O|_" ]
}

@test "entities: aliases, case and accents: disney plus, PRIME VIDEO, Canal plus" {
    out=$(printf '%s\n' "vu sur disney plus puis sur PRIME VIDEO et Canal plus ." | mkstream | crible-entities --list)
    [ "$(echo "$out" | cut -f2,3 | tr '\t' '|' | sort | tr '\n' ' ')" = "PLATFORM|Canal+ PLATFORM|Disney+ PLATFORM|Prime Video " ]
}

@test "entities: X is the network only where the context says so" {
    out=$(printf '%s\n' "Elle a publié sur X une vidéo ." "Le film X de 1990 ." | mkstream | crible-entities --list)
    [ "$(echo "$out" | grep -c PLATFORM)" -eq 1 ]
    echo "$out" | grep -q "PLATFORM	X	X"
    out=$(printf '%s\n' "On en a au max deux ." | mkstream | crible-entities --list)
    [ -z "$out" ]
}

@test "entities: a title in guillemets, also with a mismatched closing guillemet" {
    out=$(printf '%s\n' "Netflix dévoile « Je peux te dire un secret ? « , un documentaire ." | mkstream | crible-entities --list)
    echo "$out" | grep -q "WORK	Je peux te dire un secret ?	"
    out=$(printf '%s\n' "la police le juge « sans danger imminent » ." | mkstream | crible-entities --list)
    [ -z "$out" ]
}

@test "entities: a surname alone later in the document gets the full name" {
    out=$(printf '%s\n' "L' officier de police Kevin Anderson enquête ." "Anderson trouve le suspect ." | mkstream | crible-entities --list)
    [ "$(echo "$out" | cut -f3 | sort -u)" = "Kevin Anderson" ]
    [ "$(echo "$out" | wc -l)" -eq 2 ]
}

@test "entities: a capitalised common word at the start of a sentence is not a name" {
    out=$(printf '%s\n' "Pourtant il pleut ." "Direction le Royaume-Uni ." | mkstream | crible-entities --list)
    [ "$(echo "$out" | cut -f2,3)" = "LOC	Royaume-Uni" ]
}

@test "entities: the document's metadata names its work and author" {
    doc='{"id":"r1","item_title":"Mad Men","item_creator":"Matthew Weiner","text":"x"}'
    out=$( { printf '# global.columns = ID FORM CRIBLE:NORM CRIBLE:TYPE\n# newdoc id = r1\n# crible.doc = %s\n' "$doc"
             printf '1\tMad\tmad\tword\n2\tMen\tmen\tword\n3\tde\tde\tword\n4\tWeiner\tweiner\tword\n5\t.\t.\tpunct\n\n'
             printf '# newdoc id = r2\n1\tMad\tmad\tword\n2\tMen\tmen\tword\n\n'; } | crible-entities --list)
    [ "$(echo "$out" | cut -f1,2,3 | head -1)" = "r1	WORK	Mad Men" ]
    # the next document has no such metadata: its own rules decide
    [ "$(echo "$out" | grep -c WORK)" -eq 1 ]
    printf 'entities:\n  metadata: {item_title: PLACE}\n' > "$BATS_TEST_TMPDIR/c.yaml"
    run -3 crible-entities -c "$BATS_TEST_TMPDIR/c.yaml" < /dev/null
    [[ "$output" == *"c.yaml:2:"*"item_title"* ]]
}

@test "entities: a metadata field's type chosen by another member (by: item_type)" {
    cat > "$BATS_TEST_TMPDIR/c.yaml" <<'EOF'
read:
  format: jsonl
  fields: {id: id, title: item_title, text: text}
entities:
  metadata:
    title: {by: item_type, film: WORK, restaurant: ORG}
EOF
    # one title for all five: the names kept from document to document
    # must follow the type (other value, no item_type: the rules decide)
    cat > "$BATS_TEST_TMPDIR/d.jsonl" <<'EOF'
{"id":"f1","item_type":"film","item_title":"Marius Jourdan","text":"J'ai revu Marius Jourdan hier soir : quel film !"}
{"id":"r1","item_type":"restaurant","item_title":"Marius Jourdan","text":"Dîner chez Marius Jourdan avec des amis, service parfait."}
{"id":"o1","item_type":"other","item_title":"Marius Jourdan","text":"J'ai croisé Marius Jourdan au marché."}
{"id":"n1","item_title":"Marius Jourdan","text":"J'ai croisé Marius Jourdan au marché."}
{"id":"f2","item_type":"film","item_title":"Marius Jourdan","text":"Marius Jourdan est un chef-d'œuvre."}
EOF
    out=$(crible-read -c "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/d.jsonl" | crible-tokenize |
          crible-entities -c "$BATS_TEST_TMPDIR/c.yaml" --list | awk -F'\t' '$7 == "text"' | cut -f1,2,3)
    [ "$out" = "$(printf 'f1\tWORK\tMarius Jourdan\nr1\tORG\tMarius Jourdan\no1\tPER\tMarius Jourdan\nn1\tPER\tMarius Jourdan\nf2\tWORK\tMarius Jourdan')" ]
}

@test "entities: a metadata title is also found before its dash and without its article, with the whole title as value" {
    cat > "$BATS_TEST_TMPDIR/c.yaml" <<'EOF'
read:
  format: jsonl
  fields: {id: id, title: item_title, text: text}
entities:
  metadata:
    title: {by: item_type, book: WORK, restaurant: ORG}
EOF
    cat > "$BATS_TEST_TMPDIR/d.jsonl" <<'EOF'
{"id":"r1","item_type":"restaurant","item_title":"Les Grands Buffets - Narbonne","text":"Nous avons dîné aux Grands Buffets un dimanche. Les Grands Buffets valent le détour."}
{"id":"b1","item_type":"book","item_title":"Les rats","text":"Les rats envahissent la ville, et les rats gagnent."}
EOF
    out=$(crible-read -c "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/d.jsonl" | crible-tokenize |
          crible-entities -c "$BATS_TEST_TMPDIR/c.yaml" --list | awk -F'\t' '$7 == "text"' | cut -f1-4)
    # "Les rats" as written is the title; no "rats" without a capital is
    [ "$out" = "$(printf 'r1\tORG\tLes Grands Buffets - Narbonne\tGrands Buffets\nr1\tORG\tLes Grands Buffets - Narbonne\tLes Grands Buffets\nb1\tWORK\tLes rats\tLes rats')" ] || { echo "$out"; false; }
}

@test "entities: a metadata mapping without 'by', or with an unknown type, is a config error at its line:column" {
    # each line: the metadata entry, then the message expected (glob)
    while IFS='|' read -r entry want; do
        printf 'entities:\n  metadata:\n    title: %s\n' "$entry" > "$BATS_TEST_TMPDIR/c.yaml"
        run -3 crible-entities -c "$BATS_TEST_TMPDIR/c.yaml" < /dev/null
        [[ "$output" == *"c.yaml:"$want ]] || { echo "$entry: $output"; false; }
    done <<'EOF'
{film: WORK}|3:12: metadata field 'title': a mapping needs 'by'*
{by: item_type, film: WORK, restaurant: DISH}|3:52: *expected an entity type*not DISH
{by: [item_type], film: WORK}|3:17: *'by' must be a member name*
{by: item_type, film: [WORK]}|3:34: *expected an entity type*
{by: item_type}|3:12: *no value of 'item_type' is given a type*
EOF
    # a type declared under types: is accepted
    printf 'entities:\n  types: [DISH]\n  metadata:\n    title: {by: item_type, restaurant: DISH}\n' > "$BATS_TEST_TMPDIR/c.yaml"
    run -0 crible-entities -c "$BATS_TEST_TMPDIR/c.yaml" < /dev/null
}

@test "entities: Noël and other capitalised words are not names by themselves" {
    out=$(printf '%s\n' "Un repas de Noël à Annecy avec une BD ." | mkstream | crible-entities --list)
    [ "$(echo "$out" | cut -f2,3)" = "LOC	Annecy" ]
}

@test "entities: a kinship word before de is no title: la mère de Camille, but la mère Lefrançois" {
    out=$(printf '%s\n' "La mère de Camille Berthier arrive chez la mère Lefrançois ." | mkstream | crible-entities --list)
    [ "$(echo "$out" | cut -f2,3,4 | tr '\t' '|' | tr '\n' ' ')" = "PER|Camille Berthier|Camille Berthier PER|mère Lefrançois|mère Lefrançois " ]
    out=$(printf '%s\n' "Il salue le duc de Buckingham et le fils de Paul Martin ." | mkstream | crible-entities --list)
    [ "$(echo "$out" | cut -f3 | tr '\n' '|')" = "duc de Buckingham|Paul Martin|" ]
}

@test "entities: characters, car makers, shouting and centuries are no places" {
    out=$(printf '%s\n' "Le Joker affronte Batman ." "Il conduit une Porsche puis la Ferrari à Monaco ." \
                         "Avec Harrison Ford et Joaquin Phoenix ." "COUP DE COEUR pour ma PAL au XIXe siècle , tome III ." | mkstream | crible-entities --list)
    [ "$(echo "$out" | cut -f2,3 | tr '\t' '|' | tr '\n' ' ')" = "PER|Joker PER|Batman ORG|Porsche ORG|Ferrari LOC|Monaco PER|Harrison Ford PER|Joaquin Phoenix " ]
}

@test "entities: articles: true puts the article in a place's span, not in its value" {
    printf 'entities:\n  articles: true\n' > "$BATS_TEST_TMPDIR/a.yaml"
    out=$(printf '%s\n' "Il rentre en France puis au Louvre ." | mkstream | crible-entities -c "$BATS_TEST_TMPDIR/a.yaml" --list)
    [ "$(echo "$out" | cut -f3,4 | tr '\t' '|' | tr '\n' ' ')" = "France|France Louvre|au Louvre " ]
    out=$(printf '%s\n' "Il rentre en France puis au Louvre ." | mkstream | crible-entities --list)
    [ "$(echo "$out" | cut -f3,4 | tr '\t' '|' | tr '\n' ' ')" = "France|France Louvre|Louvre " ]
    printf 'entities:\n  articles: maybe\n' > "$BATS_TEST_TMPDIR/b.yaml"
    run -3 crible-entities -c "$BATS_TEST_TMPDIR/b.yaml" < /dev/null
    [[ "$output" == *"b.yaml:2:"* ]]
}

@test "entities: --list prints DOC TYPE VALUE TEXT START END FIELD" {
    out=$(printf '%s\n' "Emma Bovary vit à Yonville ." | mkstream | crible-entities --list)
    [ "$(echo "$out" | head -1)" = "t1	PER	Emma Bovary	Emma Bovary	0	11	text" ]
}

@test "entities: custom types and inline names from the config" {
    cfg="$BATS_TEST_TMPDIR/c.yaml"
    cat > "$cfg" <<'YAML'
entities:
  types: [DISH]
  names:
    - {type: DISH, value: bœuf bourguignon, aliases: [bourguignon]}
YAML
    out=$(printf '%s\n' "Un Boeuf Bourguignon puis un bourguignon ." | mkstream | crible-entities -c "$cfg" --list)
    [ "$(echo "$out" | cut -f2,3 | sort -u)" = "DISH	bœuf bourguignon" ]
    [ "$(echo "$out" | wc -l)" -eq 2 ]
}

@test "entities: a gazetteer file from the config; the user's entry wins" {
    printf 'ORG\tAgence Pixel\tPixel\n' > "$BATS_TEST_TMPDIR/g.tsv"
    printf 'entities:\n  gazetteers: [g.tsv]\n' > "$BATS_TEST_TMPDIR/c.yaml"
    out=$(printf '%s\n' "Le studio Pixel a signé ." | mkstream | crible-entities -c "$BATS_TEST_TMPDIR/c.yaml" --list)
    [ "$(echo "$out" | cut -f2,3)" = "ORG	Agence Pixel" ]
}

@test "entities: a malformed gazetteer names file, line and column" {
    printf '# ok\nPER\tKevin\nPLACE\tParis\n' > "$BATS_TEST_TMPDIR/g.tsv"
    printf 'entities:\n  gazetteers: [g.tsv]\n' > "$BATS_TEST_TMPDIR/c.yaml"
    run -3 crible-entities -c "$BATS_TEST_TMPDIR/c.yaml" < /dev/null
    [[ "$output" == *"g.tsv:3:1: unknown type 'PLACE'"* ]]
    printf 'PER\tKevin\t\tbogus\n' > "$BATS_TEST_TMPDIR/g.tsv"
    run -3 crible-entities -c "$BATS_TEST_TMPDIR/c.yaml" < /dev/null
    [[ "$output" == *"g.tsv:1:12: unknown flag 'bogus'"* ]]
}

@test "entities: config errors: unknown type, unknown key, broken YAML" {
    printf 'entities:\n  names:\n    - {type: DISHES, value: x}\n' > "$BATS_TEST_TMPDIR/c.yaml"
    run -3 crible-entities -c "$BATS_TEST_TMPDIR/c.yaml" < /dev/null
    [[ "$output" == *"c.yaml:3:"*"unknown type 'DISHES'"* ]]
    printf 'entities:\n  rule: false\n' > "$BATS_TEST_TMPDIR/c.yaml"
    run -3 crible-entities -c "$BATS_TEST_TMPDIR/c.yaml" < /dev/null
    [[ "$output" == *"c.yaml:2:"*"rule"* ]]
    printf 'entities:\n  rules: [true\n' > "$BATS_TEST_TMPDIR/c.yaml"
    run -3 crible-entities -c "$BATS_TEST_TMPDIR/c.yaml" < /dev/null
    [[ "$output" == *"c.yaml:"* ]]
}

@test "entities: a stream without CRIBLE:NORM is an error naming the column" {
    run -4 bash -c 'printf "# global.columns = ID FORM CRIBLE:TYPE\n1\tParis\tword\n\n" | crible-entities'
    [[ "$output" == *"CRIBLE:NORM"* ]]
    run -4 bash -c 'printf "1\tParis\t_\t_\t_\t_\t_\t_\t_\t_\n\n" | crible-entities'
    [[ "$output" == *"CRIBLE:NORM"* ]]
}

@test "entities: empty input, empty documents" {
    run crible-entities < /dev/null
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    out=$(printf '# global.columns = ID FORM CRIBLE:NORM CRIBLE:TYPE\n# newdoc id = a\n\n# newdoc id = b\n1\tParis\tparis\tword\n\n' | crible-entities)
    [[ "$out" == *"# newdoc id = a"* ]]
    [[ "$out" == *"1	Paris	paris	word	B-LOC	Paris"* ]]
}

@test "entities: unknown columns and comments pass through" {
    out=$(printf '# global.columns = ID FORM MINE CRIBLE:NORM CRIBLE:TYPE\n# my comment\n1\tNetflix\tx1\tnetflix\tword\n\n' | crible-entities)
    [[ "$out" == *"# global.columns = ID FORM MINE CRIBLE:NORM CRIBLE:TYPE CRIBLE:NER CRIBLE:ENTITY"* ]]
    [[ "$out" == *"# my comment"* ]]
    [[ "$out" == *"1	Netflix	x1	netflix	word	B-PLATFORM	Netflix"* ]]
}

@test "entities: bad input: cut stream, invalid UTF-8, NUL byte, running twice" {
    run -4 bash -c 'printf "# global.columns = ID FORM CRIBLE:NORM CRIBLE:TYPE\n1\tParis\tparis\tword\n2\tx" | crible-entities'
    [[ "$output" == *"crible-entities: "* ]]
    run -4 bash -c 'printf "# global.columns = ID FORM CRIBLE:NORM CRIBLE:TYPE\n1\tPa\xffris\tparis\tword\n\n" | crible-entities'
    run -4 bash -c 'printf "# global.columns = ID FORM CRIBLE:NORM CRIBLE:TYPE\n1\tPa\0ris\tparis\tword\n\n" | crible-entities'
    printf '%s\n' "Paris ." | mkstream | crible-entities > "$BATS_TEST_TMPDIR/once"
    run -4 crible-entities "$BATS_TEST_TMPDIR/once"
    [[ "$output" == *"CRIBLE:NER"* ]]
}

@test "entities: a 50 MB one-sentence document, memory bounded" {
    python3 -c '
import sys
w = sys.stdout.write
w("# global.columns = ID FORM CRIBLE:START CRIBLE:END CRIBLE:NORM CRIBLE:TYPE\n# newdoc id = big\n")
pos = 0
line = "%d\tvisite\t%d\t%d\tvisite\tword\n%d\tParis\t%d\t%d\tparis\tword\n"
for i in range(0, 1400000, 2):
    w(line % (i + 1, pos, pos + 6, i + 2, pos + 7, pos + 12))
    pos += 13
w("\n")' > "$BATS_TEST_TMPDIR/big"
    [ "$(stat -c %s "$BATS_TEST_TMPDIR/big")" -gt 50000000 ]
    # 1.5 GB of address space is plenty (it uses ~350 MB), except under
    # AddressSanitizer, which reserves terabytes of it
    limit="ulimit -v 1500000;"
    grep -qa __asan_init "$(command -v crible-entities)" && limit=""   # gcc or clang ASan
    run bash -c "$limit crible-entities --list '$BATS_TEST_TMPDIR/big' | cut -f2,3 | uniq -c"
    [ "$status" -eq 0 ]
    [ "$output" = "$(printf '%7d LOC\tParis' 700000)" ]
}

@test "entities: --conllu writes 10 columns" {
    out=$(printf '%s\n' "Emma vit à Yonville ." | mkstream | crible-entities --conllu)
    [ "$(echo "$out" | awk -F'\t' 'NF > 1 { print NF }' | sort -u)" = "10" ]
}

@test "entities: writing to /dev/full fails with status 5" {
    printf '%s\n' "Emma vit à Yonville ." | mkstream > "$BATS_TEST_TMPDIR/s"
    run -5 bash -c "crible-entities '$BATS_TEST_TMPDIR/s' > /dev/full"
}

@test "entities: train a model on labelled tokens, then tag with it" {
    # "Jurassique" is a custom type the rules cannot know; the model learns it
    python3 -c '
print("# global.columns = ID FORM CRIBLE:START CRIBLE:END CRIBLE:NORM CRIBLE:TYPE GOLD")
for i in range(200):
    s = [("Le", "O"), ("stégosaure", "B-DINO"), ("broute", "O"), ("près", "O"),
         ("de", "O"), ("Lyon", "B-LOC"), (".", "O")] if i % 2 else \
        [("Un", "O"), ("tricératops", "B-DINO"), ("dort", "O"), (".", "O")]
    pos = 0
    for k, (t, g) in enumerate(s):
        kind = "punct" if t == "." else "word"
        print("%d\t%s\t%d\t%d\t%s\t%s\t%s" % (k + 1, t, pos, pos + len(t.encode()), t.lower(), kind, g))
        pos += len(t.encode()) + 1
    print()' > "$BATS_TEST_TMPDIR/gold"
    run crible-entities train -q -e 3 -o "$BATS_TEST_TMPDIR/m.bin" "$BATS_TEST_TMPDIR/gold"
    [ "$status" -eq 0 ]
    out=$(printf '%s\n' "Un stégosaure vu sur Netflix ." | mkstream | crible-entities -m "$BATS_TEST_TMPDIR/m.bin" --list)
    [[ "$out" == *"DINO	stégosaure	stégosaure"* ]]
    [[ "$out" == *"PLATFORM	Netflix"* ]]   # a type the model does not know: the rules' span stands
    printf 'entities:\n  model: m.bin\n' > "$BATS_TEST_TMPDIR/c.yaml"
    out=$(printf '%s\n' "Un tricératops ." | mkstream | crible-entities -c "$BATS_TEST_TMPDIR/c.yaml" --list)
    [[ "$out" == *"DINO	tricératops"* ]]
    # a damaged model file is refused
    printf 'x' | dd of="$BATS_TEST_TMPDIR/m.bin" bs=1 seek=100 conv=notrunc 2>/dev/null
    run -4 crible-entities -m "$BATS_TEST_TMPDIR/m.bin" < /dev/null
    [[ "$output" == *"not a crible NER model"* ]]
    run -2 crible-entities train "$BATS_TEST_TMPDIR/gold"
    run -4 crible-entities train -o "$BATS_TEST_TMPDIR/m2.bin" -g NOPE "$BATS_TEST_TMPDIR/gold"
    [[ "$output" == *"NOPE"* ]]
}

# --- through the real pipe ------------------------------------------------

@test "entities (pipe): the seed article: its people, platform, place and title, nothing in the boilerplate" {
    need_shared
    run bash -c "crible-read '$SEED' | crible-tokenize | crible-entities --list"
    [ "$status" -eq 0 ]
    list=$(echo "$output" | cut -f2,3 | sort -u)
    for want in "PER	Abby" "PER	Lia" "PER	Zoe" "PER	Amy" "PER	Kevin Anderson" \
                "PER	Liza Williams" "PLATFORM	Netflix" "LOC	Royaume-Uni" \
                "WORK	Je peux te dire un secret ?"; do
        echo "$list" | grep -qxF "$want" || { echo "missing: $want"; false; }
    done
    [ "$(echo "$output" | grep -c 'PLATFORM	Netflix')" -eq 3 ]
    [ "$(echo "$output" | grep -c 'WORK	Je peux te dire un secret ?')" -eq 3 ]
    # nothing at or after "Laisser un commentaire"
    cut=$(grep -ob 'Laisser un commentaire' "$SEED" | cut -d: -f1)
    [ -n "$cut" ]
    echo "$output" | awk -F'\t' -v c="$cut" '$5 >= c { print "found in the boilerplate: " $0; bad = 1 } END { exit bad }'
    # and nothing but these
    [ "$(echo "$list" | wc -l)" -eq 9 ]
}

@test "entities (pipe): reviews-like text through read | tokenize | stem | entities" {
    text="J'ai revu Intouchables avec Omar Sy sur Canal+ puis la série Breaking Bad sur Netflix. À Lyon, chez Paul Bocuse !"
    run bash -c "printf '%s\n' \"$text\" | crible-read - | crible-tokenize | crible-stem | crible-entities --list | cut -f2,3"
    [ "$status" -eq 0 ]
    [[ "$output" == *"PER	Omar Sy"* ]]
    [[ "$output" == *"PLATFORM	Canal+"* ]]
    [[ "$output" == *"WORK	Breaking Bad"* ]]
    [[ "$output" == *"PLATFORM	Netflix"* ]]
    [[ "$output" == *"LOC	Lyon"* ]]
    [[ "$output" == *"PER	Paul Bocuse"* ]]
}

@test "entities (pipe): a canonical value is the display form, written one way" {
    text="Camille  Berthier rit. Camille Berthier chante chez l’Oréal, au lac d’Annecy puis au lac d'Annecy."
    run bash -c "printf '%s\n' \"$text\" | crible-read - | crible-tokenize | crible-entities --list | cut -f2,3 | sort | uniq -c"
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | sed 's/^ *//' | tr '\t' '|' | tr '\n' ' ')" = "2 LOC|lac d'Annecy 1 ORG|L'Oréal 2 PER|Camille Berthier " ]
}

@test "entities: the NER scorer follows conlleval (type and both boundaries)" {
    # gold: [Kevin Anderson]PER à [Londres]LOC ; [ONU]ORG
    # pred: [Kevin]PER Anderson à [Londres]LOC ; ONU, and a stray I-ORG span
    printf '# global.columns = ID FORM GOLD CRIBLE:NER\n1\tKevin\tB-PER\tB-PER\n2\tAnderson\tI-PER\tO\n3\tà\tO\tO\n4\tLondres\tB-LOC\tB-LOC\n5\tet\tO\tI-ORG\n6\tONU\tB-ORG\tO\n\n' > "$BATS_TEST_TMPDIR/s"
    run python3 "$CRIBLE_SRC/tests/tools/ner_eval.py" score --json "$BATS_TEST_TMPDIR/s"
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | python3 -c 'import json,sys; r = json.load(sys.stdin)
print(r["PER"]["correct"], r["PER"]["pred"], r["PER"]["gold"], r["LOC"]["f1"], r["ORG"]["pred"],
      r["micro"]["correct"], r["micro"]["pred"], r["micro"]["gold"])')" = "0 1 1 1.0 1 1 3 3" ]
}

@test "entities: the end mark goes on to the next stage; a stream cut before it fails" {
    run bash -c "crible-read '$CRIBLE_SRC/corpus' | crible-tokenize | crible-stem | crible-entities | tail -2"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "# crible.end = 20" ]
    run bash -c "crible-read '$CRIBLE_SRC/corpus' | crible-tokenize | crible-stem | head -200 | crible-entities > /dev/null"
    [ "$status" -eq 4 ]
    [[ "$output" == *"cut short"* ]]
}

# --- junk the quickstart showed on corpus/ (the exact sentences) ----------

# TYPE VALUE TEXT of the entities of the paragraphs given, one document.
pipe_list() {
    printf '%s\n\n' "$@" > "$BATS_TEST_TMPDIR/doc.txt"
    crible-read "$BATS_TEST_TMPDIR/doc.txt" | crible-tokenize | crible-entities --list | cut -f2-4
}

@test "entities (pipe): a headline that opens on a title is the WORK, not a place (corpus/series)" {
    run pipe_list $'Les Heures sombres : Canal+ frappe fort avec un polar social tourné à Marseille' $'Après le succès de ses séries d’espionnage, Canal+ revient au polar avec « Les Heures sombres », une création originale en huit épisodes tournée entre les quartiers nord de Marseille et le port de Fos-sur-Mer.'
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | grep -c 'WORK	Les Heures sombres	Les Heures sombres')" -eq 2 ]
    ! echo "$output" | grep -q 'Heures	Heures'
    [[ "$output" == *"LOC	Marseille"* ]]
}

@test "entities (pipe): a film's title in a heading is the WORK; its word alone is no place (corpus/films)" {
    run pipe_list "# La Promesse de juillet : une comédie familiale plus fine qu'il n'y paraît" \
        "« La Promesse de juillet », réalisé par Julie Navarro, raconte les vacances chaotiques d'une famille recomposée dans une maison louée à Biarritz." \
        "Revoir la Promesse en famille, un soir de juillet."
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | grep -c 'WORK	La Promesse de juillet')" -eq 2 ]
    ! echo "$output" | grep -q 'LOC	Promesse'
    [[ "$output" == *"PER	Julie Navarro"* ]]
    [[ "$output" == *"LOC	Biarritz"* ]]
}

@test "entities (pipe): a publisher after 'éditions du' is an ORG, a writer after 'à' a PER (corpus/livres)" {
    run pipe_list $'Publié aux éditions du Phare, ce polar de 384 pages se déroule dans la cité corsaire pendant l’hiver 1987. On pense à Simenon pour l’atmosphère, à Fred Vargas pour l’humour discret des dialogues.'
    [ "$status" -eq 0 ]
    [[ "$output" == *"ORG	éditions du Phare	éditions du Phare"* ]]
    [[ "$output" == *"PER	Simenon	Simenon"* ]]
    [[ "$output" == *"PER	Fred Vargas"* ]]
    ! echo "$output" | grep -q '^LOC'
}

@test "entities (pipe): UFC-Que Choisir is an ORG; a site's name after a dash is no place (corpus/articles)" {
    run pipe_list $'Pour les lecteurs qui veulent comparer les offres, l’UFC-Que Choisir publie un comparatif régulièrement mis à jour sur https://www.quechoisir.org.' $'« Derrière l’écran » : le cyberharcèlement des streameuses raconté sans fard – Le Crible Culture'
    [ "$status" -eq 0 ]
    [[ "$output" == *"ORG	UFC-Que Choisir	UFC-Que Choisir"* ]]
    ! echo "$output" | grep -q 'Crible'
    ! echo "$output" | grep -q '^LOC'
}

@test "entities (pipe): a military rank is in the span, not in the value (README: like an honorific)" {
    run pipe_list $'Le deuxième épisode est le meilleur, l’interview du capitaine Rameau est incroyable.'
    [ "$status" -eq 0 ]
    [ "$output" = "PER	Rameau	capitaine Rameau" ]
}

@test "entities (pipe): a restaurant named by its head word is an ORG (corpus/restaurants)" {
    run pipe_list $'Sur les pentes de la Croix-Rousse, à deux pas de la place Colbert, le Comptoir des Canuts a ouvert ses portes au printemps dernier.'
    [ "$status" -eq 0 ]
    [[ "$output" == *"ORG	Comptoir des Canuts	Comptoir des Canuts"* ]]
    ! echo "$output" | grep -q 'LOC	Comptoir'
}

@test "entities (pipe): an English title opened by 'The' is a WORK; a brasserie at a sentence start an ORG (reviews)" {
    run pipe_list "The Dark Knight reste le meilleur Batman, et Heath Ledger y est immense." \
        "Brasserie Georges : une institution lyonnaise. J'ai revu The Walking Dead hier soir."
    [ "$status" -eq 0 ]
    [[ "$output" == *"WORK	The Dark Knight	The Dark Knight"* ]]
    [[ "$output" == *"WORK	The Walking Dead	The Walking Dead"* ]]
    [[ "$output" == *"ORG	Brasserie Georges	Brasserie Georges"* ]]
    [[ "$output" == *"PER	Heath Ledger"* ]]
    ! echo "$output" | grep -q 'PER	Georges'
    ! echo "$output" | grep -q 'Dark Knight	Dark Knight'
}

@test "entities (pipe): a capital after 'une' or a number is a title's, not a name (restaurants' names)" {
    run pipe_list "Une Semaine sur Deux - Grenoble" "Les 3 Brasseurs - Echirolles" "Bienvenue dans ce bistrot de Grenoble." \
        "Les Terrasses Poulard - Le Mont-Saint-Michel"
    [ "$status" -eq 0 ]
    # a capital article opening a sentence makes no place, but Mont-Saint-Michel is one by its head
    [ "$(echo "$output" | cut -f1,2 | sort -u | tr '\n' ' ')" = "LOC	Echirolles LOC	Grenoble LOC	Mont-Saint-Michel " ]
}

@test "entities (pipe): after a noun of a person's ('le groupe de', 'les rêves de'), an unknown name is a PER, elsewhere after 'de' a place" {
    run pipe_list "La saison 7 gagne en noirceur avec l'arrivée du groupe de Negan, et les rêves de Cobb rappellent les couloirs du lycée de Tarrare."
    [ "$status" -eq 0 ]
    [[ "$output" == *"PER	Negan	Negan"* ]]
    [[ "$output" == *"PER	Cobb	Cobb"* ]]
    [[ "$output" == *"LOC	Tarrare	Tarrare"* ]]
}

@test "entities (pipe): a lone 'Restaurant' or 'Brasserie' is no organisation" {
    run pipe_list "Restaurant très agréable, Brasserie à recommander pour le service."
    [ "$status" -eq 0 ]
    [ -z "$output" ]
}

@test "entities (pipe): a quote followed by a verb of speech is speech, not a WORK; 'la place Colbert' is a place (corpus/)" {
    run pipe_list "« À mon âge, on ne fait plus de promesses, on fait des listes », dit-elle à sa petite-fille." \
        "« Vous voulez la vérité ou vous voulez un coupable ? » lance-t-il dans l’épisode 5, qui est de loin le meilleur de la saison." \
        "Sur les pentes de la Croix-Rousse, à deux pas de la place Colbert, le Comptoir des Canuts a ouvert ses portes au printemps dernier. Le quartier Saint-Michel a bien changé."
    [ "$status" -eq 0 ]
    ! echo "$output" | grep -q '^WORK'
    [[ "$output" == *"LOC	Colbert	Colbert"* ]]
    [[ "$output" == *"LOC	Saint-Michel	Saint-Michel"* ]]
    [[ "$output" == *"LOC	Croix-Rousse"* ]]
}

@test "entities (pipe): a capitalised run with an English title word is a WORK, even at a sentence start (reviews)" {
    run pipe_list "Breaking Bad est la meilleure série que j'ai vue, Bryan Cranston y est immense. J'ai préféré Stranger Things à Star Wars."
    [ "$status" -eq 0 ]
    [[ "$output" == *"WORK	Breaking Bad	Breaking Bad"* ]]
    [[ "$output" == *"WORK	Stranger Things	Stranger Things"* ]]
    [[ "$output" == *"WORK	Star Wars	Star Wars"* ]]
    [[ "$output" == *"PER	Bryan Cranston"* ]]
    ! echo "$output" | grep -q '^PER	\(Bad\|Things\|Wars\)'
}

@test "entities (pipe): reviews-jsonl.yaml names the reviewed film a WORK, the restaurant an ORG (reviews 7,001-9,000)" {
    need_shared "$DATA/reviews/reviews.jsonl"
    c="$CRIBLE_SRC/config/reviews-jsonl.yaml"
    # the first 7,690 reviews are all books: these 2,000 hold books, films,
    # series and restaurants
    out=$(sed -n '7001,9000p' "$DATA/reviews/reviews.jsonl" | crible-read -c "$c" - |
          crible-tokenize -c "$c" | crible-entities -c "$c" --list)
    # allocine-00167 reviews Inception: the text named it PER three times
    [ "$(echo "$out" | grep -cP '^allocine-00167\tPER\tInception\t')" -eq 0 ]
    [ "$(echo "$out" | grep -cP '^allocine-00167\tWORK\tInception\t.*\ttext$')" -ge 3 ]
    [ "$(echo "$out" | grep -cP '^allocine-00169\tPER\tInception\t')" -eq 0 ]
    [ "$(echo "$out" | grep -cP '^allocine-00169\tWORK\tInception\t.*\ttext$')" -ge 2 ]
    # restaurant titles gave LOC Narbonne, LOC Pricaz: the whole title is the ORG
    [ "$(echo "$out" | grep -P '^tripadvisor-00076\t.*\ttitle$' | cut -f2,3)" = "ORG	Les Grands Buffets - Narbonne" ]
    [ "$(echo "$out" | grep -P '^tripadvisor-00215\t.*\ttitle$' | cut -f2,3)" = "ORG	Chalet la Pricaz - Montmin" ]
    # a book's title is a WORK too (it gave LOC Malacca)
    [ "$(echo "$out" | grep -P '^babelio-08790\t.*\ttitle$' | cut -f2,3)" = "WORK	Mon double à Malacca" ]
}
