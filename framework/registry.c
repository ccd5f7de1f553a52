/* registry.c -- not written yet */
