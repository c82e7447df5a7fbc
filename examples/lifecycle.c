/* lifecycle.c: beyond multiprocessing: a result and an error back from the child, its
 * resource usage, a graceful stop, a process group, a daemonic worker that cannot outlive us
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include <gprocess/gprocess.h>

/* Returns a value: the parent gets it with g_process_object_get_result() */
static void
answer (GProcessObject *process,
        gpointer        user_data)
{
  g_process_set_result (g_variant_new ("(si)", "the answer", 6 * 7));
}

/* Fails: the parent gets the same GError */
static void
fail (GProcessObject *process,
      gpointer        user_data)
{
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                                 "no such answer");

  g_process_set_error (error);
  g_process_exit (1);
}

/* Ignores SIGTERM: only SIGKILL stops it; it starts a grandchild in its process group, then
 * says it is ready on the pipe given as data */
static void
stubborn (GProcessObject *process,
          gpointer        user_data)
{
  int *ready = user_data;

  signal (SIGTERM, SIG_IGN);
  if (fork () == 0)
    for (;;)
      pause ();
  if (write (ready[1], "r", 1) != 1)
    g_process_exit (1);
  for (;;)
    pause ();
}

static gboolean
run (GProcessObject  *p,
     GError         **error)
{
  return g_process_object_start (p, error) && g_process_object_join (p, -1, NULL, error);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GProcessObject) p = g_process_object_new_with_target (answer, NULL, NULL);
  g_autoptr(GProcessObject) q = g_process_object_new_with_target (fail, NULL, NULL);
  int ready[2];
  g_autoptr(GProcessObject) s = NULL;
  g_autoptr(GVariant) result = NULL;
  g_autofree char *text = NULL;
  gint64 user_us, system_us, max_rss;

  if (!run (p, &error))
    g_error ("%s", error->message);
  result = g_process_object_get_result (p, &error);
  text = g_variant_print (result, FALSE);
  g_print ("result: %s\n", text);
  if (g_process_object_get_usage (p, &user_us, &system_us, &max_rss))
    g_print ("usage known: CPU %s, max RSS %s\n", user_us + system_us >= 0 ? "yes" : "no",
             max_rss > 0 ? "yes" : "no");

  if (!run (q, &error))
    g_error ("%s", error->message);
  g_assert_null (g_process_object_get_result (q, &error));
  g_print ("error: %s %d: %s (exit code %d)\n", g_quark_to_string (error->domain), error->code,
           error->message, g_process_object_get_exit_code (q));
  g_clear_error (&error);

  /* A daemonic worker would get SIGTERM if this process died, even by SIGKILL */
  if (pipe (ready) != 0)
    g_error ("pipe: %s", g_strerror (errno));
  s = g_process_object_new_with_target (stubborn, ready, NULL);
  g_process_object_set_daemon (s, TRUE);
  g_process_object_set_process_group (s, TRUE);
  g_print ("parent-death signal of a daemonic worker: %d\n",
           g_process_object_get_parent_death_signal (s));
  if (!g_process_object_start (s, &error))
    g_error ("%s", error->message);
  if (read (ready[0], &(char) { 0 }, 1) != 1)
    g_error ("the worker did not start");
  if (!g_process_object_stop (s, 200 * 1000, NULL, &error))   /* TERM, 0.2 s, KILL */
    g_error ("%s", error->message);
  g_print ("stubborn worker stopped with exit code %d\n", g_process_object_get_exit_code (s));
  return 0;
}
