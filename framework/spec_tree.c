/* spec_tree.c -- not written yet */
