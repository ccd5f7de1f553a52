/* exe.h -- paths relative to the running executable: what lets an installed
 * runner find the files installed with it (plugins, the MPI module) under
 * whatever prefix it was installed to, or after the tree was moved.
 * May use: nothing. */
#ifndef MLPLAB_EXE_H
#define MLPLAB_EXE_H

/* <folder of /proc/self/exe>/rel, with rel's leading "../" resolved by
 * dropping components (the kernel gives the executable's path without
 * symbolic links, so the result is a plain path: the same string as the
 * compiled-in install path when the prefix is the configured one).  NULL
 * when it cannot be worked out or memory ran out; whether the path exists
 * is the caller's to check.  Returns a malloc'd string. */
char *mlp_exe_relative(const char *rel);

#endif
