/* test-pid-reuse.c: a child whose status somebody else collected (SIGCHLD ignored, the
 * application's own waitpid()), and whose pid the kernel then gave to an unrelated process
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <poll.h>

#include "test-util.h"

#define NS_LAST_PID "/proc/sys/kernel/ns_last_pid"
#define CHILD_CODE 42

/* The stranger that receives a recycled pid, watched through a pipe whose write end only it
 * holds (a pidfd would do, but valgrind does not know pidfd_open) */
typedef struct
{
  pid_t pid;
  int life_fd;   /* reaches end-of-file when the stranger has exited */
} Stranger;

static gboolean
stranger_runs (const Stranger *s)
{
  struct pollfd pfd = { s->life_fd, POLLIN, 0 };

  return poll (&pfd, 1, 0) == 0;
}

/* Kills the stranger and waits for its end; reaps it unless SIGCHLD is ignored. */
static void
stranger_kill (Stranger *s)
{
  struct pollfd pfd = { s->life_fd, POLLIN, 0 };

  g_assert_no_errno (kill (s->pid, SIGKILL));
  while (poll (&pfd, 1, -1) < 0 && errno == EINTR)
    ;
  while (waitpid (s->pid, NULL, 0) < 0 && errno == EINTR)
    ;
  close (s->life_fd);
}

static void
target_exit_on_go (GProcessObject *process,
                   gpointer        user_data)
{
  target_wait_for_go (process, user_data);
  g_process_exit (CHILD_CODE);
}

/* Forks a process that sleeps until killed (or until the test dies). */
static void
stranger_fork (Stranger *s)
{
  int life[2];

  g_assert_no_errno (pipe2 (life, O_CLOEXEC));
  s->pid = fork ();
  g_assert_cmpint (s->pid, >=, 0);
  if (s->pid == 0)
    {
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      fcntl (life[1], F_SETFD, 0);
      for (;;)
        pause ();
    }
  close (life[1]);
  s->life_fd = life[0];
}

/* Forces the kernel to give @pid, which is free, to a new sleeping process: writes @pid - 1 to
 * ns_last_pid (root only) and forks. Another process of the machine may take the pid first:
 * then it tries again. Returns FALSE if it never worked (the test is skipped). */
static gboolean
give_pid_to_stranger (pid_t     pid,
                      Stranger *s)
{
  for (int attempt = 0; attempt < 100; attempt++)
    {
      char *text = g_strdup_printf ("%d", (int) pid - 1);
      int fd;

      fd = open (NS_LAST_PID, O_WRONLY | O_CLOEXEC);
      g_assert_no_errno (fd);
      g_assert_cmpint (write (fd, text, strlen (text)), ==, (ssize_t) strlen (text));
      close (fd);
      g_free (text);

      stranger_fork (s);
      if (s->pid == pid)
        return TRUE;
      stranger_kill (s);
    }
  return FALSE;
}

/* Lets the child end and its status be collected by somebody else than the library. */
static void
collect_behind_the_library (pid_t    pid,
                            int      go_fd,
                            gboolean ignore_sigchld)
{
  int status = 0;

  g_assert_cmpint (write (go_fd, "g", 1), ==, 1);
  if (ignore_sigchld)
    {
      /* With SIGCHLD ignored the kernel reaps the child itself: waitpid() blocks until the
       * child has ended, then finds nothing to collect. */
      pid_t r;

      while ((r = waitpid (pid, &status, 0)) < 0 && errno == EINTR)
        ;
      g_assert_cmpint (r, ==, -1);
      g_assert_cmpint (errno, ==, ECHILD);
    }
  else
    {
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, CHILD_CODE);
    }
}

/* join() reports the real status (Linux >= 6.15 keeps it for pidfd holders) or says it is
 * unknown; never the status of another process, never a plausible invented code. */
static void
assert_status_real_or_unknown (GProcessObject *child,
                               gboolean        joined,
                               GError         *error)
{
  if (joined)
    {
      g_assert_no_error (error);
      g_assert_cmpint (g_process_object_get_exit_code (child), ==, CHILD_CODE);
    }
  else
    {
      g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_STATUS_UNKNOWN);
      g_assert_cmpint (g_process_object_get_exit_code (child), ==, G_PROCESS_EXIT_CODE_UNKNOWN);
    }
}

/* The defect (issue 9, A.1): the library acted on the bare pid. Once the pid belonged to the
 * stranger, is_alive() returned TRUE, terminate() killed the stranger (the stranger_runs() check below
 * fails), and join() blocked on the stranger and returned its status (the bounded join below
 * times out, or reports -SIGTERM/-SIGKILL). In the pipe fallback, join() napped forever on a
 * pid that stayed "running" (the stranger): the bounded join times out. */
