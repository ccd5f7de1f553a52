/* mpi_transfer.c -- which way should the finished runs of an MPI sweep
 * travel?  Measures the two designs of issue 12 on real bytes: the part
 * files of a finished run folder (part_*.bin), dealt round-robin to the
 * ranks as if each rank had computed them.
 *
 *   files: every rank writes its parts into the shared folder itself, the
 *          way the runner does (temporary name, write, fsync, rename);
 *   send:  ranks > 0 send their parts to rank 0 (MPI_Send of the bytes),
 *          and rank 0 writes everything (the same write, fsync, rename).
 *
 *   mpicc -O2 -o mpi_transfer bench/mpi_transfer.c
 *   mpirun -np P mpi_transfer RUN_FOLDER OUT_FOLDER files|send [REPS]
 *
 * Prints one line: the mode, ranks, parts, MB, the median wall seconds over
 * REPS (default 5) and MB/s.  bench/cluster runs it; see bench/README.md
 * ("Cluster"). */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <fcntl.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct part {
    char *name;
    unsigned char *bytes;
    long len;
} part;

static int by_name(const void *a, const void *b)
{
    return strcmp(((const part *)a)->name, ((const part *)b)->name);
}

/* Every part_*.bin of dir, read into memory, in name order. */
static part *read_parts(const char *dir, int *n)
{
    DIR *d = opendir(dir);
    part *p = NULL;
    int cap = 0;
    struct dirent *e;

    *n = 0;
    if (!d)
        return NULL;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (strncmp(e->d_name, "part_", 5) != 0 || l < 4 || strcmp(e->d_name + l - 4, ".bin"))
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            p = realloc(p, (size_t)cap * sizeof(*p));
        }
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        struct stat st;
        if (!f || fstat(fileno(f), &st) != 0) {
            perror(path);
            exit(2);
        }
        p[*n].name = strdup(e->d_name);
        p[*n].len = (long)st.st_size;
        p[*n].bytes = malloc((size_t)st.st_size + 1);
        if (fread(p[*n].bytes, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
            perror(path);
            exit(2);
        }
        fclose(f);
        (*n)++;
    }
    closedir(d);
    qsort(p, (size_t)*n, sizeof(*p), by_name);
    return p;
}

/* The runner's way to put a part in place: a temporary, fsync, rename. */
static void put(const char *dir, const char *name, const unsigned char *b, long len)
{
    char tmp[4096], path[4096];
    snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, b, (size_t)len) != (ssize_t)len || fsync(fd) != 0 || close(fd) != 0 ||
        rename(tmp, path) != 0) {
        perror(path);
        exit(2);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int rank, size, n;

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (argc < 4) {
        if (rank == 0)
            fprintf(stderr, "usage: mpi_transfer RUN_FOLDER OUT_FOLDER files|send [REPS]\n");
        MPI_Finalize();
        return 2;
    }
    int send = strcmp(argv[3], "send") == 0, reps = argc > 4 ? atoi(argv[4]) : 5;
    part *p = read_parts(argv[1], &n);
    double mb = 0, *wall = calloc((size_t)reps, sizeof(double));
    for (int i = 0; i < n; i++)
        mb += (double)p[i].len / 1e6;

    for (int r = 0; r < reps; r++) {
        MPI_Barrier(MPI_COMM_WORLD);
        double t0 = MPI_Wtime();
        for (int i = 0; i < n; i++) {
            int owner = i % size;
            if (!send || owner == 0) {
                if (owner == rank)
                    put(argv[2], p[i].name, p[i].bytes, p[i].len);
            } else if (rank == owner) {
                MPI_Send(p[i].bytes, (int)p[i].len, MPI_BYTE, 0, i, MPI_COMM_WORLD);
            } else if (rank == 0) {
                /* rank 0 takes the parts in arrival order, as a server would */
                MPI_Status s;
                int len;
                MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &s);
                MPI_Get_count(&s, MPI_BYTE, &len);
                unsigned char *b = malloc((size_t)len + 1);
                MPI_Recv(b, len, MPI_BYTE, s.MPI_SOURCE, s.MPI_TAG, MPI_COMM_WORLD,
                         MPI_STATUS_IGNORE);
                put(argv[2], p[s.MPI_TAG].name, b, len);
                free(b);
            }
        }
        MPI_Barrier(MPI_COMM_WORLD);
        wall[r] = MPI_Wtime() - t0;
    }
    if (rank == 0) {
        qsort(wall, (size_t)reps, sizeof(double), cmp_double);
        double med = wall[reps / 2];
        printf("%s ranks=%d parts=%d MB=%.2f median_s=%.4f MB_per_s=%.1f\n", argv[3], size, n, mb,
               med, mb / med);
    }
    for (int i = 0; i < n; i++) {
        free(p[i].name);
        free(p[i].bytes);
    }
    free(p);
    free(wall);
    MPI_Finalize();
    return 0;
}
