/* replay.c -- runs a libFuzzer harness's LLVMFuzzerTestOneInput on files, as
 * the fuzzer would, without libFuzzer: each argument is a file or a folder
 * whose regular files are replayed in name order (dot files skipped).  Built
 * with the project's compiler in every build, so CTest replays the committed
 * corpus on every run; a crash or sanitizer report fails the test.  Exit 0
 * when every input ran, 1 when a file could not be read or there was no
 * input at all (a corpus folder gone missing must not pass). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data = NULL;
    size_t size = 0, cap = 0;

    if (!f) {
        perror(path);
        return -1;
    }
    for (;;) {
        if (size == cap) {
            uint8_t *more = realloc(data, cap ? 2 * cap : 4096);
            if (!more) {
                fprintf(stderr, "%s: out of memory\n", path);
                free(data);
                fclose(f);
                return -1;
            }
            data = more;
            cap = cap ? 2 * cap : 4096;
        }
        size_t got = fread(data + size, 1, cap - size, f);
        size += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        perror(path);
        free(data);
        fclose(f);
        return -1;
    }
    fclose(f);
    /* an exact-size copy, so a read past the input's end is caught */
    uint8_t *exact = malloc(size ? size : 1);
    if (!exact) {
        free(data);
        return -1;
    }
    memcpy(exact, data, size);
    free(data);
    LLVMFuzzerTestOneInput(exact, size);
    free(exact);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_dir(const char *dir, size_t *count)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int bad = 0;

    if (!d) {
        perror(dir);
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            char **more = realloc(names, (cap ? 2 * cap : 64) * sizeof(*names));
            if (!more)
                break;
            names = more;
            cap = cap ? 2 * cap : 64;
        }
        names[n] = strdup(e->d_name);
        if (names[n])
            n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), by_name);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(dir) + strlen(names[i]) + 2;
        char *path = malloc(len);
        struct stat st;

        if (path) {
            snprintf(path, len, "%s/%s", dir, names[i]);
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                if (replay_file(path) == 0)
                    (*count)++;
                else
                    bad = 1;
            }
            free(path);
        }
        free(names[i]);
    }
    free(names);
    return bad ? -1 : 0;
}

int main(int argc, char **argv)
{
    size_t count = 0;
    int bad = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;

        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            bad = 1;
        } else if (S_ISDIR(st.st_mode)) {
            bad |= replay_dir(argv[i], &count) != 0;
        } else if (replay_file(argv[i]) == 0) {
            count++;
        } else {
            bad = 1;
        }
    }
    printf("replayed %zu inputs\n", count);
    return bad || count == 0;
}
