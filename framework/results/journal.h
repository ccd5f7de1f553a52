/* results/journal.h -- the run journal's formats: a run record serialized
 * (journal.c) and the part file that holds records (part_write.c writes it,
 * part_read.c reads it).  Private to framework/results/; no HDF5. */
#ifndef MLPLAB_RESULTS_JOURNAL_H
#define MLPLAB_RESULTS_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "results/internal.h"

/* A part file holds the finished runs one worker wrote out at once, in the
 * order they finished.  It is private to mlplab (only the sweep file is
 * a results format), so it stores the record as the machine holds it:
 *
 *   header   "MLPRUNS1", u64 0x0102030405060708 (byte order), u64 size of
 *            size_t and double (8, 8 as two u32), hash[64] (hex), u64 n_records
 *   records  each: u64 size (bytes, this word included), u64 checksum of the
 *            payload, payload (8-byte words, see mlp_record_put)
 *   index    n_records x (u64 run, u64 offset, u64 size)
 *   trailer  u64 offset of the index, u64 checksum of the header and the
 *            index (mlp_part_sum), "MLPRUNS1"
 *
 * The file is written whole under a temporary name (records as they come,
 * the header last), then renamed into place, so under its final name it is
 * complete; it is fsynced before the rename, or after it by a syncer (see
 * results.h).  The checksums catch what a power loss or a bad disk might
 * still leave. */

#define PART_MAGIC "MLPRUNS1"
#define PART_ORDER UINT64_C(0x0102030405060708)
#define PART_HEADER (8 + 8 + 8 + 64 + 8)
#define PART_TRAILER (8 + 8 + 8)
#define PART_ABSENT UINT64_MAX  /* an array or string that is not there */

/* A growable byte buffer whose length stays a multiple of 8. */
typedef struct mlp_bytes {
    unsigned char *p;
    size_t len, cap;
    bool nomem;
} mlp_bytes;

/* A run read back from a part file: the record points into the bytes. */
typedef struct mlp_run_view {
    mlp_run_record rec;
    size_t width[MLP_RESULTS_MAX_LAYERS + 1];
    mlp_param_cell *params;    /* (n_params) */
    size_t cap_params;
    const double *hidden[MLP_RESULTS_MAX_LAYERS];
    mlp_data data[2];
} mlp_run_view;

/* A 64-bit checksum of n bytes (n a multiple of 8); the checksum of a part
 * file's header and index. */
uint64_t mlp_part_checksum(const unsigned char *p, size_t n);
uint64_t mlp_part_sum(const unsigned char *header, const unsigned char *index, size_t len);

/* Room for more bytes (false, and b->nomem set, when memory ran out); n
 * bytes then zeros to the next multiple of 8 (pad_nul: at least one); a u64. */
bool mlp_bytes_grow(mlp_bytes *b, size_t more);
void mlp_bytes_put(mlp_bytes *b, const void *v, size_t n, bool pad_nul);
void mlp_bytes_put_u64(mlp_bytes *b, uint64_t v);

/* A run's payload, appended to b (b->nomem on a failed allocation). */
void mlp_record_put(mlp_bytes *b, const mlp_run_record *r);
/* Where a payload failed to parse: the field, and its byte offset. */
typedef struct mlp_record_why {
    const char *what;        /* static text, or NULL */
    size_t at;
} mlp_record_why;

/* Parse a payload into v (pointers into p).  False: the bytes are not a
 * record (*why, when given, says where), or memory ran out for the
 * parameter cells (*nomem).  No size limit beyond the bytes themselves:
 * each array is checked against what is left of the record. */
bool mlp_record_get(const unsigned char *p, size_t len, mlp_run_view *v, bool *nomem,
                    mlp_record_why *why);

/* Where each run of the sweep lies in the part files. */
typedef struct mlp_run_loc {
    uint32_t file;           /* index + 1 into parts.path; 0: not found */
    uint64_t at, size;
} mlp_run_loc;

/* Bytes of a part file read ahead for its small records. */
typedef struct mlp_part_window {
    unsigned char *p;        /* NULL until a small record is read */
    uint64_t at;             /* file offset of p[0] */
    size_t len;
} mlp_part_window;

typedef struct mlp_parts {
    const char *hash;
    size_t n_runs;
    mlp_run_loc *loc;        /* (n_runs) */
    char **path;             /* part files holding runs of this sweep */
    int *fd;                 /* their descriptors, -1 when closed */
    unsigned char *live;     /* still being written (under a temporary name that
                                changes): kept open, as the name may not */
    mlp_part_window *win;    /* their read-ahead, freed when closed */
    size_t n, cap, n_open, other;
    size_t max_run;          /* 1 + the largest run index in the files added, any n_runs */
} mlp_parts;

/* The part files of a run folder (part_read.c).  scan adds those that hold
 * runs of ps->hash (the others count in ps->other); add adds one (fd open,
 * or -1) and its n (run, offset, size) triples, a run found elsewhere
 * keeping its place; read puts run k's record into *buf (grown as needed),
 * checked. */
mlp_status mlp_parts_scan(mlp_parts *ps, const char *runs_dir, mlp_error *err);
mlp_status mlp_parts_add(mlp_parts *ps, const char *path, int fd, const uint64_t *ix, size_t n,
                         mlp_error *err);
/* More runs of part file i (0-based, as added), and a new name for it. */
void mlp_parts_add_runs(mlp_parts *ps, size_t i, const uint64_t *ix, size_t n);
mlp_status mlp_parts_rename(mlp_parts *ps, size_t i, const char *path, mlp_error *err);
mlp_status mlp_parts_read(mlp_parts *ps, size_t k, unsigned char **buf, size_t *cap,
                          mlp_error *err);
void mlp_parts_free(mlp_parts *ps);
/* Remove part files, run files, temporaries and the sweep's identity note,
 * then the folder if that left it empty. */
void mlp_runs_dir_remove(const char *runs_dir);

/* A journal wrote runs ix[0..n) ((run, offset, size) triples) to the part
 * file it is writing under the temporary name tmp (builder.c): the builder
 * may copy them at once, reading the file through a descriptor of its own
 * (the name changes when the file is published).  *slot is the builder's
 * number for the file: -1 for a file not yet fed, set by the first call.
 * renamed() tells the file's final name once it is published. */
/* With bytes (the journal's buffer just written at file offset at), the
 * builder may also take the buffer itself and copy the records from memory:
 * then bytes holds a spare buffer of the builder's, or nothing (len 0). */
mlp_status mlp_results_builder_feed(mlp_results_builder *b, const char *tmp, long *slot,
                                    const uint64_t *ix, size_t n, mlp_bytes *bytes, uint64_t at,
                                    mlp_error *err);
mlp_status mlp_results_builder_renamed(mlp_results_builder *b, long slot, const char *path,
                                       mlp_error *err);

#endif
