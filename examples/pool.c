/* pool.c: a GProcessPool runs tasks in warm workers; a crash, a hang and an error stay inside
 * their task, and the pool goes on.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <signal.h>
#include <stdio.h>

#include <gprocess/gprocess.h>

/* Runs in a worker: squares a number, or misbehaves on request */
static GVariant *
square (GVariant  *task,
        gpointer   user_data,
        GError   **error)
{
  gint64 n = g_variant_get_int64 (task);

  if (n == -1)
    raise (SIGSEGV);                         /* a crash */
  if (n == -2)
    g_usleep (60 * G_USEC_PER_SEC);          /* a hang */
  if (n == -3)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "no square for %d", -3);
      return NULL;
    }
  g_process_pool_send_progress (g_variant_new_string ("squaring"));
  return g_variant_new_int64 (n * n);
}

typedef struct
{
  gint64 n;
  GMainLoop *loop;
  int *pending;
} Job;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Job *job = data;
  GError *error = NULL;
  GVariant *value = g_process_pool_submit_finish (G_PROCESS_POOL (source), result, &error);

  if (value != NULL)
    printf ("%" G_GINT64_FORMAT " squared is %" G_GINT64_FORMAT "\n", job->n,
            g_variant_get_int64 (value));
  else if (g_error_matches (error, G_PROCESS_ERROR, G_PROCESS_ERROR_WORKER_LOST))
    printf ("task %" G_GINT64_FORMAT ": worker lost (%s)\n", job->n,
            g_str_has_prefix (error->message, "Worker ") ? "crash" : error->message);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    printf ("task %" G_GINT64_FORMAT ": timed out\n", job->n);
  else
    printf ("task %" G_GINT64_FORMAT ": %s\n", job->n, error->message);
  g_clear_pointer (&value, g_variant_unref);
  g_clear_error (&error);
  if (--*job->pending == 0)
    g_main_loop_quit (job->loop);
  g_free (job);
}

int
main (void)
{
  gint64 tasks[] = { 2, 3, -1, 4, -2, 5, -3, 6 };
  GMainLoop *loop = g_main_loop_new (NULL, FALSE);
  GProcessPool *pool = g_process_pool_new (square, NULL, NULL, 3);
  int pending = G_N_ELEMENTS (tasks);

  setvbuf (stdout, NULL, _IOLBF, 0);
  /* 2 s: a hang is stopped, and a crash, even under valgrind, still reported as one */
  g_process_pool_set_task_timeout (pool, 2 * G_TIME_SPAN_SECOND);
  for (gsize i = 0; i < G_N_ELEMENTS (tasks); i++)
    {
      Job *job = g_new0 (Job, 1);

      job->n = tasks[i];
      job->loop = loop;
      job->pending = &pending;
      g_process_pool_submit_async (pool, g_variant_new_int64 (tasks[i]), NULL, on_done, job);
    }
  g_main_loop_run (loop);

  g_process_pool_close (pool);
  if (g_process_pool_join (pool, 10 * G_USEC_PER_SEC, NULL, NULL))
    printf ("pool joined, workers left: %u\n", g_process_pool_get_n_workers (pool));
  g_object_unref (pool);
  g_main_loop_unref (loop);
  return 0;
}
