/* params.c -- the parameter settings a plugin is checked at: --set values
 * applied to the defaults, then each free parameter moved over its range; and
 * how a value prints. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/internal.h"

static size_t choice_count(const char *choices)
{
    size_t n = 1;

    if (!choices || !*choices)
        return 0;
    for (const char *p = choices; *p; p++)
        n += *p == '|';
    return n;
}

/* The idx-th choice of "a|b|c" into buf. */
static const char *choice_name(const char *choices, size_t idx, char *buf, size_t len)
{
    const char *p = choices ? choices : "";

    for (size_t i = 0; i < idx && p; i++) {
        p = strchr(p, '|');
        if (p)
            p++;
    }
    if (!p)
        p = "";
    snprintf(buf, len, "%.*s", (int)strcspn(p, "|"), p);
    return buf;
}

void mlp_check_value_text(const mlp_param_decl *d, const mlp_param_value *v, char *buf,
                          size_t len)
{
    switch (d->type) {
    case MLP_PARAM_BOOL:
        snprintf(buf, len, "%s", v->num != 0.0 ? "true" : "false");
        break;
    case MLP_PARAM_ENUM:
        choice_name(d->choices, (size_t)v->num, buf, len);
        break;
    case MLP_PARAM_STRING:
        snprintf(buf, len, "%s", v->str ? v->str : "(unset)");
        break;
    default:
        snprintf(buf, len, "%g", v->num);
    }
}

