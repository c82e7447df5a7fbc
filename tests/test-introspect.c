/* test-introspect.c: the entry points for language bindings (gprocess-introspect.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "test-util.h"

static void
test_describe_as_python (void)
{
  g_autoptr(GProcessObject) p = g_process_object_new_with_target (target_sleep_forever, NULL, NULL);
  GError *error = NULL;
  char *s, *expected;

  g_process_object_set_name (p, "it's");
  s = g_process_object_describe (p, "Process");
  expected = g_strdup_printf ("<Process name=\"it's\" parent=%d initial>", (int) getpid ());
  g_assert_cmpstr (s, ==, expected);
  g_free (s);
  g_free (expected);

  g_process_object_set_name (p, "a'\"\t\xc2\xa0\xc3\xa9");  /* quote, tab, no-break space, é */
  g_assert_true (g_process_object_start (p, &error));
  g_assert_no_error (error);
  g_process_object_terminate (p);
  g_assert_true (g_process_object_join (p, -1, NULL, &error));
  s = g_process_object_describe (p, NULL);
  expected = g_strdup_printf ("<GProcessObject name='a\\'\"\\t\\xa0\xc3\xa9' pid=%d parent=%d "
                              "stopped exitcode=-SIGTERM>", (int) g_process_object_get_pid (p),
                              (int) getpid ());
  g_assert_cmpstr (s, ==, expected);
  g_free (s);
  g_free (expected);

  /* The current process shows no pid, as multiprocessing's _MainProcess */
  s = g_process_object_describe (g_process_get_current (), "_MainProcess");
  g_assert_cmpstr (s, ==, "<_MainProcess name='MainProcess' parent=None started>");
  g_free (s);
}

static void
test_identity (void)
{
  g_autoptr(GProcessObject) p = g_process_object_new ();
  const char *name = g_process_object_get_name (p);
  int expected = atoi (strrchr (name, '-') + 1);
  gsize n = 99;
  int *counters;

  counters = g_process_object_get_identity (g_process_get_current (), &n);
  g_assert_null (counters);
  g_assert_cmpuint (n, ==, 0);

  g_process_object_set_name (p, "renamed");
  counters = g_process_object_get_identity (p, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpint (counters[0], ==, expected);
  g_free (counters);
}

static void
test_check (void)
{
  g_autoptr(GProcessObject) p = g_process_object_new_with_target (target_exit_with, GINT_TO_POINTER (0), NULL);
  GError *error = NULL;

  g_assert_true (g_process_object_check (p, G_PROCESS_OPERATION_START, NULL));
  g_assert_true (g_process_object_check (p, G_PROCESS_OPERATION_CONFIGURE, NULL));
  g_assert_false (g_process_object_check (p, G_PROCESS_OPERATION_SIGNAL, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_STARTED);
  g_clear_error (&error);
  g_assert_false (g_process_object_check (p, G_PROCESS_OPERATION_JOIN, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_STARTED);
  g_clear_error (&error);

  g_assert_true (g_process_object_start (p, NULL));
  g_assert_false (g_process_object_check (p, G_PROCESS_OPERATION_START, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_ALREADY_STARTED);
  g_clear_error (&error);
  g_assert_false (g_process_object_check (p, G_PROCESS_OPERATION_CONFIGURE, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_ALREADY_STARTED);
  g_clear_error (&error);
  g_assert_true (g_process_object_check (p, G_PROCESS_OPERATION_SIGNAL, NULL));
  g_assert_true (g_process_object_check (p, G_PROCESS_OPERATION_TEST, NULL));
  g_assert_true (g_process_object_join (p, -1, NULL, NULL));

  g_assert_false (g_process_object_check (g_process_get_current (), G_PROCESS_OPERATION_JOIN, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_JOIN_SELF);
  g_clear_error (&error);

  g_assert_true (g_process_object_close (p, NULL));
  g_assert_false (g_process_object_check (p, G_PROCESS_OPERATION_READ, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (g_process_object_check (p, G_PROCESS_OPERATION_TEST, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_CLOSED);
  g_clear_error (&error);
}

static int
failing_fork (gpointer user_data)
{
  return -GPOINTER_TO_INT (user_data);
}

static void
test_errno_domain (void)
{
  g_autoptr(GProcessObject) p = g_process_object_new_with_target (target_exit_with, GINT_TO_POINTER (0), NULL);
  GError *error = NULL;

  g_process_set_fork_func (failing_fork, GINT_TO_POINTER (EAGAIN), NULL);
  g_assert_false (g_process_object_start (p, &error));
  g_process_set_fork_func (NULL, NULL, NULL);
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_FAILED);
  g_assert_cmpint (g_process_get_last_errno (), ==, EAGAIN);
  g_clear_error (&error);
  /* The object can still be started */
  g_assert_true (g_process_object_start (p, &error));
  g_assert_true (g_process_object_join (p, -1, NULL, &error));
  g_assert_no_error (error);
}

static gboolean
on_end (GProcessObject *process,
        gpointer        user_data)
{
  *(GProcessObject **) user_data = process;
  return G_SOURCE_REMOVE;
}

static void
test_source_set_callback (void)
{
  g_autoptr(GProcessObject) p = g_process_object_new_with_target (target_exit_with, GINT_TO_POINTER (6), NULL);
  GProcessObject *seen = NULL;
  GMainContext *context = g_main_context_new ();
  GSource *source;

  g_main_context_push_thread_default (context);
  g_assert_true (g_process_object_start (p, NULL));
  source = g_process_object_create_source (p, NULL);
  g_process_source_set_callback (source, on_end, &seen, NULL);
  g_source_attach (source, context);
  g_source_unref (source);
  while (seen == NULL)
    g_main_context_iteration (context, TRUE);
  g_assert_true (seen == p);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 6);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
}

/* Last: afterwards the test process counts as exiting (no notifications) */
static void
test_end_children (void)
{
  g_autoptr(GProcessObject) daemonic = g_process_object_new_with_target (target_sleep_forever, NULL, NULL);
  g_autoptr(GProcessObject) other = g_process_object_new_with_target (target_exit_with, GINT_TO_POINTER (3), NULL);

  g_process_object_set_daemon (daemonic, TRUE);
  g_assert_true (g_process_object_start (daemonic, NULL));
  g_assert_true (g_process_object_start (other, NULL));
  g_process_end_children ();
  g_assert_cmpint (g_process_object_get_exit_code (daemonic), ==, -SIGTERM);
  g_assert_cmpint (g_process_object_get_exit_code (other), ==, 3);
  g_assert_false (has_any_child ());
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gprocess/introspect/describe-as-python", test_describe_as_python);
  g_test_add_func ("/gprocess/introspect/identity-survives-rename", test_identity);
  g_test_add_func ("/gprocess/introspect/check-refuses-as-the-operation", test_check);
  g_test_add_func ("/gprocess/introspect/os-failure-in-errno-domain", test_errno_domain);
  g_test_add_func ("/gprocess/introspect/source-callback-receives-process", test_source_set_callback);
  g_test_add_func ("/gprocess/introspect/end-children-terminates-daemonic-joins-others", test_end_children);

  return g_test_run ();
}
