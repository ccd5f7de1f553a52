/* results.c -- not written yet */
