/* journal.c -- a run record serialized for the run journal: the payload of
 * a part file's record (8-byte words, the record as the machine holds it),
 * written and parsed back, and the checksums that guard part files. */
#include <stdlib.h>
#include <string.h>

#include "results/journal.h"

/* A 64-bit checksum of n bytes (n a multiple of 8): not cryptographic, fast
 * enough to be free beside the copy, and any change of a word changes it. */
uint64_t mlp_part_checksum(const unsigned char *p, size_t n)
{
    uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ n, g = UINT64_C(0xc2b2ae3d27d4eb4f);

    for (size_t i = 0; i + 16 <= n; i += 16) {  /* two lanes: twice the speed */
        uint64_t a, b;
        memcpy(&a, p + i, 8);
        memcpy(&b, p + i + 8, 8);
        h = (h ^ a) * UINT64_C(0xff51afd7ed558ccd);
        g = (g ^ b) * UINT64_C(0xc4ceb9fe1a85ec53);
        h ^= h >> 29;
        g ^= g >> 31;
    }
    if (n % 16) {
        uint64_t a;
        memcpy(&a, p + n - 8, 8);
        h = (h ^ a) * UINT64_C(0xff51afd7ed558ccd);
    }
    h ^= g * UINT64_C(0x9e3779b97f4a7c15);
    return h ^ (h >> 32);
}

/* The checksum of a part file's header and index. */
uint64_t mlp_part_sum(const unsigned char *header, const unsigned char *index, size_t len)
{
    return mlp_part_checksum(header, PART_HEADER) * UINT64_C(0x9e3779b97f4a7c15) ^
           mlp_part_checksum(index, len);
}

