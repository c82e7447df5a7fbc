/* test-pdeath-internal.c: the parent-death signal's arming, on its own (as a start method that
 * forks otherwise, a fork server, calls it with the inherited read end still open)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <poll.h>

#include "test-util.h"
#include "gprocess-pdeath-private.h"

/* Forks a child that arms @signum on @read_fd (keeping @read_fd open), reports, and waits to
 * be signalled; returns its wait status. @write_fd, if >= 0, is closed once it has armed. */
static int
arm_in_child (int read_fd,
              int write_fd,
              int signum)
{
  int report[2];
  pid_t pid;
  int status = 0;
  char c;

  g_assert_no_errno (pipe (report));
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      if (write_fd >= 0)
        close (write_fd);
      if (_g_process_pdeath_arm (read_fd, signum, getppid ()) < 0)
        _exit (2);
      if (write (report[1], "a", 1) != 1)
        _exit (3);
      for (;;)
        pause ();
    }
  close (report[1]);
  if (read (report[0], &c, 1) == 1 && write_fd >= 0)
    close (write_fd);   /* the "parent process" ends */
  {
    /* The child holds report[1] until it dies: a bounded wait, so that a failure fails */
    struct pollfd pfd = { report[0], POLLIN, 0 };

    if (poll (&pfd, 1, 10000) == 0)
      kill (pid, SIGKILL);
  }
  close (report[0]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  return status;
}

/* The writer is already gone when the child arms: the check after arming delivers it */
static void
test_arm_after_parent_died (void)
{
  int fds[2];
  int status;

  g_assert_no_errno (pipe2 (fds, O_CLOEXEC));
  close (fds[1]);
  status = arm_in_child (fds[0], -1, SIGUSR1);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGUSR1);
  close (fds[0]);
}

/* The writer goes after the arming: the kernel delivers it */
static void
test_arm_then_parent_dies (void)
{
  int fds[2];
  int status;

  g_assert_no_errno (pipe2 (fds, O_CLOEXEC));
  status = arm_in_child (fds[0], fds[1], SIGUSR2);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGUSR2);
  close (fds[0]);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gprocess/pdeath/arm-after-parent-died", test_arm_after_parent_died);
  g_test_add_func ("/gprocess/pdeath/arm-then-parent-dies", test_arm_then_parent_dies);
  return g_test_run ();
}
