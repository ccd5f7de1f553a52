/* fsutil.c -- file-system helpers (formatted strings, folders, durable
 * publication by fsync and rename) and the paths of the results files:
 * the run folder, part files, and the checks before a sweep writes. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "results/internal.h"

char *mlp_str_printf(const char *fmt, ...)
{
    va_list ap;
    int n;
    char *s;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !(s = malloc((size_t)n + 1)))
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* The folder of a path ("." when it has none), malloc'd. */
char *mlp_path_parent(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return mlp_str_printf("%.*s", (int)(slash - path), path);
}

/* fsync a file or folder by name. */
int mlp_path_sync(const char *path, bool dir)
{
    int fd = open(path, dir ? O_RDONLY | O_DIRECTORY : O_RDONLY);
    int rc;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    if (close(fd) != 0)
        rc = -1;
    return rc;
}

/* Publish tmp as path: fsync the file, rename, fsync the folder. */
mlp_status mlp_path_publish(const char *tmp, const char *path, mlp_error *err)
{
    char *dir;
    int rc;

    if (mlp_path_sync(tmp, false) != 0)
        return mlp_fail(err, MLP_ERR_IO, "%s: cannot sync to disk: %s", tmp, strerror(errno));
    if (rename(tmp, path) != 0)
        return mlp_fail(err, MLP_ERR_IO, "%s: cannot rename to %s: %s", tmp, path,
                        strerror(errno));
    if (!(dir = mlp_path_parent(path)))
        return mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", path);
    rc = mlp_path_sync(dir, true);
    if (rc != 0)
        mlp_fail(err, MLP_ERR_IO, "%s: cannot sync folder to disk: %s", dir, strerror(errno));
    free(dir);
    return rc ? MLP_ERR_IO : MLP_OK;
}

bool mlp_str_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && !strcmp(s + n - m, suffix);
}

bool mlp_results_integer_text(const char *s)
{
    char *end;

    if (!s || !*s)
        return false;
    if (strspn(s + (*s == '-' || *s == '+'), "0123456789") != strlen(s + (*s == '-' || *s == '+')) ||
        !s[*s == '-' || *s == '+'])
        return false;
    errno = 0;
    (void)strtoll(s, &end, 10);
    return errno == 0 && *end == '\0';
}

char *mlp_results_runs_dir(const char *sweep_path)
{
    size_t n = strlen(sweep_path);
    const char *slash = strrchr(sweep_path, '/');
    const char *base = slash ? slash + 1 : sweep_path;

    if (mlp_str_ends_with(base, ".h5") && strlen(base) > 3)
        n -= 3;
    else if (mlp_str_ends_with(base, ".hdf5") && strlen(base) > 5)
        n -= 5;
    return mlp_str_printf("%.*s.runs", (int)n, sweep_path);
}

char *mlp_results_part_path(const char *runs_dir, size_t first)
{
    return mlp_results_part_path_tagged(runs_dir, first, NULL);
}

char *mlp_results_part_path_tagged(const char *runs_dir, size_t first, const char *tag)
{
    if (tag && *tag)
        return mlp_str_printf("%s/part_%04zu.%s.bin", runs_dir, first, tag);
    return mlp_str_printf("%s/part_%04zu.bin", runs_dir, first);
}

mlp_status mlp_results_prepare(const char *sweep_path, bool force, bool resume, mlp_error *err)
{
    mlp_status st = MLP_OK;
    struct stat sb;
    char *dir = NULL, *probe = NULL, *runs = NULL;
    int fd;

    mlp_results_lock();
    /* a path that cannot be a results file is the command line's mistake */
    if (stat(sweep_path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        if (S_ISDIR(sb.st_mode))
            st = mlp_fail(err, MLP_ERR_USAGE, "%s: cannot write results there: it is a folder "
                          "(give a file name in it, such as %s/results.h5)", sweep_path,
                          sweep_path);
        else
            st = mlp_fail(err, MLP_ERR_USAGE, "%s: cannot write results there: not a regular "
                          "file", sweep_path);
        goto out;
    }
    /* a dangling symbolic link is something there, as much as a file is */
    if (lstat(sweep_path, &sb) == 0 && S_ISLNK(sb.st_mode) && stat(sweep_path, &sb) != 0 &&
        !force && !resume) {
        st = mlp_fail(err, MLP_ERR_EXISTS, "%s: a symbolic link to a missing file is there (use "
                      "--force to replace the link)", sweep_path);
        goto out;
    }
    /* with resume, an existing file is either complete or an older sweep that
     * a --force run (now being resumed) will replace: the caller decides */
    if (stat(sweep_path, &sb) == 0 && !force && !resume) {
        st = mlp_fail(err, MLP_ERR_EXISTS, "%s: results file exists (use --force to replace it)",
                      sweep_path);
        goto out;
    }
    if (!(dir = mlp_path_parent(sweep_path)) || !(runs = mlp_results_runs_dir(sweep_path)) ||
        !(probe = mlp_str_printf("%s/.mlplab-probe-XXXXXX", dir))) {
        st = mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", sweep_path);
        goto out;
    }
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        st = mlp_fail(err, MLP_ERR_USAGE, "%s: cannot write results: folder %s: %s", sweep_path, dir,
                      stat(dir, &sb) != 0 ? strerror(errno) : "not a folder");
        goto out;
    }
    /* Probe: permissions alone do not tell (read-only mounts, ACLs). */
    if ((fd = mkstemp(probe)) < 0) {
        st = mlp_fail(err, MLP_ERR_IO, "%s: cannot write in folder %s: %s", sweep_path, dir,
                      strerror(errno));
        goto out;
    }
    close(fd);
    unlink(probe);
    if (mkdir(runs, 0777) != 0 && (errno != EEXIST || stat(runs, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
        st = mlp_fail(err, MLP_ERR_IO, "%s: cannot create run folder: %s", runs,
                      errno == EEXIST ? "a file of that name exists" : strerror(errno));
        goto out;
    }
out:
    free(probe);
    free(runs);
    free(dir);
    mlp_results_unlock();
    return st;
}

