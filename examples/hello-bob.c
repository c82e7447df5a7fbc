/* hello-bob.c: the "Hello Bob" example of the processing package, in C
 *
 *   from processing import Process
 *   def f(name):
 *       print 'Hello', name
 *   p = Process(target=f, args=['Bob'])
 *   p.start()
 *   p.join()
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gprocess/gprocess.h>

static void
f (GProcessObject *process,
   gpointer        name)
{
  g_print ("Hello %s\n", (const char *) name);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GProcessObject) p = g_process_object_new_with_target (f, "Bob", NULL);

  if (!g_process_object_start (p, &error) ||
      !g_process_object_join (p, -1, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  return g_process_object_get_exit_code (p);
}
