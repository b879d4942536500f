/*
 * test_runner_relay.c - the runner's split and merge (pipeline/relay.c),
 * fed by hand in the worst orders: documents cut anywhere between reads,
 * copies finishing in any order, end marks, a long line, JSON Lines.
 * relay.c belongs to the crible executable, not to libcrible: it is
 * compiled into this test directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../pipeline/relay.c"

/* Gives input i the bytes s (as a read would) and pumps. */
static void feed(runner_merge *m, size_t i, const char *s)
{
    assert_true(runner_buf_append(&m->in[i].buf, s, strlen(s)));
    runner_merge_pump(m);
}

static void finish(runner_merge *m, size_t i)
{
    m->in[i].eof = true;
    m->in[i].fd = -1;
    runner_merge_pump(m);
}

static char *output(runner_merge *m)
{
    size_t n = runner_buf_len(&m->out);
    char *s = malloc(n + 1);
    memcpy(s, m->out.data + m->out.start, n);
    s[n] = '\0';
    return s;
}

static const char header[] = "# global.columns = ID FORM CRIBLE:NER\n# crible.version = 1\n"
                             "# crible.stem = {\"algorithm\":\"french\"}\n";

static void test_merge_keeps_documents_whole(void **state)
{
    (void)state;
    runner_merge m;
    int fds[2] = {-1, -1};
    assert_true(runner_merge_init(&m, fds, 2, NULL));
    /* Copy 0 starts a document and stops in the middle of a line... */
    feed(&m, 0, header);
    feed(&m, 0, "# newdoc id = a1\n1\tNetflix\tB-PLATFORM\n2\tà\tO\n3\tLy");
    /* ...copy 1 has a whole document ready: it must wait. */
    feed(&m, 1, header);
    feed(&m, 1, "# newdoc id = b1\n1\tMarie\tB-PER\n2\tCurie\tI-PER\n\n# crible.end = 1\n\n");
    finish(&m, 1);
    feed(&m, 0, "on\tB-LOC\n\n# newdoc id = a2\n1\tfin\tO\n\n# crible.end = 2\n\n");
    finish(&m, 0);
    assert_true(runner_merge_done(&m));
    char *out = output(&m);
    const char *expected =
        "# global.columns = ID FORM CRIBLE:NER\n# crible.version = 1\n"
        "# crible.stem = {\"algorithm\":\"french\"}\n"
        "# newdoc id = a1\n1\tNetflix\tB-PLATFORM\n2\tà\tO\n3\tLyon\tB-LOC\n\n"
        "# newdoc id = b1\n1\tMarie\tB-PER\n2\tCurie\tI-PER\n\n"
        "# newdoc id = a2\n1\tfin\tO\n\n"
        "# crible.end = 3\n\n";
    assert_string_equal(out, expected);
    assert_int_equal(m.counts.docs, 3);
    assert_int_equal(m.counts.tokens, 6);
    assert_int_equal(m.counts.ntypes, 3);
    free(out);
    runner_merge_free(&m);
}

static void test_merge_cut_input_has_no_end_mark(void **state)
{
    (void)state;
    runner_merge m;
    int fds[2] = {-1, -1};
    assert_true(runner_merge_init(&m, fds, 2, NULL));
    feed(&m, 0, header);
    feed(&m, 0, "# newdoc id = a1\n1\tx\tO\n\n# crible.end = 1\n\n");
    finish(&m, 0);
    feed(&m, 1, header);
    feed(&m, 1, "# newdoc id = b1\n1\ty\tO\n");   /* cut: no end mark */
    finish(&m, 1);
    char *out = output(&m);
    assert_null(strstr(out, "crible.end"));
    assert_non_null(strstr(out, "1\ty\tO\n"));
    free(out);
    runner_merge_free(&m);
}

static void test_merge_different_header_is_kept(void **state)
{
    (void)state;
    runner_merge m;
    int fds[2] = {-1, -1};
    assert_true(runner_merge_init(&m, fds, 2, NULL));
    feed(&m, 0, "# global.columns = ID FORM\n# newdoc id = a\n1\tx\n\n");
    finish(&m, 0);
    feed(&m, 1, "# global.columns = ID FORM OTHER\n# newdoc id = b\n1\tx\ty\n\n");
    finish(&m, 1);
    char *out = output(&m);
    /* The index stage will say the columns differ; the merge hides nothing. */
    assert_non_null(strstr(out, "# global.columns = ID FORM OTHER\n"));
    free(out);
    runner_merge_free(&m);
}

