/* gprocess-fds.c: the descriptors the library owns, and the kernel's pidfd calls
 *
 * Every descriptor the library opens (pidfds, pipe ends, /dev/null, the reapers' epoll sets)
 * is created and registered in one bitmap while process_lock is held, and is closed in every
 * new process by atfork_child() (gprocess-child.c), whoever forked: no library descriptor
 * leaks into a child, not even into one that another thread forks at the same moment.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gprocess-private.h"
#include "gprocess-fds-private.h"

#ifndef P_PIDFD
# define P_PIDFD 3
#endif

/* PIDFD_GET_INFO (Linux 6.15), defined here for headers that predate it. The kernel accepts
 * this first (64-byte) version of the structure from any caller. */
struct g_process_pidfd_info
{
  guint64 mask;
  guint64 cgroupid;
  guint32 pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
  gint32 exit_code;
};
#define G_PROCESS_PIDFD_GET_INFO _IOWR (0xFF, 11, struct g_process_pidfd_info)
#define G_PROCESS_PIDFD_INFO_EXIT (G_GUINT64_CONSTANT (1) << 3)

/* (lock process_lock) bitmap of the library's descriptors. The first 2,048 descriptors are
 * kept inline, on the library's one page of state, which the fork handlers write anyway: a
 * heap array would be one more copy-on-write page in every child and, in the parent, one more
 * fault per start. */
#define LIBRARY_FDS_INLINE_WORDS 32
static guint64 library_fds_inline[LIBRARY_FDS_INLINE_WORDS];
static guint64 *library_fds = library_fds_inline;           /* (lock process_lock) */
static guint library_fds_words = LIBRARY_FDS_INLINE_WORDS;  /* (lock process_lock) */
static int devnull_fd = -1;       /* (lock process_lock) /dev/null, opened once: a child then
                                   * needs one dup2() onto its stdin, not an open() */

void
_g_process_fds_add_locked (int fd)
{
  guint word = (guint) fd / 64;

  if (word >= library_fds_words)
    {
      guint n = MAX (word + 1, library_fds_words * 2);

      if (library_fds == library_fds_inline)
        library_fds = g_memdup2 (library_fds_inline, sizeof library_fds_inline);
      library_fds = g_renew (guint64, library_fds, n);
      memset (library_fds + library_fds_words, 0, (n - library_fds_words) * sizeof (guint64));
      library_fds_words = n;
    }
  library_fds[word] |= G_GUINT64_CONSTANT (1) << (fd % 64);
}

void
_g_process_fds_remove_locked (int fd)
{
  if (fd >= 0 && (guint) fd / 64 < library_fds_words)
    library_fds[fd / 64] &= ~(G_GUINT64_CONSTANT (1) << (fd % 64));
}

void
_g_process_fds_close_locked (int fd)
{
  if (fd < 0)
    return;
  _g_process_fds_remove_locked (fd);
  close (fd);
}

static void
close_fd_range (int first,
                int last)
{
#ifdef HAVE_CLOSE_RANGE
  if (close_range ((unsigned) first, (unsigned) last, 0) == 0)
    return;
#endif
  for (int fd = first; fd <= last; fd++)
    close (fd);
}

/* Runs in a new child (see gprocess-child.c): one close_range() per run of consecutive
 * library descriptors. Empty words are skipped; no memset() (one more code page to fault in). */
void
_g_process_fds_close_in_child (void)
{
  int run_start = -1;

  for (guint w = 0; w < library_fds_words; w++)
    {
      guint64 bits = library_fds[w];

      if (bits == 0 && run_start < 0)
        continue;
      library_fds[w] = 0;
      for (int b = 0; b < 64; b++)
        {
          gboolean owned = (bits >> b) & 1;
          int fd = (int) w * 64 + b;

          if (owned && run_start < 0)
            run_start = fd;
          else if (!owned && run_start >= 0)
            {
              close_fd_range (run_start, fd - 1);
              run_start = -1;
            }
        }
    }
  if (run_start >= 0)
    close_fd_range (run_start, (int) library_fds_words * 64 - 1);
}

gboolean
_g_process_fds_ensure_devnull_locked (void)
{
  if (devnull_fd < 0)
    {
      devnull_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
      if (devnull_fd >= 0)
        _g_process_fds_add_locked (devnull_fd);
    }
  return devnull_fd >= 0;
}

/* Runs in a new child, before _g_process_fds_close_in_child() closes /dev/null. */
void
_g_process_fds_redirect_stdin (void)
{
  if (devnull_fd >= 0 && devnull_fd != STDIN_FILENO)
    dup2 (devnull_fd, STDIN_FILENO);
}

/* Runs in a new child, after _g_process_fds_close_in_child(). */
void
_g_process_fds_forget_devnull (void)
{
  devnull_fd = -1;
}

/* ---------------------------------------------------------------------------------------- */
/* The kernel's pidfd calls, through syscall(): Debian 12's headers and valgrind 3.19 predate
 * some of them.                                                                             */

int
_g_process_pidfd_open (pid_t pid)
{
#ifdef SYS_pidfd_open
  return (int) syscall (SYS_pidfd_open, pid, 0);
#else
  errno = ENOSYS;
  return -1;
#endif
}

