/* sha256.c -- SHA-256 as FIPS 180-4 defines it: the spec hash in results files
 * and the hash of every loaded plugin file. */
#include "base/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const uint32_t round_k[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u,
    0xab1c5ed5u, 0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu,
    0x9bdc06a7u, 0xc19bf174u, 0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu,
    0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau, 0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u,
    0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u, 0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu,
    0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u, 0xa2bfe8a1u, 0xa81a664bu,
    0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u, 0x19a4c116u,
    0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u,
    0xc67178f2u,
};

static uint32_t rotr(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32 - n));
}

/* One 64-byte block into the state (FIPS 180-4, 6.2.2). */
static void sha256_block(uint32_t h[8], const unsigned char *p)
{
    uint32_t w[64];
    uint32_t a, b, c, d, e, f, g, hh;

    for (int t = 0; t < 16; t++)
        w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
               (uint32_t)p[4 * t + 2] << 8 | (uint32_t)p[4 * t + 3];
    for (int t = 16; t < 64; t++) {
        uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int t = 0; t < 64; t++) {
        uint32_t t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) +
                      round_k[t] + w[t];
        uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d;
    h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

/* With the CPU's SHA extensions (x86 SHA-NI: most x86-64 CPUs since 2017;
 * not under valgrind, which hides them) four rounds take two instructions
 * and the message schedule three: a plugin file hashes about ten times
 * faster.  The same digest: the instructions compute FIPS 180-4's rounds. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(MLPLAB_NO_SHA_NI)
#include <cpuid.h>
#include <immintrin.h>

#define HAVE_SHA_NI 1
static int sha_ni;

static int cpu_has_sha_ni(void)
{
    unsigned a, b, c, d;

    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSE4_1) || !(c & bit_SSSE3))
        return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    return (b >> 29) & 1u; /* CPUID.(EAX=7,ECX=0):EBX.SHA[bit 29] */
}

/* asked once, when the program loads, before any thread hashes */
__attribute__((constructor)) static void sha_ni_at_load(void)
{
    sha_ni = cpu_has_sha_ni();
}

/* The state h = A..H as the instructions want it: st0 = (A, B, E, F) and
 * st1 = (C, D, G, H), highest dword first. */
__attribute__((target("sha,sse4.1,ssse3"))) static void sha256_blocks_ni(uint32_t h[8],
                                                                        const unsigned char *p,
                                                                        size_t nblk)
{
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)h), 0xb1);
    __m128i st1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)(h + 4)), 0x1b);
    __m128i st0 = _mm_alignr_epi8(t, st1, 8);

    st1 = _mm_blend_epi16(st1, t, 0xf0);
    for (; nblk > 0; nblk--, p += 64) {
        const __m128i save0 = st0, save1 = st1;
        __m128i m[4];

        for (int i = 0; i < 4; i++)
            m[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i)),
                                    bswap);
        for (int i = 0; i < 16; i++) {
            if (i >= 4) /* w[4i .. 4i+3] from the sixteen before */
                m[i & 3] = _mm_sha256msg2_epu32(
                    _mm_add_epi32(_mm_sha256msg1_epu32(m[i & 3], m[(i + 1) & 3]),
                                  _mm_alignr_epi8(m[(i + 3) & 3], m[(i + 2) & 3], 4)),
                    m[(i + 3) & 3]);
            const __m128i k = _mm_add_epi32(
                m[i & 3], _mm_loadu_si128((const __m128i *)(const void *)(round_k + 4 * i)));
            st1 = _mm_sha256rnds2_epu32(st1, st0, k);
            st0 = _mm_sha256rnds2_epu32(st0, st1, _mm_shuffle_epi32(k, 0x0e));
        }
        st0 = _mm_add_epi32(st0, save0);
        st1 = _mm_add_epi32(st1, save1);
    }
    t = _mm_shuffle_epi32(st0, 0x1b);
    st1 = _mm_shuffle_epi32(st1, 0xb1);
    _mm_storeu_si128((__m128i *)(void *)h, _mm_blend_epi16(t, st1, 0xf0));
    _mm_storeu_si128((__m128i *)(void *)(h + 4), _mm_alignr_epi8(st1, t, 8));
}
#endif

