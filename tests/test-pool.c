/* test-pool.c: GProcessPool, each semantic point of issue 18 a test
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gprocess/gprocess.h>

static gboolean under_valgrind;
static gboolean under_sanitizer;   /* ASan turns a SIGSEGV into its report and abort() */
static char * volatile kept;   /* allocations the compiler may not remove */

/* The pool's function: the task is (command, argument) */
static GVariant *
work (GVariant  *task,
      gpointer   user_data,
      GError   **error)
{
  const char *cmd;
  gint64 arg;

  if (g_variant_is_of_type (task, G_VARIANT_TYPE ("((sx)ay)")))
    {
      GVariant *bytes = g_variant_get_child_value (task, 1);
      gint64 n = g_variant_get_size (bytes);

      g_variant_unref (bytes);
      return g_variant_new_int64 (n);
    }
  g_variant_get (task, "(&sx)", &cmd, &arg);
  if (g_str_equal (cmd, "echo"))
    return g_variant_new_int64 (arg);
  if (g_str_equal (cmd, "pid"))
    return g_variant_new_int64 (getpid ());
  if (g_str_equal (cmd, "segv"))
    raise (SIGSEGV);
  if (g_str_equal (cmd, "abort"))
    abort ();
  if (g_str_equal (cmd, "exit"))
    _exit ((int) arg);
  if (g_str_equal (cmd, "kill"))
    raise (SIGKILL);
  if (g_str_equal (cmd, "sleep"))
    {
      g_usleep (arg);
      return g_variant_new_int64 (getpid ());
    }
  if (g_str_equal (cmd, "progress-sleep"))
    {
      g_process_pool_send_progress (g_variant_new_int64 (getpid ()));
      g_usleep (arg);
      return g_variant_new_int64 (getpid ());
    }
  if (g_str_equal (cmd, "progress"))
    {
      for (gint64 i = 0; i < arg; i++)
        g_assert_true (g_process_pool_send_progress (g_variant_new_int64 (i)));
      return g_variant_new_int64 (arg);
    }
  if (g_str_equal (cmd, "error"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no such thing: %" G_GINT64_FORMAT,
                   arg);
      return NULL;
    }
  if (g_str_equal (cmd, "grow"))
    {
      char *p = malloc (arg);   /* kept on purpose: the worker grows */

      memset (p, 1, arg);
      kept = p;
      return g_variant_new_int64 (getpid ());
    }
  if (g_str_equal (cmd, "runaway"))
    for (;;)
      {
        char *p = malloc (1024 * 1024);   /* NULL at the limit: the memset crashes */

        memset (p, 1, 1024 * 1024);
        kept = p;
      }
  if (g_str_equal (cmd, "big"))
    {
      guint8 *data = g_malloc (arg);

      for (gint64 i = 0; i < arg; i++)
        data[i] = (guint8) (i * 7);
      return g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, data, arg, TRUE, g_free, data);
    }
  if (g_str_equal (cmd, "garbage"))
    {
      gsize n_fds;
      const int *fds = g_process_object_get_fds (g_process_get_current (), &n_fds);

      g_assert_cmpuint (n_fds, ==, 1);
      g_assert_cmpint (send (fds[0], "garbage!", 8, 0), ==, 8);
      g_usleep (10 * G_USEC_PER_SEC);
      return g_variant_new_int64 (0);
    }
  if (g_str_equal (cmd, "touch"))
    {
      char *path = g_strdup_printf ("%s/pool-touch-%" G_GINT64_FORMAT, g_get_tmp_dir (), arg);

      g_file_set_contents (path, "", 0, NULL);
      g_free (path);
      return g_variant_new_int64 (arg);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "unknown command %s", cmd);
  return NULL;
}

static GVariant *
task (const char *cmd,
      gint64      arg)
{
  return g_variant_new ("(sx)", cmd, arg);
}

typedef struct
{
  GVariant *value;
  GError *error;
  gboolean done;
  gint64 done_at;
  GArray *progress;
} Outcome;

static void
outcome_clear (Outcome *o)
{
  g_clear_pointer (&o->value, g_variant_unref);
  g_clear_error (&o->error);
  g_clear_pointer (&o->progress, g_array_unref);
  o->done = FALSE;
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Outcome *o = data;

  g_assert_false (o->done);
  o->value = g_process_pool_submit_finish (G_PROCESS_POOL (source), result, &o->error);
  g_assert_true ((o->value == NULL) != (o->error == NULL));
  o->done = TRUE;
  o->done_at = g_get_monotonic_time ();
}

static void
wait_for (Outcome *o)
{
  while (!o->done)
    g_main_context_iteration (NULL, TRUE);
}

static void
submit (GProcessPool *pool,
        GVariant     *t,
        GCancellable *cancellable,
        Outcome      *o)
{
  memset (o, 0, sizeof *o);
  g_process_pool_submit_async (pool, t, cancellable, on_done, o);
}

