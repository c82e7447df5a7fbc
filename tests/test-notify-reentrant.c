/* test-notify-reentrant.c: where notify::state (STOPPED) of a process object is emitted,
 * as the table "Which thread emits what" of the reference (docs/reference/threads.xml) says:
 * synchronously, inside the first call that observes the end. That call may be one on the
 * object itself (join, is_alive, the exit-code getter, get_result, get_usage, to_string,
 * describe, stop, close), or on another object: g_process_object_start() of any object and
 * g_process_get_active_children() observe every child that has ended. No other call on
 * another object emits it. The handler runs with no library lock held: it may call the
 * library, start a process among them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "test-util.h"

typedef struct
{
  GProcessObject *a;        /* a child that has ended, not yet observed */
  const char *inside;       /* the call the test is making, or NULL */
  GThread *thread;          /* the thread the handler ran in */
  GPtrArray *emitted_in;    /* (element-type utf8) the value of inside at each STOPPED */
  gboolean call_library;    /* the handler calls the library itself */
  int handler_result_code;  /* in the handler: the exit code of a process it started */
} Fixture;

static void
target_return (GProcessObject *process,
               gpointer        user_data)
{
}

static void
on_state (GProcessObject *process,
          GParamSpec     *pspec,
          Fixture        *f)
{
  if (g_process_object_get_state (process) != G_PROCESS_STATE_STOPPED &&
      g_process_object_get_state (process) != G_PROCESS_STATE_CLOSED)
    return;
  g_ptr_array_add (f->emitted_in, g_strdup (f->inside != NULL ? f->inside : "(no call)"));
  f->thread = g_thread_self ();
  g_assert_cmpint (g_process_object_get_exit_code (process), ==, 0);

  if (f->call_library)
    {
      g_autoptr(GProcessObject) c = g_process_object_new_with_target (target_exit_with,
                                                                       GINT_TO_POINTER (4), NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) result = g_process_object_get_result (process, &error);

      g_assert_no_error (error);
      g_assert_true (g_process_object_start (c, &error));
      g_assert_no_error (error);
      g_assert_true (g_process_object_join (c, -1, NULL, &error));
      f->handler_result_code = g_process_object_get_exit_code (c);
    }
}

/* A child that has ended (a zombie), whose end no call has observed yet */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->emitted_in = g_ptr_array_new_with_free_func (g_free);
  f->a = g_process_object_new_with_target (target_return, NULL, NULL);
  g_signal_connect (f->a, "notify::state", G_CALLBACK (on_state), f);
  g_assert_true (g_process_object_start (f->a, &error));
  g_assert_no_error (error);
  wait_exited_unreaped (g_process_object_get_pid (f->a));
  g_assert_cmpint (g_process_object_get_state (f->a), ==, G_PROCESS_STATE_STARTED);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_process_object_join (f->a, -1, NULL, NULL);
  g_object_unref (f->a);
  g_ptr_array_unref (f->emitted_in);
  g_assert_false (has_any_child ());
}

/* Emitted exactly once, inside the call named @inside, in this thread */
static void
assert_emitted_inside (Fixture    *f,
                       const char *inside)
{
  g_assert_cmpuint (f->emitted_in->len, >=, 1);
  g_assert_cmpstr (g_ptr_array_index (f->emitted_in, 0), ==, inside);
  g_assert_true (f->thread == g_thread_self ());
}

#define INSIDE(f, name, call) G_STMT_START { (f)->inside = (name); call; (f)->inside = NULL; } G_STMT_END

/* Calls on another object that observe every ended child */

static void
test_inside_start_of_another (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GProcessObject) b = g_process_object_new_with_target (target_exit_with,
                                                                   GINT_TO_POINTER (2), NULL);
  g_autoptr(GError) error = NULL;

  g_test_summary ("notify::state of A is emitted inside g_process_object_start (B)");
  INSIDE (f, "start (B)", g_assert_true (g_process_object_start (b, &error)));
  g_assert_no_error (error);
  assert_emitted_inside (f, "start (B)");
  g_assert_true (g_process_object_join (b, -1, NULL, &error));
}

static void
test_inside_get_active_children (Fixture       *f,
                                 gconstpointer  data)
{
  GList *children;

  g_test_summary ("notify::state of A is emitted inside g_process_get_active_children()");
  INSIDE (f, "get_active_children", children = g_process_get_active_children ());
  assert_emitted_inside (f, "get_active_children");
  g_assert_null (g_list_find (children, f->a));
  g_list_free_full (children, g_object_unref);
}

/* No other call on another object emits it */

