# short-docs.awk - a stage between crible-read and crible-tokenize: keeps the
# JSON Lines documents whose "text" is at least MIN characters long (bytes,
# escapes counted as written), and passes every other line through.
#   crible-read corpus/ | awk -f config/short-docs.awk | crible-tokenize
BEGIN { if (MIN == "") MIN = 20 }
{
    if (match($0, /"text":"([^"\\]|\\.)*"/) && RLENGTH - 9 < MIN) {
        dropped++
        next
    }
    print
}
END { if (dropped) printf "short-docs: dropped %d short documents\n", dropped > "/dev/stderr" }
