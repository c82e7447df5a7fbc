/* sum-worker.c: a GProcessObject subclass in C, as in the reference's "Getting started":
 * a property set in the parent, the run vfunc in the child, a result back, a notify::state
 * handler in a main loop.
 *
 * Build: cc sum-worker.c $(pkg-config --cflags --libs gprocess-1.0)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <locale.h>
#include <gprocess/gprocess.h>

/* sum-worker.h would hold these two lines */
#define MY_TYPE_SUM_WORKER (my_sum_worker_get_type ())
G_DECLARE_FINAL_TYPE (MySumWorker, my_sum_worker, MY, SUM_WORKER, GProcessObject)

struct _MySumWorker
{
  GProcessObject parent_instance;
  guint limit;                        /* set in the parent, read in the child: fork copies it */
};

G_DEFINE_FINAL_TYPE (MySumWorker, my_sum_worker, G_PROCESS_TYPE_OBJECT)

enum { PROP_0, PROP_LIMIT, N_PROPS };
static GParamSpec *properties[N_PROPS];

/* Runs in the child: its result goes back to the parent, which reads it with
 * g_process_object_get_result(); returning from run() ends the child with exit code 0 */
static void
my_sum_worker_run (GProcessObject *process)
{
  MySumWorker *self = MY_SUM_WORKER (process);
  guint64 sum = 0;

  for (guint i = 1; i <= self->limit; i++)
    sum += i;
  g_process_set_result (g_variant_new_uint64 (sum));
}

static void
my_sum_worker_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  MySumWorker *self = MY_SUM_WORKER (object);

  switch (prop_id)
    {
    case PROP_LIMIT:
      g_value_set_uint (value, self->limit);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
my_sum_worker_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  MySumWorker *self = MY_SUM_WORKER (object);

  switch (prop_id)
    {
    case PROP_LIMIT:
      self->limit = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
my_sum_worker_class_init (MySumWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GProcessObjectClass *process_class = G_PROCESS_OBJECT_CLASS (klass);

  object_class->get_property = my_sum_worker_get_property;
  object_class->set_property = my_sum_worker_set_property;
  process_class->run = my_sum_worker_run;

  properties[PROP_LIMIT] =
    g_param_spec_uint ("limit", NULL, NULL, 0, G_MAXUINT, 100,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
my_sum_worker_init (MySumWorker *self)
{
}

/* In the parent, from the main loop: the child ended */
static void
on_state (GProcessObject *process,
          GParamSpec     *pspec,
          GMainLoop      *loop)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) result = NULL;

  if (g_process_object_get_state (process) != G_PROCESS_STATE_STOPPED)
    return;
  result = g_process_object_get_result (process, &error);
  if (result != NULL)
    g_print ("%s: sum = %" G_GUINT64_FORMAT ", exit code %d\n",
             g_process_object_get_name (process), g_variant_get_uint64 (result),
             g_process_object_get_exit_code (process));
  else
    g_printerr ("%s: %s\n", g_process_object_get_name (process), error->message);
  g_main_loop_quit (loop);
}

int
main (void)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GProcessObject) worker = NULL;
  g_autoptr(GError) error = NULL;

  setlocale (LC_ALL, "");   /* GProcess's messages in the user's language and charset */

  worker = g_object_new (MY_TYPE_SUM_WORKER, "limit", 1000, "name", "summer", NULL);
  g_signal_connect (worker, "notify::state", G_CALLBACK (on_state), loop);
  if (!g_process_object_start (worker, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  g_main_loop_run (loop);
  return 0;
}