static void
recycled_pid_scenario (gboolean ignore_sigchld,
                       gboolean join_first)
{
  GProcessObject *child;
  GError *error = NULL;
  gboolean joined;
  Stranger stranger;
  int go[2];
  pid_t pid;

  if (getuid () != 0 || access (NS_LAST_PID, W_OK) != 0)
    {
      g_test_skip ("needs root and a writable " NS_LAST_PID " to force the reuse of a pid");
      return;
    }

  g_assert_no_errno (pipe2 (go, O_CLOEXEC));
  if (ignore_sigchld)
    signal (SIGCHLD, SIG_IGN);
  child = start_target (target_exit_on_go, GINT_TO_POINTER (go[0]));
  pid = g_process_object_get_pid (child);
  collect_behind_the_library (pid, go[1], ignore_sigchld);

  if (!give_pid_to_stranger (pid, &stranger))
    {
      g_test_skip ("another process took the pid first, every time");
      signal (SIGCHLD, SIG_DFL);
      g_process_object_join (child, -1, NULL, NULL);
      g_object_unref (child);
      close (go[0]);
      close (go[1]);
      return;
    }

  g_process_object_terminate (child);
  g_process_object_kill (child);
  g_assert_true (stranger_runs (&stranger));

  if (!join_first)
    g_assert_false (g_process_object_is_alive (child));
  /* Bounded, so that the defect fails the test instead of hanging it */
  joined = g_process_object_join (child, 30 * G_USEC_PER_SEC, NULL, &error);
  assert_status_real_or_unknown (child, joined, error);
  g_clear_error (&error);
  g_assert_false (g_process_object_is_alive (child));
  g_assert_cmpint (g_process_object_get_state (child), ==, G_PROCESS_STATE_STOPPED);

  g_process_object_terminate (child);
  g_assert_true (stranger_runs (&stranger));
  g_assert_true (g_process_object_close (child, NULL));

  stranger_kill (&stranger);
  signal (SIGCHLD, SIG_DFL);
  g_object_unref (child);
  close (go[0]);
  close (go[1]);
}

static void
test_recycled_pid_sigchld_ignored (void)
{
  recycled_pid_scenario (TRUE, FALSE);
}

static void
test_recycled_pid_sigchld_ignored_join_first (void)
{
  recycled_pid_scenario (TRUE, TRUE);
}

static void
test_recycled_pid_app_waitpid (void)
{
  recycled_pid_scenario (FALSE, FALSE);
}

static void
test_recycled_pid_app_waitpid_join_first (void)
{
  recycled_pid_scenario (FALSE, TRUE);
}

/* The defect (issue 9, A.2): with SIGCHLD ignored every status became an invented 255 with a
 * g_warning (a fatal warning in a test), indistinguishable from exit (255): the code check
 * below fails. */
static void
test_sigchld_ignored_exit_codes_real_or_unknown (void)
{
  signal (SIGCHLD, SIG_IGN);
  for (int i = 0; i < 40; i++)
    {
      int code = i % 20;  /* never 255 */
      GProcessObject *p = start_target (target_exit_with, GINT_TO_POINTER (code));
      GError *error = NULL;

      if (g_process_object_join (p, 30 * G_USEC_PER_SEC, NULL, &error))
        {
          g_assert_no_error (error);
          g_assert_cmpint (g_process_object_get_exit_code (p), ==, code);
        }
      else
        {
          g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_STATUS_UNKNOWN);
          g_assert_cmpint (g_process_object_get_exit_code (p), ==, G_PROCESS_EXIT_CODE_UNKNOWN);
          g_clear_error (&error);
        }
      g_assert_false (g_process_object_is_alive (p));
      g_object_unref (p);
    }
  signal (SIGCHLD, SIG_DFL);
  g_assert_false (has_any_child ());
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gprocess/pid-reuse/sigchld-ignored", test_recycled_pid_sigchld_ignored);
  g_test_add_func ("/gprocess/pid-reuse/sigchld-ignored/join-first",
                   test_recycled_pid_sigchld_ignored_join_first);
  g_test_add_func ("/gprocess/pid-reuse/app-waitpid", test_recycled_pid_app_waitpid);
  g_test_add_func ("/gprocess/pid-reuse/app-waitpid/join-first",
                   test_recycled_pid_app_waitpid_join_first);
  g_test_add_func ("/gprocess/sigchld-ignored/exit-codes-real-or-unknown",
                   test_sigchld_ignored_exit_codes_real_or_unknown);

  return g_test_run ();
}
