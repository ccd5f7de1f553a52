/* error.c -- filling and formatting mlp_error records. */
#include "base/error.h"

#include <stdio.h>
#include <string.h>

mlp_status mlp_vfail_at(mlp_error *err, mlp_status code, const char *file, int line, int col,
                        const char *fmt, va_list ap)
{
    if (!err)
        return code;
    err->code = code;
    snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
    err->line = line;
    err->col = col;
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    return code;
}

mlp_status mlp_fail_at(mlp_error *err, mlp_status code, const char *file, int line, int col,
                       const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    mlp_vfail_at(err, code, file, line, col, fmt, ap);
    va_end(ap);
    return code;
}

mlp_status mlp_fail(mlp_error *err, mlp_status code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    mlp_vfail_at(err, code, NULL, 0, 0, fmt, ap);
    va_end(ap);
    return code;
}

void mlp_error_format(const mlp_error *err, char *buf, size_t len)
{
    if (err->file[0] && err->line > 0)
        snprintf(buf, len, "%s:%d:%d: error: %s", err->file, err->line, err->col, err->msg);
    else if (err->file[0])
        snprintf(buf, len, "%s: error: %s", err->file, err->msg);
    else
        snprintf(buf, len, "error: %s", err->msg);
}

void mlp_error_clear(mlp_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
}
