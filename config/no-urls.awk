# no-urls.awk - a stage on the token stream (after crible-stem): marks
# url and email tokens as stop words (CRIBLE:STOP = 1).  It finds the columns
# by name in "# global.columns", passes every comment and column through,
# and so works wherever CRIBLE:TYPE and CRIBLE:STOP exist.
#   crible-read corpus/ | crible-tokenize | crible-stem | awk -f config/no-urls.awk
BEGIN { FS = OFS = "\t" }
/^# global\.columns = / {
    n = split(substr($0, 21), cols, " ")
    for (i = 1; i <= n; i++) {
        if (cols[i] == "CRIBLE:TYPE") type = i
        if (cols[i] == "CRIBLE:STOP") stop = i
    }
    print
    next
}
/^#/ || /^$/ { print; next }
type && stop && ($type == "url" || $type == "email") { $stop = 1; flagged++ }
{ print }
END { if (flagged) printf "no-urls: %d URL and e-mail tokens flagged\n", flagged > "/dev/stderr" }
