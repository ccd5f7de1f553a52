/* sha256.h -- SHA-256 (FIPS 180-4), for the spec hash and plugin file hashes. */
#ifndef MLPLAB_SHA256_H
#define MLPLAB_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

typedef struct mlp_sha256 {
    uint32_t h[8];
    uint64_t len;            /* bytes hashed so far */
    unsigned char buf[64];
    size_t fill;
} mlp_sha256;

void mlp_sha256_init(mlp_sha256 *s);
void mlp_sha256_update(mlp_sha256 *s, const void *data, size_t n);
/* hex: 65 bytes out (64 digits and NUL). */
void mlp_sha256_final_hex(mlp_sha256 *s, char hex[65]);
void mlp_sha256_hex(const void *data, size_t n, char hex[65]);
/* Hash a whole file: a regular one only (a device or a pipe is refused). */
mlp_status mlp_sha256_file(const char *path, char hex[65], mlp_error *err);

/* Whether the CPU's SHA instructions (x86 SHA-NI) hash the blocks: used
 * when the CPU has them, unless turned off here (for tests: both paths give
 * the same digests).  Returns whether they are used after the call. */
int mlp_sha256_accel(int on);

#endif
