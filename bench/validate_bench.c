/* validate_bench.c -- times loading a spec and validating it
 * (mlp_spec_load, then mlp_spec_validate), and gives the validation's time
 * per run of the sweep (issue 18, item 4).  Not a test and not part of the
 * build:
 *
 *   cc -O2 -I framework -I framework/include bench/validate_bench.c \
 *      build/framework/{spec/libmlplab_spec,plan/libmlplab_plan,registry/libmlplab_registry,base/libmlplab_rng,base/libmlplab_error}.a \
 *      -lyaml -ldl -lm -o /tmp/validate_bench
 *   MLPLAB_PLUGIN_PATH=build/plugins /tmp/validate_bench SPEC.yaml [KEY=VALUE ...]
 *
 * (the extra arguments are --set overrides). */
#include <stdio.h>
#include <time.h>

#include "registry/registry.h"
#include "spec/spec.h"

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    mlp_spec *spec = NULL;
    mlp_registry *reg = NULL;
    mlp_error err;
    char msg[4096];
    int code = 1;

    if (argc < 2) {
        fprintf(stderr, "usage: validate_bench SPEC.yaml [KEY=VALUE ...]\n");
        return 2;
    }
    mlp_error_clear(&err);
    double t0 = now();
    if (mlp_spec_load(argv[1], (const char *const *)argv + 2, (size_t)argc - 2, &spec, &err) ||
        mlp_registry_create(NULL, 0, &reg, &err))
        goto fail;
    double t1 = now();
    if (mlp_spec_validate(spec, reg, &err))
        goto fail;
    double t2 = now();
    printf("%s: %zu runs; load %.3f s; validate %.3f s = %.3g us per run\n", argv[1],
           spec->plan.n_runs, t1 - t0, t2 - t1, 1e6 * (t2 - t1) / (double)spec->plan.n_runs);
    code = 0;
    goto out;
fail:
    mlp_error_format(&err, msg, sizeof(msg));
    fprintf(stderr, "%s\n", msg);
out:
    mlp_registry_free(reg);
    mlp_spec_free(spec);
    return code;
}
