/* TEMPORARY stand-ins for the APIs of issues 12 and 13, removed when they are merged. */
#include "prime-worker.h"
#ifndef G_PROCESS_TYPE_START_METHOD
gboolean g_process_start_fork_server (GError **error) { return TRUE; }
gboolean g_process_set_start_method (GProcessStartMethod method, GError **error) { return TRUE; }
void g_process_object_set_args (GProcessObject *self, GVariant *args)
{ g_object_set_data_full (G_OBJECT (self), "pre-api-args", g_variant_ref_sink (args), (GDestroyNotify) g_variant_unref); }
GVariant *g_process_object_get_args (GProcessObject *self)
{ return g_object_get_data (G_OBJECT (self), "pre-api-args"); }
void g_process_object_set_fds (GProcessObject *self, const int *fds, gsize n_fds)
{ g_object_set_data_full (G_OBJECT (self), "pre-api-fds", g_memdup2 (fds, n_fds * sizeof (int)), g_free);
  g_object_set_data (G_OBJECT (self), "pre-api-n-fds", GSIZE_TO_POINTER (n_fds)); }
const int *g_process_object_get_fds (GProcessObject *self, gsize *n_fds)
{ *n_fds = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (self), "pre-api-n-fds"));
  return g_object_get_data (G_OBJECT (self), "pre-api-fds"); }
void g_process_set_result (GVariant *value) { g_variant_unref (g_variant_ref_sink (value)); }
void g_process_set_error (const GError *error) { }
GVariant *g_process_object_get_result (GProcessObject *self, GError **error) { return NULL; }
gboolean g_process_object_stop (GProcessObject *self, gint64 grace_us, GCancellable *c, GError **error)
{
  g_process_object_terminate (self);
  if (!g_process_object_join (self, grace_us, NULL, NULL))
    g_process_object_kill (self);
  return g_process_object_join (self, -1, c, error);
}
static void joined (GObject *o, GAsyncResult *r, gpointer task)
{ g_process_object_join_finish (G_PROCESS_OBJECT (o), r, NULL); g_task_return_boolean (task, TRUE); g_object_unref (task); }
static gboolean kill_late (gpointer p) { g_process_object_kill (p); return G_SOURCE_REMOVE; }
void g_process_object_stop_async (GProcessObject *self, gint64 grace_us, GCancellable *c,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, c, callback, user_data);
  g_process_object_terminate (self);
  g_timeout_add_full (G_PRIORITY_DEFAULT, grace_us / 1000, kill_late, g_object_ref (self), g_object_unref);
  g_process_object_join_async (self, NULL, joined, task);
}
gboolean g_process_object_stop_finish (GProcessObject *self, GAsyncResult *result, GError **error)
{ return g_task_propagate_boolean (G_TASK (result), error); }
#endif
