/* test-tree.c: the process tree: current, parent, active children, daemon rules at exit, with real child processes
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

/* Writes "gone" once the daemonic sibling has ended: it reads a pipe whose only writer is that
 * sibling (a sibling cannot waitpid() it). */
static void
target_wait_for_eof_then_report (GProcessObject *process,
                                 gpointer        user_data)
{
  Report *r = user_data;
  int fd = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (process), "watch-fd"));
  char c;

  while (read (fd, &c, 1) != 0)
    ;
  report_printf (r, "gone");
}

/* Starts a daemonic sleeper and a non-daemonic child that lives until the sleeper is gone.
 * Returns the sleeper's pid. */
static GPid
start_daemon_and_waiter (Report *r, GPid *waiter_pid)
{
  GProcessObject *daemon_child = g_process_object_new_with_target (target_sleep_forever, NULL, NULL);
  GProcessObject *waiter = g_process_object_new_with_target (target_wait_for_eof_then_report, r, NULL);
  GPid pid;
  int fds[2];

  g_assert_no_errno (pipe2 (fds, 0));
  g_process_object_set_daemon (daemon_child, TRUE);
  g_assert_true (g_process_object_start (daemon_child, NULL));  /* inherits the write end */
  close (fds[1]);
  pid = g_process_object_get_pid (daemon_child);
  g_object_set_data (G_OBJECT (waiter), "watch-fd", GINT_TO_POINTER (fds[0]));
  g_assert_true (g_process_object_start (waiter, NULL));
  *waiter_pid = g_process_object_get_pid (waiter);
  close (fds[0]);
  /* Dropped without join: the process holds them until the end */
  g_object_unref (daemon_child);
  g_object_unref (waiter);
  return pid;
}

static void
target_daemon_rules (GProcessObject *process,
                     gpointer        user_data)
{
  GPid waiter;
  GPid d = start_daemon_and_waiter (user_data, &waiter);

  report_printf (user_data, "%d %d ", (int) d, (int) waiter);
  /* returning ends the child: the daemonic one is terminated, the other joined */
}

static void
test_daemon_rules_when_child_ends (void)
{
  Report r;
  GProcessObject *p;
  char *out;
  int d = 0, w = 0;
  char word[16] = { 0 };

  report_open (&r);
  p = start_target (target_daemon_rules, &r);
  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 0);
  out = report_read (&r);
  g_assert_cmpint (sscanf (out, "%d %d %15s", &d, &w, word), ==, 3);
  /* The waiter saw the daemon die before the child ended, and both are gone */
  g_assert_cmpstr (word, ==, "gone");
  g_assert_cmpint (kill (d, 0), ==, -1);
  g_assert_cmpint (kill (w, 0), ==, -1);
  g_free (out);
  g_object_unref (p);
  report_close (&r);
}

static char *
daemon_rules_report_path (pid_t test_runner)
{
  return g_strdup_printf ("%s/gprocess-test-daemon-rules-%d", g_get_tmp_dir (), (int) test_runner);
}

static void
test_daemon_rules_at_main_exit_subprocess (void)
{
  char *path = daemon_rules_report_path (getppid ());
  Report r;
  GPid waiter;
  GPid d;
  char *line;

  r.read_fd = -1;
  r.write_fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  g_assert_cmpint (r.write_fd, >=, 0);
  d = start_daemon_and_waiter (&r, &waiter);
  line = g_strdup_printf ("%d %d ", (int) d, (int) waiter);
  g_assert_cmpint (write (r.write_fd, line, strlen (line)), ==, (ssize_t) strlen (line));
  g_free (line);
  g_free (path);
  /* Return from the test, then from main: exit() terminates the daemon and joins the waiter,
   * which writes "gone" once the daemon has died */
}

