/* tree_scalar.c -- what a scalar of the tree means under the YAML 1.2 core
 * schema: null, bool, integer (decimal, 0x, 0o), real; quoted is a string. */
#include "spec/tree.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static bool plain_scalar(const mlp_node *n)
{
    return n && n->kind == MLP_NODE_SCALAR && !n->quoted && n->text;
}

bool mlp_scalar_is_null(const mlp_node *n)
{
    const char *t;

    if (!plain_scalar(n))
        return false;
    t = n->text;
    return !*t || !strcmp(t, "~") || !strcmp(t, "null") || !strcmp(t, "Null") ||
           !strcmp(t, "NULL");
}

bool mlp_scalar_bool(const mlp_node *n, bool *v)
{
    const char *t;

    if (!plain_scalar(n))
        return false;
    t = n->text;
    if (!strcmp(t, "true") || !strcmp(t, "True") || !strcmp(t, "TRUE")) {
        *v = true;
        return true;
    }
    if (!strcmp(t, "false") || !strcmp(t, "False") || !strcmp(t, "FALSE")) {
        *v = false;
        return true;
    }
    return false;
}

/* Digits of `t` in `base` into *v; false when empty, not all digits, or > max. */
static bool parse_digits(const char *t, unsigned base, uint64_t max, uint64_t *v)
{
    uint64_t x = 0;

    if (!*t)
        return false;
    for (; *t; t++) {
        unsigned d;
        if (*t >= '0' && *t <= '9')
            d = (unsigned)(*t - '0');
        else if (*t >= 'a' && *t <= 'f')
            d = (unsigned)(*t - 'a' + 10);
        else if (*t >= 'A' && *t <= 'F')
            d = (unsigned)(*t - 'A' + 10);
        else
            return false;
        if (d >= base || x > (max - d) / base)
            return false;
        x = x * base + d;
    }
    *v = x;
    return true;
}

/* Core-schema integer: [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+ */
static bool parse_int(const char *t, bool *neg, uint64_t max_mag, uint64_t *mag)
{
    *neg = false;
    if (t[0] == '0' && t[1] == 'x')
        return parse_digits(t + 2, 16, max_mag, mag);
    if (t[0] == '0' && t[1] == 'o')
        return parse_digits(t + 2, 8, max_mag, mag);
    if (*t == '-' || *t == '+')
        *neg = *t++ == '-';
    return parse_digits(t, 10, max_mag, mag);
}

bool mlp_scalar_int(const mlp_node *n, int64_t *v)
{
    bool neg;
    uint64_t mag;

    if (!plain_scalar(n) || !parse_int(n->text, &neg, (uint64_t)INT64_MAX + 1, &mag))
        return false;
    if (!neg && mag > (uint64_t)INT64_MAX)
        return false;
    *v = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    return true;
}

bool mlp_scalar_uint64(const mlp_node *n, uint64_t *v)
{
    bool neg;
    uint64_t mag;

    /* no sign at all, not even "-0": a seed written negative is a mistake */
    if (!plain_scalar(n) || !parse_int(n->text, &neg, UINT64_MAX, &mag) || neg)
        return false;
    *v = mag;
    return true;
}

/* Core-schema float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool float_syntax(const char *t)
{
    bool digits = false;

    if (*t == '-' || *t == '+')
        t++;
    while (*t >= '0' && *t <= '9') {
        t++;
        digits = true;
    }
    if (*t == '.') {
        t++;
        while (*t >= '0' && *t <= '9') {
            t++;
            digits = true;
        }
    }
    if (!digits)
        return false;
    if (*t == 'e' || *t == 'E') {
        t++;
        if (*t == '-' || *t == '+')
            t++;
        if (!(*t >= '0' && *t <= '9'))
            return false;
        while (*t >= '0' && *t <= '9')
            t++;
    }
    return *t == '\0';
}

bool mlp_scalar_real(const mlp_node *n, double *v)
{
    const char *t, *s;
    int64_t i;
    uint64_t u;

    if (!plain_scalar(n))
        return false;
    if (mlp_scalar_int(n, &i)) {
        *v = (double)i;
        return true;
    }
    if (mlp_scalar_uint64(n, &u)) {
        *v = (double)u;
        return true;
    }
    t = n->text;
    s = (*t == '-' || *t == '+') ? t + 1 : t;
    if (!strcmp(s, ".inf") || !strcmp(s, ".Inf") || !strcmp(s, ".INF")) {
        *v = *t == '-' ? -INFINITY : INFINITY;
        return true;
    }
    if (!strcmp(t, ".nan") || !strcmp(t, ".NaN") || !strcmp(t, ".NAN")) {
        *v = NAN;
        return true;
    }
    if (!float_syntax(t))
        return false;
    errno = 0;
    *v = strtod(t, NULL);
    return true; /* overflow gives ±HUGE_VAL (inf), as YAML readers do */
}