static void test_merge_json_lines(void **state)
{
    (void)state;
    runner_merge m;
    int fds[3] = {-1, -1, -1};
    assert_true(runner_merge_init(&m, fds, 3, NULL));
    feed(&m, 2, "{\"id\":\"c1\",\"text\":\"un\"}\n{\"id\":\"c2\",");
    feed(&m, 0, "{\"id\":\"a1\",\"text\":\"deux\"}\n");
    feed(&m, 1, "{\"id\":\"b1\",\"text\":\"trois\"}\n");
    feed(&m, 2, "\"text\":\"quatre\"}\n");
    for (size_t i = 0; i < 3; i++)
        finish(&m, i);
    char *out = output(&m);
    assert_non_null(strstr(out, "{\"id\":\"c2\",\"text\":\"quatre\"}\n"));
    assert_int_equal(m.counts.docs, 4);
    free(out);
    runner_merge_free(&m);
}

static void test_merge_long_line_streams(void **state)
{
    (void)state;
    runner_merge m;
    int fds[1] = {-1};
    assert_true(runner_merge_init(&m, fds, 1, NULL));
    size_t n = 3u << 20;                /* longer than a line may wait */
    char *big = malloc(n + 1);
    memset(big, 'x', n);
    big[0] = '{';
    big[n] = '\0';
    feed(&m, 0, big);
    /* Passed on before its end arrived (the sink's queue stops it at the
     * high-water mark). */
    assert_true(runner_buf_len(&m.out) >= RUNNER_HIGH_WATER);
    m.out.start = m.out.end = 0;
    runner_merge_pump(&m);
    m.out.start = m.out.end = 0;
    runner_merge_pump(&m);
    m.out.start = m.out.end = 0;
    runner_merge_pump(&m);
    feed(&m, 0, "}\n");
    finish(&m, 0);
    assert_true(runner_merge_done(&m));
    assert_int_equal(m.counts.docs, 1);
    free(big);
    runner_merge_free(&m);
}

static void test_split_least_busy_and_whole_lines(void **state)
{
    (void)state;
    runner_split s;
    int outs[2] = {100, 101};        /* never written: the test reads the queues */
    assert_true(runner_split_init(&s, 99, outs, 2, NULL));
    const char *docs = "{\"id\":\"1\"}\n{\"id\":\"2\"}\n{\"id\":\"3\"}\n{\"id\":";
    assert_true(runner_buf_append(&s.in, docs, strlen(docs)));
    runner_split_pump(&s);
    /* Turns: 1 to copy 0, 2 to copy 1, 3 to copy 0 (equal queues take turns
     * by length), then the unfinished line stays with its copy. */
    assert_int_equal(s.docs, 3);
    assert_true(s.target >= 0);
    int t = s.target;
    const char *rest = "\"4\"}\n";
    assert_true(runner_buf_append(&s.in, rest, strlen(rest)));
    runner_split_pump(&s);
    size_t len = runner_buf_len(&s.out[t]);
    const char *q = s.out[t].data + s.out[t].start;
    assert_true(len >= 11);
    assert_memory_equal(q + len - 11, "{\"id\":\"4\"}\n", 11);
    assert_int_equal(runner_buf_len(&s.out[0]) + runner_buf_len(&s.out[1]), 44);
    assert_int_equal(s.docs, 4);
    s.out_fd[0] = s.out_fd[1] = -1;  /* nothing to close */
    runner_split_free(&s);
}

/* A line longer than a copy's queue may hold: the split reads on to its
 * end (the copy is not reading: its output waits on the merge), then
 * gives the next lines to the other copy.  (Stopping mid-line was a
 * deadlock with -j 2 and a 50 MB document.) */
static void test_split_long_line_does_not_block_the_others(void **state)
{
    (void)state;
    runner_split s;
    int outs[2] = {100, 101};
    assert_true(runner_split_init(&s, 99, outs, 2, NULL));
    size_t chunk = 256u << 10;
    char *piece = malloc(chunk);
    memset(piece, 'x', chunk);
    const char *start = "{\"id\":\"big\",\"text\":\"";
    assert_true(runner_buf_append(&s.in, start, strlen(start)));
    runner_split_pump(&s);
    int big = s.target;
    assert_true(big >= 0);
    for (int i = 0; i < 16; i++) {         /* 4 MB, nothing drained */
        assert_true(runner_split_wants_input(&s));
        assert_true(runner_buf_append(&s.in, piece, chunk));
        runner_split_pump(&s);
    }
    assert_true(runner_buf_len(&s.out[big]) > RUNNER_HIGH_WATER);
    const char *rest = "\"}\n{\"id\":\"next\"}\n";
    assert_true(runner_buf_append(&s.in, rest, strlen(rest)));
    runner_split_pump(&s);
    const runner_buf *other = &s.out[1 - big];
    assert_int_equal(runner_buf_len(other), strlen("{\"id\":\"next\"}\n"));
    assert_memory_equal(other->data + other->start, "{\"id\":\"next\"}\n", runner_buf_len(other));
    free(piece);
    s.out_fd[0] = s.out_fd[1] = -1;
    runner_split_free(&s);
}

