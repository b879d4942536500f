/*
 * conllu.c - the token stream (CoNLL-U Plus, format in conllu.h): blocks
 * read between stages (the writer is conllu_write.c).
 *
 * The reader keeps its input in one buffer, read 256 KiB or more at a
 * time.  A block is read in one pass when it can be (fast_block): its
 * bytes scanned 64 at a time for TAB, line feed, NUL and carriage return,
 * copied twice on the way (as they are, for the writer, and with a NUL
 * ending each cell and comment, for the caller), its UTF-8 checked at once.
 * Anything that pass does not take as it is (a stream line, a NUL, a CR,
 * a wrong cell count, invalid UTF-8, a comment after token lines, the last
 * block of the input) sends the block to the careful path, line by line
 * (read_lines), which says what is wrong and on which line.  The pass is
 * compiled twice: with the 64 bytes loaded 32 at a time (AVX2, where the
 * processor has it: crible_simd_avx2) and 16 at a time (SSE2).
 *
 * Sentences keep their strings in one buffer; a buffer that grows is
 * copied and the pointers into it moved.
 */
#include "conllu.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "doc.h"
#include "inbuf.h"
#include "utf8.h"

static const char *const ud_columns[] = {"ID", "FORM", "LEMMA", "UPOS", "XPOS",
                                         "FEATS", "HEAD", "DEPREL", "DEPS", "MISC"};

/* --- sentences ----------------------------------------------------------- */

void crible_sentence_init(crible_sentence *s)
{
    memset(s, 0, sizeof *s);
}

void crible_sentence_free(crible_sentence *s)
{
    free(s->comments);
    free(s->cells);
    free(s->buf);
    free(s->raw);
    free(s->rows);
    crible_sentence_init(s);
}

void crible_sentence_clear(crible_sentence *s, size_t ncolumns)
{
    s->ncomments = 0;
    s->ntokens = 0;
    s->ncolumns = ncolumns;
    s->buf_len = 0;
    s->line = 0;
    s->raw_ok = false;
}

/* Room for `need` bytes in s->buf; the strings already there keep their
 * contents, their pointers moved with them. */
static bool buf_reserve(crible_sentence *s, size_t need)
{
    if (need <= s->buf_cap)
        return true;
    size_t cap = s->buf_cap ? s->buf_cap : 4096;
    while (cap < need)
        cap *= 2;
    char *nb = malloc(cap);
    if (!nb)
        return false;
    if (s->buf) {
        memcpy(nb, s->buf, s->buf_len);
        for (size_t i = 0; i < s->ncomments; i++)
            s->comments[i] = nb + (s->comments[i] - s->buf);
        size_t ncells = s->ntokens * s->ncolumns;
        for (size_t i = 0; i < ncells; i++)
            s->cells[i] = nb + (s->cells[i] - s->buf);
        free(s->buf);
    }
    s->buf = nb;
    s->buf_cap = cap;
    return true;
}

/* Appends n bytes and a NUL to the buffer; NULL when out of memory. */
static char *buf_append(crible_sentence *s, const char *p, size_t n)
{
    if (!buf_reserve(s, s->buf_len + n + 1))
        return NULL;
    char *o = s->buf + s->buf_len;
    memcpy(o, p, n);
    o[n] = '\0';
    s->buf_len += n + 1;
    return o;
}

static bool grow_array(void *arrayp, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t ncap = *cap ? *cap : 256;
    while (ncap < need)
        ncap *= 2;
    void *na = realloc(*(void **)arrayp, ncap * size);
    if (!na)
        return false;
    *(void **)arrayp = na;
    *cap = ncap;
    return true;
}

static bool grow_comments(crible_sentence *s)
{
    return grow_array(&s->comments, &s->comments_cap, s->ncomments + 1, sizeof *s->comments);
}

static bool grow_cells(crible_sentence *s, size_t need)
{
    return grow_array(&s->cells, &s->cells_cap, need, sizeof *s->cells);
}

