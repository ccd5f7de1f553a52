/* suggest.c -- did you mean: the nearest known word to a mistyped one (edit
 * distance, and the names other tools use for a key). */
#include "spec/internal.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Levenshtein distance; long words count as far apart. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[65];

    if (la > 64 || lb > 64)
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

void mlp_suggest_init(mlp_suggester *s, const char *word)
{
    s->word = word;
    s->best[0] = '\0';
    s->dist = SIZE_MAX;
}

/* Names other tools use for a key: a typed `lr` should suggest
 * learning_rate, not the nearer-by-letters l2. */
static const char *const key_aliases[][2] = {
    {"lr", "learning_rate"},        {"learning_rate_init", "learning_rate"},
    {"epochs", "iterations"},       {"max_iter", "iterations"},
    {"steps", "iterations"},        {"weight_decay", "l2"},
    {"batch", "batch_size"},        {"hidden_layer_sizes", "hidden"},
    {"solver", "optimizer"},        {"betas", "beta1"},
};

void mlp_suggest_try(mlp_suggester *s, const char *cand)
{
    for (size_t i = 0; i < sizeof(key_aliases) / sizeof(key_aliases[0]); i++)
        if (!strcmp(s->word, key_aliases[i][0]) && !strcmp(cand, key_aliases[i][1])) {
            s->dist = 0;  /* an alias beats any spelling */
            snprintf(s->best, sizeof(s->best), "%s", cand);
            return;
        }
    if (s->dist == 0)
        return;
    size_t lw = strlen(s->word), lc = strlen(cand);
    size_t d = edit_distance(s->word, cand);
    size_t limit = lw / 3 > 2 ? lw / 3 : 2;

    if (d == 0 || d > limit || d >= (lw > lc ? lw : lc) || d >= s->dist)
        return;
    s->dist = d;
    snprintf(s->best, sizeof(s->best), "%s", cand);
}

/* " (did you mean 'x'?)" or "" into buf. */
const char *mlp_suggest_text(const mlp_suggester *s, char *buf, size_t len)
{
    if (!s->best[0])
        return "";
    snprintf(buf, len, " (did you mean '%s'?)", s->best);
    return buf;
}
