/*
 * detect.c - which format a file is in.  First its extension (case does not
 * matter):
 *     .txt .text                  text
 *     .md .markdown .mdown        markdown
 *     .html .htm .xhtml           html
 *     .jsonl .ndjson .jsonlines   jsonl
 *     .csv                        csv
 *     .tsv .tab                   tsv
 * then, for stdin and for a file given by name with another extension, its
 * first bytes (after a BOM and blank space): "{" is JSON Lines; "<!DOCTYPE
 * html", "<html", "<head", "<body", or "<!--" or "<?xml" followed by "<html",
 * is HTML; anything else is text.  `--format` or `read: {format: ...}` skips
 * detection.  In a folder, files with an unknown extension are skipped.
 */
#include <string.h>
#include <strings.h>

#include "read.h"

static const struct {
    const char *ext;
    crible_read_format format;
} extensions[] = {
    {"txt", CRIBLE_READ_TEXT},       {"text", CRIBLE_READ_TEXT},
    {"md", CRIBLE_READ_MARKDOWN},    {"markdown", CRIBLE_READ_MARKDOWN},
    {"mdown", CRIBLE_READ_MARKDOWN}, {"html", CRIBLE_READ_HTML},
    {"htm", CRIBLE_READ_HTML},       {"xhtml", CRIBLE_READ_HTML},
    {"jsonl", CRIBLE_READ_JSONL},    {"ndjson", CRIBLE_READ_JSONL},
    {"jsonlines", CRIBLE_READ_JSONL}, {"csv", CRIBLE_READ_CSV},
    {"tsv", CRIBLE_READ_TSV},        {"tab", CRIBLE_READ_TSV},
};

crible_read_format read_detect_extension(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base)
        return CRIBLE_READ_AUTO;
    for (size_t i = 0; i < sizeof extensions / sizeof extensions[0]; i++)
        if (strcasecmp(dot + 1, extensions[i].ext) == 0)
            return extensions[i].format;
    return CRIBLE_READ_AUTO;
}

static bool starts(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && strncasecmp(s, prefix, k) == 0;
}

static size_t skip_space(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

crible_read_format read_detect_content(const char *s, size_t n)
{
    size_t i = 0;
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    i = skip_space(s, n, i);
    if (i < n && s[i] == '{')
        return CRIBLE_READ_JSONL;
    /* skip an XML declaration and comments before the first element */
    while (i < n && (starts(s + i, n - i, "<?xml") || starts(s + i, n - i, "<!--"))) {
        const char *end = s[i + 1] == '?' ? "?>" : "-->";
        size_t j = i + 2, elen = strlen(end);
        while (j + elen <= n && memcmp(s + j, end, elen) != 0)
            j++;
        if (j + elen > n)
            return CRIBLE_READ_TEXT;
        i = skip_space(s, n, j + elen);
    }
    static const char *const html[] = {"<!doctype html", "<html", "<head", "<body", "<meta",
                                       "<title"};
    for (size_t k = 0; k < sizeof html / sizeof html[0]; k++)
        if (starts(s + i, n - i, html[k]))
            return CRIBLE_READ_HTML;
    return CRIBLE_READ_TEXT;
}
