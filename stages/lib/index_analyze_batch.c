/*
 * index_analyze_batch.c - a batch of the in-process analysis path
 * (index_analyze_impl.h): the documents a worker reads under the queue's
 * lock, their id, JSON line, "lang" and analysed fields copied into the
 * batch (the reader's strings live only until its next read), up to
 * CRIBLE_INDEX_ANALYZE_BATCH bytes of text; and its memory, cleared for
 * the next batch, trimmed once indexed.
 */
#include "index_analyze_impl.h"

#include <stdlib.h>
#include <string.h>

#include "json_fast.h"

void ixa_batch_clear(batch *b)
{
    b->in.len = b->docs.len = b->spans.len = 0;
    b->fields.len = b->sents.len = b->toks.len = b->recs.len = 0;
    b->tterms.len = b->res.len = 0;
    ix_termset_clear(&b->own);
    b->ents.len = b->epool.len = 0;
    ix_kvlist_clear(&b->kv);
    b->ndocs = b->ngood = 0;
    b->st = CRIBLE_OK;
    crible_error_clear(&b->err);
}

void ixa_batch_free(batch *b)
{
    ix_buf_free(&b->in);
    ix_buf_free(&b->docs);
    ix_buf_free(&b->spans);
    ix_buf_free(&b->fields);
    ix_buf_free(&b->sents);
    ix_buf_free(&b->toks);
    ix_buf_free(&b->recs);
    ix_buf_free(&b->rec);
    ix_buf_free(&b->ents);
    ix_buf_free(&b->epool);
    ix_kvlist_free(&b->kv);
    ix_buf_free(&b->tterms);
    ix_termset_free(&b->own);
    ix_buf_free(&b->res);
}

/* After a huge document, a slot gives its memory back. */
void ixa_batch_trim(batch *b)
{
    ix_buf *all[] = {&b->in,       &b->docs,      &b->spans,      &b->fields,     &b->sents,
                     &b->toks,     &b->recs,      &b->rec,        &b->ents,       &b->epool,
                     &b->own.pool, &b->own.terms, &b->own.field, &b->tterms,     &b->res};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (all[i]->cap > 16 * (size_t)CRIBLE_INDEX_ANALYZE_BATCH) ix_buf_free(all[i]);
    if (b->kv.pool.cap > 16 * (size_t)CRIBLE_INDEX_ANALYZE_BATCH) ix_kvlist_free(&b->kv);
}

static bool copy_in(batch *b, const char *s, size_t n, aspan *out)
{
    out->off = b->in.len;
    out->len = n;
    return ix_buf_add(&b->in, s, n) && ix_buf_add(&b->in, "", 1);
}

/* The string span src[0..n) of a JSON line, unescaped into the input
 * copy (as crible_doc_string gives it: the same bytes). */
static bool unescape_in(batch *b, const char *src, size_t n, aspan *out)
{
    if (!ix_buf_reserve(&b->in, n + 1)) return false;
    out->off = b->in.len;
    out->len = crible_json_unescape(src, n, (char *)b->in.data + b->in.len);
    b->in.len += out->len + 1;
    return true;
}

/* add_doc's rest for a lazy document (its line crible_json_doc_scan
 * accepted): "lang" and the fields found in one pass over the line
 * instead of one crible_doc_string (one pass) each; "text" is the
 * reader's, unescaped already. */
#define LAZY_NAMES CRIBLE_JSON_DOC_STRINGS_MAX   /* "lang" and the fields */
static bool add_lazy(batch *b, const crible_tokenize_options *topt, crible_doc *doc, adoc *d, size_t *text)
{
    const char *names[LAZY_NAMES], *strs[LAZY_NAMES];
    size_t lens[LAZY_NAMES];
    names[0] = "lang";
    for (size_t f = 0; f < topt->nfields; f++) names[f + 1] = topt->fields[f];
    crible_doc_strings(doc, names, topt->nfields + 1, strs, lens);
    bool ok = true;
    d->lang.len = SIZE_MAX;
    if (strs[0]) {
        ok = unescape_in(b, strs[0], lens[0], &d->lang);
        /* crible_doc_string's value is read up to its first NUL */
        if (ok) d->lang.len = strlen((const char *)b->in.data + d->lang.off);
    }
    for (size_t f = 0; ok && f < topt->nfields; f++) {
        aspan s = {0, SIZE_MAX};
        if (doc->text && strcmp(topt->fields[f], "text") == 0) {
            ok = copy_in(b, doc->text, doc->text_len, &s);
        } else if (strs[f + 1]) {
            ok = unescape_in(b, strs[f + 1], lens[f + 1], &s);
        }
        if (s.len != SIZE_MAX) *text += s.len;
        ok = ok && ix_buf_add(&b->spans, &s, sizeof s);
    }
    ok = ok && ix_buf_add(&b->docs, d, sizeof *d);
    if (ok) b->ndocs++;
    return ok;
}

/* Copies what the analysis and the index need of one document. */
static bool add_doc(batch *b, const crible_tokenize_options *topt, crible_doc *doc, size_t *text)
{
    adoc d = {.line = doc->line};
    char *json = doc->raw ? NULL : crible_json_line(doc->json);
    if (!doc->raw && !json) return false;
    bool ok = copy_in(b, doc->id, strlen(doc->id), &d.id) &&
              copy_in(b, doc->raw ? doc->raw : json, doc->raw ? doc->raw_len : strlen(json), &d.json);
    free(json);
    if (ok && !doc->json && doc->work && topt->nfields < LAZY_NAMES)
        return add_lazy(b, topt, doc, &d, text);
    size_t n;
    const char *lang = ok ? crible_doc_string(doc, "lang", &n) : NULL;
    if (lang) ok = copy_in(b, lang, strlen(lang), &d.lang);
    else d.lang.len = SIZE_MAX;
    /* the fields crible-tokenize analyses, in its order (tok_stream.h) */
    for (size_t f = 0; ok && f < topt->nfields; f++) {
        const char *v = crible_doc_string(doc, topt->fields[f], &n);
        aspan s = {0, SIZE_MAX};
        if (v) {
            ok = copy_in(b, v, n, &s);
            *text += n;
        }
        ok = ok && ix_buf_add(&b->spans, &s, sizeof s);
    }
    ok = ok && ix_buf_add(&b->docs, &d, sizeof d);
    if (ok) b->ndocs++;
    return ok;
}

/* Reads a batch (the queue's lock held). */
void ixa_batch_fill(queue *q, batch *b)
{
    size_t text = 0;
    while (text < CRIBLE_INDEX_ANALYZE_BATCH && b->ndocs < 4096) {
        crible_doc doc;
        int r = crible_doc_read(q->reader, &doc, &b->err);
        if (r <= 0) {
            if (r < 0) b->st = b->err.status;
            q->eof = true;
            return;
        }
        bool ok = add_doc(b, q->topt, &doc, &text);
        crible_doc_free(&doc);
        if (!ok) {
            b->st = crible_error_set(&b->err, CRIBLE_ENOMEM, "out of memory");
            q->eof = true;
            return;
        }
    }
}