crible_status crible_sentence_add_comment(crible_sentence *s, const char *line,
                                          crible_error *err)
{
    s->raw_ok = false;
    if (strpbrk(line, "\n\r"))
        return crible_error_set(err, CRIBLE_EINTERNAL, "a comment cannot hold a line break");
    if (!grow_comments(s))
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    char *c = buf_append(s, line, strlen(line));
    if (!c)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    s->comments[s->ncomments++] = c;
    return CRIBLE_OK;
}

crible_status crible_sentence_add_token(crible_sentence *s, const char *const *cells,
                                        crible_error *err)
{
    s->raw_ok = false;
    size_t base = s->ntokens * s->ncolumns, need = 0;
    if (!grow_cells(s, base + s->ncolumns))
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    for (size_t c = 0; c < s->ncolumns; c++)
        need += (cells[c] && cells[c][0] ? strlen(cells[c]) : 1) + 1;
    if (!buf_reserve(s, s->buf_len + need))   /* the row's cells do not move */
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    for (size_t c = 0; c < s->ncolumns; c++) {
        const char *v = cells[c] && cells[c][0] ? cells[c] : "_";
        s->cells[base + c] = buf_append(s, v, strlen(v));
    }
    s->ntokens++;
    return CRIBLE_OK;
}

/* The value of comment line `line` ("#" then "KEY = VALUE") for a key of
 * klen bytes, or NULL: spaces after '#' and before '=' skipped, and after
 * '=' one space (a sentence's comments: crible_sentence_comment) or every
 * space (crible_conllu_comment_value). */
static const char *comment_value(const char *line, const char *key, size_t klen, bool all_spaces)
{
    const char *c = line + 1;
    while (*c == ' ')
        c++;
    if (klen && *c != *key)   /* most comments differ at once: no call */
        return NULL;
    if (strncmp(c, key, klen) != 0)
        return NULL;
    c += klen;
    while (*c == ' ')
        c++;
    if (*c != '=')
        return NULL;
    c++;
    if (all_spaces)
        while (*c == ' ')
            c++;
    else if (*c == ' ')
        c++;
    return c;
}

const char *crible_sentence_comment_of(const char *comment, const char *key, size_t klen)
{
    return comment_value(comment, key, klen, false);
}

const char *crible_sentence_comment(const crible_sentence *s, const char *key)
{
    size_t klen = strlen(key);
    for (size_t i = 0; i < s->ncomments; i++) {
        const char *v = crible_sentence_comment_of(s->comments[i], key, klen);
        if (v)
            return v;
    }
    return NULL;
}

/* --- reader -------------------------------------------------------------- */

#define SLACK 64                /* zero bytes after the input: 64-byte loads */

struct crible_conllu_reader {
    crible_inbuf in;      /* the input: in.buf[in.start..in.end) not read yet */
    char *name;
    /* the careful path's current line, copied (NUL-terminated) */
    char *line;
    size_t line_cap;
    size_t len_line;      /* its length (without "\n" or "\r\n") */
    size_t line_at;       /* where it starts in ib (for push_back) */
    bool line_complete;   /* it ended with "\n" */
    long lineno;
    size_t ncolumns;
    char *names[CRIBLE_MAX_COLUMNS];
    bool header_known;
    bool crible_stream;   /* saw "# crible.version": an end mark is due */
    bool ended;           /* the last block read was an end mark */
    unsigned long long end_count;
};

crible_status crible_conllu_reader_open(FILE *in, const char *name,
                                        crible_conllu_reader **out, crible_error *err)
{
    crible_conllu_reader *r = calloc(1, sizeof *r);
    if (!r)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    crible_inbuf_init(&r->in, in, SLACK);
    r->name = crible_input_name(name);
    if (!r->name) {
        free(r);
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    }
    *out = r;
    return CRIBLE_OK;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
}

void crible_conllu_reader_close(crible_conllu_reader *r)
{
    if (!r)
        return;
    free_names(r->names, r->ncolumns);
    crible_inbuf_free(&r->in);
    free(r->line);
    free(r->name);
    free(r);
}

/* Reads more input after what is not read yet (moved to the front of
 * the buffer), the buffer doubled when less than half of it is free (a
 * block or line longer than the buffer is read in O(its length)), SLACK
 * zero bytes after it.  Returns the bytes added, 0 at the end of the
 * input, -1 on a read error. */
