/* mainloop.c: a GMainLoop starts three children and quits when the last one has ended
 *
 * Nothing joins the children: GProcessObject:state changes to STOPPED in the main loop when
 * each child ends, observed by the watch that start() attaches to the main context.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gprocess/gprocess.h>

static int running;

static void
work (GProcessObject *process,
      gpointer        user_data)
{
  g_print ("%s: working in pid %d\n", g_process_object_get_name (process), (int) getpid ());
  g_process_exit (GPOINTER_TO_INT (user_data));
}

static void
on_state (GProcessObject *process,
          GParamSpec     *pspec,
          GMainLoop      *loop)
{
  if (g_process_object_get_state (process) != G_PROCESS_STATE_STOPPED)
    return;
  g_print ("%s ended with exit code %d\n", g_process_object_get_name (process),
           g_process_object_get_exit_code (process));
  if (--running == 0)
    g_main_loop_quit (loop);
}

int
main (void)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  GProcessObject *children[3];

  for (int i = 0; i < 3; i++)
    {
      g_autoptr(GError) error = NULL;

      children[i] = g_process_object_new_with_target (work, GINT_TO_POINTER (i + 1), NULL);
      g_signal_connect (children[i], "notify::state", G_CALLBACK (on_state), loop);
      if (!g_process_object_start (children[i], &error))
        g_error ("%s", error->message);
      running++;
    }

  g_main_loop_run (loop);
  g_print ("all children ended\n");

  for (int i = 0; i < 3; i++)
    g_object_unref (children[i]);
  return 0;
}
