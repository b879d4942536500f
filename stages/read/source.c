/*
 * source.c - one input (a file, or stdin for "-") through its format's
 * reader: opens it, strips a UTF-8 BOM (a UTF-16/32 one is an error), picks
 * the format (the --format/`read: format` override, else the extension,
 * else the first 4 KiB) and reports how many bad UTF-8 sequences were
 * replaced, when `invalid_utf8: replace` made any.  Empty stdin gives no
 * document; an empty file gives one with an empty text.
 */
#include <string.h>

#include "cli.h"
#include "doc.h"
#include "read.h"

crible_status read_source(read_ctx *ctx, const char *path, const char *id,
                          crible_read_format format, crible_error *err)
{
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    if (crible_utf8_invalid_offset(path, strlen(path)) != strlen(path))
        return crible_error_set(err, CRIBLE_EDATA, "'%s': the file name is not valid UTF-8"
                                " (ids and sources are JSON strings)", path);
    read_input in;
    crible_status st = read_input_open(&in, path, err);
    if (st != CRIBLE_OK)
        return st;
    size_t have = read_input_peek(&in, 4096, err), bom = 0;
    if (have == 0 && !in.b.eof)
        st = err->status;
    if (st == CRIBLE_OK)
        st = read_bom(in.b.buf + in.b.start, have, &bom, name, err);
    in.b.start += bom;
    in.offset += bom;
    if (ctx->opt->format != CRIBLE_READ_AUTO)
        format = ctx->opt->format;
    if (format == CRIBLE_READ_AUTO)
        format = read_detect_content(in.b.buf + in.b.start, have - bom);
    unsigned long before = ctx->replaced_total;
    /* empty stdin is an empty stream (no document); an empty file named on
     * the command line or found in a folder is one empty document */
    if (st == CRIBLE_OK && in.is_stdin && have == bom && in.b.eof) {
        read_input_close(&in);
        return CRIBLE_OK;
    }
    if (st == CRIBLE_OK) {
        switch (format) {
        case CRIBLE_READ_MARKDOWN:
        case CRIBLE_READ_TEXT:
            st = read_text(ctx, &in, name, id, format == CRIBLE_READ_MARKDOWN, err);
            break;
        case CRIBLE_READ_HTML:
            st = read_html(ctx, &in, name, id, err);
            break;
        case CRIBLE_READ_JSONL:
            st = read_jsonl(ctx, &in, name, id, err);
            break;
        case CRIBLE_READ_CSV:
            st = read_csv(ctx, &in, name, id, ctx->opt->csv_delimiter, err);
            break;
        case CRIBLE_READ_TSV:
            st = read_csv(ctx, &in, name, id, '\t', err);
            break;
        case CRIBLE_READ_AUTO:
            st = crible_error_set(err, CRIBLE_EINTERNAL, "%s: no format", name);
            break;
        }
    }
    if (ctx->replaced_total > before)
        crible_cli_warn("%s: replaced %lu invalid UTF-8 sequence%s with U+FFFD", name,
                        ctx->replaced_total - before,
                        ctx->replaced_total - before > 1 ? "s" : "");
    read_input_close(&in);
    return st;
}
