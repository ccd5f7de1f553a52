/* tree_write.c -- a tree written back as one-line flow YAML or block YAML,
 * quoted and escaped so that mlp_yaml_parse reads the same tree back; the
 * growing text buffer (mlp_sb) the writers and the rest of the room use. */
#include "spec/tree.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mlp_sb_putn(mlp_sb *sb, const char *s, size_t n)
{
    if (sb->oom)
        return;
    if (sb->len + n + 1 > sb->cap) {
        size_t cap = sb->cap ? sb->cap : 64;
        char *p;
        while (cap < sb->len + n + 1)
            cap *= 2;
        p = realloc(sb->buf, cap);
        if (!p) {
            sb->oom = true;
            return;
        }
        sb->buf = p;
        sb->cap = cap;
    }
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void mlp_sb_puts(mlp_sb *sb, const char *s) { mlp_sb_putn(sb, s, strlen(s)); }

void mlp_sb_printf(mlp_sb *sb, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0) {
        sb->oom = true;
        return;
    }
    if ((size_t)n < sizeof(tmp)) {
        mlp_sb_putn(sb, tmp, (size_t)n);
        return;
    }
    {
        char *big = malloc((size_t)n + 1);
        if (!big) {
            sb->oom = true;
            return;
        }
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        mlp_sb_putn(sb, big, (size_t)n);
        free(big);
    }
}

/* The built text, or NULL (and the buffer freed) after a failed allocation. */
char *mlp_sb_take(mlp_sb *sb)
{
    if (sb->oom) {
        free(sb->buf);
        return NULL;
    }
    if (!sb->buf)
        return strdup("");
    return sb->buf;
}

/* Can this text be written plain and read back as the same string? */
static bool plain_safe(const char *t)
{
    static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./";
    size_t n = strlen(t);

    if (!n || !strchr(ok, t[0]) || t[n - 1] == ' ')
        return false;
    for (const char *p = t; *p; p++)
        if (!strchr(ok, *p) && *p != '-' && *p != '+' && *p != ' ')
            return false;
    return true;
}

static bool typed_plain(const mlp_node *n)
{
    bool b;
    double d;
    uint64_t u;

    return mlp_scalar_is_null(n) || mlp_scalar_bool(n, &b) || mlp_scalar_real(n, &d) ||
           mlp_scalar_uint64(n, &u);
}

/* A character in a double-quoted scalar that must be written as an escape:
 * libyaml refuses C0 and C1 control characters (but tab, LF, CR, NEL), DEL,
 * U+FFFE and U+FFFF in its input, and reads NEL, LS and PS (U+0085, U+2028,
 * U+2029) as line breaks, which a quoted scalar folds into a space; a BOM
 * (U+FEFF) may be skipped.  Returns the bytes of the UTF-8 sequence at p to
 * escape as \uXXXX (its code point in *cp), or 0 to copy it as it is. */
static size_t needs_escape(const unsigned char *p, unsigned *cp)
{
    if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
        *cp = p[1];
        return 2;
    }
    if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
        *cp = 0x2000u | (p[2] - 0x80u);
        return 3;
    }
    if (p[0] == 0xef && ((p[1] == 0xbb && p[2] == 0xbf) || (p[1] == 0xbf && p[2] >= 0xbe))) {
        *cp = ((p[1] & 0x3fu) << 6 | (p[2] & 0x3fu)) | 0xf000u;
        return 3;
    }
    return 0;
}

static void put_scalar(mlp_sb *sb, const mlp_node *n)
{
    const unsigned char *p;

    if (!n->quoted && typed_plain(n)) {
        /* a typed plain scalar: written as given (null as "null") */
        mlp_sb_puts(sb, n->text[0] ? n->text : "null");
        return;
    }
    if (plain_safe(n->text)) {
        mlp_node probe = *n;
        probe.quoted = false;
        if (!typed_plain(&probe)) {
            mlp_sb_puts(sb, n->text);
            return;
        }
    }
    mlp_sb_puts(sb, "\"");
    for (p = (const unsigned char *)n->text; *p; p++) {
        unsigned cp;
        size_t len;

        if (*p == '"' || *p == '\\')
            mlp_sb_printf(sb, "\\%c", *p);
        else if (*p == '\n')
            mlp_sb_puts(sb, "\\n");
        else if (*p == '\t')
            mlp_sb_puts(sb, "\\t");
        else if (*p < 0x20 || *p == 0x7f)
            mlp_sb_printf(sb, "\\x%02x", *p);
        else if ((len = needs_escape(p, &cp)) > 0) {
            mlp_sb_printf(sb, "\\u%04X", cp);
            p += len - 1;
        } else
            mlp_sb_putn(sb, (const char *)p, 1);
    }
    mlp_sb_puts(sb, "\"");
}

