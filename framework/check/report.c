/* report.c -- how the self-test reports: the message being built and the
 * structured line each check ends in, counted into the summary. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check/internal.h"

void mlp_check_say(checker *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
    va_end(ap);
}

void mlp_check_add(checker *c, const char *fmt, ...)
{
    size_t used = strlen(c->msg);
    va_list ap;

    if (used + 1 >= sizeof(c->msg))
        return;
    va_start(ap, fmt);
    vsnprintf(c->msg + used, sizeof(c->msg) - used, fmt, ap);
    va_end(ap);
}

/* Report the line whose message is in c->msg. */
void mlp_check_emit(checker *c, const char *check, mlp_check_verdict v, const char *setting,
                    size_t points, double max_abs, double max_rel, double at)
{
    mlp_check_line l = {
        .check = check,
        .verdict = v,
        .setting = setting ? setting : "",
        .points = points,
        .max_abs = max_abs,
        .max_rel = max_rel,
        .at = at,
        .msg = c->msg,
    };

    if (v == MLP_CHECK_PASS)
        c->sum.passed++;
    else if (v == MLP_CHECK_FAIL)
        c->sum.failed++;
    else
        c->sum.notes++;
    if (c->line)
        c->line(c->ctx, &l);
}

void mlp_check_emit_plain(checker *c, const char *check, mlp_check_verdict v,
                          const char *setting)
{
    mlp_check_emit(c, check, v, setting, 0, NAN, NAN, NAN);
}

/* " (slope=0.01)", or "" for a plugin without parameters. */
const char *mlp_check_in_setting(const setting *s, char *buf, size_t len)
{
    if (!s->text[0])
        return "";
    snprintf(buf, len, " (%s)", s->text);
    return buf;
}
