/*
 * tok_stream.h - a document (doc.h) into blocks of the token stream
 * (conllu.h): what crible-tokenize does to each document it reads.
 *
 * For a document {"id":"rev-1","title":"Déçu","text":"Pas bon. Bof."}:
 *
 *   # newdoc id = rev-1
 *   # crible.doc = {"id":"rev-1","title":"Déçu","text":"Pas bon. Bof."}
 *   # crible.field = title
 *   # sent_id = rev-1/title/1
 *   # text = Déçu
 *   1	Déçu	0	5	déçu	word
 *
 *   # crible.field = text
 *   # sent_id = rev-1/text/1
 *   # text = Pas bon.
 *   1	Pas	0	3	pas	word
 *   2	bon	4	7	bon	word
 *   3	.	7	8	.	punct
 *
 *   # sent_id = rev-1/text/2
 *   # text = Bof.
 *   1	Bof	9	12	bof	word
 *   2	.	12	13	.	punct
 *
 * - Fields are tokenized in the order of the options' `fields` (default
 *   title, text); a member that is absent, not a string or without any
 *   token gives no block and no `# crible.field` line.
 * - CRIBLE:START and CRIBLE:END are byte offsets into the field's string as
 *   it is in `# crible.doc` (the JSON string unescaped): the document is
 *   never rewritten, normalisation (NFC, NFKC) only changes CRIBLE:NORM.
 * - `# sent_id` is ID/FIELD/N, N counted from 1 in each field; `# text` is
 *   the bytes from the sentence's first token to its last, with line
 *   breaks, tabs and controls turned into spaces.
 * - A document with no token at all is one block with its two comments and
 *   no token line, so that it keeps its place (the index stores it).
 */
#ifndef CRIBLE_TOK_STREAM_H
#define CRIBLE_TOK_STREAM_H

#include "conllu.h"
#include "doc.h"
#include "tokenizer.h"

/* The columns crible-tokenize writes, in order (6 of them). */
extern const char *const crible_tokenize_columns[];
#define CRIBLE_TOKENIZE_NCOLUMNS 6

typedef struct crible_tok_stream crible_tok_stream;

/* A stream writing to w with tokenizer tz and the fields of `options`
 * (all borrowed: they must outlive the stream).  `direct`: comments go
 * through w one by one (header, document count) but a sentence's lines
 * are formatted here and handed to w in one piece
 * (crible_conllu_write_rows), three times faster than a crible_sentence
 * through crible_conllu_write; false when w is set to plain CoNLL-U
 * (--conllu), which must convert. */
crible_status crible_tok_stream_open(crible_tokenizer *tz, const crible_tokenize_options *options,
                                     crible_conllu_writer *w, bool direct,
                                     crible_tok_stream **out, crible_error *err);
void crible_tok_stream_close(crible_tok_stream *s);

/* Tokenizes and writes one document.  Errors: what the tokenizer or the
 * writer returned, the message starting with "field 'text': ". */
crible_status crible_tok_stream_doc(crible_tok_stream *s, const crible_doc *doc,
                                    crible_error *err);

#endif
