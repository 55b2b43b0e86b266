/* The desk's private temporary directory: TMPDIR/motcua-desk-XXXXXX (0700),
 * holding uploads on their way and downloads being built. A desk holds an
 * exclusive flock on its ".lock" for its whole life; a desk killed before
 * its cleanup (SIGKILL, power cut) leaves the directory behind, and the
 * next desk of the same user removes every such directory whose lock it can
 * take (its owner is gone). A directory of another user, not 0700, without
 * a ".lock" (a desk of an older version may still run) or locked is left. */
#define _XOPEN_SOURCE 700
#include "desk_tmp.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

#define PREFIX "motcua-desk-"

static int remove_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(path) == 0 ? 0 : -1; /* FTW_PHYS: a symlink is removed, not followed */
}

int desk_tmp_remove(const char *dir) {
  return nftw(dir, remove_cb, 8, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

/* 1: dir is a left-over desk directory of ours whose lock we could take. */
static int is_orphan(const char *dir) {
  struct stat st;
  char lock[512];
  if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid() ||
      (st.st_mode & 077) != 0)
    return 0;
  if (snprintf(lock, sizeof lock, "%s/.lock", dir) >= (int)sizeof lock) return 0;
  int fd = open(lock, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return 0;
  int free_lock = flock(fd, LOCK_EX | LOCK_NB) == 0;
  close(fd); /* releases it; a desk starting now makes a new name anyway */
  return free_lock;
}

int desk_tmp_sweep(const char *base) {
  DIR *dp = opendir(base);
  struct dirent *e;
  char path[512];
  int n = 0;
  if (dp == NULL) return 0;
  while ((e = readdir(dp)) != NULL) {
    if (strncmp(e->d_name, PREFIX, sizeof PREFIX - 1) != 0) continue;
    if (snprintf(path, sizeof path, "%s/%s", base, e->d_name) >= (int)sizeof path) continue;
    if (is_orphan(path) && desk_tmp_remove(path) == 0) n++;
  }
  closedir(dp);
  if (n > 0) mc_log_info(0, "desk: removed %d temporary directories left by desks that died", n);
  return n;
}

int desk_tmp_make(const char *base, char *dir, size_t size, int *lock_fd) {
  char lock[512];
  *lock_fd = -1;
  if (snprintf(dir, size, "%s/" PREFIX "XXXXXX", base) >= (int)size || mkdtemp(dir) == NULL)
    return -1;
  if (snprintf(lock, sizeof lock, "%s/.lock", dir) >= (int)sizeof lock) goto fail;
  *lock_fd = open(lock, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (*lock_fd < 0 || flock(*lock_fd, LOCK_EX | LOCK_NB) != 0) goto fail;
  return 0;
fail:
  if (*lock_fd >= 0) close(*lock_fd);
  *lock_fd = -1;
  desk_tmp_remove(dir);
  return -1;
}