/* Random documents on 3 inputs, fed in random pieces in a random order:
 * the output holds every document whole, each input's in its order, one
 * header, one end mark with the total. */
static void test_merge_random_pieces(void **state)
{
    (void)state;
    srand(12345);
    for (int round = 0; round < 200; round++) {
        runner_merge m;
        int fds[3] = {-1, -1, -1};
        assert_true(runner_merge_init(&m, fds, 3, NULL));
        char *streams[3];
        size_t lens[3], pos[3] = {0, 0, 0};
        int ndocs[3], ntoks[3][6];
        for (int i = 0; i < 3; i++) {
            runner_buf b = {0};
            runner_buf_append(&b, header, strlen(header));
            ndocs[i] = rand() % 6;
            for (int d = 0; d < ndocs[i]; d++) {
                char line[128];
                int n = snprintf(line, sizeof line, "# newdoc id = %c%d\n", 'a' + i, d);
                runner_buf_append(&b, line, (size_t)n);
                int nt = ntoks[i][d] = rand() % 4;
                for (int t = 0; t < nt; t++) {
                    n = snprintf(line, sizeof line, "%d\t%c%d.%d\tO\n", t + 1, 'a' + i, d, t);
                    runner_buf_append(&b, line, (size_t)n);
                }
                runner_buf_append(&b, "\n", 1);
            }
            char end[64];
            int n = snprintf(end, sizeof end, "# crible.end = %d\n\n", ndocs[i]);
            runner_buf_append(&b, end, (size_t)n);
            streams[i] = b.data;
            lens[i] = b.end;
        }
        while (pos[0] < lens[0] || pos[1] < lens[1] || pos[2] < lens[2]) {
            int i = rand() % 3;
            if (pos[i] == lens[i])
                continue;
            size_t piece = 1 + (size_t)rand() % 40;
            if (piece > lens[i] - pos[i])
                piece = lens[i] - pos[i];
            assert_true(runner_buf_append(&m.in[i].buf, streams[i] + pos[i], piece));
            pos[i] += piece;
            runner_merge_pump(&m);
            if (pos[i] == lens[i])
                finish(&m, (size_t)i);
        }
        char *out = output(&m);
        /* Each input's documents, in order, each block whole. */
        for (int i = 0; i < 3; i++) {
            const char *from = out;
            for (int d = 0; d < ndocs[i]; d++) {
                char id[32];
                snprintf(id, sizeof id, "# newdoc id = %c%d\n", 'a' + i, d);
                const char *at = strstr(from, id);
                assert_non_null(at);
                /* Its token lines and its blank line follow it directly. */
                const char *q = at + strlen(id);
                for (int t = 0; t < ntoks[i][d]; t++) {
                    char tok[32];
                    int n = snprintf(tok, sizeof tok, "%d\t%c%d.%d\tO\n", t + 1, 'a' + i, d, t);
                    assert_true(strncmp(q, tok, (size_t)n) == 0);
                    q += n;
                }
                assert_int_equal(*q, '\n');
                from = at + 1;
            }
        }
        char end[64];
        snprintf(end, sizeof end, "# crible.end = %d\n\n", ndocs[0] + ndocs[1] + ndocs[2]);
        size_t olen = strlen(out);
        assert_true(olen >= strlen(end));
        assert_string_equal(out + olen - strlen(end), end);
        assert_ptr_equal(strstr(out, "# global.columns"), out);
        assert_null(strstr(out + 1, "# global.columns"));
        assert_null(strstr(strstr(out, "# crible.stem") + 1, "# crible.stem"));
        assert_int_equal(m.counts.docs, (unsigned long long)(ndocs[0] + ndocs[1] + ndocs[2]));
        free(out);
        for (int i = 0; i < 3; i++)
            free(streams[i]);
        runner_merge_free(&m);
    }
}

