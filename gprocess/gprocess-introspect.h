/* gprocess-introspect.h: entry points for language bindings
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (GPROCESS_INSIDE) && !defined (GPROCESS_COMPILATION)
# error "Only <gprocess/gprocess.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gprocess-object.h"
#include "gprocess-version-macros.h"

G_BEGIN_DECLS

/**
 * GProcessOperation:
 * @G_PROCESS_OPERATION_START: g_process_object_start()
 * @G_PROCESS_OPERATION_JOIN: g_process_object_join() and g_process_object_join_async()
 * @G_PROCESS_OPERATION_TEST: g_process_object_is_alive()
 * @G_PROCESS_OPERATION_SIGNAL: g_process_object_terminate() and g_process_object_kill()
 * @G_PROCESS_OPERATION_CONFIGURE: setting what must be set before start, such as
 *   #GProcessObject:daemon
 * @G_PROCESS_OPERATION_READ: reading what a closed object no longer has for a binding
 *   (its exit code, pid and sentinel, as Python's `multiprocessing` refuses them)
 *
 * What g_process_object_check() checks an object for.
 *
 * Since: 0.2
 */
typedef enum
{
  G_PROCESS_OPERATION_START,
  G_PROCESS_OPERATION_JOIN,
  G_PROCESS_OPERATION_TEST,
  G_PROCESS_OPERATION_SIGNAL,
  G_PROCESS_OPERATION_CONFIGURE,
  G_PROCESS_OPERATION_READ,
} GProcessOperation;

GPROCESS_AVAILABLE_IN_0_2
int       g_process_get_last_errno  (void);

GPROCESS_AVAILABLE_IN_0_2
void      g_process_end_children          (void);

GPROCESS_AVAILABLE_IN_0_2
gboolean  g_process_object_check          (GProcessObject     *self,
                                           GProcessOperation   operation,
                                           GError            **error);
GPROCESS_AVAILABLE_IN_0_2
char     *g_process_object_describe       (GProcessObject     *self,
                                           const char         *type_name);
GPROCESS_AVAILABLE_IN_0_2
int      *g_process_object_get_identity   (GProcessObject     *self,
                                           gsize              *n_counters);

GPROCESS_AVAILABLE_IN_0_2
void      g_process_source_set_callback   (GSource            *source,
                                           GProcessSourceFunc  func,
                                           gpointer            user_data,
                                           GDestroyNotify      notify);

G_END_DECLS
