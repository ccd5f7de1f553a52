/* hinge.c -- the binary hinge loss of a linear SVM: labels 0/1 become
 * t = -1/+1 and each output costs max(0, 1 - t z).  At the kink t z = 1 the
 * subgradient is 0, as torch.relu(1 - t z) gives it (torch.clamp(..., min=0)
 * would give -t there). */
#include <stddef.h>

#include "mlplab/plugin.h"
#include "mlplab_loss.h"

enum { P_REDUCTION };

/* logits, dlogits: (n, k); y: (n), each sample's label used for its k
 * outputs.  Mean over the n k terms unless reduction is sum. */
static double hinge_loss(const double *z, const double *y, double *dz, size_t n, size_t k,
                         const mlp_param_value *p)
{
    const size_t m = n * k;
    const int mean = mlplab_reduction_is_mean(&p[P_REDUCTION]);
    const double g = mlplab_reduce(1.0, m, mean);
    double sum = 0.0;

    for (size_t s = 0; s < n; s++) {
        const double t = 2.0 * y[s] - 1.0;
        for (size_t j = 0; j < k; j++) {
            double margin = 1.0 - t * z[s * k + j];
            sum += margin > 0.0 ? margin : 0.0;
            if (dz)
                dz[s * k + j] = margin > 0.0 ? -t * g : 0.0;
        }
    }
    return mlplab_reduce(sum, m, mean);
}

/* prob: (n, k) = the margin band mapped to [0, 1]: clamp((1 + z) / 2, 0, 1).
 * Not a calibrated probability: 1/2 on the decision boundary z = 0 (so class
 * 1 iff z >= 0), 0 and 1 outside the margin, where the loss is content. */
static void hinge_predict(const double *z, double *prob, size_t n, size_t k,
                          const mlp_param_value *p)
{
    (void)p;
    for (size_t i = 0; i < n * k; i++) {
        double q = 0.5 * (1.0 + z[i]);
        prob[i] = q < 0.0 ? 0.0 : q > 1.0 ? 1.0 : q;
    }
}

static const mlp_param_decl hinge_params[] = {
    [P_REDUCTION] = MLPLAB_REDUCTION_PARAM,
};

static const mlp_loss_desc hinge_desc = {
    .h = {
        .size = sizeof(mlp_loss_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_LOSS,
        .name = "hinge",
        .version = "1.0.0",
        .help = "hinge loss max(0, 1 - t z) with labels t = -1/+1; class 1 where z >= 0",
        .n_params = sizeof(hinge_params) / sizeof(hinge_params[0]),
        .params = hinge_params,
    },
    .flags = 0,
    .loss = hinge_loss,
    .predict = hinge_predict,
};

MLP_DEFINE_PLUGIN(hinge_desc);
