/* install-check.c: built against the installed library by build-aux/check-install.sh
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gprocess/gprocess.h>

static void
three (GProcessObject *process, gpointer data)
{
  g_process_exit (3);
}

int
main (void)
{
  GProcessObject *p = g_process_object_new_with_target (three, NULL, NULL);

  if (!GPROCESS_CHECK_VERSION (0, 1, 0) || !g_process_object_start (p, NULL) ||
      !g_process_object_join (p, -1, NULL, NULL))
    return 1;
  g_print ("installed: %s, child exit code %d\n", GPROCESS_VERSION_S,
           g_process_object_get_exit_code (p));
  g_object_unref (p);
  return 0;
}