/* Runs one task to its end */
static void
run (GProcessPool *pool,
     GVariant     *t,
     Outcome      *o)
{
  submit (pool, t, NULL, o);
  wait_for (o);
}

static gint64
run_int (GProcessPool *pool,
         GVariant     *t)
{
  Outcome o;
  gint64 v;

  run (pool, t, &o);
  g_assert_no_error (o.error);
  v = g_variant_get_int64 (o.value);
  outcome_clear (&o);
  return v;
}

static GProcessPool *
pool_new (int max_workers)
{
  return g_process_pool_new (work, NULL, NULL, max_workers);
}

/* Closes, joins, and checks nothing is left */
static void
pool_finish (GProcessPool *pool)
{
  GError *error = NULL;

  g_process_pool_close (pool);
  g_assert_true (g_process_pool_join (pool, 60 * G_USEC_PER_SEC, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_process_pool_get_n_workers (pool), ==, 0);
  g_assert_cmpuint (g_process_pool_get_n_pending (pool), ==, 0);
  /* Callbacks of the tasks that ended during join() */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_object_unref (pool);
}

static gboolean
pid_gone (GPid pid)
{
  return kill (pid, 0) != 0 && errno == ESRCH;
}

static guint
count_dir (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  g_dir_close (dir);
  return n;
}

/* Children of this process, zombies included */
static guint
count_children (void)
{
  char *path = g_strdup_printf ("/proc/self/task/%d/children", (int) getpid ());
  char *contents = NULL;
  guint n = 0;

  if (g_file_get_contents (path, &contents, NULL, NULL))
    {
      char **pids = g_strsplit_set (g_strstrip (contents), " ", -1);

      for (char **p = pids; *p != NULL; p++)
        n += **p != '\0';
      g_strfreev (pids);
    }
  g_free (contents);
  g_free (path);
  return n;
}

/* ---------------------------------------------------------------------------------------- */

static void
test_result_round_trip (void)
{
  GProcessPool *pool = pool_new (2);

  g_test_summary ("A task's value comes back from a worker in the pool's main context");
  g_assert_cmpint (run_int (pool, task ("echo", 42)), ==, 42);
  g_assert_cmpint (run_int (pool, task ("echo", -7)), ==, -7);
  g_assert_cmpint (run_int (pool, task ("pid", 0)), !=, getpid ());
  pool_finish (pool);
}

static void
test_warm_reuse (void)
{
  GProcessPool *pool = pool_new (1);
  gint64 first = run_int (pool, task ("pid", 0));

  g_test_summary ("Workers are started once and reused: one worker serves many tasks");
  for (int i = 0; i < 20; i++)
    g_assert_cmpint (run_int (pool, task ("pid", 0)), ==, first);
  g_assert_cmpuint (g_process_pool_get_n_workers (pool), ==, 1);
  pool_finish (pool);
  g_assert_true (pid_gone (first));
}

static void
check_crash (const char *cmd,
             gint64      arg,
             const char *expected)
{
  GProcessPool *pool = pool_new (2);
  Outcome before, crash, beside[4], after;

  g_assert_cmpint (run_int (pool, task ("echo", 1)), ==, 1);
  run (pool, task ("echo", 2), &before);
  submit (pool, task (cmd, arg), NULL, &crash);
  for (int i = 0; i < 4; i++)
    submit (pool, task ("echo", 10 + i), NULL, &beside[i]);
  wait_for (&crash);
  g_assert_error (crash.error, G_PROCESS_ERROR, G_PROCESS_ERROR_WORKER_LOST);
  if (strstr (crash.error->message, expected) == NULL)
    g_error ("“%s” does not say “%s”", crash.error->message, expected);
  for (int i = 0; i < 4; i++)
    {
      wait_for (&beside[i]);
      g_assert_no_error (beside[i].error);
      g_assert_cmpint (g_variant_get_int64 (beside[i].value), ==, 10 + i);
      outcome_clear (&beside[i]);
    }
  run (pool, task ("echo", 3), &after);
  g_assert_no_error (after.error);
  g_assert_no_error (before.error);
  outcome_clear (&before);
  outcome_clear (&after);
  outcome_clear (&crash);
  pool_finish (pool);
}

static void
test_crash_segv (void)
{
  g_test_summary ("A SIGSEGV fails only its task, with WORKER_LOST naming the signal");
  check_crash ("segv", 0, under_sanitizer ? "SIGABRT" : "SIGSEGV");
}

static void
test_crash_abort (void)
{
  g_test_summary ("An abort() fails only its task, with WORKER_LOST naming SIGABRT");
  check_crash ("abort", 0, "SIGABRT");
}

static void
test_crash_exit (void)
{
  g_test_summary ("An _exit(7) fails only its task, with WORKER_LOST giving the exit code");
  check_crash ("exit", 7, "exited with code 7");
}

static void
test_crash_sigkill (void)
{
  g_test_summary ("A SIGKILL (as the OOM killer sends) fails only its task");
  check_crash ("kill", 0, "SIGKILL");
}

static void
test_timeout (void)
{
  GProcessPool *pool = pool_new (2);
  Outcome hung, other, warm[2];
  gint64 timeout = (under_valgrind ? 3000 : 300) * G_TIME_SPAN_MILLISECOND;
  gint64 start;

  g_test_summary ("A task past task-timeout fails with TIMED_OUT; its worker is stopped and "
                  "replaced; the other tasks are unaffected");
  /* Both workers started first: the deadline is for the task, not for a worker's start */
  for (int i = 0; i < 2; i++)
    submit (pool, task ("sleep", 50 * G_TIME_SPAN_MILLISECOND), NULL, &warm[i]);
  for (int i = 0; i < 2; i++)
    {
      wait_for (&warm[i]);
      outcome_clear (&warm[i]);
    }
  g_assert_cmpuint (g_process_pool_get_n_workers (pool), ==, 2);
  g_process_pool_set_task_timeout (pool, timeout);
  start = g_get_monotonic_time ();
  submit (pool, task ("sleep", 60 * G_USEC_PER_SEC), NULL, &hung);
  submit (pool, task ("sleep", 10 * G_TIME_SPAN_MILLISECOND), NULL, &other);
  wait_for (&hung);
  g_assert_error (hung.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (hung.done_at - start, >=, timeout);
  g_assert_cmpint (hung.done_at - start, <, 30 * G_USEC_PER_SEC);
  wait_for (&other);
  g_assert_no_error (other.error);
  g_assert_cmpint (run_int (pool, task ("echo", 5)), ==, 5);
  outcome_clear (&hung);
  outcome_clear (&other);
  pool_finish (pool);
}

static void
test_cancel_queued (void)
{
  GProcessPool *pool = pool_new (1);
  GCancellable *cancellable = g_cancellable_new ();
  Outcome busy, queued;
  gint64 marker = g_get_real_time () ^ getpid ();
  char *path = g_strdup_printf ("%s/pool-touch-%" G_GINT64_FORMAT, g_get_tmp_dir (), marker);
  gint64 cancelled_at;

  g_test_summary ("Cancelling a queued task removes it: it never runs, and its callback gets "
                  "CANCELLED at once");
  submit (pool, task ("sleep", 500 * G_TIME_SPAN_MILLISECOND), NULL, &busy);
  submit (pool, task ("touch", marker), cancellable, &queued);
  g_assert_cmpuint (g_process_pool_get_n_pending (pool), ==, 2);
  cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  wait_for (&queued);
  g_assert_error (queued.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (busy.done);
  g_assert_cmpint (queued.done_at - cancelled_at, <, 400 * G_TIME_SPAN_MILLISECOND);
  wait_for (&busy);
  g_assert_no_error (busy.error);
  pool_finish (pool);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  outcome_clear (&busy);
  outcome_clear (&queued);
  g_object_unref (cancellable);
  g_free (path);
}

static void
on_progress_cancel (GProcessPool *pool,
                    GVariant     *progress,
                    gpointer      data)
{
  g_cancellable_cancel (data);
}

static void
on_done_progress (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  Outcome *o = data;

  o->value = g_process_pool_submit_with_progress_finish (G_PROCESS_POOL (source), result,
                                                         &o->error);
  o->done = TRUE;
  o->done_at = g_get_monotonic_time ();
}

static void
test_cancel_running (void)
{
  GProcessPool *pool = pool_new (1);
  GCancellable *cancellable = g_cancellable_new ();
  Outcome running;
  gint64 first = run_int (pool, task ("pid", 0));

  g_test_summary ("Cancelling a running task stops its worker; the callback gets CANCELLED at "
                  "once and a new worker serves the next task");
  memset (&running, 0, sizeof running);
  g_process_pool_submit_with_progress_async (pool, task ("progress-sleep", 60 * G_USEC_PER_SEC),
                                             on_progress_cancel, g_object_ref (cancellable),
                                             g_object_unref, cancellable, on_done_progress,
                                             &running);
  wait_for (&running);
  g_assert_error (running.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (run_int (pool, task ("pid", 0)), !=, first);
  pool_finish (pool);
  g_assert_true (pid_gone (first));
  outcome_clear (&running);
  g_object_unref (cancellable);
}

static void
test_task_error (void)
{
  GProcessPool *pool = pool_new (1);
  gint64 pid = run_int (pool, task ("pid", 0));
  Outcome o;

  g_test_summary ("The function's own GError comes back with its domain, code and message; "
                  "the worker stays");
  run (pool, task ("error", 17), &o);
  g_assert_error (o.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (o.error->message, ==, "no such thing: 17");
  g_assert_cmpint (run_int (pool, task ("pid", 0)), ==, pid);
  outcome_clear (&o);
  pool_finish (pool);
}

static void
test_recycle_max_tasks (void)
{
  GProcessPool *pool = pool_new (1);
  gint64 pids[6];

  g_test_summary ("A worker exits after max-tasks-per-worker tasks and a new one takes over");
  g_process_pool_set_max_tasks_per_worker (pool, 2);
  for (int i = 0; i < 6; i++)
    pids[i] = run_int (pool, task ("pid", 0));
  g_assert_cmpint (pids[0], ==, pids[1]);
  g_assert_cmpint (pids[1], !=, pids[2]);
  g_assert_cmpint (pids[2], ==, pids[3]);
  g_assert_cmpint (pids[3], !=, pids[4]);
  g_assert_cmpint (pids[4], ==, pids[5]);
  pool_finish (pool);
}

static void
test_recycle_memory (void)
{
  GProcessPool *pool = pool_new (1);
  gint64 a, b, c;

  g_test_summary ("A worker whose memory grew past max-worker-memory is replaced between "
                  "tasks; a small one stays");
  if (under_valgrind || under_sanitizer)
    {
      g_test_skip ("valgrind's and ASan's allocators do not work under the kernel's memory "
                   "limits (ASan deadlocks reporting the failure)");
      g_object_unref (pool);
      return;
    }
  g_process_pool_set_max_worker_memory (pool, 64 * 1024 * 1024);
  a = run_int (pool, task ("grow", 1024 * 1024));
  b = run_int (pool, task ("grow", 48 * 1024 * 1024));
  c = run_int (pool, task ("pid", 0));
  g_assert_cmpint (a, ==, b);
  g_assert_cmpint (b, !=, c);
  pool_finish (pool);
}

static guint64
self_rss (void)
{
  char *contents = NULL;
  unsigned long size = 0, resident = 0;

  g_assert_true (g_file_get_contents ("/proc/self/statm", &contents, NULL, NULL));
  g_assert_cmpint (sscanf (contents, "%lu %lu", &size, &resident), ==, 2);
  g_free (contents);
  return (guint64) resident * sysconf (_SC_PAGESIZE);
}

static void
test_memory_runaway (void)
{
  GProcessPool *pool = pool_new (1);
  Outcome o;
  guint64 rss_before;

  g_test_summary ("A task that allocates without bound fails with WORKER_LOST naming the "
                  "memory limit; the parent's memory does not move; the pool goes on");
  if (under_valgrind || under_sanitizer)
    {
      g_test_skip ("valgrind's and ASan's allocators do not work under the kernel's memory "
                   "limits (ASan deadlocks reporting the failure)");
      g_object_unref (pool);
      return;
    }
  g_process_pool_set_max_worker_memory (pool, 64 * 1024 * 1024);
  g_assert_cmpint (run_int (pool, task ("echo", 1)), ==, 1);
  rss_before = self_rss ();
  run (pool, task ("runaway", 0), &o);
  g_assert_error (o.error, G_PROCESS_ERROR, G_PROCESS_ERROR_WORKER_LOST);
  if (strstr (o.error->message, "max-worker-memory") == NULL)
    g_error ("“%s” does not name the memory limit", o.error->message);
  g_assert_cmpint (self_rss (), <, rss_before + 8 * 1024 * 1024);
  g_assert_cmpint (run_int (pool, task ("echo", 2)), ==, 2);
  outcome_clear (&o);
  pool_finish (pool);
}

static GVariant *
work_with_data (GVariant  *t,
                gpointer   user_data,
                GError   **error)
{
  return g_variant_new_int64 (*(gint64 *) user_data);
}

static void
test_forkserver_workers (void)
{
  GError *error = NULL;
  GProcessPool *pool;
  gint64 pid, heap_value = 5;
  gint64 *heap = g_memdup2 (&heap_value, sizeof heap_value);
  Outcome o;
  gpointer code;

  g_test_summary ("With the fork server, workers come from the server, are reused, contain "
                  "crashes; user data that cannot reach them fails the first submit");
  if (!g_process_start_fork_server (&error))
    {
      g_test_skip (error->message);
      g_clear_error (&error);
      g_free (heap);
      return;
    }
  pool = pool_new (2);
  g_process_pool_set_start_method (pool, G_PROCESS_START_METHOD_FORKSERVER);
  g_assert_cmpint (g_process_pool_get_start_method (pool), ==, G_PROCESS_START_METHOD_FORKSERVER);
  pid = run_int (pool, task ("pid", 0));
  g_assert_cmpint (run_int (pool, task ("pid", 0)), ==, pid);
  run (pool, task ("segv", 0), &o);
  g_assert_error (o.error, G_PROCESS_ERROR, G_PROCESS_ERROR_WORKER_LOST);
  outcome_clear (&o);
  g_assert_cmpint (run_int (pool, task ("echo", 9)), ==, 9);
  pool_finish (pool);

  /* A heap block of the application (made after the server started) is not in the server */
  pool = g_process_pool_new (work_with_data, heap, NULL, 1);
  g_process_pool_set_start_method (pool, G_PROCESS_START_METHOD_FORKSERVER);
  run (pool, task ("x", 0), &o);
  if (o.error == NULL)
    {
      /* The server's heap may happen to have a mapping at that address */
      g_test_message ("the heap address was mapped in the server too");
    }
  else
    g_assert_error (o.error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_TRANSFERABLE);
  outcome_clear (&o);
  pool_finish (pool);
  g_free (heap);

  /* Code made at run time (a closure, a JIT) is not in the server: the first submit fails */
  code = mmap (NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  g_assert_true (code != MAP_FAILED);
  pool = g_process_pool_new ((GProcessPoolFunc) code, NULL, NULL, 1);
  g_process_pool_set_start_method (pool, G_PROCESS_START_METHOD_FORKSERVER);
  run (pool, task ("x", 0), &o);
  g_assert_error (o.error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_TRANSFERABLE);
  outcome_clear (&o);
  run (pool, task ("x", 0), &o);
  g_assert_error (o.error, G_PROCESS_ERROR, G_PROCESS_ERROR_NOT_TRANSFERABLE);
  outcome_clear (&o);
  pool_finish (pool);
  munmap (code, 4096);
}

static void
test_no_thread (void)
{
  guint threads_before = count_dir ("/proc/self/task");
  GProcessPool *pool = pool_new (2);
  Outcome o[4];

  g_test_summary ("Creating a pool and running 1,000 tasks adds no thread to the process");
  for (int i = 0; i < 250; i++)
    {
      for (int j = 0; j < 4; j++)
        submit (pool, task ("echo", i * 4 + j), NULL, &o[j]);
      for (int j = 0; j < 4; j++)
        {
          wait_for (&o[j]);
          g_assert_no_error (o[j].error);
          g_assert_cmpint (g_variant_get_int64 (o[j].value), ==, i * 4 + j);
          outcome_clear (&o[j]);
        }
    }
  if (count_dir ("/proc/self/task") != threads_before)
    {
      GDir *dir = g_dir_open ("/proc/self/task", 0, NULL);
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          char *path = g_strdup_printf ("/proc/self/task/%s/comm", name), *comm = NULL;

          g_file_get_contents (path, &comm, NULL, NULL);
          g_test_message ("thread %s: %s", name, comm);
          g_free (comm);
          g_free (path);
        }
      g_dir_close (dir);
    }
  g_assert_cmpuint (count_dir ("/proc/self/task"), ==, threads_before);
  pool_finish (pool);
  g_assert_cmpuint (count_dir ("/proc/self/task"), ==, threads_before);
}

static void
on_progress_record (GProcessPool *pool,
                    GVariant     *progress,
                    gpointer      data)
{
  Outcome *o = data;
  gint64 v = g_variant_get_int64 (progress);

  g_assert_false (o->done);
  g_array_append_val (o->progress, v);
}

static void
test_progress (void)
{
  GProcessPool *pool = pool_new (1);
  Outcome o;

  g_test_summary ("Progress sent by a running task reaches its progress callback in order, "
                  "before the result; outside a worker nothing is sent");
  memset (&o, 0, sizeof o);
  o.progress = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_process_pool_submit_with_progress_async (pool, task ("progress", 50), on_progress_record,
                                             &o, NULL, NULL, on_done_progress, &o);
  wait_for (&o);
  g_assert_no_error (o.error);
  g_assert_cmpuint (o.progress->len, ==, 50);
  for (guint i = 0; i < 50; i++)
    g_assert_cmpint (g_array_index (o.progress, gint64, i), ==, i);
  outcome_clear (&o);
  g_assert_false (g_process_pool_send_progress (g_variant_new_int64 (1)));
  /* Without a progress callback the messages are dropped */
  g_assert_cmpint (run_int (pool, task ("progress", 10)), ==, 10);
  pool_finish (pool);
}

static void
test_close_join (void)
{
  GProcessPool *pool = pool_new (2);
  GError *error = NULL;
  Outcome o[5], late;
  guint children = count_children ();   /* the fork server, if a test started it */

  g_test_summary ("close(): queued tasks still run, later submits fail with CLOSED; join() "
                  "waits for them and for every worker: no zombie");
  g_assert_false (g_process_pool_join (pool, 0, NULL, &error));
  g_assert_error (error, G_PROCESS_ERROR, G_PROCESS_ERROR_STILL_RUNNING);
  g_clear_error (&error);
  for (int i = 0; i < 5; i++)
    submit (pool, task ("sleep", 20 * G_TIME_SPAN_MILLISECOND), NULL, &o[i]);
  g_process_pool_close (pool);
  submit (pool, task ("echo", 1), NULL, &late);
  wait_for (&late);
  g_assert_error (late.error, G_PROCESS_ERROR, G_PROCESS_ERROR_CLOSED);
  g_assert_true (g_process_pool_join (pool, 60 * G_USEC_PER_SEC, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_process_pool_get_n_workers (pool), ==, 0);
  g_assert_cmpuint (count_children (), ==, children);
  for (int i = 0; i < 5; i++)
    {
      wait_for (&o[i]);
      g_assert_no_error (o[i].error);
      outcome_clear (&o[i]);
    }
  outcome_clear (&late);
  g_object_unref (pool);
}

static void
test_terminate (void)
{
  GProcessPool *pool = pool_new (1);
  GError *error = NULL;
  Outcome running, queued;
  guint children = count_children ();
  gint64 pid = run_int (pool, task ("pid", 0));

  g_test_summary ("terminate(): queued and running tasks fail with CLOSED, workers are killed "
                  "and join() collects them");
  submit (pool, task ("sleep", 60 * G_USEC_PER_SEC), NULL, &running);
  submit (pool, task ("echo", 1), NULL, &queued);
  g_process_pool_terminate (pool);
  wait_for (&running);
  wait_for (&queued);
  g_assert_error (running.error, G_PROCESS_ERROR, G_PROCESS_ERROR_CLOSED);
  g_assert_error (queued.error, G_PROCESS_ERROR, G_PROCESS_ERROR_CLOSED);
  g_assert_true (g_process_pool_join (pool, 30 * G_USEC_PER_SEC, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (pid_gone (pid));
  g_assert_cmpuint (count_children (), ==, children);
  outcome_clear (&running);
  outcome_clear (&queued);
  g_object_unref (pool);
}

static void
test_finalize_stops_workers (void)
{
  GProcessPool *pool = pool_new (2);
  Outcome running;
  gint64 idle_pid, busy_pid;
  guint children = count_children ();

  g_test_summary ("Disposing a pool with a running task fails it and stops its workers; "
                  "finalizing an idle pool stops its workers");
  idle_pid = run_int (pool, task ("pid", 0));
  g_object_unref (pool);
  g_assert_true (pid_gone (idle_pid));

  pool = pool_new (1);
  busy_pid = run_int (pool, task ("pid", 0));
  submit (pool, task ("sleep", 60 * G_USEC_PER_SEC), NULL, &running);
  g_object_run_dispose (G_OBJECT (pool));
  g_assert_true (pid_gone (busy_pid));
  g_object_unref (pool);
  wait_for (&running);
  g_assert_error (running.error, G_PROCESS_ERROR, G_PROCESS_ERROR_CLOSED);
  g_assert_cmpuint (count_children (), ==, children);
  outcome_clear (&running);
}

static void
test_no_fd_growth (void)
{
  GProcessPool *pool = pool_new (2);
  guint n = under_valgrind ? 500 : 10000;
  guint fds_before;
  gint64 checksum = 0;
  guint children = count_children ();

  g_test_summary ("10,000 tasks (with workers recycled) leave no descriptor and no zombie");
  g_process_pool_set_max_tasks_per_worker (pool, 1000);
  g_assert_cmpint (run_int (pool, task ("echo", 0)), ==, 0);
  fds_before = count_dir ("/proc/self/fd");
  for (guint i = 0; i < n; i++)
    checksum += run_int (pool, task ("echo", i));
  g_assert_cmpint (checksum, ==, (gint64) n * (n - 1) / 2);
  g_assert_cmpuint (count_dir ("/proc/self/fd"), <=, fds_before);
  pool_finish (pool);
  g_assert_cmpuint (count_children (), ==, children);
}

/* The inodes of the sockets open in this process */
static GArray *
socket_inodes (void)
{
  GArray *inodes = g_array_new (FALSE, FALSE, sizeof (guint64));
  GDir *dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      struct stat st;

      if (fstat (atoi (name), &st) == 0 && S_ISSOCK (st.st_mode))
        {
          guint64 ino = st.st_ino;

          g_array_append_val (inodes, ino);
        }
    }
  g_dir_close (dir);
  return inodes;
}

/* A plain child: exits 1 if it holds a socket the pool made (args: their inodes) */
static void
target_check_sockets (GProcessObject *process,
                      gpointer        user_data)
{
  GVariant *args = g_process_object_get_args (process);
  GArray *held = socket_inodes ();
  gsize n = 0;
  const guint64 *pool_inodes = g_variant_get_fixed_array (args, &n, sizeof (guint64));

  for (guint i = 0; i < held->len; i++)
    for (gsize j = 0; j < n; j++)
      if (g_array_index (held, guint64, i) == pool_inodes[j])
        _exit (1);
  _exit (0);
}

static void
start_check_sockets (GArray *inodes)
{
  GProcessObject *child = g_process_object_new_with_target (target_check_sockets, NULL, NULL);
  GError *error = NULL;

  g_process_object_set_start_method (child, G_PROCESS_START_METHOD_FORK);
  g_process_object_set_args (child, g_variant_new_fixed_array (G_VARIANT_TYPE_UINT64,
                                                               inodes->data, inodes->len,
                                                               sizeof (guint64)));
  g_assert_true (g_process_object_start (child, &error));
  g_assert_no_error (error);
  g_assert_true (g_process_object_join (child, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_process_object_get_exit_code (child), ==, 0);
  g_object_unref (child);
}

static void
test_sockets_not_inherited (void)
{
  GArray *before, *after, *pool_inodes = g_array_new (FALSE, FALSE, sizeof (guint64));
  GProcessPool *pool;

  g_test_summary ("The pool's ends of its workers' sockets are the library's descriptors: a "
                  "child the application starts does not inherit them");
  /* The sockets a child is meant to have (the results' socket) exist before the pool */
  start_check_sockets (pool_inodes);
  before = socket_inodes ();
  pool = pool_new (1);
  g_assert_cmpint (run_int (pool, task ("echo", 1)), ==, 1);   /* a worker is live */
  after = socket_inodes ();
  for (guint i = 0; i < after->len; i++)
    {
      gboolean old = FALSE;

      for (guint j = 0; j < before->len; j++)
        old |= g_array_index (before, guint64, j) == g_array_index (after, guint64, i);
      if (!old)
        g_array_append_val (pool_inodes, g_array_index (after, guint64, i));
    }
  g_assert_cmpuint (pool_inodes->len, ==, 1);
  start_check_sockets (pool_inodes);

  g_array_unref (pool_inodes);
  g_array_unref (after);
  g_array_unref (before);
  pool_finish (pool);
}

static void
test_garbage_reply (void)
{
  GProcessPool *pool = pool_new (1);
  Outcome o;

  g_test_summary ("A worker that answers garbage fails its task with a clear error and is "
                  "replaced");
  run (pool, task ("garbage", 0), &o);
  g_assert_error (o.error, G_PROCESS_ERROR, G_PROCESS_ERROR_WORKER_LOST);
  g_assert_nonnull (strstr (o.error->message, "invalid reply"));
  g_assert_cmpint (run_int (pool, task ("echo", 4)), ==, 4);
  outcome_clear (&o);
  pool_finish (pool);
}

static void
test_large_values (void)
{
  GProcessPool *pool = pool_new (1);
  gsize size = under_valgrind ? 4 * 1024 * 1024 : 128 * 1024 * 1024;
  Outcome o;
  gsize n;
  const guint8 *data;
  GVariant *big_task;
  guint8 *payload = g_malloc (3 * 1024 * 1024);

  g_test_summary ("Large tasks and results travel in a sealed memfd, intact");
  run (pool, task ("big", size), &o);
  g_assert_no_error (o.error);
  data = g_variant_get_fixed_array (o.value, &n, 1);
  g_assert_cmpuint (n, ==, size);
  for (gsize i = 0; i < n; i += 4093)
    g_assert_cmpuint (data[i], ==, (guint8) (i * 7));
  outcome_clear (&o);

  /* A 3 MiB task */
  memset (payload, 3, 3 * 1024 * 1024);
  big_task = g_variant_new ("(sx)", "echo", (gint64) 3);
  run (pool, g_variant_new ("(@(sx)@ay)", big_task,
                            g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, payload,
                                                       3 * 1024 * 1024, 1)), &o);
  g_assert_no_error (o.error);
  g_assert_cmpint (g_variant_get_int64 (o.value), ==, 3 * 1024 * 1024);
  outcome_clear (&o);
  g_free (payload);
  pool_finish (pool);
}

static void
test_sync_submit (void)
{
  GProcessPool *pool = pool_new (1);
  GError *error = NULL;
  GVariant *v;
  Outcome o;

  g_test_summary ("submit() blocks on a private context: it waits for a busy worker without "
                  "running the application's callbacks");
  submit (pool, task ("sleep", 50 * G_TIME_SPAN_MILLISECOND), NULL, &o);
  v = g_process_pool_submit (pool, task ("echo", 8), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int64 (v), ==, 8);
  g_variant_unref (v);
  g_assert_false (o.done);   /* its callback runs in the pool's context, later */
  wait_for (&o);
  g_assert_no_error (o.error);
  outcome_clear (&o);

  v = g_process_pool_submit (pool, task ("error", 3), NULL, &error);
  g_assert_null (v);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  pool_finish (pool);
}

typedef struct
{
  GError *lost;
  gint64 after;
  gboolean done;
} Reentrant;

static void
on_lost_then_sync (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  Reentrant *r = data;
  GError *error = NULL;
  GVariant *v = g_process_pool_submit_finish (G_PROCESS_POOL (source), result, &r->lost);

  g_assert_null (v);
  /* From inside the callback of a lost worker's task: a blocking submit */
  v = g_process_pool_submit (G_PROCESS_POOL (source), task ("echo", 11), NULL, &error);
  g_assert_no_error (error);
  r->after = g_variant_get_int64 (v);
  g_variant_unref (v);
  r->done = TRUE;
}

static void
test_sync_from_callback (void)
{
  GProcessPool *pool = pool_new (1);
  Reentrant r = { NULL, 0, FALSE };

  g_test_summary ("A blocking submit from the callback of a task whose worker was lost works, "
                  "and the lost worker is collected once");
  g_process_pool_submit_async (pool, task ("exit", 3), NULL, on_lost_then_sync, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (r.lost, G_PROCESS_ERROR, G_PROCESS_ERROR_WORKER_LOST);
  g_assert_cmpint (r.after, ==, 11);
  g_clear_error (&r.lost);
  pool_finish (pool);
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    data)
{
  (*(int *) data)++;
}

static void
test_idle_timeout (void)
{
  GProcessPool *pool = pool_new (2);
  int notified = 0;
  gint64 pid;

  g_test_summary ("idle-timeout lets idle workers exit; n-workers follows, with notify");
  g_process_pool_set_idle_timeout (pool, 100 * G_TIME_SPAN_MILLISECOND);
  g_signal_connect (pool, "notify::n-workers", G_CALLBACK (on_notify), &notified);
  pid = run_int (pool, task ("pid", 0));
  g_assert_cmpuint (g_process_pool_get_n_workers (pool), ==, 1);
  while (g_process_pool_get_n_workers (pool) > 0 || !pid_gone (pid))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (notified, >=, 2);
  g_assert_cmpint (run_int (pool, task ("pid", 0)), !=, pid);
  pool_finish (pool);
}

static void
test_properties (void)
{
  GProcessPool *pool = pool_new (3);
  int notified = 0;
  GProcessStartMethod method;
  gint64 timeout;

  g_test_summary ("Properties have getters, setters and notify only on change");
  g_signal_connect (pool, "notify", G_CALLBACK (on_notify), &notified);
  g_assert_cmpint (g_process_pool_get_max_workers (pool), ==, 3);
  g_process_pool_set_max_workers (pool, 3);
  g_assert_cmpint (notified, ==, 0);
  g_object_set (pool, "max-workers", 0, "task-timeout", (gint64) 5, "max-tasks-per-worker", 4,
                "max-worker-memory", (guint64) 1 << 30, "idle-timeout", (gint64) 7, NULL);
  g_assert_cmpint (g_process_pool_get_max_workers (pool), ==, (int) g_get_num_processors ());
  g_assert_cmpint (notified, ==, 5);
  g_object_get (pool, "start-method", &method, "task-timeout", &timeout, NULL);
  g_assert_cmpint (method, ==, g_process_get_start_method ());
  g_assert_cmpint (timeout, ==, 5);
  g_assert_cmpuint (g_process_pool_get_max_tasks_per_worker (pool), ==, 4);
  g_assert_cmpuint (g_process_pool_get_max_worker_memory (pool), ==, (guint64) 1 << 30);
  g_assert_cmpint (g_process_pool_get_idle_timeout (pool), ==, 7);
  g_object_unref (pool);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  under_valgrind = g_getenv ("GPROCESS_TEST_VALGRIND") != NULL;
  under_sanitizer = g_getenv ("GPROCESS_TEST_SANITIZER") != NULL;

  g_test_add_func ("/gprocess/pool/result/round-trip", test_result_round_trip);
  g_test_add_func ("/gprocess/pool/result/warm-reuse", test_warm_reuse);
  g_test_add_func ("/gprocess/pool/crash/sigsegv", test_crash_segv);
  g_test_add_func ("/gprocess/pool/crash/abort", test_crash_abort);
  g_test_add_func ("/gprocess/pool/crash/exit", test_crash_exit);
  g_test_add_func ("/gprocess/pool/crash/sigkill", test_crash_sigkill);
  g_test_add_func ("/gprocess/pool/deadline/task-timeout", test_timeout);
  g_test_add_func ("/gprocess/pool/cancel/queued", test_cancel_queued);
  g_test_add_func ("/gprocess/pool/cancel/running", test_cancel_running);
  g_test_add_func ("/gprocess/pool/error/round-trip", test_task_error);
  g_test_add_func ("/gprocess/pool/recycle/max-tasks", test_recycle_max_tasks);
  g_test_add_func ("/gprocess/pool/recycle/memory", test_recycle_memory);
  g_test_add_func ("/gprocess/pool/memory/runaway", test_memory_runaway);
  g_test_add_func ("/gprocess/pool/forkserver/workers", test_forkserver_workers);
  g_test_add_func ("/gprocess/pool/threads/none-added", test_no_thread);
  g_test_add_func ("/gprocess/pool/progress/in-order", test_progress);
  g_test_add_func ("/gprocess/pool/close/join", test_close_join);
  g_test_add_func ("/gprocess/pool/close/terminate", test_terminate);
  g_test_add_func ("/gprocess/pool/close/finalize", test_finalize_stops_workers);
  g_test_add_func ("/gprocess/pool/resources/no-fd-growth", test_no_fd_growth);
  g_test_add_func ("/gprocess/pool/resources/sockets-not-inherited", test_sockets_not_inherited);
  g_test_add_func ("/gprocess/pool/bad-input/garbage-reply", test_garbage_reply);
  g_test_add_func ("/gprocess/pool/bad-input/large-values", test_large_values);
  g_test_add_func ("/gprocess/pool/sync/submit", test_sync_submit);
  g_test_add_func ("/gprocess/pool/sync/from-callback", test_sync_from_callback);
  g_test_add_func ("/gprocess/pool/idle-timeout", test_idle_timeout);
  g_test_add_func ("/gprocess/pool/properties", test_properties);

  return g_test_run ();
}
