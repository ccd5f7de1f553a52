/* fuzz_set.c -- libFuzzer harness over the --set parser: the input is a list
 * of --set arguments (at most FUZZ_MAX_SETS) applied to a fixed small valid
 * spec.  Arguments are separated by newlines; an input whose first byte is
 * 0x01 separates them by NUL bytes instead, so that a value may span lines.
 * A spec that loads must satisfy the invariants of fuzz_common.h and is
 * validated against the build's plugins when it has few sweep points. */
#include "fuzz_common.h"

#define FUZZ_MAX_SETS 8

static const char base_spec[] =
    "name: fuzz_set\n"
    "seed: 7\n"
    "dataset: {plugin: circles, train: 20, test: 10, factor: 0.5}\n"
    "model: {hidden: 3, activation: sigmoid, init: xavier}\n"
    "loss: {plugin: bce, reduction: mean}\n"
    "train: {optimizer: gd, learning_rate: 0.5, iterations: 10}\n"
    "repeats: 1\n"
    "sweep:\n"
    "  model.hidden: [2, {from: 3, to: 5, step: 1}]\n"
    "record:\n"
    "  boundary: {resolution: 8, extent: [-1.5, 1.5, -1.5, 1.5]}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf, *p, *end;
    const char *sets[FUZZ_MAX_SETS];
    size_t n = 0;
    char sep = '\n';
    mlp_spec *spec = NULL;
    mlp_error err;
    mlp_status rc;

    if (size > 0 && data[0] == 0x01) {
        sep = '\0';
        data++;
        size--;
    }
    buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    /* split in place; a NUL inside a newline-separated argument ends it */
    p = buf;
    end = buf + size;
    while (p < end && n < FUZZ_MAX_SETS) {
        char *q = memchr(p, sep, (size_t)(end - p));
        if (!q)
            q = end;
        *q = '\0';
        sets[n++] = p;
        p = q + 1;
    }
    mlp_error_clear(&err);
    rc = mlp_spec_parse(base_spec, sizeof(base_spec) - 1, "fuzz_set.yaml", sets, n, &spec, &err);
    if (rc != MLP_OK) {
        fuzz_check_failure(rc, spec, &err);
    } else {
        FUZZ_CHECK(spec != NULL);
        fuzz_check_spec(spec);
        fuzz_validate(spec);
        mlp_spec_free(spec);
    }
    free(buf);
    return 0;
}