static long long fill(crible_conllu_reader *r, crible_error *err)
{
    long long n = crible_inbuf_fill(&r->in, r->in.cap / 2, err);
    if (n < 0 && err->status == CRIBLE_EIO)
        crible_error_prefix(err, "%s", r->name);
    return n;
}

/* Reads the next line into r->line (the careful path).  1: a line, 0:
 * end, -1: error. */
static int next_line(crible_conllu_reader *r, crible_error *err)
{
    const char *nl;
    size_t scanned = 0;
    for (;;) {
        nl = r->in.end > r->in.start + scanned
                 ? memchr(r->in.buf + r->in.start + scanned, '\n', r->in.end - r->in.start - scanned)
                 : NULL;
        if (nl)
            break;
        scanned = r->in.end - r->in.start;
        long long got = fill(r, err);
        if (got < 0)
            return -1;
        if (got == 0)
            break;
    }
    size_t end = nl ? (size_t)(nl - r->in.buf) : r->in.end;
    if (!nl && end == r->in.start)
        return 0;
    size_t n = end - r->in.start;
    if (n + 1 > r->line_cap) {
        size_t cap = r->line_cap ? r->line_cap : 256;
        while (cap < n + 1)
            cap *= 2;
        char *nb = realloc(r->line, cap);
        if (!nb) {
            crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
            return -1;
        }
        r->line = nb;
        r->line_cap = cap;
    }
    memcpy(r->line, r->in.buf + r->in.start, n);
    r->line_at = r->in.start;
    r->in.start = nl ? end + 1 : end;
    r->lineno++;
    r->line_complete = nl != NULL;
    if (n > 0 && r->line[n - 1] == '\r')
        n--;
    r->line[n] = '\0';
    r->len_line = n;
    if (!r->line_complete && r->crible_stream) {
        crible_error_set(err, CRIBLE_EDATA,
                         "%s:%ld: the stream ends in the middle of a line: it was cut short",
                         r->name, r->lineno);
        return -1;
    }
    if (memchr(r->line, '\0', n)) {
        crible_error_set(err, CRIBLE_EDATA, "%s:%ld: NUL byte at byte %ld of the line",
                         r->name, r->lineno, (long)strlen(r->line) + 1);
        return -1;
    }
    const char *cr = memchr(r->line, '\r', n);   /* a line may end with CR LF, not hold a CR */
    if (cr) {
        crible_error_set(err, CRIBLE_EDATA, "%s:%ld: a carriage return at byte %ld of the line",
                         r->name, r->lineno, (long)(cr - r->line) + 1);
        return -1;
    }
    size_t bad = crible_utf8_invalid_offset(r->line, n);
    if (bad < n) {
        crible_error_set(err, CRIBLE_EDATA, "%s:%ld: invalid UTF-8 at byte %zu of the line",
                         r->name, r->lineno, bad + 1);
        return -1;
    }
    return 1;
}

/* The line next_line read is to be read again. */
static void push_back(crible_conllu_reader *r)
{
    r->in.start = r->line_at;
    r->lineno--;
}

const char *crible_conllu_comment_value(const char *line, const char *key)
{
    return line[0] == '#' ? comment_value(line, key, strlen(key), true) : NULL;
}

/* crible_conllu_comment_value as a test: *value gets it. */
static bool starts_with_key(const char *line, const char *key, const char **value)
{
    *value = crible_conllu_comment_value(line, key);
    return *value != NULL;
}

static crible_status parse_columns(crible_conllu_reader *r, const char *value,
                                   char **names, size_t *n, crible_error *err)
{
    *n = 0;
    const char *p = value;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (*n == CRIBLE_MAX_COLUMNS) {
            free_names(names, *n);
            return crible_error_set(err, CRIBLE_EDATA, "%s:%ld: more than %d columns",
                                    r->name, r->lineno, CRIBLE_MAX_COLUMNS);
        }
        names[*n] = strndup(start, (size_t)(p - start));
        if (!names[*n]) {
            free_names(names, *n);
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        }
        (*n)++;
    }
    if (*n == 0)
        return crible_error_set(err, CRIBLE_EDATA, "%s:%ld: global.columns names no column",
                                r->name, r->lineno);
    return CRIBLE_OK;
}

