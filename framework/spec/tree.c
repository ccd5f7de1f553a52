/* tree.c -- YAML text into the mlp_node tree through libyaml's event API,
 * refusing everything a plain-data spec does not need (anchors, aliases,
 * other tags, duplicate keys, deep nesting); building and copying nodes. */
#include "spec/tree.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

/* ---- nodes ---------------------------------------------------------------- */

mlp_node *mlp_node_new(mlp_node_kind kind, const char *file, int line, int col)
{
    mlp_node *n = calloc(1, sizeof(*n));

    if (!n)
        return NULL;
    n->kind = kind;
    n->file = file;
    n->line = line;
    n->col = col;
    return n;
}

mlp_node *mlp_node_scalar(const char *text, bool quoted, const char *file, int line, int col)
{
    mlp_node *n = mlp_node_new(MLP_NODE_SCALAR, file, line, col);

    if (!n)
        return NULL;
    n->text = strdup(text);
    if (!n->text) {
        free(n);
        return NULL;
    }
    n->quoted = quoted;
    return n;
}

void mlp_node_free(mlp_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++) {
        mlp_node_free(n->items[i]);
        if (n->keys)
            mlp_node_free(n->keys[i]);
    }
    free(n->items);
    free(n->keys);
    free(n->text);
    free(n);
}

/* Append an item (SEQ: key == NULL) or an entry (MAP).  On failure nothing
 * is taken over: the caller still owns key and val.  The arrays grow by
 * doubling, so a list of n items costs O(n) copies, not O(n^2) (realloc
 * copies every time under ASan or valgrind). */
bool mlp_node_append(mlp_node *n, mlp_node *key, mlp_node *val)
{
    if (n->n >= n->cap) {
        /* cap may lag n when a caller sized the arrays exactly: grow from n */
        size_t cap = n->n < 4 ? 8 : 2 * n->n;
        mlp_node **items, **keys;

        if (cap > SIZE_MAX / sizeof(*items))
            return false;
        items = realloc(n->items, cap * sizeof(*items));
        if (!items)
            return false;
        n->items = items;
        if (n->kind == MLP_NODE_MAP) {
            keys = realloc(n->keys, cap * sizeof(*keys));
            if (!keys)
                return false;
            n->keys = keys;
        }
        n->cap = cap;
    }
    if (n->kind == MLP_NODE_MAP)
        n->keys[n->n] = key;
    n->items[n->n++] = val;
    return true;
}

mlp_node *mlp_node_clone(const mlp_node *n)
{
    mlp_node *c;

    if (!n)
        return NULL;
    c = mlp_node_new(n->kind, n->file, n->line, n->col);
    if (!c)
        return NULL;
    c->quoted = n->quoted;
    if (n->text && !(c->text = strdup(n->text)))
        goto fail;
    if (n->n) {
        c->items = calloc(n->n, sizeof(*c->items));
        if (!c->items)
            goto fail;
        if (n->kind == MLP_NODE_MAP && !(c->keys = calloc(n->n, sizeof(*c->keys))))
            goto fail;
        c->cap = n->n;
        /* count items as they are made so a failure frees exactly those */
        for (size_t i = 0; i < n->n; i++) {
            c->items[i] = mlp_node_clone(n->items[i]);
            if (c->keys)
                c->keys[i] = mlp_node_clone(n->keys[i]);
            c->n = i + 1;
            if (!c->items[i] || (c->keys && !c->keys[i]))
                goto fail;
        }
    }
    return c;
fail:
    mlp_node_free(c);
    return NULL;
}

const mlp_node *mlp_node_get(const mlp_node *map, const char *key)
{
    int i = mlp_node_index(map, key);

    return i < 0 ? NULL : map->items[i];
}

int mlp_node_index(const mlp_node *map, const char *key)
{
    if (!map || map->kind != MLP_NODE_MAP)
        return -1;
    for (size_t i = 0; i < map->n; i++)
        if (map->keys[i]->text && strcmp(map->keys[i]->text, key) == 0)
            return (int)i;
    return -1;
}

/* ---- parsing ------------------------------------------------------------ */

/* One open collection while the events arrive. */
typedef struct frame {
    mlp_node *node;
    mlp_node *key;          /* MAP: key read, value pending; NULL otherwise */
    size_t *seen;           /* MAP: open-addressing index of its keys (entry + 1, 0 =
                               empty), so that duplicate keys are found in linear time */
    size_t seen_cap;        /* slots, a power of two, at least twice the keys */
} frame;

static uint64_t key_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;  /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The entry of f's map whose key is `text`, or -1; with add, records `text`
 * as the next entry (index f->node->n) when it is new.  False on no memory. */
