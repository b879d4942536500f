/*
 * walk.c - from command-line arguments to files.  A file is read whatever
 * its name; a folder is walked recursively, entries sorted by the bytes of
 * their names (strcmp: "B.txt" < "a.txt" < "é.txt"), so the output order is
 * the same on every machine and file system.  In a folder, names starting
 * with "." are skipped (unless `hidden: true`), and so are files whose
 * extension names no format (detect.c).  Symbolic links are followed; a link
 * back to a folder being walked is skipped (no endless loop).
 * Example: `crible-read corpus/` on corpus/{b.txt,a/x.md,.git/} gives
 *     a/x.md (id "a/x.md", path "corpus/a/x.md"), then b.txt
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "read.h"

typedef struct ancestor {
    dev_t dev;
    ino_t ino;
    const struct ancestor *up;
} ancestor;

typedef struct walk {
    bool hidden;
    read_walk_fn fn;
    void *data;
} walk;

static int by_bytes(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *join(const char *a, const char *b, crible_error *err)
{
    size_t la = strlen(a), lb = strlen(b);
    while (la > 1 && a[la - 1] == '/')
        la--;
    bool slash = la > 0 && a[la - 1] != '/';
    char *s = crible_malloc(la + slash + lb + 1, err);
    if (s) {
        memcpy(s, a, la);
        if (slash)
            s[la] = '/';
        memcpy(s + la + slash, b, lb + 1);
    }
    return s;
}

static crible_status walk_dir(walk *w, const char *path, const char *rel,
                              const ancestor *up, crible_error *err);

static crible_status walk_entry(walk *w, const char *path, const char *rel,
                                const ancestor *up, crible_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return crible_error_set(err, CRIBLE_EIO, "cannot open '%s': %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        for (const ancestor *a = up; a; a = a->up)
            if (a->dev == st.st_dev && a->ino == st.st_ino)
                return CRIBLE_OK;   /* a link back up: already being walked */
        ancestor here = {st.st_dev, st.st_ino, up};
        return walk_dir(w, path, rel, &here, err);
    }
    if (!S_ISREG(st.st_mode))
        return CRIBLE_OK;
    crible_read_format format = read_detect_extension(path);
    if (format == CRIBLE_READ_AUTO)
        return CRIBLE_OK;
    return w->fn(w->data, path, rel, format, err);
}

static crible_status walk_dir(walk *w, const char *path, const char *rel,
                              const ancestor *up, crible_error *err)
{
    DIR *dir = opendir(path);
    if (!dir)
        return crible_error_set(err, CRIBLE_EIO, "cannot open folder '%s': %s", path,
                                strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    crible_status st = CRIBLE_OK;
    struct dirent *e;
    errno = 0;
    while (st == CRIBLE_OK && (e = readdir(dir))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (e->d_name[0] == '.' && !w->hidden)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **grown = crible_realloc(names, cap * sizeof *names, err);
            if (!grown) {
                st = CRIBLE_ENOMEM;
                break;
            }
            names = grown;
        }
        if (!(names[n] = crible_strdup(e->d_name, err)))
            st = CRIBLE_ENOMEM;
        else
            n++;
    }
    if (st == CRIBLE_OK && errno)
        st = crible_error_set(err, CRIBLE_EIO, "cannot read folder '%s': %s", path,
                              strerror(errno));
    closedir(dir);
    if (names)
        qsort(names, n, sizeof *names, by_bytes);
    for (size_t i = 0; i < n && st == CRIBLE_OK; i++) {
        char *child = join(path, names[i], err);
        char *child_rel = *rel ? join(rel, names[i], err) : crible_strdup(names[i], err);
        st = child && child_rel ? walk_entry(w, child, child_rel, up, err) : CRIBLE_ENOMEM;
        free(child);
        free(child_rel);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return st;
}

crible_status read_walk(const char *arg, bool hidden, read_walk_fn fn, void *data,
                        crible_error *err)
{
    walk w = {hidden, fn, data};
    struct stat st;
    if (strcmp(arg, "-") == 0)
        return fn(data, arg, "stdin", CRIBLE_READ_AUTO, err);
    if (stat(arg, &st) != 0)
        return crible_error_set(err, CRIBLE_EIO, "cannot open '%s': %s", arg, strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        ancestor top = {st.st_dev, st.st_ino, NULL};
        return walk_dir(&w, arg, "", &top, err);
    }
    /* a file named on the command line: read whatever its extension */
    return fn(data, arg, arg, read_detect_extension(arg), err);
}