static void
test_not_inside_other_calls_on_another (Fixture       *f,
                                        gconstpointer  data)
{
  g_autoptr(GProcessObject) b = g_process_object_new_with_target (target_sleep_forever, NULL, NULL);
  g_autoptr(GProcessObject) fresh = g_process_object_new_with_target (target_return, NULL, NULL);
  g_autoptr(GError) error = NULL;
  gint64 user_us, system_us, max_rss;
  gsize n;

  g_test_summary ("The calls on a running B or an unstarted object that the table does not "
                  "list do not emit A's notify::state");
  g_assert_true (g_process_object_start (b, &error));     /* observes A: emitted here */
  g_assert_cmpuint (f->emitted_in->len, ==, 1);
  g_ptr_array_set_size (f->emitted_in, 0);

  /* A second ended child, not yet observed */
  g_clear_object (&f->a);
  f->a = g_process_object_new_with_target (target_return, NULL, NULL);
  g_signal_connect (f->a, "notify::state", G_CALLBACK (on_state), f);
  g_assert_true (g_process_object_start (f->a, &error));
  wait_exited_unreaped (g_process_object_get_pid (f->a));

  f->inside = "another object";
  for (GProcessObject **o = (GProcessObject *[]) { b, fresh, NULL }; *o != NULL; o++)
    {
      g_autoptr(GVariant) result = NULL;

      g_assert_true (g_process_object_is_alive (*o) == (*o == b));
      g_process_object_get_exit_code (*o);
      result = g_process_object_get_result (*o, NULL);
      g_process_object_get_usage (*o, &user_us, &system_us, &max_rss);
      g_free (g_process_object_to_string (*o));
      g_free (g_process_object_describe (*o, NULL));
      g_free (g_process_object_get_identity (*o, &n));
      g_process_object_check (*o, G_PROCESS_OPERATION_JOIN, NULL);
      g_process_object_get_state (*o);
      g_process_object_get_pid (*o);
      g_process_object_get_sentinel (*o);
      if (*o == b)
        g_assert_false (g_process_object_join (b, 0, NULL, NULL));
    }
  g_process_get_current ();
  g_process_object_check (f->a, G_PROCESS_OPERATION_JOIN, NULL);
  g_process_object_get_state (f->a);
  g_process_object_get_pid (f->a);
  f->inside = NULL;
  g_assert_cmpuint (f->emitted_in->len, ==, 0);

  g_process_object_kill (b);
  g_assert_true (g_process_object_join (b, -1, NULL, &error));
}

/* The calls on the object itself that observe its end */

typedef enum
{
  OWN_JOIN,
  OWN_IS_ALIVE,
  OWN_GET_EXIT_CODE,
  OWN_GET_RESULT,
  OWN_GET_USAGE,
  OWN_TO_STRING,
  OWN_DESCRIBE,
  OWN_STOP,
  OWN_CLOSE,
  N_OWN
} OwnCall;

static const char *own_names[N_OWN] = {
  "join", "is_alive", "get_exit_code", "get_result", "get_usage", "to_string", "describe",
  "stop", "close",
};

static void
test_inside_own_calls (Fixture       *f,
                       gconstpointer  data)
{
  g_test_summary ("notify::state of A is emitted inside each call on A that the table lists");

  for (OwnCall call = 0; call < N_OWN; call++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) result = NULL;
      gint64 user_us, system_us, max_rss;

      if (call > 0)
        {
          fixture_tear_down (f, data);
          fixture_set_up (f, data);
        }
      g_test_message ("%s", own_names[call]);
      f->inside = own_names[call];
      switch (call)
        {
        case OWN_JOIN:
          g_assert_true (g_process_object_join (f->a, 0, NULL, &error));
          break;
        case OWN_IS_ALIVE:
          g_assert_false (g_process_object_is_alive (f->a));
          break;
        case OWN_GET_EXIT_CODE:
          g_assert_cmpint (g_process_object_get_exit_code (f->a), ==, 0);
          break;
        case OWN_GET_RESULT:
          result = g_process_object_get_result (f->a, &error);
          break;
        case OWN_GET_USAGE:
          g_assert_true (g_process_object_get_usage (f->a, &user_us, &system_us, &max_rss));
          break;
        case OWN_TO_STRING:
          g_free (g_process_object_to_string (f->a));
          break;
        case OWN_DESCRIBE:
          g_free (g_process_object_describe (f->a, NULL));
          break;
        case OWN_STOP:
          g_assert_true (g_process_object_stop (f->a, 0, NULL, &error));
          break;
        case OWN_CLOSE:
          g_assert_true (g_process_object_close (f->a, &error));
          break;
        case N_OWN:
          g_assert_not_reached ();
        }
      f->inside = NULL;
      g_assert_no_error (error);
      assert_emitted_inside (f, own_names[call]);
    }
}

/* From the main loop: the reaper of the context the child was started in */

static void
test_from_main_loop (Fixture       *f,
                     gconstpointer  data)
{
  g_test_summary ("With no call observing the end, notify::state of A is emitted by the main "
                  "loop of the context A was started in");
  while (f->emitted_in->len == 0)
    g_main_context_iteration (NULL, TRUE);
  assert_emitted_inside (f, "(no call)");
}

/* The handler may call the library */

static void
test_handler_may_call_library (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GProcessObject) b = g_process_object_new_with_target (target_exit_with,
                                                                   GINT_TO_POINTER (2), NULL);
  g_autoptr(GError) error = NULL;

  g_test_summary ("A notify::state handler emitted inside start (B) may start and join another "
                  "process: no library lock is held");
  f->call_library = TRUE;
  INSIDE (f, "start (B)", g_assert_true (g_process_object_start (b, &error)));
  g_assert_no_error (error);
  assert_emitted_inside (f, "start (B)");
  g_assert_cmpint (f->handler_result_code, ==, 4);
  g_assert_true (g_process_object_join (b, -1, NULL, &error));
  g_assert_cmpint (g_process_object_get_exit_code (b), ==, 2);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/gprocess/notify/reentrant/start-of-another", test_inside_start_of_another);
  ADD ("/gprocess/notify/reentrant/get-active-children", test_inside_get_active_children);
  ADD ("/gprocess/notify/reentrant/own-calls", test_inside_own_calls);
  ADD ("/gprocess/notify/reentrant/not-other-calls-on-another", test_not_inside_other_calls_on_another);
  ADD ("/gprocess/notify/reentrant/main-loop", test_from_main_loop);
  ADD ("/gprocess/notify/reentrant/handler-may-call-library", test_handler_may_call_library);
#undef ADD

  return g_test_run ();
}
