/* check.c -- being written */
