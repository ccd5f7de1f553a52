/* error.h -- status codes and the error record every library call fills.
 * Library code never prints or exits: it returns a status and describes the
 * problem here; only cli/ turns it into a message and an exit code. */
#ifndef MLPLAB_ERROR_H
#define MLPLAB_ERROR_H

#include <stdarg.h>
#include <stddef.h>

typedef enum mlp_status {
    MLP_OK = 0,
    MLP_ERR_USAGE,       /* bad command line or spec: exit status 2 */
    MLP_ERR_SPEC,        /* spec file problem, with file:line:col: exit 2 */
    MLP_ERR_PLUGIN,      /* a plugin refused or misbehaved */
    MLP_ERR_IO,          /* file system or HDF5 failure */
    MLP_ERR_EXISTS,      /* output exists and --force was not given: exit 2 */
    MLP_ERR_NOMEM,
    MLP_ERR_INTERRUPTED, /* a signal asked us to stop: exit 130 */
    MLP_ERR_RUNTIME      /* anything else that went wrong at run time */
} mlp_status;

/* An error record.  file/line/col are set when an input file is at fault
 * (line and col 1-based, 0 when unknown). */
typedef struct mlp_error {
    mlp_status code;
    char file[512];
    int line, col;
    char msg[1536];
} mlp_error;

/* Fill err (may be NULL) and return code. */
mlp_status mlp_fail(mlp_error *err, mlp_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Same, with the place in an input file. */
mlp_status mlp_fail_at(mlp_error *err, mlp_status code, const char *file, int line, int col,
                       const char *fmt, ...) __attribute__((format(printf, 6, 7)));

mlp_status mlp_vfail_at(mlp_error *err, mlp_status code, const char *file, int line, int col,
                        const char *fmt, va_list ap);

/* "file:line:col: error: msg" (or "error: msg" without a place) into buf. */
void mlp_error_format(const mlp_error *err, char *buf, size_t len);

/* Clear an error record. */
void mlp_error_clear(mlp_error *err);

#endif
