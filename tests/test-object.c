/* test-object.c: GProcessObject semantics, with real child processes
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

/* ---------------------------------------------------------------------------------------- */
/* A C subclass that overrides run                                                           */

#define TEST_TYPE_WORKER (test_worker_get_type ())
G_DECLARE_FINAL_TYPE (TestWorker, test_worker, TEST, WORKER, GProcessObject)

struct _TestWorker
{
  GProcessObject parent_instance;
  int arg;
  Report *report;
};

G_DEFINE_FINAL_TYPE (TestWorker, test_worker, G_PROCESS_TYPE_OBJECT)

static void
test_worker_run (GProcessObject *process)
{
  TestWorker *self = TEST_WORKER (process);

  report_printf (self->report, "worker %d in %d", self->arg, (int) getpid ());
  g_process_exit (self->arg);
}

static void
test_worker_class_init (TestWorkerClass *klass)
{
  G_PROCESS_OBJECT_CLASS (klass)->run = test_worker_run;
}

static void
test_worker_init (TestWorker *self)
{
}

static TestWorker *
test_worker_new (int arg, Report *report)
{
  TestWorker *self = g_object_new (TEST_TYPE_WORKER, NULL);

  self->arg = arg;
  self->report = report;
  return self;
}

/* ---------------------------------------------------------------------------------------- */
/* start / run                                                                               */

static void
target_report_pid (GProcessObject *process,
                   gpointer        user_data)
{
  report_printf (user_data, "%d", (int) getpid ());
}

static void
test_start_runs_target_in_child (void)
{
  Report r;
  GProcessObject *p;
  char *out;

  report_open (&r);
  p = g_process_object_new_with_target (target_report_pid, &r, NULL);
  g_assert_cmpint (g_process_object_get_pid (p), ==, 0);
  g_assert_true (g_process_object_start (p, NULL));
  g_assert_cmpint (g_process_object_get_pid (p), >, 0);
  g_assert_cmpint (g_process_object_get_pid (p), !=, getpid ());
  join_ok (p);

  out = report_read (&r);
  g_assert_cmpint (atoi (out), ==, g_process_object_get_pid (p));
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 0);
  g_free (out);
  g_object_unref (p);
  report_close (&r);
}

static void
test_start_subclass_run (void)
{
  Report r;
  TestWorker *w;
  char *out, *expected;

  report_open (&r);
  w = test_worker_new (42, &r);
  g_assert_true (g_process_object_start (G_PROCESS_OBJECT (w), NULL));
  join_ok (G_PROCESS_OBJECT (w));

  out = report_read (&r);
  expected = g_strdup_printf ("worker 42 in %d", g_process_object_get_pid (G_PROCESS_OBJECT (w)));
  g_assert_cmpstr (out, ==, expected);
  g_assert_cmpint (g_process_object_get_exit_code (G_PROCESS_OBJECT (w)), ==, 42);
  g_free (out);
  g_free (expected);
  g_object_unref (w);
  report_close (&r);
}

static void
test_start_set_target (void)
{
  GProcessObject *p = g_process_object_new_with_target (target_exit_with, GINT_TO_POINTER (1), NULL);
  Report r;
  char *out;

  report_open (&r);
  g_process_object_set_target (p, target_report_pid, &r, NULL);
  g_assert_true (g_process_object_start (p, NULL));
  g_test_expect_message ("GProcess", G_LOG_LEVEL_CRITICAL, "*has already started*");
  g_process_object_set_target (p, target_exit_with, GINT_TO_POINTER (1), NULL);
  g_test_assert_expected_messages ();
  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 0);
  out = report_read (&r);
  g_assert_cmpint (atoi (out), ==, g_process_object_get_pid (p));
  g_free (out);
  g_object_unref (p);
  report_close (&r);
}

static void
test_start_no_target_does_nothing (void)
{
  GProcessObject *p = g_process_object_new ();

  g_assert_true (g_process_object_start (p, NULL));
  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 0);
  g_object_unref (p);
}

