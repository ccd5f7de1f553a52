/* lock.h -- who writes a run folder: one lock file per writer (the whole
 * sweep, or one shard of it), holding the holder's host and pid, so that a
 * second runner that would write the same runs or the same sweep file
 * refuses at once and names the holder, and --force never removes files a
 * live runner owns.  Part of the results layer: plain POSIX files, no HDF5.
 *
 * A lock is <runs_dir>/<name>.lock, created by link(2) from a file of the
 * holder's own (atomic on local and NFS file systems).  While held, a thread
 * touches it every MLP_LOCK_REFRESH_SECONDS.  It is stale, and taken over
 * with a note, when its holder is a process of this host that no longer
 * exists, or when it has not been touched for MLP_LOCK_LEASE_SECONDS (a
 * holder on another host that died without releasing it). */
#ifndef MLPLAB_RESULTS_LOCK_H
#define MLPLAB_RESULTS_LOCK_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

#define MLP_LOCK_LEASE_SECONDS 120
#define MLP_LOCK_REFRESH_SECONDS 10

typedef struct mlp_lock mlp_lock;

/* Who holds a lock, as read from its file. */
typedef struct mlp_lock_holder {
    char host[256];
    long pid;
    char what[128];          /* e.g. "sweep" or "shard 2/4" */
    double age;              /* seconds since it was last touched */
    bool live;               /* not stale (see above) */
} mlp_lock_holder;

/* Take <runs_dir>/<name>.lock for `what` (a few words for the messages).
 * Held by someone live: MLP_ERR_EXISTS, the message naming the holder.  A
 * stale lock is taken over; *note (may be NULL; size note_len) then says
 * whose it was, else is set to "". */
mlp_status mlp_lock_take(const char *runs_dir, const char *name, const char *what,
                         mlp_lock **out, char *note, size_t note_len, mlp_error *err);

/* Release (the file is removed only while it is still this holder's) and
 * free.  Accepts NULL. */
void mlp_lock_release(mlp_lock *l);

/* The holder of <runs_dir>/<name>.lock: false when there is no such lock
 * (or it cannot be read). */
bool mlp_lock_read(const char *runs_dir, const char *name, mlp_lock_holder *h);

/* Is any lock whose name starts with prefix (e.g. "shard-") held by a live
 * holder other than `self` (may be NULL)?  The first such holder in *h. */
bool mlp_lock_any_live(const char *runs_dir, const char *prefix, const mlp_lock *self,
                       mlp_lock_holder *h);

/* "host h, pid p, for 12 s" style text of a holder, for messages. */
void mlp_lock_describe(const mlp_lock_holder *h, char *buf, size_t len);

#endif
