/* runner.c -- not written yet */