/* Handles the stream-level lines (global.columns, crible.version).  Returns
 * 1 if the line was one (consumed), 0 if not, -1 on error. */
static int stream_line(crible_conllu_reader *r, crible_error *err)
{
    const char *value;
    if (starts_with_key(r->line, "global.columns", &value)) {
        char *names[CRIBLE_MAX_COLUMNS];
        size_t n;
        if (parse_columns(r, value, names, &n, err) != CRIBLE_OK)
            return -1;
        if (r->header_known) {
            bool same = n == r->ncolumns;
            for (size_t i = 0; same && i < n; i++)
                same = strcmp(names[i], r->names[i]) == 0;
            free_names(names, n);
            if (!same) {
                crible_error_set(err, CRIBLE_EDATA,
                                 "%s:%ld: a second stream with other columns "
                                 "(global.columns differs from line 1)", r->name, r->lineno);
                return -1;
            }
            return 1;
        }
        memcpy(r->names, names, n * sizeof *names);
        r->ncolumns = n;
        r->header_known = true;
        return 1;
    }
    if (starts_with_key(r->line, "crible.version", &value)) {
        char *end;
        long v = strtol(value, &end, 10);
        if (end == value || v < 1) {
            crible_error_set(err, CRIBLE_EDATA, "%s:%ld: bad crible.version '%s'", r->name,
                             r->lineno, value);
            return -1;
        }
        if (v > CRIBLE_STREAM_VERSION) {
            crible_error_set(err, CRIBLE_EDATA,
                             "%s:%ld: token stream version %ld is newer than this "
                             "program reads (%d): upgrade crible", r->name, r->lineno, v,
                             CRIBLE_STREAM_VERSION);
            return -1;
        }
        r->crible_stream = true;
        return 1;
    }
    return 0;
}

static crible_status default_header(crible_conllu_reader *r, crible_error *err)
{
    for (size_t i = 0; i < 10; i++) {
        r->names[i] = strdup(ud_columns[i]);
        if (!r->names[i]) {
            free_names(r->names, i);
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        }
    }
    r->ncolumns = 10;
    r->header_known = true;
    return CRIBLE_OK;
}

crible_status crible_conllu_reader_peek_header(crible_conllu_reader *r, crible_error *err)
{
    while (!r->header_known) {
        int got = next_line(r, err);
        if (got < 0)
            return err->status;
        if (got == 0)
            return default_header(r, err);
        int s = stream_line(r, err);
        if (s < 0)
            return err->status;
        if (s == 0) {
            push_back(r);
            return default_header(r, err);
        }
    }
    /* a crible.version line right after the header */
    int got = next_line(r, err);
    if (got < 0)
        return err->status;
    if (got > 0) {
        int kind = stream_line(r, err);
        if (kind < 0)
            return err->status;
        if (kind == 0)
            push_back(r);
    }
    return CRIBLE_OK;
}

/* A token line of the careful path (r->line) added to s. */
static crible_status split_token(crible_conllu_reader *r, crible_sentence *s,
                                 crible_error *err)
{
    size_t base = s->ntokens * s->ncolumns;
    if (!grow_cells(s, base + s->ncolumns))
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    char *p = buf_append(s, r->line, r->len_line);
    if (!p)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    char *end = p + r->len_line;
    s->cells[base] = p;
    size_t c = 1;
    for (; (p = memchr(p, '\t', (size_t)(end - p))) != NULL; p++) {
        if (c == s->ncolumns)
            return crible_error_set(err, CRIBLE_EDATA,
                                    "%s:%ld: more than %zu cells on a token line "
                                    "(the stream's columns: see global.columns)",
                                    r->name, r->lineno, s->ncolumns);
        *p = '\0';
        s->cells[base + c++] = p + 1;
    }
    if (c != s->ncolumns)
        return crible_error_set(err, CRIBLE_EDATA,
                                "%s:%ld: %zu cells on a token line where the stream has "
                                "%zu columns", r->name, r->lineno, c, s->ncolumns);
    s->ntokens++;
    return CRIBLE_OK;
}

/* Whether comment line `c` is one the careful path deals with: a stream
 * line (global.columns, crible.version) or an end mark. */
