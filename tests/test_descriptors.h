/* test_descriptors.h -- small static activation descriptors (sigmoid, tanh)
 * and the mean binary cross-entropy on logits, for the tests of the model and
 * the training loop (test_model, test_train), so they need no plugin files.
 * Include once per test; ACT builds a descriptor for a test's own pair of
 * kernels. */
#ifndef MLPLAB_TESTS_TEST_DESCRIPTORS_H
#define MLPLAB_TESTS_TEST_DESCRIPTORS_H

#include <math.h>
#include <stddef.h>

#include "mlplab/plugin.h"

/* a = sigmoid(z), dz = da a (1 - a); z, a, da, dz: (n). */
static void sig_fwd(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    (void)p;
    for (size_t i = 0; i < n; i++)
        a[i] = 1.0 / (1.0 + exp(-z[i]));
}

static void sig_bwd(const double *z, const double *a, const double *da, double *dz, size_t n,
                    const mlp_param_value *p)
{
    (void)z;
    (void)p;
    for (size_t i = 0; i < n; i++)
        dz[i] = da[i] * a[i] * (1.0 - a[i]);
}

/* a = tanh(z), dz = da (1 - a^2). */
static void tanh_fwd(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    (void)p;
    for (size_t i = 0; i < n; i++)
        a[i] = tanh(z[i]);
}

static void tanh_bwd(const double *z, const double *a, const double *da, double *dz, size_t n,
                     const mlp_param_value *p)
{
    (void)z;
    (void)p;
    for (size_t i = 0; i < n; i++)
        dz[i] = da[i] * (1.0 - a[i] * a[i]);
}

/* A test activation descriptor named `name` with kernels f and b. */
#define ACT(name, f, b)                                                                       \
    {                                                                                         \
        .h = {sizeof(mlp_activation_desc), MLP_ABI_MAJOR, MLP_ABI_MINOR, MLP_KIND_ACTIVATION,  \
              name, "test", "", 0, NULL},                                                     \
        .flags = 0, .forward = f, .backward = b                                               \
    }
static const mlp_activation_desc act_sigmoid = ACT("sigmoid", sig_fwd, sig_bwd);
static const mlp_activation_desc act_tanh = ACT("tanh", tanh_fwd, tanh_bwd);

/* Mean BCE on logits, k = 1, in the stable form; z, y, dz: (n), dz may be
 * NULL.  A loss descriptor's signature (k and p unused). */
static double bce_loss(const double *z, const double *y, double *dz, size_t n, size_t k,
                       const mlp_param_value *p)
{
    double s = 0.0;
    (void)k;
    (void)p;
    for (size_t i = 0; i < n; i++) {
        s += fmax(z[i], 0.0) + log1p(exp(-fabs(z[i]))) - y[i] * z[i];
        if (dz)
            dz[i] = (1.0 / (1.0 + exp(-z[i])) - y[i]) / (double)n;
    }
    return s / (double)n;
}

#endif
