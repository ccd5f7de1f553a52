/* csv.c -- points read from a numeric CSV file (ABI 1.1 describe/load): one
 * column is the label, every other column an input.  header: auto (the
 * default) takes a first line for a header when none of its fields is a
 * number; a first line that mixes numbers and text (an empty or a quoted
 * cell) is an error that says so.  header: true skips the first line,
 * header: false reads it as data.  The distinct label values, sorted,
 * become classes 0 .. k-1, so 0/1, 1/2 and -1/+1 labels all work.
 *
 * Each call reads the whole file into a buffer of its own, parses it and
 * frees it: nothing is shared between calls, so any number may run at once.
 * Numbers are read with strtod, in the C locale the runner keeps.
 *
 * Only a regular file is read (a device such as /dev/zero, a pipe or a
 * folder is refused before a byte is read), and at most max_mib MiB of it
 * (default 1024): a bigger file is refused, naming the file and the cap. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mlplab/plugin.h"

enum { P_PATH, P_LABEL, P_DELIMITER, P_MAX_MIB, P_HEADER };
enum { HEADER_AUTO, HEADER_TRUE, HEADER_FALSE };
enum { DELIM_COMMA, DELIM_SEMICOLON, DELIM_TAB, DELIM_SPACE };

#define MAX_CLASSES 1000
#define MAX_FIELDS 100000
#define DEFAULT_MAX_MIB 1024 /* what a file may hold unless max_mib says more */
#define MIB ((size_t)1 << 20)

/* What one pass over the file found. */
typedef struct csv_scan {
    const char *name;       /* the file, as messages name it */
    char *why;              /* message out, why_len bytes */
    size_t why_len;
    size_t rows;            /* data rows */
    size_t fields;          /* fields per row, header included */
    size_t label;           /* label column, 0 .. fields-1 */
    size_t k;               /* distinct labels */
    double labels[MAX_CLASSES]; /* the distinct labels, ascending */
} csv_scan;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail(csv_scan *s, size_t line, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (s->why && s->why_len) {
        if (line)
            snprintf(s->why, s->why_len, "%s:%zu: %s", s->name, line, msg);
        else
            snprintf(s->why, s->why_len, "%s: %s", s->name, msg);
    }
    return -1;
}

/* The file's name in messages: the path as given, or its last component
 * when the path would crowd out the message. */
static const char *display_name(const char *path, size_t why_len)
{
    const char *slash = strrchr(path, '/');

    if (strlen(path) + 96 <= why_len || !slash)
        return path;
    return slash + 1;
}

static const char *errno_text(int e)
{
    switch (e) {
    case ENOENT: return "no such file";
    case EACCES: return "permission denied";
    case EISDIR: return "is a directory";
    case ENOMEM: return "out of memory";
    default: return "read error";
    }
}

/* The whole file into *buf (NUL-terminated, caller frees), length *len:
 * a regular file of at most max bytes. */