static bool stream_comment(const char *c)
{
    if (c[1] != ' ' && c[1] != 'g' && c[1] != 'c')
        return false;
    return comment_value(c, "global.columns", 14, true) || comment_value(c, "crible.version", 14, true) ||
           comment_value(c, "crible.end", 10, true);
}

/* Scans src[0..64): dst gets the 64 bytes with TABs and line feeds made
 * NULs, raw the 64 bytes as they are; returns the bits of the TABs and line
 * feeds, *lf those of the line feeds; *odd is nonzero when one of the 64
 * bytes is a NUL or a CR; *hi gets ORed with the bytes (its high bits say
 * whether a byte >= 0x80 was seen). */
#ifdef __SSE2__
typedef __m128i hi_bytes;
#define HI_NONE() _mm_setzero_si128()
#define HI_ANY(h) (_mm_movemask_epi8(h) != 0)
#else
typedef unsigned hi_bytes;
#define HI_NONE() 0u
#define HI_ANY(h) ((h) >= 0x80)
#endif
static inline __attribute__((always_inline)) uint64_t scan64(const char *src, char *dst, char *raw, uint64_t *lf, unsigned *odd,
                              hi_bytes *hi)
{
#ifdef __SSE2__
    uint64_t m = 0, l = 0;
    __m128i o = _mm_setzero_si128(), h = *hi;
    for (int k = 0; k < 4; k++) {
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(src + 16 * k));
        __m128i nl = _mm_cmpeq_epi8(b, _mm_set1_epi8('\n'));
        __m128i sep = _mm_or_si128(_mm_cmpeq_epi8(b, _mm_set1_epi8('\t')), nl);
        o = _mm_or_si128(o, _mm_or_si128(_mm_cmpeq_epi8(b, _mm_setzero_si128()),
                                         _mm_cmpeq_epi8(b, _mm_set1_epi8('\r'))));
        h = _mm_or_si128(h, b);
        _mm_storeu_si128((__m128i *)(void *)(raw + 16 * k), b);
        _mm_storeu_si128((__m128i *)(void *)(dst + 16 * k), _mm_andnot_si128(sep, b));
        m |= (uint64_t)(uint32_t)_mm_movemask_epi8(sep) << (16 * k);
        l |= (uint64_t)(uint32_t)_mm_movemask_epi8(nl) << (16 * k);
    }
    *odd = (unsigned)_mm_movemask_epi8(o);
    *hi = h;
    *lf = l;
    return m;
#else
    uint64_t m = 0, l = 0;
    unsigned o = 0, h = *hi;
    memcpy(raw, src, 64);
    for (unsigned i = 0; i < 64; i++) {
        unsigned char c = (unsigned char)src[i];
        bool sep = c == '\t' || c == '\n';
        dst[i] = sep ? '\0' : (char)c;
        m |= (uint64_t)sep << i;
        l |= (uint64_t)(c == '\n') << i;
        o |= c == '\0' || c == '\r';
        h |= c;
    }
    *odd = o;
    *hi = h;
    *lf = l;
    return m;
#endif
}

#if defined(__SSE2__) && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CONLLU_AVX2 1
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2")))

