/* test-mainloop.c: async join, the main-loop watch, sources, threads and fork safety
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdlib.h>

#include "test-util.h"

/* Runs @context until *@flag is set. */
static void
iterate_until (GMainContext *context,
               gboolean     *flag)
{
  while (!g_atomic_int_get (flag))
    g_main_context_iteration (context, TRUE);
}

/* ---------------------------------------------------------------------------------------- */
/* join_async                                                                                */

typedef struct
{
  GMainContext *context;
  gboolean done;
  gboolean ok;
  GError *error;
  gboolean right_context;
  int completions;
} AsyncJoin;

static void
on_joined (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  AsyncJoin *j = user_data;

  j->ok = g_process_object_join_finish (G_PROCESS_OBJECT (source), result, &j->error);
  j->right_context = g_main_context_is_owner (j->context) &&
                     g_main_context_get_thread_default () == j->context;
  j->completions++;
  j->done = TRUE;
}

static void
test_join_async_completes_in_callers_context (void)
{
  GMainContext *context = g_main_context_new ();
  AsyncJoin j = { context };
  GProcessObject *p;

  g_main_context_push_thread_default (context);
  p = start_target (target_exit_with, GINT_TO_POINTER (5));
  g_process_object_join_async (p, NULL, on_joined, &j);
  iterate_until (context, &j.done);

  g_assert_true (j.ok);
  g_assert_no_error (j.error);
  g_assert_true (j.right_context);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 5);
  g_assert_false (has_child (g_process_object_get_pid (p)));
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  g_object_unref (p);
}

static void
test_join_async_already_ended (void)
{
  GMainContext *context = g_main_context_new ();
  AsyncJoin j = { context };
  GProcessObject *p;

  g_main_context_push_thread_default (context);
  p = start_target (target_nothing, NULL);
  join_ok (p);
  g_process_object_join_async (p, NULL, on_joined, &j);
  g_assert_false (j.done);  /* never from within join_async() */
  iterate_until (context, &j.done);
  g_assert_true (j.ok);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  g_object_unref (p);
}

static void
test_join_async_errors (void)
{
  GMainContext *context = g_main_context_new ();
  AsyncJoin j = { context };
  GProcessObject *p = g_process_object_new ();

  g_main_context_push_thread_default (context);
  g_process_object_join_async (p, NULL, on_joined, &j);
  iterate_until (context, &j.done);
  g_assert_false (j.ok);
  g_assert_error (j.error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_STARTED);
  g_clear_error (&j.error);

  j.done = FALSE;
  g_process_object_join_async (g_process_get_current (), NULL, on_joined, &j);
  iterate_until (context, &j.done);
  g_assert_error (j.error, G_PROCESS_ERROR, G_PROCESS_ERROR_JOIN_SELF);
  g_clear_error (&j.error);

  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  g_object_unref (p);
}

static void
test_join_async_cancel_leaves_child_running (void)
{
  GMainContext *context = g_main_context_new ();
  GCancellable *cancellable = g_cancellable_new ();
  AsyncJoin j = { context };
  GProcessObject *p;

  g_main_context_push_thread_default (context);
  p = start_target (target_sleep_forever, NULL);
  g_process_object_join_async (p, cancellable, on_joined, &j);
  g_cancellable_cancel (cancellable);
  iterate_until (context, &j.done);
  g_assert_false (j.ok);
  g_assert_error (j.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&j.error);
  g_assert_true (g_process_object_is_alive (p));

  kill_and_join (p);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  g_object_unref (cancellable);
  g_object_unref (p);
}

static void
test_join_async_many_pending (void)
{
  GMainContext *context = g_main_context_new ();
  AsyncJoin j[6];
  GProcessObject *p;
  int fds[2];

  g_main_context_push_thread_default (context);
  g_assert_no_errno (pipe (fds));
  p = start_target ((GProcessTargetFunc) target_nothing, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (j); i++)
    {
      memset (&j[i], 0, sizeof j[i]);
      j[i].context = context;
      g_process_object_join_async (p, NULL, on_joined, &j[i]);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (j); i++)
    {
      iterate_until (context, &j[i].done);
      g_assert_true (j[i].ok);
      g_assert_cmpint (j[i].completions, ==, 1);
    }
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 0);
  close (fds[0]);
  close (fds[1]);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  g_object_unref (p);
}