static void
test_start_twice_fails (void)
{
  GProcessObject *p = start_target (target_nothing, NULL);
  GError *error = NULL;

  g_assert_false (g_process_object_start (p, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_ALREADY_STARTED);
  g_clear_error (&error);
  join_ok (p);
  g_assert_false (g_process_object_start (p, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_ALREADY_STARTED);
  g_clear_error (&error);
  g_object_unref (p);
}

static void
test_start_current_fails (void)
{
  GError *error = NULL;

  g_assert_false (g_process_object_start (g_process_get_current (), &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_CHILD);
  g_clear_error (&error);
}

static void
target_start_given (GProcessObject *process,
                    gpointer        user_data)
{
  GError *error = NULL;
  int code = 100;

  if (!g_process_object_start (user_data, &error))
    {
      code = error->code;
      g_error_free (error);
    }
  g_process_exit (code);
}

static void
test_start_from_other_process_fails (void)
{
  GProcessObject *sibling = g_process_object_new ();
  GProcessObject *p = start_target (target_start_given, sibling);

  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, G_PROCESS_ERROR_NOT_CHILD);
  g_object_unref (p);
  g_object_unref (sibling);
}

static void
target_start_child (GProcessObject *process,
                    gpointer        user_data)
{
  GProcessObject *child = g_process_object_new ();
  GError *error = NULL;
  int code = 100;

  if (!g_process_object_start (child, &error))
    {
      code = error->code;
      g_error_free (error);
    }
  else
    g_process_object_join (child, -1, NULL, NULL);
  g_object_unref (child);
  g_process_exit (code);
}

static void
test_start_daemonic_cannot_have_children (void)
{
  GProcessObject *p = g_process_object_new_with_target (target_start_child, NULL, NULL);

  g_process_object_set_daemon (p, TRUE);
  g_assert_true (g_process_object_start (p, NULL));
  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, G_PROCESS_ERROR_DAEMONIC);
  g_object_unref (p);
}

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

/* ---------------------------------------------------------------------------------------- */
/* Exit codes                                                                                */

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

/* ---------------------------------------------------------------------------------------- */
/* Names                                                                                     */

static void
target_report_names (GProcessObject *process,
                     gpointer        user_data)
{
  Report *r = user_data;
  GProcessObject *a = g_process_object_new_with_target (target_report_names, NULL, NULL);
  GProcessObject *b = g_process_object_new ();

  report_printf (r, "%s %s %s|", g_process_object_get_name (g_process_get_current ()),
                 g_process_object_get_name (a), g_process_object_get_name (b));
  if (g_str_has_prefix (g_process_object_get_name (a), "Process-") &&
      strchr (g_process_object_get_name (a), ':') == strrchr (g_process_object_get_name (a), ':'))
    {
      /* One generation further: a grandchild reports its own children's names */
      GProcessObject *g = g_process_object_new_with_target (target_report_names, r, NULL);

      g_process_object_start (g, NULL);
      g_process_object_join (g, -1, NULL, NULL);
      g_object_unref (g);
    }
  g_object_unref (a);
  g_object_unref (b);
}

static void
test_names_by_generation (void)
{
  Report r;
  GProcessObject *first = g_process_object_new ();
  GProcessObject *p;
  int n;
  char *out, *expected;

  report_open (&r);
  /* The counter advances on every construction */
  n = atoi (g_process_object_get_name (first) + strlen ("Process-"));
  p = g_process_object_new_with_target (target_report_names, &r, NULL);
  g_assert_cmpint (atoi (g_process_object_get_name (p) + strlen ("Process-")), ==, n + 1);
  g_assert_true (g_process_object_start (p, NULL));
  join_ok (p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 0);

  out = report_read (&r);
  expected = g_strdup_printf ("Process-%d Process-%d:1 Process-%d:2|"
                              "Process-%d:3 Process-%d:3:1 Process-%d:3:2|",
                              n + 1, n + 1, n + 1, n + 1, n + 1, n + 1);
  g_assert_cmpstr (out, ==, expected);
  g_free (out);
  g_free (expected);
  g_object_unref (first);
  g_object_unref (p);
  report_close (&r);
}

static void
test_names_main_and_custom (void)
{
  Report r;
  GProcessObject *p;
  char *out;

  g_assert_cmpstr (g_process_object_get_name (g_process_get_current ()), ==, "MainProcess");

  p = g_object_new (G_PROCESS_TYPE_OBJECT, "name", "", NULL);
  g_assert_true (g_str_has_prefix (g_process_object_get_name (p), "Process-"));
  g_object_unref (p);

  report_open (&r);
  p = g_process_object_new_with_target (target_report_names, &r, NULL);
  g_process_object_set_name (p, "Bob");
  g_assert_cmpstr (g_process_object_get_name (p), ==, "Bob");
  g_assert_true (g_process_object_start (p, NULL));
  join_ok (p);
  out = report_read (&r);
  /* The child knows itself as Bob; the name does not affect its children's names */
  g_assert_true (g_str_has_prefix (out, "Bob Process-"));
  g_free (out);
  g_process_object_set_name (p, "renamed after start");
  g_assert_cmpstr (g_process_object_get_name (p), ==, "renamed after start");
  g_object_unref (p);
  report_close (&r);
}

/* ---------------------------------------------------------------------------------------- */
/* daemon                                                                                    */

static void
target_report_daemon_default (GProcessObject *process,
                              gpointer        user_data)
{
  GProcessObject *o = g_process_object_new ();

  report_printf (user_data, "%d %d", g_process_object_get_daemon (g_process_get_current ()),
                 g_process_object_get_daemon (o));
  g_object_unref (o);
}

static void
test_daemon_inherited (void)
{
  Report r;
  GProcessObject *p;
  char *out;

  g_assert_false (g_process_object_get_daemon (g_process_get_current ()));
  p = g_process_object_new_with_target (target_report_daemon_default, &r, NULL);
  g_assert_false (g_process_object_get_daemon (p));

  report_open (&r);
  g_object_set (p, "daemon", TRUE, NULL);
  g_assert_true (g_process_object_start (p, NULL));
  join_ok (p);
  out = report_read (&r);
  g_assert_cmpstr (out, ==, "1 1");
  g_free (out);
  g_object_unref (p);
  report_close (&r);
}

static void
test_daemon_fixed_after_start (void)
{
  GProcessObject *p = start_target (target_nothing, NULL);

  g_test_expect_message ("GProcess", G_LOG_LEVEL_CRITICAL, "*has already started*");
  g_process_object_set_daemon (p, TRUE);
  g_test_assert_expected_messages ();
  g_assert_false (g_process_object_get_daemon (p));
  join_ok (p);

  g_test_expect_message ("GProcess", G_LOG_LEVEL_CRITICAL, "*has already started*");
  g_process_object_set_daemon (p, TRUE);
  g_test_assert_expected_messages ();
  g_assert_false (g_process_object_get_daemon (p));
  g_object_unref (p);
}

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

/* ---------------------------------------------------------------------------------------- */
/* authkey                                                                                   */

static void
target_report_authkey (GProcessObject *process,
                       gpointer        user_data)
{
  GBytes *key = g_process_object_get_authkey (g_process_get_current ());
  GProcessObject *child = g_process_object_new ();
  char *hex = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, key);

  report_printf (user_data, "%s %d", hex,
                 g_bytes_equal (key, g_process_object_get_authkey (child)));
  g_free (hex);
  g_object_unref (child);
}