static int read_all(csv_scan *s, const char *path, size_t max, char **buf, size_t *len)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat sb;
    FILE *f;
    size_t cap, n = 0;
    char *b = NULL;
    int rc = -1;

    if (fd < 0)
        return fail(s, 0, "cannot open: %s", errno_text(errno));
    if (fstat(fd, &sb) != 0) {
        close(fd);
        return fail(s, 0, "cannot read: %s", errno_text(errno));
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return fail(s, 0, "not a regular file (%s): csv reads only files",
                    S_ISDIR(sb.st_mode) ? "a folder" : S_ISCHR(sb.st_mode) ? "a device"
                    : S_ISFIFO(sb.st_mode) ? "a pipe" : "a special file");
    }
    if ((uintmax_t)sb.st_size > (uintmax_t)max) {
        close(fd);
        return fail(s, 0, "%.1f MiB, more than max_mib (%zu MiB); raise max_mib to read it",
                    (double)sb.st_size / (double)MIB, max / MIB);
    }
    cap = (size_t)sb.st_size + 2 < (1 << 16) ? (1 << 16) : (size_t)sb.st_size + 2;
    if (!(f = fdopen(fd, "rb"))) {
        close(fd);
        return fail(s, 0, "cannot open: %s", errno_text(errno));
    }
    for (;;) {
        if (n + 1 >= cap || !b) {
            char *nb;
            if (b)
                cap *= 2;
            if (!(nb = realloc(b, cap))) {
                fail(s, 0, "out of memory reading the file");
                goto out;
            }
            b = nb;
        }
        size_t got = fread(b + n, 1, cap - 1 - n, f);
        n += got;
        if (n > max) { /* it grew while being read */
            fail(s, 0, "more than max_mib (%zu MiB); raise max_mib to read it", max / MIB);
            goto out;
        }
        if (got == 0) {
            if (ferror(f)) {
                fail(s, 0, "cannot read: %s", errno_text(errno));
                goto out;
            }
            break;
        }
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    b = NULL;
    rc = 0;
out:
    free(b);
    fclose(f);
    return rc;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Insert v into the ascending set s->labels unless present; -1 when the set
 * would exceed MAX_CLASSES. */
static int label_insert(csv_scan *s, double v)
{
    size_t lo = 0, hi = s->k;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->labels[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < s->k && s->labels[lo] == v)
        return 0;
    if (s->k == MAX_CLASSES)
        return -1;
    memmove(s->labels + lo + 1, s->labels + lo, (s->k - lo) * sizeof(double));
    s->labels[lo] = v;
    s->k++;
    return 0;
}

static size_t label_index(const csv_scan *s, double v)
{
    size_t lo = 0, hi = s->k;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->labels[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Split line [p, end) into fields, NUL-terminating each in place (the line
 * is not needed afterwards).  Values go to (*vals)[0..*count), grown as
 * needed; *bad is the first field that is not a finite number (0 when all
 * are), *bad_text its text, and *bad_number 1 when it is a number (inf, nan,
 * or out of range); *n_text counts the fields that are not numbers at all. */
static int split_line(csv_scan *s, size_t line, char *p, char *end, int delim, double **vals,
                      size_t *cap, size_t *count, size_t *bad, const char **bad_text,
                      int *bad_number, size_t *n_text)
{
    const char sep = delim == DELIM_COMMA ? ',' : delim == DELIM_SEMICOLON ? ';' : '\t';
    size_t c = 0;

    *bad = 0;
    *bad_text = NULL;
    *bad_number = 0;
    *n_text = 0;
    for (;;) {
        char *f, *fe, *next;

        if (delim == DELIM_SPACE) {
            while (p < end && is_blank(*p))
                p++;
            if (p == end)
                break;
            f = p;
            while (p < end && !is_blank(*p))
                p++;
            fe = p;
            next = p < end ? p + 1 : end; /* past the blank about to become NUL */
        } else {
            f = p;
            while (p < end && *p != sep)
                p++;
            fe = p;
            next = p < end ? p + 1 : NULL; /* NULL: this was the last field */
            while (f < fe && is_blank(*f))
                f++;
            while (fe > f && is_blank(fe[-1]))
                fe--;
        }
        if (c == *cap) {
            size_t nc = *cap ? 2 * *cap : 16;
            double *nv;
            if (nc > MAX_FIELDS + 1 || !(nv = realloc(*vals, nc * sizeof(double))))
                return fail(s, line, "more than %d fields", MAX_FIELDS);
            *vals = nv;
            *cap = nc;
        }
        *fe = '\0';
        char *stop;
        double v = strtod(f, &stop);
        if (stop == f || *stop != '\0')
            ++*n_text;
        if (!*bad && (stop == f || *stop != '\0' || !isfinite(v))) {
            *bad = c + 1;
            *bad_text = f;
            *bad_number = stop != f && *stop == '\0'; /* a number, not finite */
        }
        (*vals)[c++] = v;
        if (delim != DELIM_SPACE) {
            if (!next)
                break;
            p = next;
        } else {
            p = next;
        }
    }
    *count = c;
    return 0;
}

/* One pass over the file at p[P_PATH]: shape, header, label set, and when x
 * and y are given (room for max_rows rows) the points, labels mapped to
 * classes. */
static int scan(const mlp_param_value *p, csv_scan *s, double *x, double *y, size_t max_rows)
{
    const char *path = p[P_PATH].str;
    const int delim = (int)p[P_DELIMITER].num;
    const long want_label = (long)p[P_LABEL].num;
    const int header = (int)p[P_HEADER].num;
    char *buf = NULL, *q, *end;
    double *vals = NULL;
    size_t len = 0, cap = 0, line = 0, first = 1;
    int rc = -1;

    if (!path || !*path) {
        s->name = "csv";
        return fail(s, 0, "no file given (parameter 'path')");
    }
    s->name = display_name(path, s->why_len);
    s->rows = s->fields = s->label = s->k = 0;
    if (read_all(s, path, (size_t)p[P_MAX_MIB].num * MIB, &buf, &len) != 0)
        return -1;
    q = buf;
    end = buf + len;
    if (len >= 3 && !memcmp(q, "\xEF\xBB\xBF", 3)) /* a UTF-8 byte-order mark */
        q += 3;
    while (q < end) {
        char *eol = memchr(q, '\n', (size_t)(end - q)), *le = eol ? eol : end, *t;
        size_t count = 0, bad = 0, n_text = 0, is_first = first;
        const char *bad_text;
        int bad_number;

        line++;
        for (t = q; t < le && is_blank(*t); t++)
            ;
        if (t == le) { /* empty line */
            q = eol ? eol + 1 : end;
            continue;
        }
        if (memchr(q, '\0', (size_t)(le - q))) {
            fail(s, line, "a NUL byte: not a text file");
            goto out;
        }
        if (split_line(s, line, q, le, delim, &vals, &cap, &count, &bad, &bad_text,
                       &bad_number, &n_text) != 0)
            goto out;
        q = eol ? eol + 1 : end;
        if (first) {
            first = 0;
            if (count < 2) {
                fail(s, line, "found %zu field; need at least 2 (inputs and a label)",
                     count);
                goto out;
            }
            s->fields = count;
            long li = want_label < 0 ? (long)count + want_label : want_label;
            if (li < 0 || li >= (long)count) {
                fail(s, line, "label column %ld is out of range for %zu fields", want_label, count);
                goto out;
            }
            s->label = (size_t)li;
            if (header == HEADER_TRUE || (header == HEADER_AUTO && n_text == count))
                continue; /* a header */
        }
        if (count != s->fields) {
            fail(s, line, "expected %zu fields, got %zu", s->fields, count);
            goto out;
        }
        if (bad) {
            fail(s, line, "field %zu is not a %snumber: '%.40s'%s", bad,
                 bad_number ? "finite " : "", bad_text,
                 is_first && header == HEADER_AUTO && !bad_number
                     ? " (the first line mixes numbers and text, so it is not taken for a "
                       "header; give header: true if it is one)"
                     : "");
            goto out;
        }
        if (label_insert(s, vals[s->label]) != 0) {
            fail(s, line, "more than %d distinct labels in field %zu, the label column",
                 MAX_CLASSES, s->label + 1);
            goto out;
        }
        if (x) {
            if (s->rows == max_rows) {
                fail(s, line, "more rows than when the file was described (%zu)", max_rows);
                goto out;
            }
            double *row = x + s->rows * (s->fields - 1);
            for (size_t c = 0, j = 0; c < count; c++)
                if (c != s->label)
                    row[j++] = vals[c];
            y[s->rows] = vals[s->label];
        }
        s->rows++;
    }
    if (s->rows == 0) {
        fail(s, 0, "no data rows");
        goto out;
    }
    if (y) {
        for (size_t i = 0; i < s->rows; i++)
            y[i] = (double)label_index(s, y[i]);
    }
    rc = 0;
out:
    free(vals);
    free(buf);
    return rc;
}

static int csv_describe(const mlp_param_value *p, size_t *rows, uint32_t *dim, uint32_t *classes,
                        char *why, size_t why_len)
{
    csv_scan *s = malloc(sizeof(*s));
    int rc;

    if (!s) {
        if (why && why_len)
            snprintf(why, why_len, "csv: out of memory");
        return -1;
    }
    s->why = why;
    s->why_len = why_len;
    rc = scan(p, s, NULL, NULL, 0);
    if (rc == 0) {
        *rows = s->rows;
        *dim = (uint32_t)(s->fields - 1);
        *classes = (uint32_t)s->k;
    }
    free(s);
    return rc;
}

static int csv_load(const mlp_param_value *p, size_t rows, uint32_t dim, double *x, double *y,
                    char *why, size_t why_len)
{
    csv_scan *s = malloc(sizeof(*s));
    int rc;

    if (!s) {
        if (why && why_len)
            snprintf(why, why_len, "csv: out of memory");
        return -1;
    }
    s->why = why;
    s->why_len = why_len;
    rc = scan(p, s, x, y, rows);
    if (rc == 0 && (s->rows != rows || s->fields - 1 != dim))
        rc = fail(s, 0, "changed since it was described (%zu rows of %zu inputs now)",
                  s->rows, s->fields - 1);
    free(s);
    return rc;
}

static const mlp_param_decl csv_params[] = {
    [P_PATH] = {
        .name = "path",
        .type = MLP_PARAM_STRING,
        .help = "the CSV file, relative to the spec file",
        .def_str = NULL,
    },
    [P_LABEL] = {
        .name = "label",
        .type = MLP_PARAM_INT,
        .def = -1.0,
        .min = -(double)MAX_FIELDS,
        .max = (double)MAX_FIELDS - 1,
        .help = "index of the label column from 0; negative counts from the end",
    },
    [P_DELIMITER] = {
        .name = "delimiter",
        .type = MLP_PARAM_ENUM,
        .def = DELIM_COMMA,
        .help = "field separator (space: any run of blanks)",
        .choices = "comma|semicolon|tab|space",
    },
    [P_MAX_MIB] = {
        .name = "max_mib",
        .type = MLP_PARAM_INT,
        .def = DEFAULT_MAX_MIB,
        .min = 1,
        .max = 1048576,
        .help = "the largest file read, in MiB (1024: 1 GiB); a bigger one is refused",
    },
    [P_HEADER] = {
        .name = "header",
        .type = MLP_PARAM_ENUM,
        .def = HEADER_AUTO,
        .help = "first line a header: auto (when none of its fields is a number), true, false",
        .choices = "auto|true|false",
    },
};

static const mlp_dataset_desc csv_desc = {
    .h = {
        .size = sizeof(mlp_dataset_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_DATASET,
        .name = "csv",
        .version = "1.1.0",
        .help = "points from a numeric CSV file: one label column, the rest inputs",
        .n_params = sizeof(csv_params) / sizeof(csv_params[0]),
        .params = csv_params,
    },
    .dim = 0,
    .classes = 0,
    .extent = {-1.0, 1.0, -1.0, 1.0},
    .generate = NULL,
    .describe = csv_describe,
    .load = csv_load,
};

MLP_DEFINE_PLUGIN(csv_desc);