/* scan64 32 bytes at a time (AVX2): the same answers. */
static inline AVX2 uint64_t scan64_avx2(const char *src, char *dst, char *raw, uint64_t *lf,
                                        unsigned *odd, hi_bytes *hi)
{
    __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)src);
    __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(src + 32));
    __m256i nla = _mm256_cmpeq_epi8(a, _mm256_set1_epi8('\n'));
    __m256i nlb = _mm256_cmpeq_epi8(b, _mm256_set1_epi8('\n'));
    __m256i sepa = _mm256_or_si256(_mm256_cmpeq_epi8(a, _mm256_set1_epi8('\t')), nla);
    __m256i sepb = _mm256_or_si256(_mm256_cmpeq_epi8(b, _mm256_set1_epi8('\t')), nlb);
    __m256i zero = _mm256_setzero_si256(), cr = _mm256_set1_epi8('\r');
    __m256i o = _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(a, zero), _mm256_cmpeq_epi8(a, cr)),
                                _mm256_or_si256(_mm256_cmpeq_epi8(b, zero), _mm256_cmpeq_epi8(b, cr)));
    _mm256_storeu_si256((__m256i *)(void *)raw, a);
    _mm256_storeu_si256((__m256i *)(void *)(raw + 32), b);
    _mm256_storeu_si256((__m256i *)(void *)dst, _mm256_andnot_si256(sepa, a));
    _mm256_storeu_si256((__m256i *)(void *)(dst + 32), _mm256_andnot_si256(sepb, b));
    __m256i ab = _mm256_or_si256(a, b);
    *hi = _mm_or_si128(*hi, _mm_or_si128(_mm256_castsi256_si128(ab), _mm256_extracti128_si256(ab, 1)));
    *odd = (unsigned)_mm256_movemask_epi8(o);
    *lf = (uint64_t)(uint32_t)_mm256_movemask_epi8(nla) | (uint64_t)(uint32_t)_mm256_movemask_epi8(nlb) << 32;
    return (uint64_t)(uint32_t)_mm256_movemask_epi8(sepa) | (uint64_t)(uint32_t)_mm256_movemask_epi8(sepb) << 32;
}
#endif

/* Room in s for the cells of `rows` token lines and the starts of rows + 1:
 * what a block's token lines up to the end of the next 64 bytes need,
 * and 64 cells more (the TABs of 64 bytes are stored before their count
 * is checked). */
static bool room_rows(crible_sentence *s, size_t rows, size_t n)
{
    return grow_cells(s, rows * n + 64) && grow_array(&s->rows, &s->rows_cap, rows + 1, sizeof *s->rows);
}

/* The token lines s has room for (room_rows). */
static size_t rows_room(const crible_sentence *s, size_t n)
{
    size_t c = (s->cells_cap - 64) / n, r = s->rows_cap - 1;
    return c < r ? c : r;
}

/* Reads the block at ib[pos..] into s in one pass when it is whole in the
 * buffer and well-formed, and its lines are plain comments then token
 * lines.  1: read; 0: not this way (nothing consumed but blank lines,
 * s to be cleared: the careful path reads it); -1: error.
 *
 * The bytes are scanned 64 at a time (scan64); the cell and row arrays
 * are made large enough for every token line the next 64 bytes can end
 * before they are scanned (a token line is at least max(n, 2) bytes), so
 * that a line costs no check of their size. */
