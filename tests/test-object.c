/* test-object.c: GProcessObject: starting, names, daemon flag, keys, state, notifications, with real child processes
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

/* Issue 19 item 4: one rule for every setter of what a start uses, and for
 * g_process_object_check (CONFIGURE): before the start, or after close(); refused (a critical,
 * the value kept) from the start to the close */
static void
test_configurable_one_rule (void)
{
  GProcessObject *p = start_target (target_nothing, NULL);
  GError *error = NULL;

  g_test_summary ("Target, args, start method, daemon flag and parent-death signal follow one "
                  "rule, as does check (CONFIGURE): settable before start and after close");
  g_assert_false (g_process_object_check (p, G_PROCESS_OPERATION_CONFIGURE, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_ALREADY_STARTED);
  g_clear_error (&error);
  g_test_expect_message ("GProcess", G_LOG_LEVEL_CRITICAL, "*has already started*");
  g_process_object_set_args (p, g_variant_new_int32 (1));
  g_test_assert_expected_messages ();
  g_test_expect_message ("GProcess", G_LOG_LEVEL_CRITICAL, "*has already started*");
  g_process_object_set_target (p, target_nothing, NULL, NULL);
  g_test_assert_expected_messages ();
  g_test_expect_message ("GProcess", G_LOG_LEVEL_CRITICAL, "*has already started*");
  g_process_object_set_daemon (p, TRUE);
  g_test_assert_expected_messages ();
  join_ok (p);
  g_assert_true (g_process_object_close (p, &error));
  g_assert_no_error (error);

  /* Closed: the child is forgotten, the object may be set up again (it cannot start again) */
  g_assert_true (g_process_object_check (p, G_PROCESS_OPERATION_CONFIGURE, &error));
  g_assert_no_error (error);
  g_process_object_set_args (p, g_variant_new_int32 (2));
  g_assert_cmpint (g_variant_get_int32 (g_process_object_get_args (p)), ==, 2);
  g_process_object_set_target (p, target_nothing, NULL, NULL);
  g_process_object_set_daemon (p, TRUE);
  g_assert_true (g_process_object_get_daemon (p));
  g_process_object_set_parent_death_signal (p, SIGUSR1);
  g_assert_cmpint (g_process_object_get_parent_death_signal (p), ==, SIGUSR1);
  g_process_object_set_start_method (p, G_PROCESS_START_METHOD_FORK);
  g_object_unref (p);
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

typedef struct
{
  int state, pid, exit_code, name, daemon, authkey, parent_death_signal, other;
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
  else if (g_str_equal (n, "parent-death-signal"))
    c->parent_death_signal++;
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
  /* A daemonic object's default parent-death signal is SIGTERM: it changed twice too */
  g_assert_cmpint (c.parent_death_signal, ==, 2);

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

/* The defect (issue 19, item 8): set_fds() freed the array that get_fds() had handed out with
 * (transfer none), so an earlier getter's caller read freed memory, and setting the object's own
 * array again copied from the freed block. The array a getter returned stays valid for the
 * object's life. */
static void
test_fds_getter_array_outlives_set (void)
{
  const int first[] = { 10, 11, 12, 13 };
  const int second[] = { 20, 21, 22, 23 };
  GProcessObject *p = g_process_object_new ();
  const int *got, *again;
  gsize n = 0;

  g_test_summary ("The array get_fds() returned stays valid after set_fds() replaces it, and "
                  "set_fds() accepts the array get_fds() returned");

  g_process_object_set_fds (p, first, G_N_ELEMENTS (first));
  got = g_process_object_get_fds (p, &n);
  g_assert_cmpmem (got, n * sizeof (int), first, sizeof first);

  /* The object's own array, set again */
  g_process_object_set_fds (p, got, n);
  again = g_process_object_get_fds (p, &n);
  g_assert_cmpmem (again, n * sizeof (int), first, sizeof first);

  /* Replaced: the arrays handed out before still hold what they held */
  g_process_object_set_fds (p, second, G_N_ELEMENTS (second));
  g_assert_cmpmem (got, G_N_ELEMENTS (first) * sizeof (int), first, sizeof first);
  g_assert_cmpmem (again, G_N_ELEMENTS (first) * sizeof (int), first, sizeof first);
  g_assert_cmpmem (g_process_object_get_fds (p, &n), n * sizeof (int), second, sizeof second);

  g_process_object_set_fds (p, NULL, 0);
  g_assert_null (g_process_object_get_fds (p, &n));
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpmem (got, G_N_ELEMENTS (first) * sizeof (int), first, sizeof first);
  g_object_unref (p);
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
  g_test_add_func ("/gprocess/object/names/generations", test_names_by_generation);
  g_test_add_func ("/gprocess/object/names/main-and-custom", test_names_main_and_custom);
  g_test_add_func ("/gprocess/object/daemon/inherited", test_daemon_inherited);
  g_test_add_func ("/gprocess/object/daemon/fixed-after-start", test_daemon_fixed_after_start);
  g_test_add_func ("/gprocess/object/configurable/one-rule", test_configurable_one_rule);
  g_test_add_func ("/gprocess/object/authkey", test_authkey);
  g_test_add_func ("/gprocess/object/close", test_close);
  g_test_add_func ("/gprocess/object/notify/counts", test_notify_counts);
  g_test_add_func ("/gprocess/object/notify/is-alive", test_notify_when_is_alive_observes);
  g_test_add_func ("/gprocess/object/notify/state-getter-does-not-reenter", test_notify_state_getter_does_not_reenter);
  g_test_add_func ("/gprocess/object/to-string", test_to_string);
  g_test_add_func ("/gprocess/object/fds/getter-array-outlives-set", test_fds_getter_array_outlives_set);

  return g_test_run ();
}