int
_g_process_pidfd_send_signal (int pidfd,
                              int signum)
{
#ifdef SYS_pidfd_send_signal
  return (int) syscall (SYS_pidfd_send_signal, pidfd, signum, NULL, 0);
#else
  errno = ENOSYS;
  return -1;
#endif
}

/* waitid (P_PIDFD, …), with the resource usage that only the raw system call returns */
int
_g_process_pidfd_waitid (int            pidfd,
                         int            options,
                         siginfo_t     *info,
                         struct rusage *usage)
{
  int r;

  do
    r = (int) syscall (SYS_waitid, P_PIDFD, pidfd, info, options, usage);
  while (r < 0 && errno == EINTR);
  return r;
}

/* The wait status of a child that somebody else reaped (SIGCHLD ignored, or a waitpid(-1) of
 * the application): Linux >= 6.15 keeps it for the holders of a pidfd. */
gboolean
_g_process_pidfd_get_exit_status (int  pidfd,
                                  int *wait_status)
{
  struct g_process_pidfd_info info;

  memset (&info, 0, sizeof info);
  info.mask = G_PROCESS_PIDFD_INFO_EXIT;
  if (ioctl (pidfd, G_PROCESS_PIDFD_GET_INFO, &info) != 0 ||
      (info.mask & G_PROCESS_PIDFD_INFO_EXIT) == 0)
    return FALSE;
  *wait_status = info.exit_code;
  return TRUE;
}

/* Whether pidfds work here; GPROCESS_NO_PIDFD=1 forces the pipe fallback (tests). */
gboolean
_g_process_pidfd_supported (void)
{
  static gsize supported = 0;

  if (g_once_init_enter (&supported))
    {
      gsize value = 1;
      const char *no_pidfd = g_getenv ("GPROCESS_NO_PIDFD");

      if (no_pidfd != NULL && no_pidfd[0] == '1')
        value = 2;
      else
        {
          int fd = _g_process_pidfd_open (getpid ());

          if (fd < 0)
            value = 2;
          else
            {
              /* waitid (P_PIDFD) and pidfd_send_signal() came with Linux 5.4 and 5.1 */
              siginfo_t info;

              memset (&info, 0, sizeof info);
              if ((_g_process_pidfd_waitid (fd, WEXITED | WNOHANG, &info, NULL) < 0 &&
                   errno == EINVAL) ||
                  (_g_process_pidfd_send_signal (fd, 0) < 0 && errno == ENOSYS))
                value = 2;
              close (fd);
            }
        }
      g_once_init_leave (&supported, value);
    }
  return supported == 1;
}

/* ---------------------------------------------------------------------------------------- */
/* Sentinels                                                                                 */

gboolean
_g_process_sentinel_is_ours (const GProcessSentinel *sentinel)
{
  return sentinel->fd >= 0 && sentinel->owner == _g_process_self_pid ();
}

/* Whether the sentinel is readable now: the child has exited (pidfd) or at least closed its
 * end (pipe). */
gboolean
_g_process_sentinel_fired (const GProcessSentinel *sentinel)
{
  struct pollfd pfd = { sentinel->fd, POLLIN, 0 };

  return poll (&pfd, 1, 0) > 0;
}

/* A waiter polls the sentinel outside the lock: g_process_object_close() then leaves the
 * close() to the last of them. */
int
_g_process_sentinel_acquire_locked (GProcessSentinel *sentinel)
{
  sentinel->users++;
  return sentinel->fd;
}

void
_g_process_sentinel_release_locked (GProcessSentinel *sentinel,
                                    gboolean          closed)
{
  g_assert (sentinel->users > 0);
  sentinel->users--;
  if (sentinel->users == 0 && closed)
    _g_process_sentinel_close_locked (sentinel);
}

void
_g_process_sentinel_close_locked (GProcessSentinel *sentinel)
{
  if (_g_process_sentinel_is_ours (sentinel))
    {
      _g_process_fds_close_locked (sentinel->fd);
      _g_process_fds_close_locked (sentinel->proc_fd);
    }
  sentinel->fd = -1;
  sentinel->proc_fd = -1;
}

/* The pipe fallback, in the parent right after the fork: a pid alone cannot name the child
 * once somebody else (SIGCHLD ignored, the application's waitpid (-1)) has reaped it, as the
 * kernel may give the pid to another process, even to another child of ours. A descriptor on
 * /proc/<pid> can: it stays bound to this process. The child cannot have been reaped and its
 * pid reused in the microseconds since fork() (short of a pid wrap-around in between). */
void
_g_process_sentinel_bind_pid_locked (GProcessSentinel *sentinel,
                                     pid_t             pid)
{
  char path[32];

  g_snprintf (path, sizeof path, "/proc/%d", (int) pid);
  sentinel->proc_fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (sentinel->proc_fd >= 0)
    _g_process_fds_add_locked (sentinel->proc_fd);
  else
    sentinel->gone = errno == ENOENT;
}

/* The pipe fallback: whether the child's pid still names the child (running, or a zombie
 * nobody reaped), and not a process that was given its pid afterwards. Without /proc the pid
 * is trusted. */
gboolean
_g_process_sentinel_names_child (const GProcessSentinel *sentinel)
{
  struct stat st;

  if (sentinel->proc_fd < 0)
    return !sentinel->gone;
  return fstatat (sentinel->proc_fd, "stat", &st, 0) == 0;
}