static void setting_text(const mlp_plugin *pl, const mlp_param_value *v, char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (uint32_t i = 0; i < pl->h->n_params && used + 1 < len; i++) {
        char val[128];
        int w;

        mlp_check_value_text(&pl->h->params[i], &v[i], val, sizeof(val));
        w = snprintf(buf + used, len - used, "%s%s=%s", i ? ", " : "", pl->h->params[i].name,
                     val);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* Apply "key=value" settings to base; fixed[i] marks the parameters set. */
mlp_status mlp_check_apply_sets(const mlp_plugin *pl, const mlp_check_opts *o,
                                mlp_param_value *base, bool *fixed, mlp_error *err)
{
    for (size_t s = 0; o && s < o->n_sets; s++) {
        const char *kv = o->sets[s], *eq = strchr(kv, '=');
        const char *val;
        char key[128], names[512] = "", buf[128];
        const mlp_param_decl *d;
        int idx;

        if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof(key))
            return mlp_fail(err, MLP_ERR_USAGE, "check-plugin: --set '%s': expected KEY=VALUE",
                            kv);
        memcpy(key, kv, (size_t)(eq - kv));
        key[eq - kv] = '\0';
        val = eq + 1;
        idx = mlp_plugin_param_index(pl, key);
        if (idx < 0) {
            for (uint32_t i = 0; i < pl->h->n_params; i++) {
                size_t used = strlen(names);
                snprintf(names + used, sizeof(names) - used, "%s%s", i ? ", " : "",
                         pl->h->params[i].name);
            }
            return mlp_fail(err, MLP_ERR_USAGE,
                            "check-plugin: --set '%s': %s '%s' has no parameter '%s' (%s%s)", kv,
                            mlp_kind_name(pl->kind), pl->name, key,
                            names[0] ? "it declares: " : "it declares none", names);
        }
        d = &pl->h->params[idx];
        switch (d->type) {
        case MLP_PARAM_REAL:
        case MLP_PARAM_INT: {
            char *end;
            double x = strtod(val, &end);
            if (end == val || *end || !isfinite(x))
                return mlp_fail(err, MLP_ERR_USAGE, "check-plugin: --set '%s': '%s' is not a "
                    "number",
                                kv, val);
            if (x < d->min || x > d->max)
                return mlp_fail(err, MLP_ERR_USAGE,
                                "check-plugin: --set '%s': %g is outside [%g, %g]", kv, x, d->min,
                                d->max);
            if (d->type == MLP_PARAM_INT && x != floor(x))
                return mlp_fail(err, MLP_ERR_USAGE,
                                "check-plugin: --set '%s': %s is an int parameter", kv, key);
            base[idx].num = x;
            break;
        }
        case MLP_PARAM_BOOL:
            if (!strcmp(val, "true") || !strcmp(val, "yes") || !strcmp(val, "1"))
                base[idx].num = 1.0;
            else if (!strcmp(val, "false") || !strcmp(val, "no") || !strcmp(val, "0"))
                base[idx].num = 0.0;
            else
                return mlp_fail(err, MLP_ERR_USAGE,
                                "check-plugin: --set '%s': expected true or false", kv);
            break;
        case MLP_PARAM_ENUM: {
            size_t n = choice_count(d->choices), i;
            for (i = 0; i < n; i++)
                if (!strcmp(choice_name(d->choices, i, buf, sizeof(buf)), val))
                    break;
            if (i == n)
                return mlp_fail(err, MLP_ERR_USAGE,
                                "check-plugin: --set '%s': expected one of %s", kv, d->choices);
            base[idx].num = (double)i;
            break;
        }
        case MLP_PARAM_STRING:
            base[idx].str = val;
            break;
        }
        fixed[idx] = true;
    }
    return MLP_OK;
}

/* Values a numeric parameter is checked at besides the base: min, max and a
 * midpoint (geometric when the range spans decades), every enum choice, both
 * booleans.  Returns how many went into out (at most 3 or the choices). */
static size_t candidates(const mlp_param_decl *d, double *out, size_t cap)
{
    size_t n = 0;

    switch (d->type) {
    case MLP_PARAM_REAL:
    case MLP_PARAM_INT: {
        double mid = d->min > 0.0 && d->max >= 1e3 * d->min ? sqrt(d->min * d->max)
                                                             : 0.5 * (d->min + d->max);
        if (d->type == MLP_PARAM_INT)
            mid = floor(mid);
        out[n++] = d->min;
        out[n++] = mid;
        out[n++] = d->max;
        break;
    }
    case MLP_PARAM_BOOL:
        out[n++] = 0.0;
        out[n++] = 1.0;
        break;
    case MLP_PARAM_ENUM:
        for (size_t i = 0; i < choice_count(d->choices) && n < cap; i++)
            out[n++] = (double)i;
        break;
    case MLP_PARAM_STRING:
        break;
    }
    return n;
}

/* The base setting, then (when vary) each parameter not fixed moved alone
 * over its candidates. */
mlp_status mlp_check_make_settings(checker *c, const mlp_param_value *base,
                                   const bool *fixed, bool vary, mlp_error *err)
{
    const mlp_plugin_header *h = c->pl->h;
    size_t cap = 1;

    for (uint32_t i = 0; vary && i < c->np; i++) {
        size_t k = choice_count(h->params[i].choices);
        cap += k > 3 ? k : 3;
    }
    c->set = calloc(cap, sizeof(*c->set));
    c->values = calloc(cap * (c->np ? c->np : 1), sizeof(*c->values));
    if (!c->set || !c->values)
        return mlp_fail(err, MLP_ERR_NOMEM, "check-plugin: out of memory");
    c->n_set = 0;
    for (uint32_t i = 0; i == 0 || (vary && i < c->np); i++) {
        double cand[MLP_MAX_PARAMS + 3];
        size_t nc = 0;

        if (c->n_set == 0) { /* the base, once */
            setting *s = &c->set[c->n_set];
            s->v = c->values;
            memcpy(s->v, base, c->np * sizeof(*base));
            setting_text(c->pl, s->v, s->text, sizeof(s->text));
            c->n_set++;
        }
        if (!vary || i >= c->np || fixed[i])
            continue;
        nc = candidates(&h->params[i], cand, sizeof(cand) / sizeof(cand[0]));
        for (size_t k = 0; k < nc; k++) {
            bool seen = cand[k] == base[i].num;
            for (size_t j = 0; j < k && !seen; j++)
                seen = cand[j] == cand[k];
            if (seen || c->n_set == cap)
                continue;
            setting *s = &c->set[c->n_set];
            s->v = c->values + c->n_set * c->np;
            memcpy(s->v, base, c->np * sizeof(*base));
            s->v[i].num = cand[k];
            setting_text(c->pl, s->v, s->text, sizeof(s->text));
            c->n_set++;
        }
    }
    return MLP_OK;
}