int mlp_sha256_accel(int on)
{
#ifdef HAVE_SHA_NI
    sha_ni = on && cpu_has_sha_ni();
    return sha_ni;
#else
    (void)on;
    return 0;
#endif
}

/* nblk 64-byte blocks into the state. */
static void sha256_blocks(uint32_t h[8], const unsigned char *p, size_t nblk)
{
#ifdef HAVE_SHA_NI
    if (sha_ni) {
        sha256_blocks_ni(h, p, nblk);
        return;
    }
#endif
    for (; nblk > 0; nblk--, p += 64)
        sha256_block(h, p);
}

void mlp_sha256_init(mlp_sha256 *s)
{
    static const uint32_t iv[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                   0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};

    memcpy(s->h, iv, sizeof(iv));
    s->len = 0;
    s->fill = 0;
}

void mlp_sha256_update(mlp_sha256 *s, const void *data, size_t n)
{
    const unsigned char *p = data;

    s->len += n;
    if (s->fill) {
        size_t take = 64 - s->fill < n ? 64 - s->fill : n;
        memcpy(s->buf + s->fill, p, take);
        s->fill += take;
        p += take;
        n -= take;
        if (s->fill < 64)
            return;
        sha256_blocks(s->h, s->buf, 1);
        s->fill = 0;
    }
    sha256_blocks(s->h, p, n / 64);
    p += n / 64 * 64;
    n %= 64;
    if (n) {
        memcpy(s->buf, p, n);
        s->fill = n;
    }
}

/* Pad with 0x80, zeros and the bit length (big-endian), then print the state. */
void mlp_sha256_final_hex(mlp_sha256 *s, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    uint64_t bits = s->len * 8;

    s->buf[s->fill++] = 0x80;
    if (s->fill > 56) {
        memset(s->buf + s->fill, 0, 64 - s->fill);
        sha256_blocks(s->h, s->buf, 1);
        s->fill = 0;
    }
    memset(s->buf + s->fill, 0, 56 - s->fill);
    for (int i = 0; i < 8; i++)
        s->buf[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
    sha256_blocks(s->h, s->buf, 1);
    s->fill = 0;

    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++)
            hex[8 * i + j] = digits[(s->h[i] >> (28 - 4 * j)) & 0xfu];
    hex[64] = '\0';
}

void mlp_sha256_hex(const void *data, size_t n, char hex[65])
{
    mlp_sha256 s;

    mlp_sha256_init(&s);
    mlp_sha256_update(&s, data, n);
    mlp_sha256_final_hex(&s, hex);
}

mlp_status mlp_sha256_file(const char *path, char hex[65], mlp_error *err)
{
    unsigned char buf[16384];
    mlp_sha256 s;
    mlp_status st = MLP_OK;
    size_t got;
    struct stat sb;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    FILE *f;

    if (fd < 0)
        return mlp_fail(err, MLP_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    /* a device (/dev/zero) or a pipe never ends, or cannot be read twice */
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return mlp_fail(err, MLP_ERR_IO, "cannot hash %s: not a regular file", path);
    }
    if (!(f = fdopen(fd, "rb"))) {
        close(fd);
        return mlp_fail(err, MLP_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    }
    mlp_sha256_init(&s);
    while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
        mlp_sha256_update(&s, buf, got);
    if (ferror(f)) {
        st = mlp_fail(err, MLP_ERR_IO, "cannot read %s: %s", path, strerror(errno));
        goto out_close;
    }
    mlp_sha256_final_hex(&s, hex);
out_close:
    fclose(f);
    return st;
}
