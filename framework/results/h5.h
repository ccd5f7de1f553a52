/* results/h5.h -- the HDF5 helpers every format writer uses: one file
 * operation's state (mlp_h5w), errors, netCDF names, attributes, variables,
 * dimension scales and coordinates.  Private to framework/results/ (the only
 * place that includes hdf5.h).  Call them with the module lock held. */
#ifndef MLPLAB_RESULTS_H5_H
#define MLPLAB_RESULTS_H5_H

#include <stdint.h>

#include <hdf5.h>

#include "base/error.h"

#define NAME_MAX_LEN 256

/* One entry of a dimension scale's REFERENCE_LIST, laid out as the HDF5
 * high-level library lays it out (ds_list_t in H5DSprivate.h). */
typedef struct scale_use {
    hobj_ref_t dataset;
    int dim;
} scale_use;

/* A dimension scale being written: its reference, and the datasets attached
 * to it so far (written as its REFERENCE_LIST when it is closed). */
typedef struct open_scale {
    hid_t id;
    hobj_ref_t ref;
    scale_use *use;
    size_t n, cap;
} open_scale;

#define MAX_OPEN_SCALES 96

/* What one file operation needs: the file's name for messages, the error
 * record, and the property lists, types and dataspace used throughout. */
typedef struct mlp_h5w {
    const char *file;
    mlp_error *err;
    hid_t dcpl;  /* datasets: no timestamps, so equal content gives equal bytes */
    hid_t compact;    /* likewise, compact layout (the data in the object header) */
    hid_t gcpl;  /* groups: likewise */
    hid_t dxpl;  /* writes: the conversion buffer sized to the data (set per write) */
    hid_t str;   /* variable-length UTF-8 string */
    hid_t scalar;     /* a scalar dataspace */
    hid_t dim_list;   /* DIMENSION_LIST: variable-length object references */
    hid_t ref_list;   /* REFERENCE_LIST: {dataset reference, dimension} */
    open_scale scale[MAX_OPEN_SCALES];
    size_t n_scales;
} mlp_h5w;

/* Fail with "FILE: HDF5 could not WHAT (innermost HDF5 message)". */
mlp_status mlp_h5_fail(mlp_h5w *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Status of a failed group/dimension helper: they fill err themselves. */
mlp_status mlp_h5_failed(mlp_h5w *w);
mlp_status mlp_h5w_open(mlp_h5w *w, const char *file, mlp_error *err);
void mlp_h5w_close(mlp_h5w *w);

/* A netCDF-legal name for a dotted path; reserved names get "param_". */
void mlp_h5_nc_name(const char *path, char *buf, size_t len);

/* Attribute `name` on obj: n values (n == 0: a scalar). */
mlp_status mlp_h5_attr_put(mlp_h5w *w, hid_t obj, const char *name, hid_t ftype, hid_t mtype,
                           const void *val, size_t n);
mlp_status mlp_h5_attr_str(mlp_h5w *w, hid_t obj, const char *name, const char *s);
mlp_status mlp_h5_attr_f64(mlp_h5w *w, hid_t obj, const char *name, double v);
mlp_status mlp_h5_attr_i64(mlp_h5w *w, hid_t obj, const char *name, int64_t v);
mlp_status mlp_h5_attr_u64(mlp_h5w *w, hid_t obj, const char *name, uint64_t v);
mlp_status mlp_h5_attr_i8(mlp_h5w *w, hid_t obj, const char *name, int8_t v);
/* A group, or < 0 with the error filled in. */
hid_t mlp_h5_group_create(mlp_h5w *w, hid_t parent, const char *name);

/* Close a scale, writing its REFERENCE_LIST first (unless *st already
 * holds an error; a new error goes to *st). */
void mlp_h5_scale_close(mlp_h5w *w, hid_t id, mlp_status *st);
/* Attach axis i of dataset d (named name, for messages) to the open scale
 * scales[i], for every axis: its DIMENSION_LIST now, the scales'
 * REFERENCE_LIST when they are closed. */
mlp_status mlp_h5_scale_attach(mlp_h5w *w, hid_t d, const char *name, int rank,
                               const hid_t *scales);
/* A netCDF dimension without a coordinate variable (an open scale), or < 0. */
hid_t mlp_h5_dim_only(mlp_h5w *w, hid_t g, const char *name, hsize_t len);
/* Dataset `name` in g, shape dims[rank], one scale per axis (scales == NULL:
 * a coordinate, its own scale, left open in *out); see h5.c. */
mlp_status mlp_h5_var_write(mlp_h5w *w, hid_t g, const char *name, hid_t ftype, hid_t mtype,
                            int rank, const hsize_t *dims, const void *data, const hid_t *scales,
                            const char *long_name, const char *units, hid_t *out);
mlp_status mlp_h5_f64_var(mlp_h5w *w, hid_t g, const char *name, int rank, const hsize_t *dims,
                          const double *data, const hid_t *scales, const char *long_name,
                          const char *units);
/* Coordinates 0, step, 2*step, ... and n points from lo to hi; open scale in *out. */
mlp_status mlp_h5_i64_coord(mlp_h5w *w, hid_t g, const char *name, size_t n, int64_t step,
                            const char *long_name, hid_t *out);
mlp_status mlp_h5_linspace_coord(mlp_h5w *w, hid_t g, const char *name, size_t n, double lo,
                                 double hi, const char *long_name, hid_t *out);

/* "1.10.8" */
void mlp_h5_version_number(char *buf, size_t len);

#endif
