/* test-fork.c: fork and the child until _exit: stdio, atexit, stdin, inherited descriptors, with real child processes
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
test_start_non_daemonic_may_have_children (void)
{
  GProcessObject *p = start_target (target_start_child, NULL);

  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 100);
  g_object_unref (p);
}

static void
target_print_child (GProcessObject *process,
                    gpointer        user_data)
{
  printf ("child\n");
}

static void
test_start_flushes_stdio_subprocess (void)
{
  static char buf[BUFSIZ];
  GProcessObject *p;

  setvbuf (stdout, buf, _IOFBF, sizeof buf);
  printf ("before\n");
  p = start_target (target_print_child, NULL);
  join_ok (p);
  printf ("after\n");
  g_object_unref (p);
}

static void
test_start_flushes_stdio (void)
{
  g_test_trap_subprocess ("/gprocess/object/start/flushes-stdio/subprocess", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  /* "before" written once: the child did not inherit it buffered; "child" flushed by the child */
  g_test_trap_assert_stdout ("before\nchild\nafter\n");
}

static void
print_at_exit (void)
{
  printf ("atexit in %s\n", g_process_object_get_name (g_process_get_current ()));
}

static void
test_child_skips_atexit_subprocess (void)
{
  GProcessObject *p;

  atexit (print_at_exit);
  p = start_target (target_nothing, NULL);
  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 0);
  g_object_unref (p);
}

static void
test_child_skips_atexit (void)
{
  g_test_trap_subprocess ("/gprocess/object/child/skips-atexit/subprocess", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("atexit in MainProcess\n");
}

static void
test_child_never_returns_into_caller (void)
{
  Report r;
  GProcessObject *p;
  pid_t me = getpid ();
  char *out;

  report_open (&r);
  p = start_target (target_nothing, NULL);
  if (getpid () != me)
    {
      /* Only a child that returned from start() gets here */
      report_printf (&r, "returned");
      _exit (99);
    }
  join_ok (p);
  out = report_read (&r);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 0);
  g_free (out);
  g_object_unref (p);
  report_close (&r);
}

static void
target_check_stdin (GProcessObject *process,
                    gpointer        user_data)
{
  struct stat st;
  char c;

  if (fstat (STDIN_FILENO, &st) != 0 || !S_ISCHR (st.st_mode) ||
      major (st.st_rdev) != 1 || minor (st.st_rdev) != 3)
    g_process_exit (2);
  if (read (STDIN_FILENO, &c, 1) != 0)
    g_process_exit (3);
}

static void
test_child_stdin_is_devnull (void)
{
  int fds[2];
  int saved_stdin = dup (STDIN_FILENO);
  GProcessObject *p;

  /* Give the parent a stdin with data the child must not see */
  g_assert_no_errno (pipe (fds));
  g_assert_cmpint (write (fds[1], "x", 1), ==, 1);
  dup2 (fds[0], STDIN_FILENO);

  p = start_target (target_check_stdin, NULL);
  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 0);

  dup2 (saved_stdin, STDIN_FILENO);
  close (saved_stdin);
  close (fds[0]);
  close (fds[1]);
  g_object_unref (p);
}

static void
test_resources_no_zombie_no_fd_leak (void)
{
  int fds_before;

  /* Warm up what is allocated once (main object, at-exit handler, main context wake-up) */
  {
    GProcessObject *p = start_target (target_nothing, NULL);
    join_ok (p);
    g_object_unref (p);
  }
  fds_before = count_open_fds ();
  for (int i = 0; i < 300; i++)
    {
      GProcessObject *p = start_target (target_exit_with, GINT_TO_POINTER (i % 7));

      join_ok (p);
      g_assert_cmpint (g_process_object_get_exit_code (p), ==, i % 7);
      g_object_unref (p);
    }
  g_assert_cmpint (count_open_fds (), ==, fds_before);
  g_assert_false (has_any_child ());
}

static void
target_check_fds (GProcessObject *process,
                  gpointer        user_data)
{
  int *fds = user_data;

  /* The library's descriptor (a sibling's sentinel) is closed... */
  if (fcntl (fds[0], F_GETFD) != -1 || errno != EBADF)
    g_process_exit (2);
  /* ...the application's are inherited */
  if (fcntl (fds[1], F_GETFD) == -1)
    g_process_exit (3);
}

static void
test_resources_library_fds_not_inherited (void)
{
  GProcessObject *sibling = start_target (target_sleep_forever, NULL);
  int app_pipe[2];
  int fds[2];
  GProcessObject *p;

  g_assert_no_errno (pipe (app_pipe));
  fds[0] = g_process_object_get_sentinel (sibling);
  fds[1] = app_pipe[0];
  g_assert_cmpint (fds[0], >=, 0);
  p = start_target (target_check_fds, fds);
  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 0);

  kill_and_join (sibling);
  close (app_pipe[0]);
  close (app_pipe[1]);
  g_object_unref (sibling);
  g_object_unref (p);
}

static void
test_resources_plain_fork_child_has_no_children (void)
{
  GProcessObject *running = start_target (target_sleep_forever, NULL);
  pid_t pid = fork ();
  int status;

  if (pid == 0)
    {
      GList *children = g_process_get_active_children ();
      int sentinel_closed = fcntl (g_process_object_get_sentinel (running), F_GETFD) == -1;

      _exit (children == NULL && sentinel_closed ? 0 : 1);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  kill_and_join (running);
  g_object_unref (running);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gprocess/object/start/grandchildren", test_start_non_daemonic_may_have_children);
  g_test_add_func ("/gprocess/object/start/flushes-stdio", test_start_flushes_stdio);
  g_test_add_func ("/gprocess/object/start/flushes-stdio/subprocess", test_start_flushes_stdio_subprocess);
  g_test_add_func ("/gprocess/object/child/skips-atexit", test_child_skips_atexit);
  g_test_add_func ("/gprocess/object/child/skips-atexit/subprocess", test_child_skips_atexit_subprocess);
  g_test_add_func ("/gprocess/object/child/never-returns", test_child_never_returns_into_caller);
  g_test_add_func ("/gprocess/object/child/stdin-devnull", test_child_stdin_is_devnull);
  g_test_add_func ("/gprocess/resources/no-zombie-no-fd-leak", test_resources_no_zombie_no_fd_leak);
  g_test_add_func ("/gprocess/resources/library-fds-not-inherited", test_resources_library_fds_not_inherited);
  g_test_add_func ("/gprocess/resources/plain-fork-has-no-children", test_resources_plain_fork_child_has_no_children);

  return g_test_run ();
}
