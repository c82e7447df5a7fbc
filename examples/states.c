/* states.c: seed 002's doctest: a child sleeping for 1000 s is started, terminated, and its
 * exit code is -SIGTERM.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <signal.h>
#include <unistd.h>

#include <gprocess/gprocess.h>

static void
sleep_long (GProcessObject *process,
            gpointer        seconds)
{
  sleep (GPOINTER_TO_UINT (seconds));
}

static void
show (GProcessObject *p)
{
  g_autofree char *s = g_process_object_to_string (p);

  g_print ("%s %s\n", s, g_process_object_is_alive (p) ? "True" : "False");
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GProcessObject) p = g_process_object_new_with_target (sleep_long, GUINT_TO_POINTER (1000), NULL);

  show (p);
  if (!g_process_object_start (p, &error))
    g_error ("%s", error->message);
  show (p);
  g_process_object_terminate (p);
  g_process_object_join (p, -1, NULL, NULL);
  show (p);
  g_print ("%s\n", g_process_object_get_exit_code (p) == -SIGTERM ? "True" : "False");
  return 0;
}
