/* plan.c -- not written yet */
