/* test-wait.c: observing the end of a child: join, is_alive, exit codes, signals, sentinel, with real child processes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <poll.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>

#include <glib/gstdio.h>

#include "test-util.h"

static void
target_raise (GProcessObject *process,
              gpointer        user_data)
{
  signal (GPOINTER_TO_INT (user_data), SIG_DFL);
  raise (GPOINTER_TO_INT (user_data));
}

static void
test_exit_code_values (void)
{
  struct { GProcessTargetFunc target; int arg; int expected; } cases[] = {
    { target_nothing, 0, 0 },
    { target_exit_with, 7, 7 },
    { target_exit_with, 255, 255 },
    { target_exit_with, 256 + 3, 3 },     /* only the low 8 bits survive */
    { target_raise, SIGSEGV, -SIGSEGV },
    { target_raise, SIGTERM, -SIGTERM },
    { target_raise, SIGKILL, -SIGKILL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GProcessObject *p = start_target (cases[i].target, GINT_TO_POINTER (cases[i].arg));

      join_ok (p);
      g_assert_cmpint (g_process_object_get_exit_code (p), ==, cases[i].expected);
      g_object_unref (p);
    }
}

static void
test_exit_code_terminate_and_kill (void)
{
  GProcessObject *t = start_target (target_sleep_forever, NULL);
  GProcessObject *k = start_target (target_sleep_forever, NULL);
  char *s;

  g_assert_true (g_process_object_is_alive (t));
  g_assert_cmpint (g_process_object_get_exit_code (t), ==, G_PROCESS_EXIT_CODE_NONE);
  g_process_object_terminate (t);
  g_process_object_kill (k);
  join_ok (t);
  join_ok (k);
  g_assert_cmpint (g_process_object_get_exit_code (t), ==, -SIGTERM);
  g_assert_cmpint (g_process_object_get_exit_code (k), ==, -SIGKILL);
  g_assert_false (g_process_object_is_alive (t));

  s = g_process_object_to_string (t);
  g_assert_true (g_str_has_suffix (s, " stopped exitcode=-SIGTERM>"));
  g_free (s);

  /* No-ops once the end is known */
  g_process_object_terminate (t);
  g_process_object_kill (k);
  g_assert_cmpint (g_process_object_get_exit_code (t), ==, -SIGTERM);
  g_object_unref (t);
  g_object_unref (k);
}

static void
test_terminate_before_start_is_noop (void)
{
  GProcessObject *p = g_process_object_new ();

  g_process_object_terminate (p);
  g_process_object_kill (p);
  g_assert_cmpint (g_process_object_get_state (p), ==, G_PROCESS_STATE_INITIAL);
  g_object_unref (p);
}

