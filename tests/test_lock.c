/* test_lock.c -- run-folder locks: one holder at a time, the holder named in
 * the refusal, stale locks (dead process here, untouched lease elsewhere)
 * taken over with a note, release, and the search for live shard locks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "results/lock.h"

/* a fresh folder for each test (mkdtemp), so no test sees another's files */
static char DIR_[512];

static void write_lock(const char *name, const char *host, long pid, double age)
{
    char path[700];
    snprintf(path, sizeof(path), "%s/%s.lock", DIR_, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "mlplab lock\nhost=%s\npid=%ld\nwhat=shard 1/3\ntoken=feedfacefeedface\n", host,
            pid);
    fclose(f);
    struct timespec t[2];
    clock_gettime(CLOCK_REALTIME, &t[0]);
    t[0].tv_sec -= (time_t)age;
    t[1] = t[0];
    assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(DIR_, sizeof(DIR_), "%s/lock_test.XXXXXX", MLPLAB_TEST_BINARY_DIR);
    assert_non_null(mkdtemp(DIR_));
    return 0;
}

static void test_lock_one_holder_named(void **state)
{
    mlp_lock *a = NULL, *b = NULL;
    mlp_error err;
    char note[512], host[256], want[300];

    (void)state;
    setup(NULL);
    assert_int_equal(mlp_lock_take(DIR_, "sweep", "sweep", &a, note, sizeof(note), &err), MLP_OK);
    assert_string_equal(note, "");
    assert_int_equal(mlp_lock_take(DIR_, "sweep", "sweep", &b, note, sizeof(note), &err),
                     MLP_ERR_EXISTS);
    gethostname(host, sizeof(host));
    snprintf(want, sizeof(want), "sweep (host %s, pid %ld,", host, (long)getpid());
    assert_non_null(strstr(err.msg, want));
    assert_non_null(strstr(err.msg, "is writing these runs"));
    /* another name is another writer */
    assert_int_equal(mlp_lock_take(DIR_, "shard-0-of-2", "shard 0/2", &b, NULL, 0, &err), MLP_OK);
    mlp_lock_holder h;
    assert_true(mlp_lock_any_live(DIR_, "shard-", NULL, &h));
    assert_string_equal(h.what, "shard 0/2");
    assert_false(mlp_lock_any_live(DIR_, "shard-", b, &h)); /* itself does not count */
    mlp_lock_release(b);
    assert_false(mlp_lock_any_live(DIR_, "shard-", NULL, &h));
    mlp_lock_release(a);
    assert_false(mlp_lock_read(DIR_, "sweep", &h));
    /* free again */
    assert_int_equal(mlp_lock_take(DIR_, "sweep", "sweep", &a, NULL, 0, &err), MLP_OK);
    mlp_lock_release(a);
}

static void test_lock_dead_process_here_is_stale(void **state)
{
    mlp_lock *a = NULL;
    mlp_error err;
    char note[512], host[256];
    pid_t child = fork();

    (void)state;
    setup(NULL);
    if (child == 0)
        _exit(0);
    waitpid(child, NULL, 0);  /* a pid of this host that no longer runs */
    gethostname(host, sizeof(host));
    write_lock("sweep", host, (long)child, 0);
    mlp_lock_holder h;
    assert_true(mlp_lock_read(DIR_, "sweep", &h));
    assert_false(h.live);
    assert_int_equal(mlp_lock_take(DIR_, "sweep", "sweep", &a, note, sizeof(note), &err), MLP_OK);
    assert_non_null(strstr(note, "took over the stale lock"));
    assert_non_null(strstr(note, "shard 1/3"));
    mlp_lock_release(a);
}

static void test_lock_other_host_lease(void **state)
{
    mlp_lock *a = NULL;
    mlp_error err;
    char note[512];

    (void)state;
    setup(NULL);
    /* another host, touched a second ago: live, whatever its pid */
    write_lock("sweep", "elsewhere.example", 1, 1);
    assert_int_equal(mlp_lock_take(DIR_, "sweep", "sweep", &a, note, sizeof(note), &err),
                     MLP_ERR_EXISTS);
    assert_non_null(strstr(err.msg, "host elsewhere.example, pid 1"));
    /* untouched for longer than the lease: stale */
    write_lock("sweep", "elsewhere.example", 1, MLP_LOCK_LEASE_SECONDS + 5);
    assert_int_equal(mlp_lock_take(DIR_, "sweep", "sweep", &a, note, sizeof(note), &err), MLP_OK);
    assert_non_null(strstr(note, "elsewhere.example"));
    mlp_lock_release(a);
}

/* A file that is not a lock of ours is never taken over. */
static void test_lock_foreign_file_refused(void **state)
{
    mlp_lock *a = NULL;
    mlp_error err;

    (void)state;
    setup(NULL);
    char path[600];
    snprintf(path, sizeof(path), "%s/sweep.lock", DIR_);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("something else\n", f);
    fclose(f);
    assert_int_equal(mlp_lock_take(DIR_, "sweep", "sweep", &a, NULL, 0, &err), MLP_ERR_EXISTS);
    assert_non_null(strstr(err.msg, "not an mlplab lock"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lock_one_holder_named),
        cmocka_unit_test(test_lock_dead_process_here_is_stale),
        cmocka_unit_test(test_lock_other_host_lease),
        cmocka_unit_test(test_lock_foreign_file_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
