/* seed_broken.c -- writes every text of tests/broken_specs.h into a folder,
 * one file each (broken_NNN.yaml), as seeds for fuzz_spec; entries with a
 * --set argument also give a seed for fuzz_set (broken_set_NNN).
 * Usage: seed_broken SPEC_DIR SET_DIR */
#include <stdio.h>
#include <string.h>

#include "broken_specs.h"

static int write_file(const char *dir, const char *stem, size_t i, const char *text)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s_%03zu", dir, stem, i);
    f = fopen(path, "wb");
    if (!f || fwrite(text, 1, strlen(text), f) != strlen(text) || fclose(f) != 0) {
        perror(path);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int bad = 0;

    if (argc != 3) {
        fprintf(stderr, "usage: %s SPEC_DIR SET_DIR\n", argv[0]);
        return 2;
    }
    for (size_t i = 0; i < sizeof(broken_specs) / sizeof(broken_specs[0]); i++) {
        bad |= write_file(argv[1], "broken", i, broken_specs[i].text);
        if (broken_specs[i].set)
            bad |= write_file(argv[2], "broken_set", i, broken_specs[i].set);
    }
    return bad;
}
