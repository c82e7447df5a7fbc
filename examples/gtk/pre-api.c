/* TEMPORARY stand-ins for the fork-server API of issue 12, removed when they are merged. */
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
#endif
