/* gprocess-pdeath.c: a child's signal when its parent process dies, however it dies
 *
 * PR_SET_PDEATHSIG is not enough: it fires when the *thread* that forked the child exits, not
 * the process (a child started from a worker thread would be killed when that thread ends),
 * and a child that arms it after its parent died never learns it. The kernel gives a
 * process-wide signal for another event: end-of-file on a pipe, to the owner of an O_ASYNC
 * read end.
 *
 * So each process that starts a child with a parent-death signal holds one "death pipe"
 * (created once, both ends O_CLOEXEC and in the library's descriptor registry). Nobody ever
 * writes into it. Its write end is open only in this process: every new process closes the
 * library's descriptors (gprocess-child.c), and exec() closes them too. It is closed when the
 * process ends (by any means, SIGKILL included) or execs, and only then.
 *
 * A child keeps the read end and arms it (_g_process_pdeath_arm()):
 *  - it opens the pipe again, through /proc/self/fd: a new open file description of its own.
 *    F_SETOWN, F_SETSIG and O_ASYNC belong to the open file description, which fork() shares:
 *    arming the inherited one would let every sibling steal the signal of the others;
 *  - F_SETSIG (the signal), F_SETOWN (its own pid: the whole process, not a thread), O_ASYNC:
 *    when the last write end closes, the kernel sends the signal (pipe_release() calls
 *    kill_fasync() on the readers);
 *  - then it checks whether the parent has already gone: POLLHUP on the inherited description
 *    (a description opened after the last writer left never reports POLLHUP, so the check uses
 *    the one from pipe2()). If so it raises the signal itself.
 * The armed descriptor is left open across exec() (so the guarantee follows the process, not
 * the program, like PR_SET_PDEATHSIG) and stays in the registry, so that the child's own
 * children do not keep it.
 *
 * Without /proc the child falls back to PR_SET_PDEATHSIG (which follows the forking thread)
 * and a getppid() check.
 *
 * A start method whose children are not forked by start() itself (a fork server's
 * clone (CLONE_PARENT) children) keeps the read end (_g_process_pdeath_read_fd_locked()) and
 * calls _g_process_pdeath_arm() in each child.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "gprocess.h"
#include "gprocess-private.h"
#include "gprocess-fds-private.h"
#include "gprocess-pdeath-private.h"

static int death_read_fd = -1;    /* (lock process_lock) this process's death pipe */
static int death_write_fd = -1;   /* (lock process_lock) */
static int kept_read_fd = -1;     /* in a new child: the parent's read end, until armed */

/* Creates the death pipe once per process. */
gboolean
_g_process_pdeath_prepare_locked (GError **error)
{
  int fds[2];

  if (death_write_fd >= 0)
    return TRUE;
  if (pipe2 (fds, O_CLOEXEC) != 0)
    {
      int saved_errno = errno;

      _g_process_set_start_error (error, NULL, saved_errno);
      return FALSE;
    }
  _g_process_fds_add_locked (fds[0]);
  _g_process_fds_add_locked (fds[1]);
  death_read_fd = fds[0];
  death_write_fd = fds[1];
  return TRUE;
}

/* The read end a child arms, or -1 when no child needed one yet */
int
_g_process_pdeath_read_fd_locked (void)
{
  return death_read_fd;
}

/* Child code: before the library's descriptors are closed, keep the read end. */
void
_g_process_pdeath_keep_in_child (void)
{
  if (death_read_fd >= 0)
    {
      _g_process_fds_remove_locked (death_read_fd);
      kept_read_fd = death_read_fd;
    }
}

/* Child code, in a child of the fork server: the application's read end came with the
 * request, in place of the one a fork child inherits. */
void
_g_process_pdeath_adopt_in_child (int read_fd)
{
  kept_read_fd = read_fd;
}

/* Child code, in every new process: the death pipe was the parent's (both ends are closed
 * now, except a kept read end). */
void
_g_process_pdeath_reset_in_child (void)
{
  if (death_read_fd >= 0)   /* no write when there is nothing to forget: a page not copied */
    death_read_fd = death_write_fd = -1;
}

/* "/proc/self/fd/N" without stdio (child code: async-signal-safe) */
static void
fd_path (char  path[32],
         int   fd)
{
  static const char prefix[] = "/proc/self/fd/";
  char digits[12];
  int n = 0, i = 0;

  do
    digits[n++] = (char) ('0' + fd % 10);
  while ((fd /= 10) > 0 && n < (int) sizeof digits);
  for (; prefix[i] != '\0'; i++)
    path[i] = prefix[i];
  while (n > 0)
    path[i++] = digits[--n];
  path[i] = '\0';
}

/* Child code (async-signal-safe). Arms @signum on a description of its own of the death pipe
 * whose read end @death_read_fd the child inherited, then delivers it at once if the parent
 * (@parent: only for the fallback) has already gone. Returns the armed descriptor (not close-on-exec), or -1 when /proc is
 * missing (then PR_SET_PDEATHSIG stands in). @death_read_fd is left open. */
int
_g_process_pdeath_arm (int   death_read_fd,
                       int   signum,
                       pid_t parent)
{
  struct f_owner_ex owner = { F_OWNER_PID, 0 };
  struct pollfd pfd = { death_read_fd, POLLIN, 0 };
  char path[32];
  int fd;

  fd_path (path, death_read_fd);
  /* O_NONBLOCK: opening a FIFO for reading never waits for a writer */
  fd = open (path, O_RDONLY | O_NONBLOCK);
  if (fd < 0)
    {
      prctl (PR_SET_PDEATHSIG, signum);
      if (getppid () != parent)
        kill (getpid (), signum);
      return -1;
    }
  owner.pid = getpid ();
  fcntl (fd, F_SETSIG, signum);
  fcntl (fd, F_SETOWN_EX, &owner);
  fcntl (fd, F_SETFL, O_RDONLY | O_NONBLOCK | O_ASYNC);

  /* The parent may have died before the arming: nobody would send the signal then. (When
   * the caller then closes @death_read_fd the kernel happens to signal too, as any reader
   * leaving a pipe without writers wakes the others; a fork server keeps it open.) */
  while (poll (&pfd, 1, 0) < 0 && errno == EINTR)
    ;
  if (pfd.revents & (POLLHUP | POLLERR))
    kill (getpid (), signum);
  return fd;
}

/* Child code, in a child of start(), after the library's descriptors were closed */
void
_g_process_pdeath_bootstrap_child (int   signum,
                                   pid_t parent)
{
  int fd;

  if (kept_read_fd < 0)
    return;
  if (signum > 0)
    {
      fd = _g_process_pdeath_arm (kept_read_fd, signum, parent);
      if (fd >= 0)
        _g_process_fds_add_locked (fd);  /* hidden from the child's own children */
    }
  close (kept_read_fd);
  kept_read_fd = -1;
}