static void
test_authkey (void)
{
  GBytes *main_key = g_process_object_get_authkey (g_process_get_current ());
  GBytes *custom = g_bytes_new_static ("0123456789", 10);
  GProcessObject *p = g_process_object_new ();
  Report r;
  char *out, *expected, *hex;
  char *s;

  g_assert_cmpuint (g_bytes_get_size (main_key), ==, 32);
  g_assert_true (g_bytes_equal (g_process_object_get_authkey (p), main_key));

  g_process_object_set_authkey (p, NULL);
  g_assert_cmpuint (g_bytes_get_size (g_process_object_get_authkey (p)), ==, 32);
  g_assert_false (g_bytes_equal (g_process_object_get_authkey (p), main_key));
  g_object_unref (p);

  report_open (&r);
  p = g_process_object_new_with_target (target_report_authkey, &r, NULL);
  g_process_object_set_authkey (p, custom);
  g_assert_true (g_process_object_start (p, NULL));
  join_ok (p);
  out = report_read (&r);
  hex = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, custom);
  expected = g_strdup_printf ("%s 1", hex);
  g_assert_cmpstr (out, ==, expected);

  s = g_process_object_to_string (p);
  g_assert_null (strstr (s, "0123456789"));
  g_free (s);
  g_free (out);
  g_free (expected);
  g_free (hex);
  g_bytes_unref (custom);
  g_object_unref (p);
  report_close (&r);
}

/* ---------------------------------------------------------------------------------------- */
/* join                                                                                      */

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