static inline __attribute__((always_inline)) int fast_block(crible_conllu_reader *r, crible_sentence *s,
                                                             crible_error *err, bool avx2)
{
    const size_t n = r->ncolumns, per_chunk = 64 / (n < 2 ? 2 : n) + 2;
    for (;;) {
        while (r->in.start < r->in.end && r->in.buf[r->in.start] == '\n') {   /* blank lines */
            r->in.start++;
            r->lineno++;
        }
        /* the bytes looked at: what the sentence's buffers hold (4 KiB at
         * least), doubled while a block does not fit, so that a sentence
         * keeps buffers of about its longest block, not of the input's */
        size_t avail = r->in.end - r->in.start, room = s->buf_cap > 4096 + SLACK ? s->buf_cap - SLACK : 4096;
        if (avail == 0)
            goto more;
        if (avail > room)
            avail = room;
        const char *src = r->in.buf + r->in.start;
        if (!buf_reserve(s, avail + SLACK) || !grow_array(&s->raw, &s->raw_cap, avail + SLACK, 1) ||
            !room_rows(s, per_chunk, n))
            goto nomem;
        char *buf = s->buf, *raw = s->raw;
        char **cells = s->cells;
        size_t *rows = s->rows, room_ahead = rows_room(s, n);
        size_t ntok = 0, ls = 0, lines = 0;
        /* the next cell's slot; cp == row_end on a comment line */
        size_t cp = 0, row_end = 0;
        bool comment = src[0] == '#';
        if (!comment) {
            cells[cp++] = buf;
            row_end = n;
        }
        hi_bytes hi = HI_NONE();
        for (size_t i = 0; i < avail; i += 64) {
            if (ntok + per_chunk > room_ahead) {   /* room for the lines these 64 bytes end */
                if (!room_rows(s, ntok + per_chunk, n))
                    goto nomem;
                cells = s->cells;
                rows = s->rows;
                room_ahead = rows_room(s, n);
            }
            uint64_t lf;
            unsigned odd;
#ifdef CONLLU_AVX2
            uint64_t sep = avx2 ? scan64_avx2(src + i, buf + i, raw + i, &lf, &odd, &hi)
                                : scan64(src + i, buf + i, raw + i, &lf, &odd, &hi);
#else
            (void)avx2;
            uint64_t sep = scan64(src + i, buf + i, raw + i, &lf, &odd, &hi);
#endif
            if (avail - i < 64) {        /* the last bytes read */
                uint64_t valid = ((uint64_t)1 << (avail - i)) - 1;
                sep &= valid;
                lf &= valid;
                for (size_t k = i; odd && k < avail; k++)   /* past them: not this block's */
                    if (src[k] == '\0' || src[k] == '\r')
                        return 0;
            } else if (odd) {
                return 0;                /* a NUL or a CR */
            }
            uint64_t tabs = sep & ~lf;
            char *cell = buf + i + 1;    /* the cell after a TAB at i + k: cell + k */
            for (;;) {
                /* the TABs before the next line feed: the current line's */
                uint64_t upto = lf ? (lf & -lf) - 1 : UINT64_MAX, t = tabs & upto;
                tabs &= ~upto;
                if (comment) {
                    for (; t; t &= t - 1)   /* a TAB in a comment stays */
                        cell[__builtin_ctzll(t) - 1] = '\t';
                } else {
                    for (; t; t &= t - 1)
                        cells[cp++] = cell + __builtin_ctzll(t);
                    if (cp > row_end)
                        return 0;        /* too many cells */
                }
                if (!lf)
                    break;
                size_t j = i + (size_t)__builtin_ctzll(lf);
                lf &= lf - 1;
                if (j == ls) {           /* the blank line: the block is whole */
                    if (HI_ANY(hi) && crible_utf8_invalid_offset(raw, ls) < ls)
                        return 0;
                    rows[ntok] = ls;
                    cells[ntok * n] = buf + ls;   /* one past the last cell (conllu.h) */
                    s->ntokens = ntok;
                    s->buf_len = ls;
                    s->raw_len = ls;
                    s->raw_ok = true;
                    s->line = r->lineno + 1;
                    r->lineno += (long)lines + 1;
                    r->in.start += ls + 1;
                    r->ended = false;
                    return 1;
                }
                if (comment) {
                    if (ntok > 0 || stream_comment(buf + ls))
                        return 0;
                    if (!grow_comments(s))
                        goto nomem;
                    s->comments[s->ncomments++] = buf + ls;
                } else {
                    if (cp != row_end)
                        return 0;        /* too few cells */
                    rows[ntok++] = ls;
                }
                lines++;
                ls = j + 1;
                if (ls == avail)
                    break;               /* the next line is not read yet */
                comment = src[ls] == '#';
                cp = row_end = ntok * n;
                if (!comment) {
                    cells[cp++] = buf + ls;
                    row_end += n;
                }
            }
        }
        /* the block goes on past the bytes looked at */
        s->ncomments = 0;
        if (avail < r->in.end - r->in.start) {
            if (!buf_reserve(s, 2 * avail + SLACK))
                goto nomem;
            continue;
        }
    more:
        if (r->in.eof)
            return 0;
        if (fill(r, err) < 0)
            return -1;
    }
nomem:
    crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    return -1;
}

/* fast_block with scan64 (SSE2, or a byte loop without it). */
static int fast_block_plain(crible_conllu_reader *r, crible_sentence *s, crible_error *err)
{
    return fast_block(r, s, err, false);
}

#ifdef CONLLU_AVX2
/* fast_block with scan64_avx2: the whole pass compiled for AVX2. */
static AVX2 int fast_block_avx2(crible_conllu_reader *r, crible_sentence *s, crible_error *err)
{
    return fast_block(r, s, err, true);
}
#endif