/* ---------------------------------------------------------------------------------------- */
/* The watch: the end is noticed by the main loop without any call                          */

typedef struct
{
  GMainContext *context;
  int state_notifies;
  int exit_code_notifies;
  gboolean stopped;
  gboolean right_thread;
} Watch;

static void
on_notify_state (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  Watch *w = user_data;
  GProcessObject *p = G_PROCESS_OBJECT (object);

  w->state_notifies++;
  /* Read the fields without observing anything ourselves: only the watch may have */
  if (g_process_object_get_state (p) == G_PROCESS_STATE_STOPPED)
    {
      w->stopped = TRUE;
      w->right_thread = g_main_context_is_owner (w->context);
    }
}

static void
on_notify_exit_code (GObject    *object,
                     GParamSpec *pspec,
                     gpointer    user_data)
{
  ((Watch *) user_data)->exit_code_notifies++;
}

static void
test_watch_notifies_without_calls (void)
{
  GMainContext *context = g_main_context_new ();
  Watch w = { context };
  GProcessObject *p;
  int fds[2];

  g_main_context_push_thread_default (context);
  g_assert_no_errno (pipe (fds));
  p = start_target (target_wait_for_go, GINT_TO_POINTER (fds[0]));
  g_signal_connect (p, "notify::state", G_CALLBACK (on_notify_state), &w);
  g_signal_connect (p, "notify::exit-code", G_CALLBACK (on_notify_exit_code), &w);

  /* Nothing is ready until the child ends: the loop sleeps */
  g_assert_false (g_main_context_iteration (context, FALSE));
  g_assert_cmpint (write (fds[1], "g", 1), ==, 1);

  /* One blocking iteration: the first wake-up is the child's end, and it is dispatched */
  g_assert_true (g_main_context_iteration (context, TRUE));
  /* The pipe fallback may see end-of-file just before the child is a zombie: the reaper re-arms */
  while (!w.stopped)
    g_main_context_iteration (context, TRUE);
  g_assert_true (w.stopped);
  g_assert_true (w.right_thread);
  g_assert_cmpint (w.state_notifies, ==, 1);
  g_assert_cmpint (w.exit_code_notifies, ==, 1);
  g_assert_false (has_child (g_process_object_get_pid (p)));

  /* Later observers see the same end and notify nothing more */
  join_ok (p);
  g_assert_false (g_process_object_is_alive (p));
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 0);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_assert_cmpint (w.state_notifies, ==, 1);
  g_assert_cmpint (w.exit_code_notifies, ==, 1);

  close (fds[0]);
  close (fds[1]);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  g_object_unref (p);
}

static void
test_watch_removed_by_sync_join (void)
{
  GMainContext *context = g_main_context_new ();
  Watch w = { context };
  GProcessObject *p;

  g_main_context_push_thread_default (context);
  p = start_target (target_nothing, NULL);
  g_signal_connect (p, "notify::state", G_CALLBACK (on_notify_state), &w);
  join_ok (p);
  g_assert_cmpint (w.state_notifies, ==, 1);
  /* The watch is gone: iterating dispatches nothing */
  g_assert_false (g_main_context_iteration (context, FALSE));
  g_assert_cmpint (w.state_notifies, ==, 1);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  g_object_unref (p);
}

/* ---------------------------------------------------------------------------------------- */
/* create_source                                                                             */

typedef struct
{
  int dispatched;
  int exit_code;
  GProcessObject *process;
} SourceResult;

static gboolean
on_source (GProcessObject *process,
           gpointer        user_data)
{
  SourceResult *r = user_data;

  r->dispatched++;
  r->process = process;
  r->exit_code = g_process_object_get_exit_code (process);
  return G_SOURCE_REMOVE;
}

