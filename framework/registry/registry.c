/* registry.c -- the registry: the search path, finding a plugin file by kind
 * and name (with a suggestion when there is none), dlopen and the entry call,
 * the loaded plugins, and discovering every plugin on the path. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "registry/registry.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "base/exe.h"
#include "base/sha256.h"
#include "registry/internal.h"

/* A loaded plugin and the identity of its file (so that a file reached by
 * two paths is loaded once). */
typedef struct entry {
    mlp_plugin pl;
    dev_t dev;
    ino_t ino;
} entry;

struct mlp_registry {
    char **dirs;                 /* search directories, in order, owned */
    size_t n_dirs;
    entry **loaded;              /* every plugin accepted so far, owned */
    size_t n_loaded, cap_loaded;
    const mlp_plugin **found;    /* the last discover's list, owned */
    size_t n_found;
    size_t first_builtin;        /* dirs[first_builtin..]: the build tree's and installed */
    bool allow_insecure;         /* load world-writable files and folders */
    mlp_status (*probe)(void *ctx, const char *path, mlp_error *err);  /* or NULL */
    void *probe_ctx;
    /* names mlp_registry_get found, and what: the spec is resolved again for
     * every run, and each search stat'ed the plugin files and folders again
     * (18 system calls a run for three plugins, 90% of a 2 000-run tiny
     * sweep's); and a file put in an earlier folder mid-sweep cannot change
     * a later run's plugin */
    struct named {
        mlp_plugin_kind kind;
        char *name;
        const mlp_plugin *pl;
    } *named;
    size_t n_named, cap_named;
};

/* Forget the names found (what is allowed to load changed). */
static void forget_names(mlp_registry *reg)
{
    for (size_t i = 0; i < reg->n_named; i++)
        free(reg->named[i].name);
    reg->n_named = 0;
}

/* Remember that name of kind is pl; nothing when memory is short. */
static void remember_name(mlp_registry *reg, mlp_plugin_kind kind, const char *name,
                          const mlp_plugin *pl)
{
    char *copy;

    if (reg->n_named == reg->cap_named) {
        size_t cap = reg->cap_named ? 2 * reg->cap_named : 8;
        struct named *p = realloc(reg->named, cap * sizeof(*p));
        if (!p)
            return;
        reg->named = p;
        reg->cap_named = cap;
    }
    if (!(copy = strdup(name)))
        return;
    reg->named[reg->n_named++] = (struct named){kind, copy, pl};
}

/* A list of owned strings. */
typedef struct strlist {
    char **s;
    size_t n, cap;
} strlist;

static int strlist_add(strlist *l, const char *s, size_t len)
{
    char *copy;

    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        char **p = realloc(l->s, cap * sizeof(*p));
        if (!p)
            return -1;
        l->s = p;
        l->cap = cap;
    }
    copy = malloc(len + 1);
    if (!copy)
        return -1;
    memcpy(copy, s, len);
    copy[len] = '\0';
    l->s[l->n++] = copy;
    return 0;
}

static void strlist_free(strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->s[i]);
    free(l->s);
    l->s = NULL;
    l->n = l->cap = 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static mlp_status add_dir(mlp_registry *reg, const char *dir, size_t len, mlp_error *err)
{
    char **p;
    char *copy;

    while (len > 1 && dir[len - 1] == '/')
        len--;
    if (len == 0)
        return MLP_OK;
    for (size_t i = 0; i < reg->n_dirs; i++)
        if (strlen(reg->dirs[i]) == len && !strncmp(reg->dirs[i], dir, len))
            return MLP_OK;
    p = realloc(reg->dirs, (reg->n_dirs + 1) * sizeof(*p));
    if (!p)
        return mlp_fail(err, MLP_ERR_NOMEM, "plugin registry: out of memory");
    reg->dirs = p;
    copy = malloc(len + 1);
    if (!copy)
        return mlp_fail(err, MLP_ERR_NOMEM, "plugin registry: out of memory");
    memcpy(copy, dir, len);
    copy[len] = '\0';
    reg->dirs[reg->n_dirs++] = copy;
    return MLP_OK;
}