static void
test_join_timeout (void)
{
  GProcessObject *p = start_target (target_sleep_forever, NULL);
  GError *error = NULL;
  GList *children;

  g_assert_false (g_process_object_join (p, 20000, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_clear_error (&error);
  g_assert_false (g_process_object_join (p, 0, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_clear_error (&error);

  /* A timeout is not an end */
  g_assert_true (g_process_object_is_alive (p));
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, G_PROCESS_EXIT_CODE_NONE);
  children = g_process_get_active_children ();
  g_assert_nonnull (g_list_find (children, p));
  g_list_free_full (children, g_object_unref);

  kill_and_join (p);
  g_object_unref (p);
}

static gpointer
cancel_in_thread (gpointer data)
{
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_join_cancellable (void)
{
  GProcessObject *p = start_target (target_sleep_forever, NULL);
  GCancellable *cancellable = g_cancellable_new ();
  GError *error = NULL;
  GThread *thread;

  /* Cancelled while (or before) waiting, from another thread */
  thread = g_thread_new ("cancel", cancel_in_thread, cancellable);
  g_assert_false (g_process_object_join (p, -1, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_thread_join (thread);

  /* Already cancelled */
  g_assert_false (g_process_object_join (p, -1, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_true (g_process_object_is_alive (p));

  kill_and_join (p);
  g_object_unref (cancellable);
  g_object_unref (p);
}

static void
test_join_errors (void)
{
  GProcessObject *p = g_process_object_new ();
  GError *error = NULL;

  g_assert_false (g_process_object_join (p, -1, NULL, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_STARTED);
  g_clear_error (&error);

  g_assert_false (g_process_object_join (g_process_get_current (), -1, NULL, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_JOIN_SELF);
  g_clear_error (&error);

  g_assert_true (g_process_object_close (p, NULL));
  g_assert_false (g_process_object_join (p, -1, NULL, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_CLOSED);
  g_clear_error (&error);
  g_object_unref (p);
}

static void
target_join_errors_in_child (GProcessObject *process,
                             gpointer        user_data)
{
  GError *error = NULL;

  /* Joining oneself */
  if (g_process_object_join (process, -1, NULL, &error) ||
      !g_error_matches (error, G_PROCESS_ERROR, G_PROCESS_ERROR_JOIN_SELF))
    g_process_exit (2);
  g_clear_error (&error);
  /* Joining an object of the parent */
  if (g_process_object_join (user_data, -1, NULL, &error) ||
      !g_error_matches (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_CHILD))
    g_process_exit (3);
  g_clear_error (&error);
  g_process_exit (0);
}

static void
test_join_errors_in_child (void)
{
  GProcessObject *sibling = start_target (target_sleep_forever, NULL);
  GProcessObject *p = start_target (target_join_errors_in_child, sibling);

  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 0);
  kill_and_join (sibling);
  g_object_unref (sibling);
  g_object_unref (p);
}

static void
test_join_many_times (void)
{
  GProcessObject *p = start_target (target_exit_with, GINT_TO_POINTER (5));

  for (int i = 0; i < 5; i++)
    {
      join_ok (p);
      g_assert_cmpint (g_process_object_get_exit_code (p), ==, 5);
    }
  g_object_unref (p);
}

static int signal_go_fd = -1;

static void
on_alarm (int signum)
{
  /* Releases the child: the join below was interrupted by this very signal */
  (void) !write (signal_go_fd, "g", 1);
}

static void
test_join_survives_signals (void)
{
  struct sigaction sa = { 0 }, old;
  int fds[2];
  GProcessObject *p;
  struct itimerval timer = { { 0, 0 }, { 0, 20000 } };

  g_assert_no_errno (pipe (fds));
  signal_go_fd = fds[1];
  sa.sa_handler = on_alarm;  /* no SA_RESTART: the wait sees EINTR */
  sigaction (SIGALRM, &sa, &old);

  p = start_target (target_wait_for_go, GINT_TO_POINTER (fds[0]));
  setitimer (ITIMER_REAL, &timer, NULL);
  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 0);

  sigaction (SIGALRM, &old, NULL);
  close (fds[0]);
  close (fds[1]);
  g_object_unref (p);
}

static void
test_is_alive (void)
{
  GProcessObject *p = g_process_object_new_with_target (target_exit_with, GINT_TO_POINTER (3), NULL);

  g_assert_true (g_process_object_is_alive (g_process_get_current ()));
  g_assert_false (g_process_object_is_alive (p));
  g_assert_true (g_process_object_start (p, NULL));
  wait_exited_unreaped (g_process_object_get_pid (p));
  g_assert_true (has_child (g_process_object_get_pid (p)));
  /* is_alive() observes the end and reaps */
  g_assert_false (g_process_object_is_alive (p));
  g_assert_false (has_child (g_process_object_get_pid (p)));
  g_assert_cmpint (g_process_object_get_state (p), ==, G_PROCESS_STATE_STOPPED);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 3);
  g_object_unref (p);
}

static void
test_close_reaps_ended_child (void)
{
  GProcessObject *p = start_target (target_nothing, NULL);

  wait_exited_unreaped (g_process_object_get_pid (p));
  g_assert_true (g_process_object_close (p, NULL));
  g_assert_false (has_child (g_process_object_get_pid (p)));
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 0);
  g_object_unref (p);
}

static gboolean
fd_readable (int fd)
{
  struct pollfd pfd = { fd, POLLIN, 0 };

  return poll (&pfd, 1, 0) == 1;
}

static void
test_sentinel (void)
{
  GProcessObject *p = g_process_object_new_with_target (target_sleep_forever, NULL, NULL);
  int fd;

  g_assert_cmpint (g_process_object_get_sentinel (p), ==, -1);
  g_assert_true (g_process_object_start (p, NULL));
  fd = g_process_object_get_sentinel (p);
  g_assert_cmpint (fd, >=, 0);
  g_assert_false (fd_readable (fd));
  g_process_object_kill (p);
  {
    struct pollfd pfd = { fd, POLLIN, 0 };
    g_assert_cmpint (poll (&pfd, 1, -1), ==, 1);
  }
  g_assert_true (fd_readable (fd));
  join_ok (p);
  g_assert_cmpint (g_process_object_get_sentinel (p), ==, fd);  /* valid until close */
  g_assert_true (fd_readable (fd));
  g_object_unref (p);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gprocess/object/exit-code/values", test_exit_code_values);
  g_test_add_func ("/gprocess/object/exit-code/terminate-kill", test_exit_code_terminate_and_kill);
  g_test_add_func ("/gprocess/object/terminate/before-start", test_terminate_before_start_is_noop);
  g_test_add_func ("/gprocess/object/join/timeout", test_join_timeout);
  g_test_add_func ("/gprocess/object/join/cancellable", test_join_cancellable);
  g_test_add_func ("/gprocess/object/join/errors", test_join_errors);
  g_test_add_func ("/gprocess/object/join/errors-in-child", test_join_errors_in_child);
  g_test_add_func ("/gprocess/object/join/many-times", test_join_many_times);
  g_test_add_func ("/gprocess/object/join/survives-signals", test_join_survives_signals);
  g_test_add_func ("/gprocess/object/is-alive", test_is_alive);
  g_test_add_func ("/gprocess/object/close/reaps-ended-child", test_close_reaps_ended_child);
  g_test_add_func ("/gprocess/object/sentinel", test_sentinel);

  return g_test_run ();
}