static void
test_create_source_dispatches_once (void)
{
  GMainContext *context = g_main_context_new ();
  SourceResult r = { 0 };
  GProcessObject *p = start_target (target_exit_with, GINT_TO_POINTER (6));
  GSource *source = g_process_object_create_source (p, NULL);

  g_source_set_callback (source, (GSourceFunc) (void (*) (void)) on_source, &r, NULL);
  g_source_attach (source, context);
  while (r.dispatched == 0)
    g_main_context_iteration (context, TRUE);
  g_assert_true (r.process == p);
  g_assert_cmpint (r.exit_code, ==, 6);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_assert_cmpint (r.dispatched, ==, 1);
  g_assert_true (g_source_is_destroyed (source));
  g_source_unref (source);

  /* Already ended: dispatches at once */
  source = g_process_object_create_source (p, NULL);
  g_source_set_callback (source, (GSourceFunc) (void (*) (void)) on_source, &r, NULL);
  g_source_attach (source, context);
  g_main_context_iteration (context, TRUE);
  g_assert_cmpint (r.dispatched, ==, 2);
  g_source_unref (source);

  g_main_context_unref (context);
  g_object_unref (p);
}

static void
test_create_source_cancellable (void)
{
  GMainContext *context = g_main_context_new ();
  GCancellable *cancellable = g_cancellable_new ();
  SourceResult r = { 0 };
  GProcessObject *p = start_target (target_sleep_forever, NULL);
  GSource *source = g_process_object_create_source (p, cancellable);

  g_source_set_callback (source, (GSourceFunc) (void (*) (void)) on_source, &r, NULL);
  g_source_attach (source, context);
  g_cancellable_cancel (cancellable);
  while (r.dispatched == 0)
    g_main_context_iteration (context, TRUE);
  g_assert_cmpint (r.exit_code, ==, G_PROCESS_EXIT_CODE_NONE);
  g_assert_true (g_process_object_is_alive (p));
  g_source_unref (source);
  kill_and_join (p);

  g_test_expect_message ("GProcess", G_LOG_LEVEL_CRITICAL, "*not started by this process*");
  {
    GProcessObject *unstarted = g_process_object_new ();
    g_assert_null (g_process_object_create_source (unstarted, NULL));
    g_object_unref (unstarted);
  }
  g_test_assert_expected_messages ();

  g_main_context_unref (context);
  g_object_unref (cancellable);
  g_object_unref (p);
}

/* ---------------------------------------------------------------------------------------- */
/* Threads                                                                                   */

typedef struct
{
  GProcessObject *process;
  int exit_code;
  gboolean ok;
} Joiner;

static gpointer
join_thread (gpointer data)
{
  Joiner *j = data;

  j->ok = g_process_object_join (j->process, -1, NULL, NULL);
  j->exit_code = g_process_object_get_exit_code (j->process);
  return NULL;
}

static gpointer
is_alive_thread (gpointer data)
{
  Joiner *j = data;

  /* Races the joiners to observe the end; bounded */
  for (int i = 0; i < 100000 && g_process_object_is_alive (j->process); i++)
    ;
  j->ok = TRUE;
  return NULL;
}

static gpointer
terminate_thread (gpointer data)
{
  g_process_object_terminate (data);
  return NULL;
}

static void
on_notify_count (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  int *counts = user_data;

  if (g_str_equal (pspec->name, "state"))
    g_atomic_int_inc (&counts[0]);
  else if (g_str_equal (pspec->name, "exit-code"))
    g_atomic_int_inc (&counts[1]);
}