/* The installed plugin folder as seen from the running executable
 * (<folder of /proc/self/exe>/MLPLAB_INSTALL_PLUGIN_RELDIR, base/exe.h), or
 * NULL when that folder does not exist (a runner in the build tree, a test
 * program) or cannot be worked out.  It is what lets an installed runner
 * find the plugins installed with it under whatever prefix `cmake --install
 * --prefix` was given, or after the whole tree was moved.  Returns a malloc'd
 * string. */
static char *exe_plugin_dir(void)
{
#ifdef MLPLAB_INSTALL_PLUGIN_RELDIR
    char *dir = mlp_exe_relative(MLPLAB_INSTALL_PLUGIN_RELDIR);
    struct stat sb;

    if (dir && (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
        free(dir);
        return NULL;
    }
    return dir;
#else
    return NULL;
#endif
}

mlp_status mlp_registry_create(const char *const *extra_dirs, size_t n_extra, mlp_registry **out,
                               mlp_error *err)
{
    mlp_registry *reg = calloc(1, sizeof(*reg));
    char *installed;
    const char *env;
    mlp_status st = MLP_OK;

    if (!reg)
        return mlp_fail(err, MLP_ERR_NOMEM, "plugin registry: out of memory");
    installed = exe_plugin_dir();
    for (size_t i = 0; i < n_extra; i++) {
        if (extra_dirs[i] && (st = add_dir(reg, extra_dirs[i], strlen(extra_dirs[i]), err)))
            goto out_free;
    }
    env = getenv("MLPLAB_PLUGIN_PATH");
    while (env && *env) {
        const char *colon = strchr(env, ':');
        size_t len = colon ? (size_t)(colon - env) : strlen(env);
        if ((st = add_dir(reg, env, len, err)))
            goto out_free;
        env = colon ? colon + 1 : NULL;
    }
    /* the folders from here on hold the plugins shipped with mlplab */
    reg->first_builtin = reg->n_dirs;
    /* An installed runner (one with a plugin folder beside it) skips the build
     * tree it was compiled in, so that it uses the plugins installed with it. */
#ifdef MLPLAB_BUILD_PLUGIN_DIR
    if (!installed &&
        (st = add_dir(reg, MLPLAB_BUILD_PLUGIN_DIR, strlen(MLPLAB_BUILD_PLUGIN_DIR), err)))
        goto out_free;
#endif
    if (installed && (st = add_dir(reg, installed, strlen(installed), err)))
        goto out_free;
#ifdef MLPLAB_INSTALL_PLUGIN_DIR
    if ((st = add_dir(reg, MLPLAB_INSTALL_PLUGIN_DIR, strlen(MLPLAB_INSTALL_PLUGIN_DIR), err)))
        goto out_free;
#endif
    free(installed);
    *out = reg;
    return MLP_OK;
out_free:
    free(installed);
    mlp_registry_free(reg);
    return st;
}

void mlp_registry_free(mlp_registry *reg)
{
    if (!reg)
        return;
    for (size_t i = 0; i < reg->n_loaded; i++) {
        entry *e = reg->loaded[i];
        dlclose(e->pl.handle);
        free(e->pl.name);
        free(e->pl.path);
        free(e);
    }
    free(reg->loaded);
    forget_names(reg);
    free(reg->named);
    for (size_t i = 0; i < reg->n_dirs; i++)
        free(reg->dirs[i]);
    free(reg->dirs);
    free(reg->found);
    free(reg);
}

size_t mlp_registry_dirs(const mlp_registry *reg, const char *const **dirs)
{
    *dirs = (const char *const *)reg->dirs;
    return reg->n_dirs;
}

/* "dir/sub/name" into a new string (sub and name may be NULL). */
static char *join(const char *dir, const char *sub, const char *name)
{
    size_t len = strlen(dir) + (sub ? strlen(sub) + 1 : 0) + (name ? strlen(name) + 1 : 0) + 1;
    char *s = malloc(len);

    if (!s)
        return NULL;
    snprintf(s, len, "%s%s%s%s%s", dir, sub ? "/" : "", sub ? sub : "", name ? "/" : "",
             name ? name : "");
    return s;
}

static mlp_status append_loaded(mlp_registry *reg, entry *e, mlp_error *err)
{
    if (reg->n_loaded == reg->cap_loaded) {
        size_t cap = reg->cap_loaded ? 2 * reg->cap_loaded : 16;
        entry **p = realloc(reg->loaded, cap * sizeof(*p));
        if (!p)
            return mlp_fail(err, MLP_ERR_NOMEM, "plugin registry: out of memory");
        reg->loaded = p;
        reg->cap_loaded = cap;
    }
    reg->loaded[reg->n_loaded++] = e;
    return MLP_OK;
}

static void free_entry(entry *e)
{
    free(e->pl.name);
    free(e->pl.path);
    free(e);
}

/* The plugin already loaded from the file sb describes, or NULL. */
static const entry *find_loaded(const mlp_registry *reg, const struct stat *sb)
{
    for (size_t i = 0; i < reg->n_loaded; i++) {
        const entry *old = reg->loaded[i];
        if (old->dev == sb->st_dev && old->ino == sb->st_ino)
            return old;
    }
    return NULL;
}

/* dlopen the file at path and call its entry: *handle and *h on success; on
 * failure nothing stays open and err says why. */
static mlp_status open_plugin(const char *path, void **handle, const mlp_plugin_header **h,
                              mlp_error *err)
{
    char *dlpath;
    void *sym;
    mlp_plugin_entry_fn fn;
    const char *why = NULL;
    mlp_status st;

    /* a bare file name would send dlopen along the library path */
    dlpath = strchr(path, '/') ? join(path, NULL, NULL) : join(".", path, NULL);
    if (!dlpath)
        return mlp_fail(err, MLP_ERR_NOMEM, "plugin registry: out of memory");
    *handle = dlopen(dlpath, RTLD_NOW | RTLD_LOCAL);
    if (!*handle) {
        const char *msg = dlerror();
        size_t len = strlen(dlpath);
        /* dlerror says "<file>: <reason>"; the message names the file already */
        if (msg && !strncmp(msg, dlpath, len) && !strncmp(msg + len, ": ", 2))
            msg += len + 2;
        st = mlp_fail(err, MLP_ERR_PLUGIN, "plugin %s: not a shared object, or it cannot be "
                      "loaded: %s", path, msg ? msg : "dlopen failed");
        goto out_free;
    }
    dlerror();
    sym = dlsym(*handle, MLP_PLUGIN_ENTRY_NAME);
    if (!sym) {
        st = mlp_fail(err, MLP_ERR_PLUGIN, "plugin %s: no entry symbol %s: not an mlplab plugin, "
                      "or built without exporting it", path, MLP_PLUGIN_ENTRY_NAME);
        goto out_close;
    }
    memcpy(&fn, &sym, sizeof(fn)); /* POSIX: dlsym's object pointer holds a function */
    *h = fn(MLP_ABI_MAJOR, MLP_ABI_MINOR, &why);
    if (!*h) {
        st = mlp_fail(err, MLP_ERR_PLUGIN, "plugin %s: the entry returned NULL: %s", path,
                      why ? why : "(it gave no reason)");
        goto out_close;
    }
    free(dlpath);
    return MLP_OK;

out_close:
    dlclose(*handle);
    *handle = NULL;
out_free:
    free(dlpath);
    return st;
}

/* A new entry for the accepted plugin h (handle, from the file at path that sb
 * describes), with the file's digest and real path. */
static mlp_status new_entry(const char *path, const struct stat *sb, void *handle,
                            const mlp_plugin_header *h, entry **out, mlp_error *err)
{
    entry *e = calloc(1, sizeof(*e));
    mlp_status st;

    if (!e)
        return mlp_fail(err, MLP_ERR_NOMEM, "plugin registry: out of memory");
    if ((st = mlp_sha256_file(path, e->pl.sha256, err)))
        goto out_entry;
    e->pl.kind = (mlp_plugin_kind)h->kind;
    e->pl.name = strdup(h->name);
    /* provenance wants the file, wherever the runner was started */
    e->pl.path = realpath(path, NULL);
    if (!e->pl.path)
        e->pl.path = strdup(path);
    if (!e->pl.name || !e->pl.path) {
        st = mlp_fail(err, MLP_ERR_NOMEM, "plugin registry: out of memory");
        goto out_entry;
    }
    e->pl.handle = handle;
    e->pl.h = h;
    switch (e->pl.kind) {
    case MLP_KIND_ACTIVATION: e->pl.d.act = (const mlp_activation_desc *)h; break;
    case MLP_KIND_LOSS: e->pl.d.loss = (const mlp_loss_desc *)h; break;
    case MLP_KIND_DATASET: e->pl.d.data = (const mlp_dataset_desc *)h; break;
    }
    e->dev = sb->st_dev;
    e->ino = sb->st_ino;
    *out = e;
    return MLP_OK;

out_entry:
    free_entry(e);
    return st;
}

/* Refuse a plugin file that anyone could replace: one that is
 * world-writable, or in a world-writable folder without the sticky bit (in
 * a sticky folder like /tmp only the owner may replace a file).  Loading it
 * runs its code as this user, so like ssh with a key, mlplab refuses it
 * unless --allow-insecure-plugins says otherwise. */
static mlp_status check_secure(const char *path, const struct stat *sb, mlp_error *err)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    struct stat db;

    if (sb->st_mode & S_IWOTH)
        return mlp_fail(err, MLP_ERR_PLUGIN, "plugin %s: refused: the file is world-writable "
                        "(mode %04o), so anyone could replace its code; chmod o-w it, or pass "
                        "--allow-insecure-plugins", path, (unsigned)(sb->st_mode & 07777));
    if (!slash)
        dir = strdup(".");
    else if (slash == path)
        dir = strdup("/");
    else if ((dir = malloc((size_t)(slash - path) + 1))) {
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = '\0';
    }
    if (!dir)
        return mlp_fail(err, MLP_ERR_NOMEM, "plugin registry: out of memory");
    if (stat(dir, &db) == 0 && (db.st_mode & S_IWOTH) && !(db.st_mode & S_ISVTX)) {
        mlp_status st = mlp_fail(err, MLP_ERR_PLUGIN, "plugin %s: refused: its folder %s is "
                                 "world-writable (mode %04o), so anyone could replace the file; "
                                 "chmod o-w the folder, or pass --allow-insecure-plugins", path,
                                 dir, (unsigned)(db.st_mode & 07777));
        free(dir);
        return st;
    }
    free(dir);
    return MLP_OK;
}

