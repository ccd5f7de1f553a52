/* fuzz_spec.c -- libFuzzer harness over the spec loader: arbitrary bytes as
 * a spec file ("fuzz.yaml"), parsed with mlp_spec_parse (YAML, caps, top-level
 * structure, sweep expansion); a spec that parses must satisfy the invariants
 * of fuzz_common.h, and one with few sweep points is validated against the
 * build's plugins and resolved.  Built with -fsanitize=fuzzer under
 * MLPLAB_FUZZ, and with replay.c into fuzz_replay_spec in every build. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mlp_spec *spec = NULL;
    mlp_error err;
    mlp_status rc;

    mlp_error_clear(&err);
    rc = mlp_spec_parse((const char *)data, size, "fuzz.yaml", NULL, 0, &spec, &err);
    if (rc != MLP_OK) {
        fuzz_check_failure(rc, spec, &err);
        return 0;
    }
    FUZZ_CHECK(spec != NULL);
    FUZZ_CHECK(size <= MLP_SPEC_MAX_BYTES);
    fuzz_check_spec(spec);
    fuzz_validate(spec);
    mlp_spec_free(spec);
    return 0;
}
