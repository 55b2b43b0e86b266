/* The desk's private temporary directory and the removal of those left by
 * desks that died (desk_tmp.c). */
#ifndef MC_DESK_TMP_H
#define MC_DESK_TMP_H

#include <stddef.h>

/* Make base/motcua-desk-XXXXXX (0700) into dir with its ".lock" held in
 * *lock_fd (close it after removing the directory). 0 or -1. */
int desk_tmp_make(const char *base, char *dir, size_t size, int *lock_fd);
/* Remove, in base, the desk directories of this user whose desk is gone;
 * returns how many. */
int desk_tmp_sweep(const char *base);
/* Remove dir and everything in it (symlinks not followed). 0 or -1. */
int desk_tmp_remove(const char *dir);

#endif