void mlp_registry_allow_insecure(mlp_registry *reg, bool allow)
{
    reg->allow_insecure = allow;
    forget_names(reg);
}

bool mlp_registry_insecure_allowed(const mlp_registry *reg)
{
    return reg->allow_insecure;
}

void mlp_registry_set_probe(mlp_registry *reg,
                            mlp_status (*probe)(void *ctx, const char *path, mlp_error *err),
                            void *ctx)
{
    reg->probe = probe;
    reg->probe_ctx = ctx;
}

char *mlp_registry_shadowed(const mlp_registry *reg, const mlp_plugin *pl)
{
    const entry *e = (const entry *)(const void *)pl;  /* pl is an entry's first member */
    char file[MAX_NAME * 4 + 8];

    snprintf(file, sizeof(file), "%s.so", pl->name);
    for (size_t i = reg->first_builtin; i < reg->n_dirs; i++)
        for (int flat = 0; flat < 2; flat++) {
            char *path = join(reg->dirs[i], flat ? NULL : mlp_kind_folder(pl->kind), file);
            struct stat sb;
            if (!path)
                return NULL;
            if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
                if (sb.st_dev == e->dev && sb.st_ino == e->ino) {
                    free(path);
                    return NULL;  /* it is the built-in one */
                }
                return path;
            }
            free(path);
        }
    return NULL;
}

