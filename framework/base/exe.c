/* exe.c -- paths relative to the running executable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/exe.h"

char *mlp_exe_relative(const char *rel)
{
    char exe[4096], *cut, *path;
    ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    size_t size;

    if (len <= 0 || exe[0] != '/')
        return NULL;
    exe[len] = '\0';
    *strrchr(exe, '/') = '\0'; /* the executable's folder ("" for /) */
    for (; !strncmp(rel, "../", 3); rel += 3) {
        if (!(cut = strrchr(exe, '/')))
            return NULL;
        *cut = '\0';
    }
    size = strlen(exe) + strlen(rel) + 2;
    if (!(path = malloc(size)))
        return NULL;
    snprintf(path, size, "%s/%s", exe, rel);
    return path;
}
