/* pids.c: seed 004's first example: the child prints its pid and its parent's.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <unistd.h>

#include <gprocess/gprocess.h>

static void
test (GProcessObject *process,
      gpointer        name)
{
  g_print ("Process ID: %d\n", (int) getpid ());
  g_print ("Parent Process ID: %d\n", (int) getppid ());
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GProcessObject) proc = g_process_object_new_with_target (test, "nmask", NULL);

  g_print ("Main process ID: %d\n", (int) getpid ());
  if (!g_process_object_start (proc, &error) ||
      !g_process_object_join (proc, -1, NULL, &error))
    g_error ("%s", error->message);
  return 0;
}