static void
test_daemon_rules_at_main_exit (void)
{
  char *path = daemon_rules_report_path (getpid ());
  int d = 0, w = 0;
  char word[16] = { 0 };
  char *out = NULL;

  g_test_trap_subprocess ("/gprocess/object/daemon/rules-at-main-exit/subprocess", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_assert_true (g_file_get_contents (path, &out, NULL, NULL));
  g_assert_cmpint (sscanf (out, "%d %d %15s", &d, &w, word), ==, 3);
  /* The subprocess exited only after the waiter saw the daemon die, and both are gone */
  g_assert_cmpstr (word, ==, "gone");
  g_assert_cmpint (kill (d, 0), ==, -1);
  g_assert_cmpint (kill (w, 0), ==, -1);
  g_unlink (path);
  g_free (out);
  g_free (path);
}

static void
target_report_current (GProcessObject *process,
                       gpointer        user_data)
{
  GProcessObject *current = g_process_get_current ();
  GProcessObject *parent = g_process_get_parent ();
  GList *children = g_process_get_active_children ();

  report_printf (user_data, "%d %s %d %d %d %d|%s %d %d %d",
                 current == process, g_process_object_get_name (current),
                 g_process_object_get_pid (current) == getpid (),
                 g_process_object_get_exit_code (current) == G_PROCESS_EXIT_CODE_NONE,
                 g_process_object_is_alive (current),
                 g_list_length (children),
                 parent ? g_process_object_get_name (parent) : "(none)",
                 parent ? g_process_object_get_pid (parent) == getppid () : -1,
                 parent ? g_process_object_is_alive (parent) : -1,
                 parent ? g_process_object_get_authkey (parent) == NULL : -1);
  g_list_free_full (children, g_object_unref);
}

static void
test_tree_current_and_parent (void)
{
  GProcessObject *running = start_target (target_sleep_forever, NULL);
  GProcessObject *p;
  Report r;
  char *out, *expected;

  g_assert_null (g_process_get_parent ());
  report_open (&r);
  p = g_process_object_new_with_target (target_report_current, &r, NULL);
  g_process_object_set_name (p, "kid");
  g_assert_true (g_process_object_start (p, NULL));
  join_ok (p);
  out = report_read (&r);
  /* The child's current process is the started object; its list of children starts empty
   * although the parent has another running child; its parent is MainProcess */
  expected = g_strdup ("1 kid 1 1 1 0|MainProcess 1 1 1");
  g_assert_cmpstr (out, ==, expected);
  g_free (out);
  g_free (expected);
  kill_and_join (running);
  g_object_unref (running);
  g_object_unref (p);
  report_close (&r);
}

static void
target_parent_join_times_out (GProcessObject *process,
                              gpointer        user_data)
{
  GError *error = NULL;
  GProcessObject *parent = g_process_get_parent ();

  if (g_process_object_join (parent, 1000, NULL, &error))
    g_process_exit (2);
  /* Without pidfd_open (e.g. under valgrind 3.19) the wait is refused, clearly */
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) &&
      !(syscall (SYS_pidfd_open, getpid (), 0) < 0 && errno == ENOSYS &&
        g_error_matches (error, G_PROCESS_ERROR, G_PROCESS_ERROR_FAILED)))
    g_process_exit (3);
  g_clear_error (&error);
  g_process_exit (0);
}

static void
test_tree_parent_join (void)
{
  GProcessObject *p = start_target (target_parent_join_times_out, NULL);

  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 0);
  g_object_unref (p);
}

static void
test_tree_active_children (void)
{
  GProcessObject *a = start_target (target_sleep_forever, NULL);
  GProcessObject *b = start_target (target_exit_with, GINT_TO_POINTER (4));
  GList *children;

  wait_exited_unreaped (g_process_object_get_pid (b));
  children = g_process_get_active_children ();
  g_assert_cmpuint (g_list_length (children), ==, 1);
  g_assert_true (children->data == a);
  g_list_free_full (children, g_object_unref);
  /* b was reaped on the way */
  g_assert_false (has_child (g_process_object_get_pid (b)));
  g_assert_cmpint (g_process_object_get_state (b), ==, G_PROCESS_STATE_STOPPED);
  g_assert_cmpint (g_process_object_get_exit_code (b), ==, 4);

  kill_and_join (a);
  children = g_process_get_active_children ();
  g_assert_null (children);
  g_object_unref (a);
  g_object_unref (b);
}

static void
test_tree_dropped_child_reaped_by_active_children (void)
{
  GProcessObject *p = start_target (target_nothing, NULL);
  GPid pid = g_process_object_get_pid (p);
  GList *children;

  g_object_unref (p);  /* dropped without join */
  wait_exited_unreaped (pid);
  g_assert_true (has_child (pid));
  children = g_process_get_active_children ();
  g_assert_null (children);
  g_assert_false (has_child (pid));
}

static void
test_tree_dropped_child_reaped_by_next_start (void)
{
  GProcessObject *p = start_target (target_nothing, NULL);
  GPid pid = g_process_object_get_pid (p);

  g_object_unref (p);
  wait_exited_unreaped (pid);
  g_assert_true (has_child (pid));
  p = start_target (target_nothing, NULL);
  g_assert_false (has_child (pid));
  join_ok (p);
  g_object_unref (p);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gprocess/object/daemon/rules-when-child-ends", test_daemon_rules_when_child_ends);
  g_test_add_func ("/gprocess/object/daemon/rules-at-main-exit", test_daemon_rules_at_main_exit);
  g_test_add_func ("/gprocess/object/daemon/rules-at-main-exit/subprocess", test_daemon_rules_at_main_exit_subprocess);
  g_test_add_func ("/gprocess/tree/current-and-parent", test_tree_current_and_parent);
  g_test_add_func ("/gprocess/tree/parent-join", test_tree_parent_join);
  g_test_add_func ("/gprocess/tree/active-children", test_tree_active_children);
  g_test_add_func ("/gprocess/tree/dropped-child/active-children", test_tree_dropped_child_reaped_by_active_children);
  g_test_add_func ("/gprocess/tree/dropped-child/next-start", test_tree_dropped_child_reaped_by_next_start);

  return g_test_run ();
}
