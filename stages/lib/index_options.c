/*
 * index_options.c - the `index:` section of the configuration file:
 *
 *     index:
 *       memory: 256M        # buffer before a segment is flushed (--memory)
 *       zstd_level: 3       # compression of the stored documents (1-19;
 *                           # 6: stored text 5 % smaller, zstd CPU x2)
 *       merge_factor: 8     # segments of one size class before they merge
 *       analyze: false      # read documents and analyse them in-process
 *                           # (--analyze; the tokenize: and stem: sections)
 *       analyze_threads: 1  # analysis worker threads (--threads, 1-16;
 *                           # default: the cores but one, at most 4)
 *       analyze_entities: false  # with analyze, tag entities too, as
 *                           # crible-entities (--entities; `entities:`)
 *
 * Read by crible_index_writer_options_load, here so that the linker takes
 * this schema rather than options.c's weak placeholder.
 */
#include "index_writer.h"
#include "options.h"

const crible_schema crible_schema_index[] = {
    {"memory", CRIBLE_TYPE_SIZE},
    {"zstd_level", CRIBLE_TYPE_INT},
    {"merge_factor", CRIBLE_TYPE_INT},
    {"analyze", CRIBLE_TYPE_BOOL},
    {"analyze_threads", CRIBLE_TYPE_INT},
    {"analyze_entities", CRIBLE_TYPE_BOOL},
    {0},
};

void crible_index_writer_options_default(crible_index_writer_options *o)
{
    o->memory = 256ull << 20;
    o->zstd_level = 3;
    o->merge_factor = 8;
    o->create = true;
}

crible_status crible_index_writer_options_load(const crible_node *section,
                                               crible_index_writer_options *o, crible_error *err)
{
    long long level = o->zstd_level, factor = o->merge_factor;
    crible_status st = crible_node_size(section, "memory", &o->memory, err);
    if (!st) st = crible_node_int(section, "zstd_level", 1, 19, &level, err);
    if (!st) st = crible_node_int(section, "merge_factor", 2, 100, &factor, err);
    o->zstd_level = (int)level;
    o->merge_factor = (int)factor;
    return st;
}