static bool seen_key(frame *f, const char *text, bool add, long *found)
{
    mlp_node *map = f->node;

    *found = -1;
    if (add && 2 * (map->n + 1) > f->seen_cap) {
        size_t cap = f->seen_cap ? 2 * f->seen_cap : 16;
        size_t *t = calloc(cap, sizeof(*t));
        if (!t)
            return false;
        for (size_t i = 0; i < map->n; i++) {
            size_t j = (size_t)key_hash(map->keys[i]->text) & (cap - 1);
            while (t[j])
                j = (j + 1) & (cap - 1);
            t[j] = i + 1;
        }
        free(f->seen);
        f->seen = t;
        f->seen_cap = cap;
    }
    if (!f->seen_cap)
        return true;
    size_t j = (size_t)key_hash(text) & (f->seen_cap - 1);
    for (; f->seen[j]; j = (j + 1) & (f->seen_cap - 1))
        if (!strcmp(map->keys[f->seen[j] - 1]->text, text)) {
            *found = (long)(f->seen[j] - 1);
            return true;
        }
    if (add)
        f->seen[j] = map->n + 1;
    return true;
}

typedef struct builder {
    const char *file;
    frame stack[MLP_SPEC_MAX_DEPTH + 1];
    int depth;
    mlp_node *root;
    int documents;
} builder;

static int mark_line(const yaml_mark_t *m) { return (int)m->line + 1; }
static int mark_col(const yaml_mark_t *m) { return (int)m->column + 1; }

static const char *const core_tags[] = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int",  "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
};

/* Anchors and tags are refused on every node; returns MLP_OK or the error. */
static mlp_status check_props(const builder *b, const yaml_char_t *anchor, const yaml_char_t *tag,
                              const yaml_mark_t *m, mlp_error *err)
{
    if (anchor)
        return mlp_fail_at(err, MLP_ERR_SPEC, b->file, mark_line(m), mark_col(m),
                           "anchors and aliases are not allowed: a spec is plain data "
                           "(anchor '&%s')", (const char *)anchor);
    if (tag) {
        for (size_t i = 0; i < sizeof(core_tags) / sizeof(core_tags[0]); i++)
            if (strcmp((const char *)tag, core_tags[i]) == 0)
                return MLP_OK;
        return mlp_fail_at(err, MLP_ERR_SPEC, b->file, mark_line(m), mark_col(m),
                           "tag '%s' is not allowed: a spec uses only the core YAML types "
                           "(!!str, !!int, !!float, !!bool, !!null, !!map, !!seq)",
                           (const char *)tag);
    }
    return MLP_OK;
}

/* Hang a finished node (scalar or collection) on the open collection. */
static mlp_status attach(builder *b, mlp_node *n, mlp_error *err)
{
    frame *f;

    if (b->depth == 0) {
        b->root = n;
        return MLP_OK;
    }
    f = &b->stack[b->depth - 1];
    if (f->node->kind == MLP_NODE_SEQ) {
        if (!mlp_node_append(f->node, NULL, n))
            goto nomem;
        return MLP_OK;
    }
    if (!f->key) {
        /* a key: must be a scalar and not given before */
        if (n->kind != MLP_NODE_SCALAR) {
            mlp_fail_at(err, MLP_ERR_SPEC, b->file, n->line, n->col,
                        "a key must be a plain scalar, not a %s",
                        n->kind == MLP_NODE_MAP ? "mapping" : "list");
            mlp_node_free(n);
            return MLP_ERR_SPEC;
        }
        long dup;
        if (!seen_key(f, n->text, false, &dup))
            goto nomem;
        if (dup >= 0) {
            mlp_fail_at(err, MLP_ERR_SPEC, b->file, n->line, n->col,
                        "duplicate key '%s' (first given at line %d)", n->text,
                        f->node->keys[dup]->line);
            mlp_node_free(n);
            return MLP_ERR_SPEC;
        }
        f->key = n;
        return MLP_OK;
    }
    long dup;
    if (!seen_key(f, f->key->text, true, &dup) || !mlp_node_append(f->node, f->key, n))
        goto nomem;
    f->key = NULL;
    return MLP_OK;
nomem:
    mlp_node_free(n);
    return mlp_fail(err, MLP_ERR_NOMEM, "spec: out of memory");
}

static mlp_status on_scalar(builder *b, const yaml_event_t *ev, mlp_error *err)
{
    const yaml_mark_t *m = &ev->start_mark;
    const char *tag = (const char *)ev->data.scalar.tag;
    mlp_node *n;
    mlp_status rc;

    rc = check_props(b, ev->data.scalar.anchor, ev->data.scalar.tag, m, err);
    if (rc)
        return rc;
    n = mlp_node_new(MLP_NODE_SCALAR, b->file, mark_line(m), mark_col(m));
    if (!n || !(n->text = malloc(ev->data.scalar.length + 1))) {
        free(n);
        return mlp_fail(err, MLP_ERR_NOMEM, "spec: out of memory");
    }
    memcpy(n->text, ev->data.scalar.value, ev->data.scalar.length);
    n->text[ev->data.scalar.length] = '\0';
    /* quoted and block scalars are strings; an explicit core tag decides */
    n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE &&
                ev->data.scalar.style != YAML_ANY_SCALAR_STYLE;
    if (tag)
        n->quoted = strcmp(tag, "tag:yaml.org,2002:str") == 0;
    return attach(b, n, err);
}