size_t mlp_registry_loaded(const mlp_registry *reg, size_t i, const mlp_plugin **out)
{
    if (i < reg->n_loaded)
        *out = &reg->loaded[i]->pl;
    return reg->n_loaded;
}

/* Load the file at path (or return it when already loaded), refusing it
 * unless it is a sound plugin of kind `want` (0: any kind). */
static mlp_status load_path(mlp_registry *reg, const char *path, mlp_plugin_kind want,
                            const mlp_plugin **out, mlp_error *err)
{
    struct stat sb;
    const entry *old;
    void *handle;
    const mlp_plugin_header *h;
    entry *e = NULL;
    mlp_status st;

    if (stat(path, &sb) != 0)
        return mlp_fail(err, MLP_ERR_PLUGIN, "plugin %s: %s", path,
                        errno == ENOENT ? "no such file" : strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return mlp_fail(err, MLP_ERR_PLUGIN, "plugin %s: not a regular file", path);
    if (!reg->allow_insecure && (st = check_secure(path, &sb, err)))
        return st;
    if ((old = find_loaded(reg, &sb))) {
        if (want && old->pl.kind != want)
            return mlp_fail(err, MLP_ERR_PLUGIN, "plugin %s: wrong kind: it is %s plugin, not %s",
                            path, mlp_kind_article(old->pl.kind), mlp_kind_article(want));
        *out = &old->pl;
        return MLP_OK;
    }
    if ((st = open_plugin(path, &handle, &h, err)))
        return st;
    if ((st = mlp_plugin_check_descriptor(h, path, want, err)) ||
        (st = new_entry(path, &sb, handle, h, &e, err)))
        goto out_close;
    if ((st = append_loaded(reg, e, err))) {
        free_entry(e);
        goto out_close;
    }
    *out = &e->pl;
    return MLP_OK;

out_close:
    dlclose(handle);
    return st;
}

mlp_status mlp_registry_load_file(mlp_registry *reg, const char *path, const mlp_plugin **out,
                                  mlp_error *err)
{
    return load_path(reg, path, 0, out, err);
}

/* Base names (less ".so") of the *.so files in dir, sorted.  A missing or
 * unreadable directory is an empty list. */
static mlp_status list_plugin_files(const char *dir, strlist *names, mlp_error *err)
{
    DIR *dp = opendir(dir);
    struct dirent *de;

    if (!dp)
        return MLP_OK;
    while ((de = readdir(dp))) {
        size_t len = strlen(de->d_name);
        if (len <= 3 || strcmp(de->d_name + len - 3, ".so") != 0)
            continue;
        if (strlist_add(names, de->d_name, len - 3)) {
            closedir(dp);
            return mlp_fail(err, MLP_ERR_NOMEM, "plugin registry: out of memory");
        }
    }
    closedir(dp);
    qsort(names->s, names->n, sizeof(*names->s), cmp_str);
    return MLP_OK;
}

/* Edit distance (insertions, deletions, substitutions; case-insensitive). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[MAX_NAME + 2];

    if (la > MAX_NAME || lb > MAX_NAME)
        return (size_t)-1;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            char ca = a[i - 1], cb = b[j - 1];
            size_t up = row[j];
            size_t best = diag + ((ca | 0x20) == (cb | 0x20) ? 0 : 1);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[lb];
}

/* The closest plugin file name of `kind` in the search dirs, or "" when none
 * is close enough to suggest. */
static mlp_status closest_name(const mlp_registry *reg, mlp_plugin_kind kind, const char *name,
                               char *best, size_t len, mlp_error *err)
{
    size_t best_d = (size_t)-1, limit = strlen(name) / 3 > 2 ? strlen(name) / 3 : 2;
    mlp_status st = MLP_OK;

    best[0] = '\0';
    for (size_t i = 0; i < reg->n_dirs; i++) {
        strlist names = {0};
        char *dir = join(reg->dirs[i], mlp_kind_folder(kind), NULL);
        if (!dir)
            return mlp_fail(err, MLP_ERR_NOMEM, "plugin registry: out of memory");
        st = list_plugin_files(dir, &names, err);
        free(dir);
        for (size_t j = 0; !st && j < names.n; j++) {
            size_t d = edit_distance(name, names.s[j]);
            size_t l = strlen(names.s[j]);
            if (d <= limit && d < best_d && l < len) {
                best_d = d;
                memcpy(best, names.s[j], l + 1);
            }
        }
        strlist_free(&names);
        if (st)
            return st;
    }
    return MLP_OK;
}

/* The "not found" message: name, kind, directories searched, a suggestion. */
static mlp_status not_found(const mlp_registry *reg, mlp_plugin_kind kind, const char *name,
                            mlp_error *err)
{
    char dirs[1024], guess[MAX_NAME + 1];
    size_t used = 0;
    mlp_status st;

    dirs[0] = '\0';
    for (size_t i = 0; i < reg->n_dirs && used < sizeof(dirs); i++) {
        int w = snprintf(dirs + used, sizeof(dirs) - used, "%s%s", i ? ", " : "", reg->dirs[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    if ((st = closest_name(reg, kind, name, guess, sizeof(guess), err)))
        return st;
    return mlp_fail(err, MLP_ERR_PLUGIN,
                    "no %s plugin '%s': no %s/%s.so or %s.so in any of the search directories "
                    "(%s)%s%s%s",
                    mlp_kind_name(kind), name, mlp_kind_folder(kind), name, name,
                    reg->n_dirs ? dirs : "none", guess[0] ? "; did you mean '" : "", guess,
                    guess[0] ? "'?" : "");
}

mlp_status mlp_registry_get(mlp_registry *reg, mlp_plugin_kind kind, const char *name,
                            const mlp_plugin **out, mlp_error *err)
{
    struct stat sb;

    if (!mlp_kind_valid((uint32_t)kind))
        return mlp_fail(err, MLP_ERR_PLUGIN, "plugin '%s': unknown kind %d requested",
                        name ? name : "", (int)kind);
    if (!name || !*name)
        return mlp_fail(err, MLP_ERR_PLUGIN, "empty %s plugin name", mlp_kind_name(kind));
    if (strchr(name, '/'))
        return load_path(reg, name, kind, out, err);
    for (size_t i = 0; i < reg->n_named; i++)
        if (reg->named[i].kind == kind && !strcmp(reg->named[i].name, name)) {
            *out = reg->named[i].pl;
            return MLP_OK;
        }

    for (size_t i = 0; i < reg->n_dirs; i++) {
        for (int flat = 0; flat < 2; flat++) {
            char file[MAX_NAME * 4 + 8];
            char *path;
            mlp_status st;

            snprintf(file, sizeof(file), "%s.so", name);
            path = join(reg->dirs[i], flat ? NULL : mlp_kind_folder(kind), file);
            if (!path)
                return mlp_fail(err, MLP_ERR_NOMEM, "plugin registry: out of memory");
            if (stat(path, &sb) != 0) {
                free(path);
                continue;
            }
            /* the first file found is the plugin, even when it refuses */
            st = load_path(reg, path, kind, out, err);
            free(path);
            if (st == MLP_OK)
                remember_name(reg, kind, name, *out);
            return st;
        }
    }
    return not_found(reg, kind, name, err);
}

static int cmp_plugin(const void *a, const void *b)
{
    const mlp_plugin *x = *(const mlp_plugin *const *)a, *y = *(const mlp_plugin *const *)b;

    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Load the plugins of one kind folder, skipping names already seen. */
static mlp_status discover_folder(mlp_registry *reg, const char *dir, mlp_plugin_kind kind,
                                  strlist *seen, size_t *cap,
                                  void (*refused)(void *ctx, const mlp_error *why), void *ctx,
                                  mlp_error *err)
{
    strlist names = {0};
    char *folder = join(dir, mlp_kind_folder(kind), NULL);
    mlp_status st;

    if (!folder)
        return mlp_fail(err, MLP_ERR_NOMEM, "plugin registry: out of memory");
    if ((st = list_plugin_files(folder, &names, err)))
        goto out;
    for (size_t i = 0; i < names.n; i++) {
        char key[MAX_NAME * 4 + 16];
        const mlp_plugin *pl;
        mlp_error why = {0};
        char *path;
        bool dup = false;

        snprintf(key, sizeof(key), "%d/%s", (int)kind, names.s[i]);
        for (size_t j = 0; j < seen->n && !dup; j++)
            dup = !strcmp(seen->s[j], key);
        if (dup)
            continue;
        if (strlist_add(seen, key, strlen(key))) {
            st = mlp_fail(err, MLP_ERR_NOMEM, "plugin registry: out of memory");
            goto out;
        }
        snprintf(key, sizeof(key), "%s.so", names.s[i]);
        path = join(folder, key, NULL);
        if (!path) {
            st = mlp_fail(err, MLP_ERR_NOMEM, "plugin registry: out of memory");
            goto out;
        }
        st = MLP_OK;
        if (reg->probe) {
            struct stat sb;
            /* a file loaded already needs no probe */
            if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && !find_loaded(reg, &sb))
                st = reg->probe(reg->probe_ctx, path, &why);
        }
        if (!st)
            st = load_path(reg, path, kind, &pl, &why);
        free(path);
        if (st == MLP_ERR_NOMEM) {
            *err = why;
            goto out;
        }
        if (st) {
            if (refused)
                refused(ctx, &why);
            st = MLP_OK;
            continue;
        }
        if (reg->n_found == *cap) {
            size_t ncap = *cap ? 2 * *cap : 16;
            const mlp_plugin **p = realloc(reg->found, ncap * sizeof(*p));
            if (!p) {
                st = mlp_fail(err, MLP_ERR_NOMEM, "plugin registry: out of memory");
                goto out;
            }
            reg->found = p;
            *cap = ncap;
        }
        reg->found[reg->n_found++] = pl;
    }
out:
    strlist_free(&names);
    free(folder);
    return st;
}

mlp_status mlp_registry_discover(mlp_registry *reg, const mlp_plugin *const **out, size_t *n,
                                 void (*refused)(void *ctx, const mlp_error *why), void *ctx,
                                 mlp_error *err)
{
    strlist seen = {0};
    size_t cap = 0;
    mlp_status st = MLP_OK;

    free(reg->found);
    reg->found = NULL;
    reg->n_found = 0;
    for (size_t i = 0; i < reg->n_dirs && !st; i++)
        for (int k = MLP_KIND_ACTIVATION; k <= MLP_KIND_DATASET && !st; k++)
            st = discover_folder(reg, reg->dirs[i], (mlp_plugin_kind)k, &seen, &cap, refused,
                                 ctx, err);
    strlist_free(&seen);
    if (st)
        return st;
    if (reg->n_found)
        qsort(reg->found, reg->n_found, sizeof(*reg->found), cmp_plugin);
    *out = reg->found;
    *n = reg->n_found;
    return MLP_OK;
}