int crible_conllu_read(crible_conllu_reader *r, crible_sentence *s, crible_error *err)
{
    if (!r->header_known && crible_conllu_reader_peek_header(r, err) != CRIBLE_OK)
        return -1;
    crible_sentence_clear(s, r->ncolumns);
    if (r->ncolumns > 0) {
#ifdef CONLLU_AVX2
        int fast = crible_simd_avx2() ? fast_block_avx2(r, s, err) : fast_block_plain(r, s, err);
#else
        int fast = fast_block_plain(r, s, err);
#endif
        if (fast != 0)
            return fast;
        crible_sentence_clear(s, r->ncolumns);
    }
    bool in_block = false;
    for (;;) {
        int got = next_line(r, err);
        if (got < 0)
            return -1;
        if (got == 0) {
            if (!in_block)
                return 0;
            if (r->crible_stream) {
                crible_error_set(err, CRIBLE_EDATA,
                                 "%s:%ld: the stream ends inside a block (no blank line "
                                 "after it): it was cut short", r->name, r->lineno);
                return -1;
            }
            if (!r->line_complete) {
                crible_error_set(err, CRIBLE_EDATA,
                                 "%s:%ld: the stream ends in the middle of a line: it was "
                                 "cut short", r->name, r->lineno);
                return -1;
            }
            return 1; /* plain CoNLL-U without a final blank line */
        }
        if (r->len_line == 0) {
            if (in_block)
                return 1;
            continue; /* blank lines between blocks */
        }
        if (!in_block) {
            in_block = true;
            s->line = r->lineno;
            r->ended = false;
        }
        if (r->line[0] == '#') {
            if (s->ntokens > 0) {
                crible_error_set(err, CRIBLE_EDATA,
                                 "%s:%ld: a comment after token lines (a blank line is "
                                 "missing before it)", r->name, r->lineno);
                return -1;
            }
            int st = stream_line(r, err);
            if (st < 0)
                return -1;
            if (st > 0) {
                if (s->ncomments == 0)
                    in_block = false;
                continue;
            }
            const char *value;
            if (starts_with_key(r->line, "crible.end", &value)) {
                if (s->ncomments > 0) {
                    /* comments with no token and no blank line before the
                     * end mark (settings of an empty stream): a block */
                    push_back(r);
                    return 1;
                }
                r->end_count += strtoull(value, NULL, 10);
                r->ended = true;
                in_block = false;
                continue;
            }
            r->ended = false;
            if (crible_sentence_add_comment(s, r->line, err) != CRIBLE_OK)
                return -1;
            continue;
        }
        r->ended = false;
        if (split_token(r, s, err) != CRIBLE_OK)
            return -1;
    }
}

bool crible_conllu_reader_complete(const crible_conllu_reader *r)
{
    return !r->crible_stream || r->ended;
}

crible_status crible_conllu_reader_check_complete(const crible_conllu_reader *r,
                                                  crible_error *err)
{
    if (crible_conllu_reader_complete(r))
        return CRIBLE_OK;
    return crible_error_set(err, CRIBLE_EDATA,
                            "%s: the stream ends without its end mark: it was cut short "
                            "(did the stage before this one fail?)", r->name);
}

unsigned long long crible_conllu_reader_end_count(const crible_conllu_reader *r)
{
    return r->end_count;
}

size_t crible_conllu_ncolumns(const crible_conllu_reader *r)
{
    return r->ncolumns;
}

const char *crible_conllu_column_name(const crible_conllu_reader *r, size_t i)
{
    return i < r->ncolumns ? r->names[i] : NULL;
}

int crible_conllu_column(const crible_conllu_reader *r, const char *name)
{
    for (size_t i = 0; i < r->ncolumns; i++)
        if (strcmp(r->names[i], name) == 0)
            return (int)i;
    return -1;
}

crible_status crible_conllu_require(const crible_conllu_reader *r, const char *column,
                                    const char *hint, int *out, crible_error *err)
{
    *out = crible_conllu_column(r, column);
    if (*out >= 0)
        return CRIBLE_OK;
    return crible_error_set(err, CRIBLE_EDATA, "%s: the token stream has no column %s%s%s%s",
                            r->name, column, hint ? " (" : "", hint ? hint : "",
                            hint ? ")" : "");
}

const char *crible_conllu_reader_name(const crible_conllu_reader *r)
{
    return r->name;
}

