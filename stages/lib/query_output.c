/*
 * query_output.c - printing hits, facets and explanations in the three
 * formats of query_output.h.
 */
#include "query_output.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BOLD "\033[1;33m"
#define DIM "\033[2m"
#define CYAN "\033[36m"
#define RESET "\033[0m"

typedef struct sbuf {
    char *b;
    size_t n, cap;
    bool oom;
} sbuf;

static void sb_add(sbuf *s, const char *p, size_t n)
{
    if (s->oom)
        return;
    if (s->n + n + 1 > s->cap) {
        size_t cap = (s->n + n + 1) * 2;
        char *b = realloc(s->b, cap);
        if (!b) {
            s->oom = true;
            return;
        }
        s->b = b;
        s->cap = cap;
    }
    memcpy(s->b + s->n, p, n);
    s->n += n;
    s->b[s->n] = '\0';
}

static void sb_str(sbuf *s, const char *p)
{
    if (p)
        sb_add(s, p, strlen(p));
}

char *crible_snippet_render(const char *text, const crible_snippet *s, const char *on,
                            const char *off, size_t **hl, size_t *nhl)
{
    sbuf b = {0};
    size_t *h = NULL, nh = 0;
    if (s->nmark && hl) {
        h = malloc(2 * s->nmark * sizeof *h);
        if (!h)
            return NULL;
    }
    sb_add(&b, "", 0);
    size_t m = 0;
    for (size_t f = 0; f < s->nfrag; f++) {
        if (f > 0)
            sb_str(&b, " … ");
        if (s->cut_before[f])
            sb_str(&b, "…");
        for (size_t i = s->frag[f].start; i < s->frag[f].end; i++) {
            while (m < s->nmark && s->mark[m].end <= i)
                m++;
            if (m < s->nmark && s->mark[m].start == i) {
                sb_str(&b, on);
                if (h)
                    h[2 * nh] = b.n;
            }
            char c = text[i];
            if (c == '\n' || c == '\r' || c == '\t')
                c = ' ';
            sb_add(&b, &c, 1);
            if (m < s->nmark && s->mark[m].end == i + 1 && s->mark[m].start <= i) {
                if (h) {
                    h[2 * nh + 1] = b.n;
                    nh++;
                }
                sb_str(&b, off);
            }
        }
        if (s->cut_after[f])
            sb_str(&b, "…");
    }
    if (b.oom) {
        free(b.b);
        free(h);
        return NULL;
    }
    if (hl) {
        *hl = h;
        *nhl = nh;
    }
    return b.b;
}

static crible_status io_error(FILE *f, crible_error *err)
{
    if (ferror(f))
        return crible_error_set(err, CRIBLE_EIO, "cannot write to standard output: %s",
                                strerror(errno ? errno : EIO));
    return CRIBLE_OK;
}

static crible_status write_json(crible_output *o, json_t *j, crible_error *err)
{
    if (!j)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    char *line = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(j);
    if (!line)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    fputs(line, o->out);
    fputc('\n', o->out);
    free(line);
    return io_error(o->out, err);
}

static const char *const default_fields[] = {"rating", "date", "source"};

static void meta_fields(const crible_output *o, const char *const **f, size_t *n)
{
    if (o->fields) {
        *f = o->fields;
        *n = o->nfields;
    } else {
        *f = default_fields;
        *n = 3;
    }
}

/* Whether --fields member i is a column of its own in TSV and terminal
 * output: not one they always show (id, score, title, snippet), not one
 * named earlier in the list (--fields id,source,source). */
static bool own_column(const char *const *f, size_t i)
{
    static const char *const fixed[] = {"id", "score", "title", "snippet"};
    for (size_t k = 0; k < sizeof fixed / sizeof *fixed; k++)
        if (strcmp(f[i], fixed[k]) == 0)
            return false;
    for (size_t k = 0; k < i; k++)
        if (strcmp(f[i], f[k]) == 0)
            return false;
    return true;
}

