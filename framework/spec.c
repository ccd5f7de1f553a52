/* spec.c -- not written yet */
