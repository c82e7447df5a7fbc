/* subclass.c: seed 004's MyProcess: a subclass whose constructor takes an argument; ten
 * children started, then joined.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gprocess/gprocess.h>

#define MY_TYPE_PROCESS (my_process_get_type ())
G_DECLARE_FINAL_TYPE (MyProcess, my_process, MY, PROCESS, GProcessObject)

struct _MyProcess
{
  GProcessObject parent_instance;
  int arg;
};

G_DEFINE_FINAL_TYPE (MyProcess, my_process, G_PROCESS_TYPE_OBJECT)

static void
my_process_run (GProcessObject *process)
{
  g_print ("nMask %d\n", MY_PROCESS (process)->arg);
}

static void
my_process_class_init (MyProcessClass *klass)
{
  G_PROCESS_OBJECT_CLASS (klass)->run = my_process_run;
}

static void
my_process_init (MyProcess *self)
{
}

static GProcessObject *
my_process_new (int arg)
{
  MyProcess *self = g_object_new (MY_TYPE_PROCESS, NULL);

  self->arg = arg;
  return G_PROCESS_OBJECT (self);
}

int
main (void)
{
  GProcessObject *procs[10];

  for (int i = 0; i < 10; i++)
    {
      g_autoptr(GError) error = NULL;

      procs[i] = my_process_new (i);
      if (!g_process_object_start (procs[i], &error))
        g_error ("%s", error->message);
    }
  for (int i = 0; i < 10; i++)
    {
      g_process_object_join (procs[i], -1, NULL, NULL);
      g_object_unref (procs[i]);
    }
  return 0;
}
