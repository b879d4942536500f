/*
 * index_options.c - the `index:` section of the configuration file:
 *
 *     index:
 *       memory: 256M        # buffer before a segment is flushed (--memory)
 *       zstd_level: 6       # compression of the stored documents (1-19)
 *       merge_factor: 8     # segments of one size class before they merge
 *
 * Read by crible_index_writer_options_load (index_writer.c).
 */
#include "options.h"

const crible_schema crible_schema_index[] = {
    {"memory", CRIBLE_TYPE_SIZE},
    {"zstd_level", CRIBLE_TYPE_INT},
    {"merge_factor", CRIBLE_TYPE_INT},
    {0},
};