/* ---------------------------------------------------------------------------------------- */
/* is_alive, close, sentinel                                                                 */

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
test_close (void)
{
  GProcessObject *p = start_target (target_sleep_forever, NULL);
  GError *error = NULL;
  GPid pid;

  g_assert_false (g_process_object_close (p, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_STILL_RUNNING);
  g_clear_error (&error);

  kill_and_join (p);
  pid = g_process_object_get_pid (p);
  g_assert_cmpint (g_process_object_get_sentinel (p), >=, 0);
  g_assert_true (g_process_object_close (p, &error));
  g_assert_no_error (error);
  g_assert_true (g_process_object_close (p, &error));  /* idempotent */
  g_assert_cmpint (g_process_object_get_state (p), ==, G_PROCESS_STATE_CLOSED);
  g_assert_cmpint (g_process_object_get_sentinel (p), ==, -1);

  g_assert_false (g_process_object_start (p, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (g_process_object_join (p, -1, NULL, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (g_process_object_is_alive (p));

  /* What still works */
  g_process_object_set_name (p, "closed one");
  g_assert_cmpstr (g_process_object_get_name (p), ==, "closed one");
  g_assert_false (g_process_object_get_daemon (p));
  g_assert_nonnull (g_process_object_get_authkey (p));
  g_assert_cmpint (g_process_object_get_pid (p), ==, pid);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, -SIGKILL);
  g_object_unref (p);

  /* Before start */
  p = g_process_object_new ();
  g_assert_true (g_process_object_close (p, NULL));
  g_assert_false (g_process_object_start (p, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_CLOSED);
  g_clear_error (&error);
  g_object_unref (p);

  /* The main process object keeps working */
  g_assert_true (g_process_object_close (g_process_get_current (), NULL));
  g_assert_true (g_process_object_is_alive (g_process_get_current ()));
  g_assert_cmpint (g_process_object_get_state (g_process_get_current ()), ==,
                   G_PROCESS_STATE_STARTED);
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

/* ---------------------------------------------------------------------------------------- */
/* The process tree                                                                          */

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

/* ---------------------------------------------------------------------------------------- */
/* Notifications                                                                             */

typedef struct
{
  int state, pid, exit_code, name, daemon, authkey, other;
} NotifyCounts;

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  NotifyCounts *c = user_data;
  const char *n = g_param_spec_get_name (pspec);

  if (g_str_equal (n, "state"))
    c->state++;
  else if (g_str_equal (n, "pid"))
    c->pid++;
  else if (g_str_equal (n, "exit-code"))
    c->exit_code++;
  else if (g_str_equal (n, "name"))
    c->name++;
  else if (g_str_equal (n, "daemon"))
    c->daemon++;
  else if (g_str_equal (n, "authkey"))
    c->authkey++;
  else
    c->other++;
}

static void
test_notify_counts (void)
{
  GProcessObject *p = g_process_object_new_with_target (target_exit_with, GINT_TO_POINTER (1), NULL);
  NotifyCounts c = { 0 };

  g_signal_connect (p, "notify", G_CALLBACK (on_notify), &c);
  g_process_object_set_name (p, "n");
  g_process_object_set_name (p, "n");          /* no change, no notify */
  g_process_object_set_daemon (p, FALSE);      /* no change */
  g_process_object_set_daemon (p, TRUE);
  g_process_object_set_daemon (p, FALSE);
  g_process_object_set_authkey (p, g_process_object_get_authkey (p));  /* same key */
  g_process_object_set_authkey (p, NULL);
  g_assert_cmpint (c.name, ==, 1);
  g_assert_cmpint (c.daemon, ==, 2);
  g_assert_cmpint (c.authkey, ==, 1);

  g_assert_true (g_process_object_start (p, NULL));
  g_assert_cmpint (c.state, ==, 1);
  g_assert_cmpint (c.pid, ==, 1);
  g_assert_cmpint (c.exit_code, ==, 0);

  join_ok (p);
  join_ok (p);
  g_assert_false (g_process_object_is_alive (p));
  g_process_object_get_exit_code (p);
  g_assert_cmpint (c.state, ==, 2);
  g_assert_cmpint (c.exit_code, ==, 1);
  g_assert_cmpint (c.pid, ==, 1);

  g_assert_true (g_process_object_close (p, NULL));
  g_assert_true (g_process_object_close (p, NULL));
  g_assert_cmpint (c.state, ==, 3);
  g_assert_cmpint (c.other, ==, 0);
  g_object_unref (p);
}

static void
test_notify_when_is_alive_observes (void)
{
  GProcessObject *p = start_target (target_nothing, NULL);
  NotifyCounts c = { 0 };

  g_signal_connect (p, "notify", G_CALLBACK (on_notify), &c);
  wait_exited_unreaped (g_process_object_get_pid (p));
  g_assert_false (g_process_object_is_alive (p));
  g_assert_false (g_process_object_is_alive (p));
  g_assert_cmpint (c.state, ==, 1);
  g_assert_cmpint (c.exit_code, ==, 1);
  g_object_unref (p);
}

typedef struct
{
  int started_seen;
  int stopped_seen;
} StateSeen;

static void
on_state_wait_then_read (GObject    *object,
                         GParamSpec *pspec,
                         gpointer    user_data)
{
  GProcessObject *p = G_PROCESS_OBJECT (object);
  StateSeen *seen = user_data;

  /* The child has surely ended by the time the handler reads the state */
  wait_exited_unreaped (g_process_object_get_pid (p));
  if (g_process_object_get_state (p) == G_PROCESS_STATE_STARTED)
    seen->started_seen++;
  else if (g_process_object_get_state (p) == G_PROCESS_STATE_STOPPED)
    seen->stopped_seen++;
}

static void
test_notify_state_getter_does_not_reenter (void)
{
  GProcessObject *p = g_process_object_new ();
  StateSeen seen = { 0 };

  g_signal_connect (p, "notify::state", G_CALLBACK (on_state_wait_then_read), &seen);
  g_assert_true (g_process_object_start (p, NULL));
  g_assert_cmpint (seen.started_seen, ==, 1);
  g_assert_cmpint (seen.stopped_seen, ==, 0);
  join_ok (p);
  g_assert_cmpint (seen.started_seen, ==, 1);
  g_assert_cmpint (seen.stopped_seen, ==, 1);
  g_object_unref (p);
}

/* ---------------------------------------------------------------------------------------- */
/* to_string                                                                                 */

static void
test_to_string (void)
{
  GProcessObject *p = g_process_object_new_with_target (target_sleep_forever, NULL, NULL);
  char *s, *expected;

  g_process_object_set_name (p, "x");
  g_process_object_set_daemon (p, TRUE);
  s = g_process_object_to_string (p);
  expected = g_strdup_printf ("<GProcessObject name='x' parent=%d initial daemon>", (int) getpid ());
  g_assert_cmpstr (s, ==, expected);
  g_free (s);
  g_free (expected);

  g_assert_true (g_process_object_start (p, NULL));
  s = g_process_object_to_string (p);
  expected = g_strdup_printf ("<GProcessObject name='x' pid=%d parent=%d started daemon>",
                              g_process_object_get_pid (p), (int) getpid ());
  g_assert_cmpstr (s, ==, expected);
  g_free (s);
  g_free (expected);

  g_process_object_terminate (p);
  join_ok (p);
  s = g_process_object_to_string (p);
  expected = g_strdup_printf ("<GProcessObject name='x' pid=%d parent=%d stopped exitcode=-SIGTERM daemon>",
                              g_process_object_get_pid (p), (int) getpid ());
  g_assert_cmpstr (s, ==, expected);
  g_free (s);
  g_free (expected);

  g_process_object_close (p, NULL);
  s = g_process_object_to_string (p);
  expected = g_strdup_printf ("<GProcessObject name='x' parent=%d closed daemon>", (int) getpid ());
  g_assert_cmpstr (s, ==, expected);
  g_free (s);
  g_free (expected);

  s = g_process_object_to_string (g_process_get_current ());
  expected = g_strdup_printf ("<GProcessObject name='MainProcess' pid=%d parent=None started>",
                              (int) getpid ());
  g_assert_cmpstr (s, ==, expected);
  g_free (s);
  g_free (expected);
  g_object_unref (p);
}

/* ---------------------------------------------------------------------------------------- */
/* Resources                                                                                 */

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

  g_test_add_func ("/gprocess/object/start/runs-target-in-child", test_start_runs_target_in_child);
  g_test_add_func ("/gprocess/object/start/subclass-run", test_start_subclass_run);
  g_test_add_func ("/gprocess/object/start/no-target", test_start_no_target_does_nothing);
  g_test_add_func ("/gprocess/object/start/set-target", test_start_set_target);
  g_test_add_func ("/gprocess/object/start/twice", test_start_twice_fails);
  g_test_add_func ("/gprocess/object/start/current", test_start_current_fails);
  g_test_add_func ("/gprocess/object/start/not-creator", test_start_from_other_process_fails);
  g_test_add_func ("/gprocess/object/start/daemonic-no-children", test_start_daemonic_cannot_have_children);
  g_test_add_func ("/gprocess/object/start/grandchildren", test_start_non_daemonic_may_have_children);
  g_test_add_func ("/gprocess/object/start/flushes-stdio", test_start_flushes_stdio);
  g_test_add_func ("/gprocess/object/start/flushes-stdio/subprocess", test_start_flushes_stdio_subprocess);
  g_test_add_func ("/gprocess/object/child/skips-atexit", test_child_skips_atexit);
  g_test_add_func ("/gprocess/object/child/skips-atexit/subprocess", test_child_skips_atexit_subprocess);
  g_test_add_func ("/gprocess/object/child/never-returns", test_child_never_returns_into_caller);
  g_test_add_func ("/gprocess/object/child/stdin-devnull", test_child_stdin_is_devnull);
  g_test_add_func ("/gprocess/object/exit-code/values", test_exit_code_values);
  g_test_add_func ("/gprocess/object/exit-code/terminate-kill", test_exit_code_terminate_and_kill);
  g_test_add_func ("/gprocess/object/terminate/before-start", test_terminate_before_start_is_noop);
  g_test_add_func ("/gprocess/object/names/generations", test_names_by_generation);
  g_test_add_func ("/gprocess/object/names/main-and-custom", test_names_main_and_custom);
  g_test_add_func ("/gprocess/object/daemon/inherited", test_daemon_inherited);
  g_test_add_func ("/gprocess/object/daemon/fixed-after-start", test_daemon_fixed_after_start);
  g_test_add_func ("/gprocess/object/daemon/rules-when-child-ends", test_daemon_rules_when_child_ends);
  g_test_add_func ("/gprocess/object/daemon/rules-at-main-exit", test_daemon_rules_at_main_exit);
  g_test_add_func ("/gprocess/object/daemon/rules-at-main-exit/subprocess", test_daemon_rules_at_main_exit_subprocess);
  g_test_add_func ("/gprocess/object/authkey", test_authkey);
  g_test_add_func ("/gprocess/object/join/timeout", test_join_timeout);
  g_test_add_func ("/gprocess/object/join/cancellable", test_join_cancellable);
  g_test_add_func ("/gprocess/object/join/errors", test_join_errors);
  g_test_add_func ("/gprocess/object/join/errors-in-child", test_join_errors_in_child);
  g_test_add_func ("/gprocess/object/join/many-times", test_join_many_times);
  g_test_add_func ("/gprocess/object/join/survives-signals", test_join_survives_signals);
  g_test_add_func ("/gprocess/object/is-alive", test_is_alive);
  g_test_add_func ("/gprocess/object/close", test_close);
  g_test_add_func ("/gprocess/object/close/reaps-ended-child", test_close_reaps_ended_child);
  g_test_add_func ("/gprocess/object/sentinel", test_sentinel);
  g_test_add_func ("/gprocess/tree/current-and-parent", test_tree_current_and_parent);
  g_test_add_func ("/gprocess/tree/parent-join", test_tree_parent_join);
  g_test_add_func ("/gprocess/tree/active-children", test_tree_active_children);
  g_test_add_func ("/gprocess/tree/dropped-child/active-children", test_tree_dropped_child_reaped_by_active_children);
  g_test_add_func ("/gprocess/tree/dropped-child/next-start", test_tree_dropped_child_reaped_by_next_start);
  g_test_add_func ("/gprocess/object/notify/counts", test_notify_counts);
  g_test_add_func ("/gprocess/object/notify/is-alive", test_notify_when_is_alive_observes);
  g_test_add_func ("/gprocess/object/notify/state-getter-does-not-reenter", test_notify_state_getter_does_not_reenter);
  g_test_add_func ("/gprocess/object/to-string", test_to_string);
  g_test_add_func ("/gprocess/resources/no-zombie-no-fd-leak", test_resources_no_zombie_no_fd_leak);
  g_test_add_func ("/gprocess/resources/library-fds-not-inherited", test_resources_library_fds_not_inherited);
  g_test_add_func ("/gprocess/resources/plain-fork-has-no-children", test_resources_plain_fork_child_has_no_children);

  return g_test_run ();
}