static mlp_status on_start(builder *b, const yaml_event_t *ev, mlp_error *err)
{
    bool is_map = ev->type == YAML_MAPPING_START_EVENT;
    const yaml_mark_t *m = &ev->start_mark;
    const yaml_char_t *anchor = is_map ? ev->data.mapping_start.anchor
                                       : ev->data.sequence_start.anchor;
    const yaml_char_t *tag = is_map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
    mlp_status rc;
    mlp_node *n;

    rc = check_props(b, anchor, tag, m, err);
    if (rc)
        return rc;
    if (b->depth > 0 && b->stack[b->depth - 1].node->kind == MLP_NODE_MAP &&
        !b->stack[b->depth - 1].key)
        return mlp_fail_at(err, MLP_ERR_SPEC, b->file, mark_line(m), mark_col(m),
                           "a key must be a plain scalar, not a %s", is_map ? "mapping" : "list");
    if (b->depth >= MLP_SPEC_MAX_DEPTH)
        return mlp_fail_at(err, MLP_ERR_SPEC, b->file, mark_line(m), mark_col(m),
                           "nesting deeper than %d levels: a spec is small plain data",
                           MLP_SPEC_MAX_DEPTH);
    n = mlp_node_new(is_map ? MLP_NODE_MAP : MLP_NODE_SEQ, b->file, mark_line(m), mark_col(m));
    if (!n)
        return mlp_fail(err, MLP_ERR_NOMEM, "spec: out of memory");
    b->stack[b->depth].node = n;
    b->stack[b->depth].key = NULL;
    b->stack[b->depth].seen = NULL;
    b->stack[b->depth].seen_cap = 0;
    b->depth++;
    return MLP_OK;
}

static mlp_status on_end(builder *b, mlp_error *err)
{
    frame *f = &b->stack[--b->depth];

    free(f->seen);
    f->seen = NULL;
    return attach(b, f->node, err);
}

/* libyaml's reader errors carry a byte offset instead of a mark. */
static void offset_place(const char *text, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && text[i]; i++) {
        if (text[i] == '\n') {
            ++*line;
            *col = 1;
        } else {
            ++*col;
        }
    }
}

static mlp_status syntax_error(const yaml_parser_t *p, const char *text, const char *file,
                               mlp_error *err)
{
    int line, col;
    const char *problem = p->problem ? p->problem : "unknown problem";

    if (p->error == YAML_MEMORY_ERROR)
        return mlp_fail(err, MLP_ERR_NOMEM, "spec: out of memory");
    if (p->error == YAML_READER_ERROR) {
        offset_place(text, p->problem_offset, &line, &col);
        return mlp_fail_at(err, MLP_ERR_SPEC, file, line, col, "YAML: %s", problem);
    }
    line = mark_line(&p->problem_mark);
    col = mark_col(&p->problem_mark);
    if (p->context)
        return mlp_fail_at(err, MLP_ERR_SPEC, file, line, col, "YAML: %s %s at line %d", problem,
                           p->context, mark_line(&p->context_mark));
    return mlp_fail_at(err, MLP_ERR_SPEC, file, line, col, "YAML: %s", problem);
}

mlp_status mlp_yaml_parse(const char *text, size_t len, const char *file, mlp_node **out,
                          mlp_error *err)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    builder b;
    mlp_status rc = MLP_OK;
    bool done = false;

    memset(&b, 0, sizeof(b));
    b.file = file;
    if (len > MLP_SPEC_MAX_BYTES)
        return mlp_fail_at(err, MLP_ERR_SPEC, file, 0, 0,
                           "%zu bytes is over the %u-byte cap: a spec is small plain data", len,
                           MLP_SPEC_MAX_BYTES);
    if (!yaml_parser_initialize(&parser))
        return mlp_fail(err, MLP_ERR_NOMEM, "spec: out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    while (!done && rc == MLP_OK) {
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = syntax_error(&parser, text, file, err);
            break;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++b.documents > 1)
                rc = mlp_fail_at(err, MLP_ERR_SPEC, file, mark_line(&ev.start_mark),
                                 mark_col(&ev.start_mark),
                                 "a second YAML document: a spec is exactly one document");
            break;
        case YAML_ALIAS_EVENT:
            rc = mlp_fail_at(err, MLP_ERR_SPEC, file, mark_line(&ev.start_mark),
                             mark_col(&ev.start_mark),
                             "anchors and aliases are not allowed: a spec is plain data "
                             "(alias '*%s')", (const char *)ev.data.alias.anchor);
            break;
        case YAML_SCALAR_EVENT:
            rc = on_scalar(&b, &ev, err);
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            rc = on_start(&b, &ev, err);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            rc = on_end(&b, err);
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    /* free whatever was still open: the pending keys and the collections */
    while (b.depth > 0) {
        frame *f = &b.stack[--b.depth];
        free(f->seen);
        mlp_node_free(f->key);
        mlp_node_free(f->node);
    }
    if (rc) {
        mlp_node_free(b.root);
        return rc;
    }
    if (!b.root) {
        /* an empty document is a null */
        b.root = mlp_node_scalar("", false, file, 1, 1);
        if (!b.root)
            return mlp_fail(err, MLP_ERR_NOMEM, "spec: out of memory");
    }
    *out = b.root;
    return MLP_OK;
}
