/* TEMPORARY stand-ins for the fork-server API of issue 12, removed when it is merged. */
#pragma once
#include <gprocess/gprocess.h>
typedef enum { G_PROCESS_START_METHOD_FORK, G_PROCESS_START_METHOD_FORKSERVER } GProcessStartMethod;
gboolean  g_process_start_fork_server (GError **error);
gboolean  g_process_set_start_method (GProcessStartMethod method, GError **error);
void      g_process_object_set_args (GProcessObject *self, GVariant *args);
GVariant *g_process_object_get_args (GProcessObject *self);
void      g_process_object_set_fds (GProcessObject *self, const int *fds, gsize n_fds);
const int *g_process_object_get_fds (GProcessObject *self, gsize *n_fds);