bool mlp_bytes_grow(mlp_bytes *b, size_t more)
{
    if (b->nomem)
        return false;
    if (b->len + more <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 65536;
    while (cap < b->len + more)
        cap *= 2;
    unsigned char *p = realloc(b->p, cap);
    if (!p) {
        b->nomem = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

/* n bytes, then zeros up to the next multiple of 8 (pad_nul: at least one,
 * so that a string is NUL-terminated where it lies). */
void mlp_bytes_put(mlp_bytes *b, const void *v, size_t n, bool pad_nul)
{
    size_t padded = (n + (pad_nul ? 1 : 0) + 7) / 8 * 8;

    if (!mlp_bytes_grow(b, padded))
        return;
    if (n)
        memcpy(b->p + b->len, v, n);
    memset(b->p + b->len + n, 0, padded - n);
    b->len += padded;
}

void mlp_bytes_put_u64(mlp_bytes *b, uint64_t v)
{
    mlp_bytes_put(b, &v, 8, false);
}

static void put_f64(mlp_bytes *b, double v)
{
    mlp_bytes_put(b, &v, 8, false);
}

static void put_str(mlp_bytes *b, const char *s)
{
    mlp_bytes_put_u64(b, s ? strlen(s) : PART_ABSENT);
    if (s)
        mlp_bytes_put(b, s, strlen(s), true);
}

/* n doubles, or absent (a NULL array). */
static void put_arr(mlp_bytes *b, const double *a, size_t n)
{
    mlp_bytes_put_u64(b, a ? n : PART_ABSENT);
    if (a)
        mlp_bytes_put(b, a, n * sizeof(double), false);
}

/* Parameters of all the weight layers (model.h layout), 0 without widths. */
static size_t n_model_params(const mlp_run_record *r)
{
    size_t np = 0;

    for (size_t l = 0; r->width && l < r->n_layers; l++)
        np += r->width[l + 1] * (r->width[l] + 1);
    return np;
}

static void put_data(mlp_bytes *b, const mlp_data *d)
{
    mlp_bytes_put_u64(b, d ? 1 : 0);
    if (!d)
        return;
    mlp_bytes_put_u64(b, d->n);
    mlp_bytes_put_u64(b, d->dim);
    mlp_bytes_put_u64(b, d->classes);
    put_arr(b, d->x, d->n * d->dim);
    put_arr(b, d->y, d->n);
}

/* A run's payload: what mlp_format1_write_run writes, in its order.  Arrays that
 * mlp_format1_write_run would not write (missing widths, ...) are stored absent,
 * so the record read back writes the same groups. */
void mlp_record_put(mlp_bytes *b, const mlp_run_record *r)
{
    size_t np = n_model_params(r), k = r->classes_out ? r->classes_out : 1;
    bool has_w = r->width && r->n_layers;

    mlp_bytes_put_u64(b, r->index);
    mlp_bytes_put_u64(b, r->repeat);
    mlp_bytes_put_u64(b, r->seed);
    mlp_bytes_put_u64(b, (uint64_t)r->status);
    put_f64(b, r->wall_seconds);
    put_f64(b, r->final_loss);
    put_f64(b, r->train_accuracy);
    put_f64(b, r->test_accuracy);
    mlp_bytes_put_u64(b, (uint64_t)(int64_t)r->first_100pct);
    put_str(b, r->note);
    mlp_bytes_put_u64(b, r->iterations);
    mlp_bytes_put_u64(b, r->iterations_run);
    mlp_bytes_put_u64(b, r->loss_every);
    put_str(b, r->stop_reason);
    mlp_bytes_put_u64(b, (uint64_t)(int64_t)r->best_iteration);
    mlp_bytes_put_u64(b, r->halving ? 1 : 0);
    mlp_bytes_put_u64(b, r->halving_bracket);
    mlp_bytes_put_u64(b, r->halving_rungs);
    mlp_bytes_put_u64(b, r->n_layers);
    mlp_bytes_put_u64(b, has_w ? 1 : 0);
    for (size_t l = 0; has_w && l <= r->n_layers; l++)
        mlp_bytes_put_u64(b, r->width[l]);
    mlp_bytes_put_u64(b, r->n_params);
    for (size_t i = 0; i < r->n_params; i++) {
        put_str(b, r->params[i].path);
        mlp_bytes_put_u64(b, r->params[i].numeric);
        put_f64(b, r->params[i].num);
        put_str(b, r->params[i].text ? r->params[i].text : "");
    }
    mlp_bytes_put_u64(b, r->n_loss);
    put_arr(b, r->loss, r->n_loss);
    put_arr(b, r->grad_norm && r->n_layers && r->n_loss ? r->grad_norm : NULL,
            r->n_loss * r->n_layers * 2);
    mlp_bytes_put_u64(b, r->eval_every);
    mlp_bytes_put_u64(b, r->n_eval);
    put_arr(b, r->test_loss, r->n_eval);
    put_arr(b, r->test_accuracy_curve, r->n_eval);
    put_arr(b, r->train_accuracy_curve, r->n_eval);
    mlp_bytes_put_u64(b, r->weights_every);
    mlp_bytes_put_u64(b, r->n_snapshots);
    put_arr(b, r->snapshots && r->n_snapshots && has_w ? r->snapshots : NULL,
            r->n_snapshots * np);
    mlp_bytes_put_u64(b, r->n_scores);
    put_arr(b, r->validation_accuracy, r->n_scores);
    put_arr(b, r->weights && has_w ? r->weights : NULL, np);
    mlp_bytes_put_u64(b, r->n_hidden_points);
    bool hidden = r->hidden && has_w && r->n_layers > 1;
    mlp_bytes_put_u64(b, hidden ? 1 : 0);
    for (size_t l = 0; hidden && l + 1 < r->n_layers; l++)
        put_arr(b, r->hidden[l], r->n_hidden_points * r->width[l + 1]);
    bool boundary = r->boundary && r->resolution;
    mlp_bytes_put_u64(b, boundary ? r->resolution : 0);
    mlp_bytes_put_u64(b, r->classes_out);
    for (int i = 0; i < 4; i++)
        put_f64(b, r->extent[i]);
    put_arr(b, boundary ? r->boundary : NULL, r->resolution * r->resolution * k);
    put_data(b, r->train);
    put_data(b, r->train ? r->test : NULL);
}

/* Reading a payload back: every read checked against the bytes there are.
 * A count is a plain number (n_hidden_points is stored even when the hidden
 * outputs are not, so it may exceed the record's length); what bounds it is
 * the array it sizes, checked word by word, with products that overflow
 * refused.  The first failure is kept: which field, at which byte. */
typedef struct reader {
    const unsigned char *p;
    size_t len, pos;
    bool bad;
    const char *what;   /* the field that failed, or NULL */
    size_t at;          /* its byte offset in the payload */
} reader;

/* Field what, starting at byte at, is not what a record holds there. */
static void bad_at(reader *r, const char *what, size_t at)
{
    if (!r->bad) {
        r->what = what;
        r->at = at;
    }
    r->bad = true;
}

static void bad_field(reader *r, const char *what)
{
    bad_at(r, what, r->pos);
}

static uint64_t get_u64(reader *r, const char *what)
{
    uint64_t v = 0;

    if (r->bad || r->len - r->pos < 8) {
        bad_field(r, what);
        return 0;
    }
    memcpy(&v, r->p + r->pos, 8);
    r->pos += 8;
    return v;
}

static double get_f64(reader *r, const char *what)
{
    uint64_t u = get_u64(r, what);
    double v;

    memcpy(&v, &u, 8);
    return v;
}

/* A count: any size_t (what it sizes is checked where it is used). */
static size_t get_count(reader *r, const char *what)
{
    uint64_t v = get_u64(r, what);

    if (v > SIZE_MAX) {
        bad_field(r, what);
        return 0;
    }
    return (size_t)v;
}

/* a * b, or SIZE_MAX (which no array can match) when it overflows. */
static size_t mul(size_t a, size_t b)
{
    return b && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

/* A string where it lies in the record (NUL-terminated there), or NULL. */
static const char *get_str(reader *r, const char *what)
{
    size_t start = r->pos, padded;
    uint64_t n = get_u64(r, what);
    const char *s;

    if (r->bad || n == PART_ABSENT)
        return NULL;
    if (n >= r->len - r->pos) {
        bad_at(r, what, start);
        return NULL;
    }
    padded = (size_t)(n + 1 + 7) / 8 * 8;
    if (r->len - r->pos < padded || r->p[r->pos + n] != '\0') {
        bad_at(r, what, start);
        return NULL;
    }
    s = (const char *)r->p + r->pos;
    r->pos += padded;
    return s;
}

/* n doubles where they lie (the record is 8-aligned), or NULL when absent;
 * an array of another length than expected is a bad record. */
static const double *get_arr(reader *r, size_t n, const char *what)
{
    size_t start = r->pos;
    uint64_t m = get_u64(r, what);
    const double *a;

    if (r->bad || m == PART_ABSENT)
        return NULL;
    if (m != n || n > (r->len - r->pos) / 8) {
        bad_at(r, what, start);
        return NULL;
    }
    a = (const double *)(const void *)(r->p + r->pos);
    r->pos += n * 8;
    return a;
}

static bool get_data(reader *r, mlp_data *d, const char *what)
{
    if (get_u64(r, what) == 0)
        return false;
    d->n = get_count(r, what);
    d->dim = get_count(r, what);
    d->classes = get_count(r, what);
    d->x = (double *)get_arr(r, mul(d->n, d->dim), what);
    d->y = (double *)get_arr(r, d->n, what);
    if ((d->n && (!d->x || !d->y)))
        bad_field(r, what);
    return !r->bad;
}

/* Parse a payload into v (pointers into p).  False: the bytes are not a
 * record (*why says where: field and byte), or memory ran out for the
 * parameter cells (*nomem). */
bool mlp_record_get(const unsigned char *p, size_t len, mlp_run_view *v, bool *nomem,
                    mlp_record_why *why)
{
    reader rd = {p, len, 0, false, NULL, 0}, *r = &rd;
    mlp_run_record *rec = &v->rec;
    size_t np = 0, k;
    bool ok;

    *nomem = false;
    memset(rec, 0, sizeof(*rec));
    memset(v->hidden, 0, sizeof(v->hidden));
    rec->index = (size_t)get_u64(r, "index");
    rec->repeat = (size_t)get_u64(r, "repeat");
    rec->seed = get_u64(r, "seed");
    rec->status = get_u64(r, "status") != 0;
    rec->wall_seconds = get_f64(r, "wall_seconds");
    rec->final_loss = get_f64(r, "final_loss");
    rec->train_accuracy = get_f64(r, "train_accuracy");
    rec->test_accuracy = get_f64(r, "test_accuracy");
    rec->first_100pct = (long)(int64_t)get_u64(r, "first_100pct");
    rec->note = get_str(r, "note");
    rec->iterations = (size_t)get_u64(r, "iterations");
    rec->iterations_run = (size_t)get_u64(r, "iterations_run");
    rec->loss_every = (size_t)get_u64(r, "loss_every");
    rec->stop_reason = get_str(r, "stop_reason");
    rec->best_iteration = (long)(int64_t)get_u64(r, "best_iteration");
    rec->halving = get_u64(r, "halving") != 0;
    rec->halving_bracket = (size_t)get_u64(r, "halving_bracket");
    rec->halving_rungs = (size_t)get_u64(r, "halving_rungs");
    rec->n_layers = get_count(r, "n_layers");
    if (rec->n_layers > MLP_RESULTS_MAX_LAYERS)
        bad_field(r, "n_layers");
    if (get_u64(r, "width") && rec->n_layers && !r->bad) {
        for (size_t l = 0; l <= rec->n_layers; l++)
            v->width[l] = get_count(r, "width");
        rec->width = v->width;
        for (size_t l = 0; l < rec->n_layers; l++) {
            size_t m = mul(v->width[l + 1], v->width[l] == SIZE_MAX ? SIZE_MAX : v->width[l] + 1);
            np = m == SIZE_MAX || np > SIZE_MAX - m ? SIZE_MAX : np + m;
        }
    }
    rec->n_params = get_count(r, "n_params");
    if (!r->bad && rec->n_params > (r->len - r->pos) / 32)  /* 4 words each at least */
        bad_field(r, "n_params");
    if (r->bad)
        goto out;
    if (rec->n_params > v->cap_params) {
        mlp_param_cell *c = realloc(v->params, rec->n_params * sizeof(*c));
        if (!c) {
            *nomem = true;
            return false;
        }
        v->params = c;
        v->cap_params = rec->n_params;
    }
    for (size_t i = 0; i < rec->n_params; i++) {
        v->params[i].path = get_str(r, "params");
        v->params[i].numeric = get_u64(r, "params") != 0;
        v->params[i].num = get_f64(r, "params");
        v->params[i].text = get_str(r, "params");
    }
    rec->params = v->params;
    rec->n_loss = get_count(r, "n_loss");
    rec->loss = get_arr(r, rec->n_loss, "loss");
    rec->grad_norm = get_arr(r, mul(mul(rec->n_loss, rec->n_layers), 2), "grad_norm");
    rec->eval_every = (size_t)get_u64(r, "eval_every");
    rec->n_eval = get_count(r, "n_eval");
    rec->test_loss = get_arr(r, rec->n_eval, "test_loss");
    rec->test_accuracy_curve = get_arr(r, rec->n_eval, "test_accuracy_curve");
    rec->train_accuracy_curve = get_arr(r, rec->n_eval, "train_accuracy_curve");
    rec->weights_every = (size_t)get_u64(r, "weights_every");
    rec->n_snapshots = get_count(r, "n_snapshots");
    rec->snapshots = get_arr(r, mul(rec->n_snapshots, np), "snapshots");
    rec->n_scores = get_count(r, "n_scores");
    rec->validation_accuracy = get_arr(r, rec->n_scores, "validation_accuracy");
    rec->weights = get_arr(r, np, "weights");
    rec->n_hidden_points = get_count(r, "n_hidden_points");
    if (get_u64(r, "hidden") && rec->n_layers > 1 && rec->width) {
        for (size_t l = 0; l + 1 < rec->n_layers; l++)
            if (!(v->hidden[l] = get_arr(r, mul(rec->n_hidden_points, v->width[l + 1]),
                                         "hidden")))
                bad_field(r, "hidden");
        rec->hidden = v->hidden;
    }
    rec->resolution = get_count(r, "resolution");
    rec->classes_out = get_count(r, "classes_out");
    for (int i = 0; i < 4; i++)
        rec->extent[i] = get_f64(r, "extent");
    k = rec->classes_out ? rec->classes_out : 1;
    rec->boundary = get_arr(r, mul(mul(rec->resolution, rec->resolution), k), "boundary");
    if (rec->resolution && !rec->boundary)
        bad_field(r, "boundary");
    if (get_data(r, &v->data[0], "train"))
        rec->train = &v->data[0];
    if (get_data(r, &v->data[1], "test"))
        rec->test = &v->data[1];
    if (!r->bad && r->pos != r->len)
        bad_field(r, "the end of the record");
out:
    ok = !r->bad;
    if (why) {
        why->what = ok ? NULL : r->what;
        why->at = ok ? 0 : r->at;
    }
    return ok;
}