/* A metadata value as text (numbers without a useless ".0"). */
static char *value_text(const json_t *v)
{
    char buf[64];
    if (json_is_string(v))
        return strdup(json_string_value(v));
    if (json_is_integer(v)) {
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
        return strdup(buf);
    }
    if (json_is_real(v)) {
        snprintf(buf, sizeof buf, "%g", json_real_value(v));
        return strdup(buf);
    }
    if (!v || json_is_null(v))
        return NULL;
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

static void tsv_clean(char *s)
{
    for (; s && *s; s++)
        if (*s == '\t' || *s == '\n' || *s == '\r')
            *s = ' ';
}

crible_status crible_output_begin(crible_output *o, const char *query, const crible_results *r,
                                  double elapsed_ms, crible_error *err)
{
    if (o->format == CRIBLE_OUTPUT_TSV && !o->header_done) {
        o->header_done = true;
        fputs("id\tscore", o->out);
        const char *const *f;
        size_t n;
        meta_fields(o, &f, &n);
        fputs("\ttitle", o->out);
        for (size_t i = 0; i < n; i++)
            if (own_column(f, i))
                fprintf(o->out, "\t%s", f[i]);
        if (o->snippets)
            fputs("\tsnippet", o->out);
        fputc('\n', o->out);
    } else if (o->format == CRIBLE_OUTPUT_TERMINAL) {
        const char *c = o->color ? DIM : "", *z = o->color ? RESET : "";
        fprintf(o->out, "%s%s%llu hit%s for %s (%.1f ms)%s\n", c,
                r->total_exact ? "" : "at least ", (unsigned long long)r->total,
                r->total == 1 ? "" : "s", query, elapsed_ms, z);
    }
    return io_error(o->out, err);
}

static const crible_field_snippet *find_snippet(const crible_hit_detail *d, const char *name)
{
    for (size_t i = 0; i < d->nsnippets; i++)
        if (strcmp(d->snippets[i].field, name) == 0)
            return &d->snippets[i];
    return NULL;
}

crible_status crible_output_hit(crible_output *o, size_t rank, const crible_hit *hit,
                                const crible_hit_detail *d, crible_error *err)
{
    json_error_t je;
    json_t *doc = d->doc.json ? json_loadb(d->doc.json, d->doc.json_len, 0, &je) : NULL;
    const char *id = d->doc.id ? d->doc.id : "";
    const char *const *mf;
    size_t nmf;
    meta_fields(o, &mf, &nmf);
    const crible_field_snippet *ts = find_snippet(d, "title");
    const crible_field_snippet *xs = find_snippet(d, "text");
    const char *on = o->color ? BOLD : NULL, *off = o->color ? RESET : NULL;
    char *title = NULL, *snip = NULL;
    size_t *hl = NULL, nhl = 0;
    if (ts)
        title = crible_snippet_render(ts->text, &ts->snippet,
                                      o->format == CRIBLE_OUTPUT_TERMINAL ? on : NULL,
                                      o->format == CRIBLE_OUTPUT_TERMINAL ? off : NULL, NULL, NULL);
    else if (doc) {
        const json_t *t = json_object_get(doc, "title");
        if (!json_is_string(t))
            t = json_object_get(doc, "item_title");
        if (json_is_string(t))
            title = strdup(json_string_value(t));
    }
    if (xs && o->snippets)
        snip = crible_snippet_render(xs->text, &xs->snippet,
                                     o->format == CRIBLE_OUTPUT_TERMINAL ? on : NULL,
                                     o->format == CRIBLE_OUTPUT_TERMINAL ? off : NULL,
                                     o->format == CRIBLE_OUTPUT_JSON ? &hl : NULL, &nhl);
    crible_status st = CRIBLE_OK;
    if (o->format == CRIBLE_OUTPUT_JSON) {
        json_t *j = json_object();
        json_object_set_new(j, "rank", json_integer((json_int_t)rank));
        json_object_set_new(j, "id", json_string(id));
        json_object_set_new(j, "score", json_real(round(hit->score * 1e6) / 1e6));
        if (title)
            json_object_set_new(j, "title", json_string(title));
        json_t *meta = json_object();
        for (size_t i = 0; i < nmf && doc; i++) {
            json_t *v = json_object_get(doc, mf[i]);
            if (v)
                json_object_set(meta, mf[i], v);
        }
        json_object_set_new(j, "meta", meta);
        if (snip) {
            json_object_set_new(j, "snippet", json_string(snip));
            json_t *a = json_array();
            for (size_t i = 0; i < nhl; i++)
                json_array_append_new(a, json_pack("[II]", (json_int_t)hl[2 * i],
                                                   (json_int_t)hl[2 * i + 1]));
            json_object_set_new(j, "highlights", a);
        }
        json_t *ma = json_array();
        for (size_t k = 0; k < d->nsnippets; k++)
            for (size_t i = 0; i < d->snippets[k].snippet.nmark; i++)
                json_array_append_new(ma, json_pack("{sssIsI}", "field", d->snippets[k].field,
                                                    "start",
                                                    (json_int_t)d->snippets[k].snippet.mark[i].start,
                                                    "end",
                                                    (json_int_t)d->snippets[k].snippet.mark[i].end));
        json_object_set_new(j, "matches", ma);
        if (o->explain) {
            json_t *ex = json_array();
            for (size_t i = 0; i < d->nexplain; i++) {
                const crible_explain_line *l = &d->explain[i];
                json_array_append_new(
                    ex, json_pack("{sssssfsfsfsfsfsf}", "field", l->field, "term", l->term, "score",
                                  l->score, "idf", l->idf, "tf", l->tf, "dl", l->dl, "avgdl",
                                  l->avgdl, "weight", l->weight));
            }
            json_object_set_new(j, "explain", ex);
        }
        st = write_json(o, j, err);
    } else if (o->format == CRIBLE_OUTPUT_TSV) {
        tsv_clean(title);
        tsv_clean(snip);
        fprintf(o->out, "%s\t%.4f\t%s", id, hit->score, title ? title : "");
        for (size_t i = 0; i < nmf; i++) {
            if (!own_column(mf, i))
                continue;
            char *v = doc ? value_text(json_object_get(doc, mf[i])) : NULL;
            tsv_clean(v);
            fprintf(o->out, "\t%s", v ? v : "");
            free(v);
        }
        if (o->snippets)
            fprintf(o->out, "\t%s", snip ? snip : "");
        fputc('\n', o->out);
        st = io_error(o->out, err);
    } else {
        const char *c = o->color ? CYAN : "", *dm = o->color ? DIM : "", *z = o->color ? RESET : "";
        fprintf(o->out, "%3zu. %s%s%s", rank, c, id, z);
        for (size_t i = 0; i < nmf; i++) {
            char *v = doc && own_column(mf, i) ? value_text(json_object_get(doc, mf[i])) : NULL;
            if (v) {
                tsv_clean(v);
                if (strcmp(mf[i], "rating") == 0) {
                    const json_t *mx = json_object_get(doc, "rating_max");
                    char *m = value_text(mx);
                    fprintf(o->out, "  %s/%s", v, m ? m : "5");
                    free(m);
                } else
                    fprintf(o->out, "  %s", v);
            }
            free(v);
        }
        fprintf(o->out, "  %s%.2f%s\n", dm, hit->score, z);
        if (title && *title) {
            tsv_clean(title);
            fprintf(o->out, "     %s\n", title);
        }
        if (snip && *snip)
            fprintf(o->out, "     %s\n", snip);
        if (o->explain) {
            for (size_t i = 0; i < d->nexplain; i++) {
                const crible_explain_line *l = &d->explain[i];
                fprintf(o->out,
                        "     %s%8.4f  %s:%s  = %.2f weight × %.3f idf × tf %.0f, length %.0f "
                        "(average %.1f)%s\n",
                        dm, l->score, l->field, l->term, l->weight, l->idf, l->tf, l->dl,
                        l->avgdl, z);
            }
        }
        fputc('\n', o->out);
        st = io_error(o->out, err);
    }
    free(title);
    free(snip);
    free(hl);
    json_decref(doc);
    return st;
}

crible_status crible_output_analysis(crible_output *o, const crible_results *r,
                                     crible_error *err)
{
    if (o->format == CRIBLE_OUTPUT_JSON) {
        json_t *j = json_object();
        json_object_set_new(j, "query", json_string(r->tree ? r->tree : ""));
        json_t *ws = json_array();
        for (size_t i = 0; i < r->nwords; i++) {
            const crible_query_word *w = &r->words[i];
            json_t *t = json_array();
            for (size_t k = 0; k < w->nterms; k++)
                json_array_append_new(t, json_string(w->terms[k]));
            json_t *x = json_pack("{sssO}", "word", w->text ? w->text : "", "terms", t);
            json_decref(t);
            if (w->field)
                json_object_set_new(x, "field", json_string(w->field));
            if (w->note)
                json_object_set_new(x, "note", json_string(w->note));
            json_array_append_new(ws, x);
        }
        json_object_set_new(j, "analysis", ws);
        return write_json(o, j, err);
    }
    FILE *f = o->out;
    const char *dm = o->color ? DIM : "", *z = o->color ? RESET : "";
    fprintf(f, "%squery: %s%s\n", dm, r->tree ? r->tree : "", z);
    for (size_t i = 0; i < r->nwords; i++) {
        const crible_query_word *w = &r->words[i];
        fprintf(f, "%s  %s%s%s →", dm, w->field ? w->field : "", w->field ? ":" : "",
                w->text ? w->text : "");
        if (w->nterms == 0)
            fputs(" (no term in the index)", f);
        for (size_t k = 0; k < w->nterms; k++)
            fprintf(f, " %s", w->terms[k]);
        if (w->note)
            fprintf(f, "  [%s]", w->note);
        fprintf(f, "%s\n", z);
    }
    fputc('\n', f);
    return io_error(f, err);
}

crible_status crible_output_facet(crible_output *o, const crible_facet *fc, crible_error *err)
{
    if (o->format == CRIBLE_OUTPUT_JSON) {
        json_t *a = json_array();
        for (size_t i = 0; i < fc->n; i++)
            json_array_append_new(a, json_pack("{sssI}", "value", fc->v[i].value, "count",
                                               (json_int_t)fc->v[i].count));
        return write_json(o, json_pack("{sssosI}", "facet", fc->field, "values", a, "distinct",
                                       (json_int_t)fc->distinct),
                          err);
    }
    FILE *f = o->out;
    if (o->format == CRIBLE_OUTPUT_TSV) {
        for (size_t i = 0; i < fc->n; i++)
            fprintf(f, "#facet\t%s\t%s\t%llu\n", fc->field, fc->v[i].value,
                    (unsigned long long)fc->v[i].count);
        return io_error(f, err);
    }
    const char *c = o->color ? CYAN : "", *z = o->color ? RESET : "";
    fprintf(f, "%s%s%s (%llu value%s):", c, fc->field, z, (unsigned long long)fc->distinct,
            fc->distinct == 1 ? "" : "s");
    uint64_t maxc = 1;
    for (size_t i = 0; i < fc->n; i++)
        if (fc->v[i].count > maxc)
            maxc = fc->v[i].count;
    if (fc->numeric) {
        fputc('\n', f);
        for (size_t i = 0; i < fc->n; i++) {
            int bar = (int)(30.0 * (double)fc->v[i].count / (double)maxc + 0.5);
            fprintf(f, "  %8s %6llu ", fc->v[i].value, (unsigned long long)fc->v[i].count);
            for (int k = 0; k < bar; k++)
                fputs("█", f);
            fputc('\n', f);
        }
    } else {
        for (size_t i = 0; i < fc->n; i++)
            fprintf(f, "%s %s (%llu)", i ? "," : "", fc->v[i].value,
                    (unsigned long long)fc->v[i].count);
        fputc('\n', f);
    }
    return io_error(f, err);
}