/* Split and merge sharing an order: copy 1 finishes its documents first,
 * yet they leave in the order they came in. */
static void test_order_input_order_whatever_finishes_first(void **state)
{
    (void)state;
    runner_order order = {0};
    runner_split s;
    int outs[2] = {100, 101};
    assert_true(runner_split_init(&s, 99, outs, 2, &order));
    const char *docs = "{\"id\":\"d0\"}\n\n{\"id\":\"d1\"}\n{\"id\":\"d2\"}\n{\"id\":\"d3\"}\n";
    assert_true(runner_buf_append(&s.in, docs, strlen(docs)));
    runner_split_pump(&s);
    assert_int_equal(order.len, 4);   /* the blank line is no document */
    runner_merge m;
    int fds[2] = {-1, -1};
    assert_true(runner_merge_init(&m, fds, 2, &order));
    /* each copy's token stream for the documents it got, in its order */
    char stream[2][512] = {"", ""};
    for (size_t k = 0; k < order.len; k++) {
        size_t c = order.copy[(order.head + k) % order.cap];
        char block[96];
        snprintf(block, sizeof block, "# newdoc id = d%zu\n1\tmot%zu\tO\n\n", k, k);
        strcat(stream[c], block);
    }
    feed(&m, 1, header);
    feed(&m, 1, stream[1]);
    feed(&m, 1, "# crible.end = 2\n\n");
    finish(&m, 1);
    /* nothing of copy 1's documents may go before d0, which copy 0 has */
    char *out = output(&m);
    assert_null(strstr(out, "newdoc"));
    free(out);
    feed(&m, 0, header);
    feed(&m, 0, stream[0]);
    feed(&m, 0, "# crible.end = 2\n\n");
    finish(&m, 0);
    assert_true(runner_merge_done(&m));
    out = output(&m);
    const char *d0 = strstr(out, "d0\n"), *d1 = strstr(out, "d1\n"), *d2 = strstr(out, "d2\n"),
               *d3 = strstr(out, "d3\n");
    assert_true(d0 && d1 && d2 && d3 && d0 < d1 && d1 < d2 && d2 < d3);
    assert_non_null(strstr(out, "# crible.end = 4\n"));
    assert_int_equal(order.len, 0);
    free(out);
    runner_merge_free(&m);
    s.out_fd[0] = s.out_fd[1] = -1;
    runner_split_free(&s);
    runner_order_free(&order);
}

/* A copy that drops a document (a custom stage filtering): the order is
 * given up when that copy ends short, and every document still goes out. */
static void test_order_given_up_when_a_copy_drops_documents(void **state)
{
    (void)state;
    runner_order order = {0};
    for (int k = 0; k < 4; k++) assert_true(runner_order_push(&order, (size_t)(k % 2)));
    runner_merge m;
    int fds[2] = {-1, -1};
    assert_true(runner_merge_init(&m, fds, 2, &order));
    /* copy 0 was given d0 and d2 but dropped d0 */
    feed(&m, 0, "# newdoc id = d2\n1\tdeux\tO\n\n# crible.end = 1\n\n");
    feed(&m, 1, "# newdoc id = d1\n1\tun\tO\n\n# newdoc id = d3\n1\ttrois\tO\n\n# crible.end = 2\n\n");
    finish(&m, 1);
    finish(&m, 0);
    assert_true(runner_merge_done(&m));
    char *out = output(&m);
    assert_non_null(strstr(out, "id = d1"));
    assert_non_null(strstr(out, "id = d2"));
    assert_non_null(strstr(out, "id = d3"));
    assert_int_equal(m.counts.docs, 3);
    assert_non_null(strstr(out, "# crible.end = 3\n"));
    free(out);
    runner_merge_free(&m);
    runner_order_free(&order);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_keeps_documents_whole),
        cmocka_unit_test(test_merge_cut_input_has_no_end_mark),
        cmocka_unit_test(test_merge_different_header_is_kept),
        cmocka_unit_test(test_merge_json_lines),
        cmocka_unit_test(test_merge_long_line_streams),
        cmocka_unit_test(test_split_least_busy_and_whole_lines),
        cmocka_unit_test(test_merge_random_pieces),
        cmocka_unit_test(test_split_long_line_does_not_block_the_others),
        cmocka_unit_test(test_order_input_order_whatever_finishes_first),
        cmocka_unit_test(test_order_given_up_when_a_copy_drops_documents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
