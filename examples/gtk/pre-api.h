/* TEMPORARY stand-ins for the APIs of issues 12 and 13, removed when they are merged. */
#pragma once
#include <gprocess/gprocess.h>
typedef enum { G_PROCESS_START_METHOD_FORK, G_PROCESS_START_METHOD_FORKSERVER } GProcessStartMethod;
gboolean  g_process_start_fork_server (GError **error);
gboolean  g_process_set_start_method (GProcessStartMethod method, GError **error);
void      g_process_object_set_args (GProcessObject *self, GVariant *args);
GVariant *g_process_object_get_args (GProcessObject *self);
void      g_process_object_set_fds (GProcessObject *self, const int *fds, gsize n_fds);
const int *g_process_object_get_fds (GProcessObject *self, gsize *n_fds);
void      g_process_set_result (GVariant *value);
void      g_process_set_error (const GError *error);
GVariant *g_process_object_get_result (GProcessObject *self, GError **error);
gboolean  g_process_object_stop (GProcessObject *self, gint64 grace_us, GCancellable *c, GError **error);
void      g_process_object_stop_async (GProcessObject *self, gint64 grace_us, GCancellable *c,
                                       GAsyncReadyCallback callback, gpointer user_data);
gboolean  g_process_object_stop_finish (GProcessObject *self, GAsyncResult *result, GError **error);