static void
test_threads_concurrent_observers (void)
{
  for (int round = 0; round < 20; round++)
    {
      GMainContext *context = g_main_context_new ();
      AsyncJoin aj = { context };
      GProcessObject *p;
      Joiner joiners[8], alive = { 0 };
      GThread *threads[8], *alive_thread, *term;
      int counts[2] = { 0, 0 };
      int fds[2];

      g_main_context_push_thread_default (context);
      g_assert_no_errno (pipe (fds));
      p = start_target (target_wait_for_go, GINT_TO_POINTER (fds[0]));
      g_signal_connect (p, "notify", G_CALLBACK (on_notify_count), counts);
      g_process_object_join_async (p, NULL, on_joined, &aj);

      for (int i = 0; i < 8; i++)
        {
          joiners[i].process = p;
          threads[i] = g_thread_new ("joiner", join_thread, &joiners[i]);
        }
      alive.process = p;
      alive_thread = g_thread_new ("is-alive", is_alive_thread, &alive);
      /* Half the rounds end by SIGTERM, half by exiting */
      if (round % 2 == 0)
        term = g_thread_new ("terminate", terminate_thread, p);
      else
        {
          term = NULL;
          g_assert_cmpint (write (fds[1], "g", 1), ==, 1);
        }

      iterate_until (context, &aj.done);
      for (int i = 0; i < 8; i++)
        g_thread_join (threads[i]);
      g_thread_join (alive_thread);
      if (term != NULL)
        g_thread_join (term);

      {
        int expected = round % 2 == 0 ? -SIGTERM : 0;

        g_assert_true (aj.ok);
        for (int i = 0; i < 8; i++)
          {
            g_assert_true (joiners[i].ok);
            g_assert_cmpint (joiners[i].exit_code, ==, expected);
          }
        g_assert_cmpint (g_process_object_get_exit_code (p), ==, expected);
      }
      /* state: STARTED was notified before we connected; STOPPED exactly once */
      g_assert_cmpint (g_atomic_int_get (&counts[0]), ==, 1);
      g_assert_cmpint (g_atomic_int_get (&counts[1]), ==, 1);
      g_assert_false (has_child (g_process_object_get_pid (p)));

      close (fds[0]);
      close (fds[1]);
      g_main_context_pop_thread_default (context);
      g_main_context_unref (context);
      g_object_unref (p);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* fork() while other threads hold GObject's locks                                          */

#define TEST_TYPE_BUSY (test_busy_get_type ())
G_DECLARE_FINAL_TYPE (TestBusy, test_busy, TEST, BUSY, GObject)

struct _TestBusy
{
  GObject parent_instance;
  int value;
};

G_DEFINE_FINAL_TYPE (TestBusy, test_busy, G_TYPE_OBJECT)

static GParamSpec *busy_value_pspec;
static guint busy_signal;

static void
test_busy_set_property (GObject *object, guint id, const GValue *value, GParamSpec *pspec)
{
  TEST_BUSY (object)->value = g_value_get_int (value);
}

static void
test_busy_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  g_value_set_int (value, TEST_BUSY (object)->value);
}

static void
test_busy_class_init (TestBusyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->set_property = test_busy_set_property;
  object_class->get_property = test_busy_get_property;
  busy_value_pspec = g_param_spec_int ("value", NULL, NULL, 0, G_MAXINT, 0,
                                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_property (object_class, 1, busy_value_pspec);
  busy_signal = g_signal_new ("poke", TEST_TYPE_BUSY, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                              G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
test_busy_init (TestBusy *self)
{
}

static void
on_poke (TestBusy *busy, int value, gpointer user_data)
{
}

static void
on_busy_notify (GObject *object, GParamSpec *pspec, gpointer user_data)
{
}

static gint hammer_stop;

static gpointer
hammer_thread (gpointer data)
{
  TestBusy *busy = g_object_new (TEST_TYPE_BUSY, NULL);

  g_signal_connect (busy, "poke", G_CALLBACK (on_poke), NULL);
  g_signal_connect (busy, "notify::value", G_CALLBACK (on_busy_notify), NULL);
  for (int i = 0; !g_atomic_int_get (&hammer_stop); i++)
    {
      g_object_set (busy, "value", i, NULL);
      g_signal_emit (busy, busy_signal, 0, i);
      g_object_notify_by_pspec (G_OBJECT (busy), busy_value_pspec);
    }
  g_object_unref (busy);
  return NULL;
}

static void
test_fork_while_threads_hammer_gobject (void)
{
  GThread *threads[4];

  if (g_getenv ("GPROCESS_TEST_VALGRIND") != NULL)
    {
      /* A child of a multi-threaded parent cannot reach what only the other threads' stacks
       * referenced: leak-checking it reports those blocks, by construction. */
      g_test_skip ("children of a multi-threaded parent are not leak-clean under valgrind");
      return;
    }

  g_atomic_int_set (&hammer_stop, 0);
  for (int i = 0; i < 4; i++)
    threads[i] = g_thread_new ("hammer", hammer_thread, NULL);

  for (int i = 0; i < 200; i++)
    {
      GProcessObject *p = start_target (target_exit_with, GINT_TO_POINTER (i % 3));

      join_ok (p);
      g_assert_cmpint (g_process_object_get_exit_code (p), ==, i % 3);
      g_object_unref (p);
    }

  g_atomic_int_set (&hammer_stop, 1);
  for (int i = 0; i < 4; i++)
    g_thread_join (threads[i]);
}

/* ---------------------------------------------------------------------------------------- */
/* The fork hook                                                                             */

static int
failing_fork (gpointer user_data)
{
  (*(int *) user_data)++;
  return -EAGAIN;
}

static int
counting_fork (gpointer user_data)
{
  (*(int *) user_data)++;
  return fork ();
}

static void
test_fork_hook (void)
{
  GProcessObject *p = g_process_object_new_with_target (target_exit_with, GINT_TO_POINTER (2), NULL);
  GError *error = NULL;
  int calls = 0;
  char *expected;

  g_process_set_fork_func (failing_fork, &calls, NULL);
  g_assert_false (g_process_object_start (p, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_FAILED);
  g_assert_cmpint (g_process_get_last_errno (), ==, EAGAIN);
  expected = g_strdup_printf ("*%s*", g_strerror (EAGAIN));
  g_assert_true (g_pattern_match_simple (expected, error->message));
  g_free (expected);
  g_clear_error (&error);
  g_assert_cmpint (calls, ==, 1);
  /* A failed start leaves the object startable */
  g_assert_cmpint (g_process_object_get_state (p), ==, G_PROCESS_STATE_INITIAL);

  g_process_set_fork_func (counting_fork, &calls, NULL);
  g_assert_true (g_process_object_start (p, &error));
  g_assert_no_error (error);
  join_ok (p);
  g_assert_cmpint (calls, ==, 2);
  g_assert_cmpint (g_process_object_get_exit_code (p), ==, 2);

  g_process_set_fork_func (NULL, NULL, NULL);
  g_object_unref (p);
}

int
main (int argc, char *argv[])
{
  /* A hang fails the test instead of stalling CI (valgrind runs it ~10 times slower, as the
   * valgrind setup's timeout multiplier says) */
  alarm (g_getenv ("GPROCESS_TEST_VALGRIND") != NULL ? 1200 : 120);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gprocess/mainloop/join-async/callers-context", test_join_async_completes_in_callers_context);
  g_test_add_func ("/gprocess/mainloop/join-async/already-ended", test_join_async_already_ended);
  g_test_add_func ("/gprocess/mainloop/join-async/errors", test_join_async_errors);
  g_test_add_func ("/gprocess/mainloop/join-async/cancel", test_join_async_cancel_leaves_child_running);
  g_test_add_func ("/gprocess/mainloop/join-async/many-pending", test_join_async_many_pending);
  g_test_add_func ("/gprocess/mainloop/watch/notifies-without-calls", test_watch_notifies_without_calls);
  g_test_add_func ("/gprocess/mainloop/watch/removed-by-sync-join", test_watch_removed_by_sync_join);
  g_test_add_func ("/gprocess/mainloop/source/dispatches-once", test_create_source_dispatches_once);
  g_test_add_func ("/gprocess/mainloop/source/cancellable", test_create_source_cancellable);
  g_test_add_func ("/gprocess/threads/concurrent-observers", test_threads_concurrent_observers);
  g_test_add_func ("/gprocess/threads/fork-while-hammering-gobject", test_fork_while_threads_hammer_gobject);
  g_test_add_func ("/gprocess/fork-hook", test_fork_hook);

  return g_test_run ();
}