/* libyaml takes an implicit key ("k: v") of at most 1024 characters; longer
 * ones, and the empty plain key (a null, which written as "null" could
 * clash with a key "null" of the same map), take the explicit form
 * ("? k : v").  Keys are written on one line, so this many bytes is safe. */
#define IMPLICIT_KEY_MAX 1000

/* A map key and its ':' (block: a line of its own for the explicit form,
 * the ':' left for the caller to follow with " value" or a block). */
static void put_key(mlp_sb *sb, const mlp_node *k, bool block, int indent)
{
    mlp_sb key = {0};
    bool empty = !k->quoted && !k->text[0];

    if (!empty)
        put_scalar(&key, k);
    if (key.oom) {
        sb->oom = true;
        free(key.buf);
        return;
    }
    if (!empty && key.len <= IMPLICIT_KEY_MAX) {
        mlp_sb_putn(sb, key.buf, key.len);
        mlp_sb_puts(sb, ":");
    } else if (block) {
        mlp_sb_puts(sb, empty ? "?\n" : "? ");
        if (!empty) {
            mlp_sb_putn(sb, key.buf, key.len);
            mlp_sb_puts(sb, "\n");
        }
        mlp_sb_printf(sb, "%*s:", indent, "");
    } else {
        mlp_sb_puts(sb, "? ");
        if (!empty)
            mlp_sb_putn(sb, key.buf, key.len);
        mlp_sb_puts(sb, " :");
    }
    free(key.buf);
}

void mlp_node_put_flow(mlp_sb *sb, const mlp_node *n)
{
    switch (n->kind) {
    case MLP_NODE_SCALAR:
        put_scalar(sb, n);
        break;
    case MLP_NODE_SEQ:
        mlp_sb_puts(sb, "[");
        for (size_t i = 0; i < n->n; i++) {
            if (i)
                mlp_sb_puts(sb, ", ");
            mlp_node_put_flow(sb, n->items[i]);
        }
        mlp_sb_puts(sb, "]");
        break;
    case MLP_NODE_MAP:
        mlp_sb_puts(sb, "{");
        for (size_t i = 0; i < n->n; i++) {
            if (i)
                mlp_sb_puts(sb, ", ");
            put_key(sb, n->keys[i], false, 0);
            mlp_sb_puts(sb, " ");
            mlp_node_put_flow(sb, n->items[i]);
        }
        mlp_sb_puts(sb, "}");
        break;
    }
}

char *mlp_node_to_flow(const mlp_node *n)
{
    mlp_sb sb = {0};

    if (!n)
        return strdup("null");
    mlp_node_put_flow(&sb, n);
    return mlp_sb_take(&sb);
}

/* Block style for maps; lists (mostly short: widths, sweep values) in flow. */
static void put_block(mlp_sb *sb, const mlp_node *n, int indent)
{
    for (size_t i = 0; i < n->n; i++) {
        const mlp_node *v = n->items[i];
        mlp_sb_printf(sb, "%*s", indent, "");
        put_key(sb, n->keys[i], true, indent);
        if (v->kind == MLP_NODE_MAP && v->n > 0) {
            mlp_sb_puts(sb, "\n");
            put_block(sb, v, indent + 2);
        } else {
            mlp_sb_puts(sb, " ");
            mlp_node_put_flow(sb, v);
            mlp_sb_puts(sb, "\n");
        }
    }
}

char *mlp_node_to_yaml(const mlp_node *n)
{
    mlp_sb sb = {0};

    if (!n)
        return strdup("null\n");
    if (n->kind == MLP_NODE_MAP && n->n > 0) {
        put_block(&sb, n, 0);
    } else {
        mlp_node_put_flow(&sb, n);
        mlp_sb_puts(&sb, "\n");
    }
    return mlp_sb_take(&sb);
}
